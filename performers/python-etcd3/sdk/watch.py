"""Watches through etcd3's add_watch_callback(): a buffer filled on the SDK's watch thread."""

import threading
import time

import etcd3.events
import etcd3.exceptions as exc

from etcdfit_kit.errors import BadRequest, Unimplemented
from etcdfit_kit.stubs import pb
from etcdfit_kit.watches import WatchBuffer

from .errors import map_error

_WATCH_FILTER = {pb.WATCH_FILTER_NOPUT: 0, pb.WATCH_FILTER_NODELETE: 1}  # etcd FilterType


class Watch(WatchBuffer):
    """One watch handle: the SDK watch id and a buffer filled by the SDK callback."""

    def __init__(self, handle):
        super().__init__(handle)
        self.watch_id = None
        self.cond = threading.Condition()

    # Called on the SDK's watch thread with a WatchResponse or an exception.
    def callback(self, response):
        with self.cond:
            if self.ended:
                return
            if isinstance(response, BaseException):
                # etcd3 ends the watch with any error it hands over: Watcher._run drops
                # every callback after a stream error (raw grpc.RpcError), and a
                # compacted watch is canceled after its RevisionCompactedError.
                compacted = 0
                if isinstance(response, exc.RevisionCompactedError):
                    compacted = response.compacted_revision
                self.record_end(map_error(response), compacted)
            elif isinstance(response, (etcd3.events.PutEvent, etcd3.events.DeleteEvent)):
                # etcd3 0.10: one call per event, the response it came in is hidden.
                self.events.append(watch_event(response))
            else:
                # etcd3 0.11+: one call per watch response (WatchResponse), numbered.
                n = self.next_response()
                if not response.events:
                    # The SDK calls back with an empty response only for progress notifies.
                    self.progress.append(response.header.revision)
                for ev in response.events:
                    self.events.append(watch_event(ev, n))
            self.cond.notify_all()

    def mark_canceled(self):
        with self.cond:
            self.record_end()
            self.cond.notify_all()

    def collect(self, min_events, timeout_s):
        deadline = time.monotonic() + timeout_s
        with self.cond:
            while not self.done(min_events):
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self.cond.wait(left)
            return self.take()


def watch_event(ev, response=0):
    # etcd3.events.PutEvent / DeleteEvent proxy the raw event's kv fields, and the
    # prev_kv fields as prev_<name>. response: the number of the watch response that
    # carried it (0: hidden by the SDK).
    if isinstance(ev, etcd3.events.DeleteEvent):
        etype = pb.EVENT_TYPE_DELETE
    elif isinstance(ev, etcd3.events.PutEvent):
        etype = pb.EVENT_TYPE_PUT
    else:
        raise RuntimeError("unknown watch event class %s" % type(ev).__name__)
    out = pb.WatchEvent(type=etype, kv=pb.KeyValue(
        key=ev.key, create_revision=ev.create_revision, mod_revision=ev.mod_revision,
        version=ev.version, value=ev.value, lease=ev.lease), response=response)
    if ev.prev_key:  # etcd keys are never empty: empty means no prev_kv
        out.prev_kv.CopyFrom(pb.KeyValue(
            key=ev.prev_key, create_revision=ev.prev_create_revision,
            mod_revision=ev.prev_mod_revision, version=ev.prev_version,
            value=ev.prev_value, lease=ev.prev_lease))
    return out


class WatchCommands:
    """Session methods for the watch commands (self.client, self.watches)."""

    def _do_watch_start(self, c, t):
        kwargs = {}
        if c.start_revision:
            kwargs["start_revision"] = c.start_revision
        if c.prev_kv:
            kwargs["prev_kv"] = True
        if c.progress_notify:
            kwargs["progress_notify"] = True
        if c.filters:
            try:
                kwargs["filters"] = [_WATCH_FILTER[f] for f in c.filters]
            except KeyError as e:
                raise BadRequest("unknown watch filter %s" % e) from None
        w = Watch(c.handle)
        self.watches.reserve(c.handle, w)
        try:
            if c.kind == pb.RANGE_KIND_SINGLE:
                fn, args = self.client.add_watch_callback, (c.key, w.callback)
            elif c.kind == pb.RANGE_KIND_RANGE:
                fn, args = self.client.add_watch_callback, (c.key, w.callback)
                kwargs["range_end"] = c.range_end
            elif c.kind == pb.RANGE_KIND_PREFIX:
                fn, args = self.client.add_watch_prefix_callback, (c.key, w.callback)
            elif c.kind == pb.RANGE_KIND_FROM_KEY:
                raise Unimplemented("etcd3 has no from-key watch helper")
            else:
                raise BadRequest("unknown range kind %d" % c.kind)
            # add_watch_callback blocks until etcd confirmed the watch (created).
            w.watch_id = t.call(fn, *args, **kwargs)
        except BaseException:
            self.watches.release(c.handle, w)
            raise
        return pb.WatchStartResult()

    def _do_watch_collect(self, c, t):
        w = self.watches.require(c.handle)
        t.mark_call()
        res = w.collect(c.min_events, (c.timeout_ms or 5000) / 1000.0)
        t.mark_return()
        return res

    def _do_watch_cancel(self, c, t):
        w = self.watches.require(c.handle)
        t.call(self.client.cancel_watch, w.watch_id)
        w.mark_canceled()
        return pb.WatchCancelResult()
