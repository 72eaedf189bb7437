"""Watches through aetcd's Client.watch(): an rtypes.Watch drained by a pump task."""

import asyncio

import aetcd.exceptions as exc
import aetcd.rtypes

from etcdfit_kit import convert
from etcdfit_kit.errors import BadRequest, Unimplemented
from etcdfit_kit.stubs import pb
from etcdfit_kit.watches import WatchBuffer

from .errors import map_error

# etcd FilterType -> the one aetcd EventKind that passes it (watch(kind=...)).
_KIND_FOR_FILTERS = {
    frozenset([pb.WATCH_FILTER_NOPUT]): aetcd.rtypes.EventKind.DELETE,
    frozenset([pb.WATCH_FILTER_NODELETE]): aetcd.rtypes.EventKind.PUT,
}


class Watch(WatchBuffer):
    """One watch handle: the SDK's rtypes.Watch, drained by a pump task into a buffer."""

    def __init__(self, handle):
        super().__init__(handle)
        self.sdk_watch = None
        self.task = None
        self.cond = asyncio.Condition()

    def start(self, sdk_watch):
        self.sdk_watch = sdk_watch
        self.task = asyncio.get_running_loop().create_task(self._pump())

    async def _pump(self):
        # `async for` over rtypes.Watch: events until cancel()/client close (the
        # iterator just stops) or an error (RevisionCompactedError, stream failure).
        try:
            async for ev in self.sdk_watch:
                await self.add_event(watch_event(ev))
        except asyncio.CancelledError:
            await self.end(None)
            raise
        except Exception as e:  # delivered by the SDK
            await self.end(e)
        else:
            await self.end(None)

    async def add_event(self, event):
        async with self.cond:
            if not self.ended:
                self.events.append(event)
                self.cond.notify_all()

    async def end(self, error):
        async with self.cond:
            if self.ended:
                return
            if error is None:
                self.record_end()
            else:
                compacted = 0
                if isinstance(error, exc.RevisionCompactedError):
                    compacted = error.compacted_revision
                self.record_end(map_error(error), compacted)
            self.cond.notify_all()

    async def collect(self, min_events, timeout_s):
        async with self.cond:
            try:
                await asyncio.wait_for(self.cond.wait_for(lambda: self.done(min_events)),
                                       timeout_s)
            except asyncio.TimeoutError:
                pass
            return self.take()


def watch_event(ev):
    """aetcd.rtypes.Event (kind 'PUT'/'DELETE', kv, prev_kv) -> pb.WatchEvent."""
    if ev.kind == aetcd.rtypes.EventKind.PUT:
        etype = pb.EVENT_TYPE_PUT
    elif ev.kind == aetcd.rtypes.EventKind.DELETE:
        etype = pb.EVENT_TYPE_DELETE
    else:
        raise RuntimeError("unknown watch event kind %r" % (ev.kind,))
    out = pb.WatchEvent(type=etype, kv=convert.kv(ev.kv))
    # Reported as the SDK gives it: rtypes.Event.prev_kv is None or a KeyValue.
    if ev.prev_kv is not None:
        out.prev_kv.CopyFrom(convert.kv(ev.prev_kv))
    return out


class WatchCommands:
    """Session methods for the watch commands (self.client, self.watches)."""

    async def _do_watch_start(self, c, t):
        kwargs = {}
        if c.start_revision:
            kwargs["start_revision"] = c.start_revision
        if c.prev_kv:
            kwargs["prev_kv"] = True
        if c.progress_notify:
            raise Unimplemented("aetcd Watcher._handle_response forwards only events: "
                                "progress notifications never reach the caller")
        if c.filters:
            for f in c.filters:
                if f not in (pb.WATCH_FILTER_NOPUT, pb.WATCH_FILTER_NODELETE):
                    raise BadRequest("unknown watch filter %d" % f)
            kind = _KIND_FOR_FILTERS.get(frozenset(c.filters))
            if kind is None:
                raise Unimplemented("aetcd watch(kind=...) selects one event kind; "
                                    "NOPUT and NODELETE together cannot be expressed")
            kwargs["kind"] = kind
        if c.kind == pb.RANGE_KIND_SINGLE:
            fn, args = self.client.watch, (c.key,)
        elif c.kind == pb.RANGE_KIND_RANGE:
            fn, args = self.client.watch, (c.key,)
            kwargs["range_end"] = c.range_end
        elif c.kind == pb.RANGE_KIND_PREFIX:
            fn, args = self.client.watch_prefix, (c.key,)
        elif c.kind == pb.RANGE_KIND_FROM_KEY:
            raise Unimplemented("aetcd has no from-key watch helper")
        else:
            raise BadRequest("unknown range kind %d" % c.kind)
        w = Watch(c.handle)
        self.watches.reserve(c.handle, w)
        try:
            # Client.watch() returns once etcd confirmed the watch (created), or raises
            # (WatchTimeoutError after the request timeout).
            sdk_watch = await t.call(fn, *args, **kwargs)
        except BaseException:
            self.watches.release(c.handle, w)
            raise
        w.start(sdk_watch)
        return pb.WatchStartResult()

    async def _do_watch_collect(self, c, t):
        w = self.watches.require(c.handle)
        t.mark_call()
        res = await w.collect(c.min_events, (c.timeout_ms or 5000) / 1000.0)
        t.mark_return()
        return res

    async def _do_watch_cancel(self, c, t):
        w = self.watches.require(c.handle)
        await t.call(w.sdk_watch.cancel)
        await w.end(None)
        return pb.WatchCancelResult()
