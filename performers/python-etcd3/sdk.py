"""python-etcd3 specific code: capabilities, error mapping, command execution.

Everything here goes through the public API of the `etcd3` package (the client's
methods, its documented `*_response` methods and kwargs, `client.transactions`,
`etcd3.utils` helpers). Where that API has no way to express a command or option
the command is answered with a harness UNIMPLEMENTED error that names the missing
SDK feature; raw gRPC stubs are never used to get around the SDK.
"""

import os
import sys
import threading
import time
import traceback
from importlib import metadata

_GEN = os.path.join(os.path.dirname(os.path.abspath(__file__)), "gen")
if _GEN not in sys.path:
    sys.path.insert(0, _GEN)

import grpc

import etcd3
import etcd3.events
import etcd3.exceptions as exc
import etcd3.utils

from etcdfit.performer.v1 import performer_pb2 as pb  # noqa: E402

SDK_PACKAGE = "etcd3"
HK = pb.HarnessError


def sdk_version():
    return metadata.version(SDK_PACKAGE)


def _vtuple(version):
    out = []
    for part in version.split("."):
        digits = "".join(ch for ch in part if ch.isdigit())
        out.append(int(digits) if digits else 0)
    return tuple((out + [0, 0, 0])[:3])


# ---------------------------------------------------------------- capabilities

# Catalog ids this performer carries out through the etcd3 API, with the first SDK
# version that offers it. 0.10.0, 0.11.1 and 0.12.0 are built and run by the suite.
# 0.10 has no *_response methods: ranges go through get()/get_prefix()/get_range(),
# which return (value, metadata) tuples (header only via metadata, no count/more).
_IMPLEMENTED = {
    "kv.put": (0, 10, 0),            # put()
    "kv.put.prev_kv": (0, 10, 0),    # put(prev_kv=True)
    "kv.put.lease": (0, 10, 0),      # put(lease=id)
    "kv.range": (0, 10, 0),          # get_response()
    "kv.range.prefix": (0, 10, 0),   # get_prefix_response()
    "kv.range.range_end": (0, 10, 0),  # get_range_response()
    "kv.range.sort": (0, 10, 0),     # sort_order= / sort_target=
    "kv.range.keys_only": (0, 10, 0),  # keys_only= (prefix / range only)
    "kv.range.serializable": (0, 10, 0),
    "kv.delete": (0, 10, 0),         # delete(return_response=True)
    "kv.delete.prev_kv": (0, 10, 0),  # delete(prev_kv=True) (single key only)
    "txn": (0, 10, 0),               # transaction()
    "txn.compare.value": (0, 10, 0),
    "txn.compare.version": (0, 10, 0),
    "txn.compare.create": (0, 10, 0),
    "txn.compare.mod": (0, 10, 0),
    "txn.compare.range": (0, 10, 0),  # BaseCompare(key, range_end)
    "txn.nested": (0, 10, 0),        # transactions.Txn
    "compact": (0, 10, 0),
    "compact.physical": (0, 10, 0),
    "status": (0, 10, 0),
    "lease.grant": (0, 10, 0),       # lease(ttl)
    "lease.grant.id": (0, 10, 0),    # lease(ttl, lease_id)
    "lease.revoke": (0, 10, 0),      # revoke_lease()
    "lease.ttl": (0, 10, 0),         # get_lease_info()
    "lease.ttl.keys": (0, 10, 0),    # get_lease_info() always asks keys=True
    "lease.keepalive_once": (0, 10, 0),  # refresh_lease()
    "watch": (0, 10, 0),             # add_watch_callback()
    "watch.prefix": (0, 11, 0),      # add_watch_prefix_callback() (new in 0.11)
    "watch.range_end": (0, 10, 0),   # add_watch_callback(range_end=)
    "watch.start_revision": (0, 10, 0),
    "watch.prev_kv": (0, 10, 0),
    "watch.cancel": (0, 10, 0),      # cancel_watch()
    "watch.compacted": (0, 10, 0),   # RevisionCompactedError(compacted_revision)
    "watch.progress_notify": (0, 11, 0),  # 0.10 calls back per event, never for a progress notify
}

# Catalog ids NOT claimed, with the SDK reason (etcd3 0.12.0). These are findings.
UNCLAIMED = {
    "kv.put.ignore_value": "put() has no ignore_value parameter",
    "kv.put.ignore_lease": "put() has no ignore_lease parameter",
    "kv.range.from_key": "no from-key helper (get_all_response only ranges from b'\\0')",
    "kv.range.limit": "get_*_response accept limit= but _build_get_range_request silently drops it",
    "kv.range.revision": "get_*_response accept revision= but _build_get_range_request silently drops it",
    "kv.range.count_only": "get_*_response accept count_only= but _build_get_range_request silently drops it",
    "kv.range.mod_revision_filter": "min/max_mod_revision= accepted but silently dropped by _build_get_range_request",
    "kv.range.create_revision_filter": "min/max_create_revision= accepted but silently dropped by _build_get_range_request",
    "kv.delete.range": "only delete_prefix() (without prev_kv); no interval or from-key delete",
    "txn.compare.lease": "etcd3.transactions has Value/Version/Create/Mod compares only, no Lease",
    "lease.leases": "no API to list leases",
    "watch.filters": "add_watch_callback(filters=...) raises AttributeError (assigns a repeated protobuf field)",
}


def capabilities_for(version):
    """The catalog ids claimed for a given etcd3 version (sorted)."""
    v = _vtuple(version)
    return sorted(cap for cap, since in _IMPLEMENTED.items() if v >= since)


# ---------------------------------------------------------------- error mapping

# By exception type, checked first (most specific class first).
ERROR_BY_TYPE = (
    (exc.RevisionCompactedError, pb.COMPACTED),
    (exc.ConnectionFailedError, pb.UNAVAILABLE),      # SDK's UNAVAILABLE
    (exc.ConnectionTimeoutError, pb.DEADLINE_EXCEEDED),  # SDK's DEADLINE_EXCEEDED
    (exc.WatchTimedOut, pb.DEADLINE_EXCEEDED),
    # FAILED_PRECONDITION: the SDK drops etcd's message (lease exists, auth not
    # enabled, ...), so the canonical code cannot be known.
    (exc.PreconditionFailedError, pb.UNKNOWN),
    (exc.InternalServerError, pb.UNKNOWN),
)

# By etcd's error text (grpc details), for errors the SDK lets through.
ERROR_BY_MESSAGE = {
    "etcdserver: mvcc: required revision has been compacted": pb.COMPACTED,
    "etcdserver: mvcc: required revision is a future revision": pb.FUTURE_REVISION,
    "etcdserver: requested lease not found": pb.LEASE_NOT_FOUND,
    "etcdserver: duplicate key given in txn request": pb.DUPLICATE_KEY,
    "etcdserver: too many operations in txn request": pb.TOO_MANY_OPS,
    "etcdserver: request is too large": pb.REQUEST_TOO_LARGE,
    "etcdserver: key is not provided": pb.EMPTY_KEY,
    "etcdserver: key not found": pb.KEY_NOT_FOUND,
    "etcdserver: lease already exists": pb.LEASE_EXISTS,
    "etcdserver: too large lease TTL": pb.LEASE_TTL_TOO_LARGE,
    "etcdserver: value is provided": pb.VALUE_PROVIDED,
    "etcdserver: lease is provided": pb.LEASE_PROVIDED,
    "etcdserver: permission denied": pb.PERMISSION_DENIED,
    "etcdserver: authentication failed, invalid user ID or password": pb.AUTH_FAILED,
}

# By gRPC status code, last.
ERROR_BY_GRPC_CODE = {
    grpc.StatusCode.INVALID_ARGUMENT: pb.INVALID_ARGUMENT,
    grpc.StatusCode.UNAVAILABLE: pb.UNAVAILABLE,
    grpc.StatusCode.DEADLINE_EXCEEDED: pb.DEADLINE_EXCEEDED,
    grpc.StatusCode.CANCELLED: pb.CANCELED,
    grpc.StatusCode.PERMISSION_DENIED: pb.PERMISSION_DENIED,
    grpc.StatusCode.UNAUTHENTICATED: pb.AUTH_FAILED,
}


def _type_name(cls):
    if cls.__module__ == "builtins":
        return cls.__qualname__
    return "%s.%s" % (cls.__module__, cls.__qualname__)


def _grpc_status(e):
    """(StatusCode, details) of a grpc.RpcError, else (None, None)."""
    if not isinstance(e, grpc.RpcError):
        return None, None
    try:
        code = e.code()
    except Exception:
        code = None
    try:
        details = e.details()
    except Exception:
        details = None
    return code, details


def map_error(e):
    """Map an exception the SDK raised (or delivered) to a canonical SdkError."""
    code = None
    for cls, canonical in ERROR_BY_TYPE:
        if isinstance(e, cls):
            code = canonical
            break
    status, details = _grpc_status(e)
    if code is None:
        if details is not None and details.strip() in ERROR_BY_MESSAGE:
            code = ERROR_BY_MESSAGE[details.strip()]
        elif status is not None and status in ERROR_BY_GRPC_CODE:
            code = ERROR_BY_GRPC_CODE[status]
        else:
            code = pb.UNKNOWN
    grpc_code = status.value[0] if isinstance(status, grpc.StatusCode) else -1
    return pb.SdkError(code=code, sdk_type=_type_name(type(e)), message=str(e),
                       grpc_code=grpc_code)


# ---------------------------------------------------------------- execution helpers

class Unimplemented(Exception):
    """The SDK (or this performer) cannot express the command or option."""


class BadRequest(Exception):
    """The request is malformed (e.g. unknown watch handle)."""


class SdkRaised(Exception):
    """Wraps an exception raised by SDK code."""

    def __init__(self, original):
        super().__init__(str(original))
        self.original = original


class _Timer:
    def __init__(self):
        self.call_ns = None
        self.return_ns = None

    def call(self, fn, *args, **kwargs):
        """Call SDK code, recording the monotonic clock right before and after."""
        self.call_ns = time.monotonic_ns()
        try:
            return fn(*args, **kwargs)
        except Exception as e:  # any failure inside the SDK is the SDK's
            raise SdkRaised(e) from e
        finally:
            self.return_ns = time.monotonic_ns()


def _sdk_helper(fn, *args):
    """An SDK helper called while building a request (e.g. etcd3.utils)."""
    try:
        return fn(*args)
    except Exception as e:
        raise SdkRaised(e) from e


def _header(h=None):
    if h is None:
        return pb.ResponseHeader(present=False)
    return pb.ResponseHeader(revision=h.revision, cluster_id=h.cluster_id,
                             member_id=h.member_id, raft_term=h.raft_term, present=True)


def _raw_header(msg):
    if msg.HasField("header"):
        return _header(msg.header)
    return _header(None)


def _kv(kv):
    return pb.KeyValue(key=kv.key, create_revision=kv.create_revision,
                       mod_revision=kv.mod_revision, version=kv.version,
                       value=kv.value, lease=kv.lease)


def _prefix_end(key):
    # The SDK's own prefix computation (what get_prefix_response & co use).
    return _sdk_helper(etcd3.utils.increment_last_byte, etcd3.utils.to_bytes(key))


_SORT_ORDER = {pb.SORT_ORDER_NONE: None, pb.SORT_ORDER_ASCEND: "ascend",
               pb.SORT_ORDER_DESCEND: "descend"}
_SORT_TARGET = {pb.SORT_TARGET_KEY: "key", pb.SORT_TARGET_VERSION: "version",
                pb.SORT_TARGET_CREATE: "create", pb.SORT_TARGET_MOD: "mod",
                pb.SORT_TARGET_VALUE: "value"}

# Range options the SDK accepts as kwargs but never puts in the request.
_DROPPED_RANGE_OPTIONS = ("limit", "revision", "count_only", "min_mod_revision",
                          "max_mod_revision", "min_create_revision", "max_create_revision")


def _check_range_options(r):
    for name in _DROPPED_RANGE_OPTIONS:
        if getattr(r, name):
            raise Unimplemented(
                "etcd3 %s: range option %s is not supported (get_*_response accept it as a "
                "kwarg but _build_get_range_request never sets it in the RangeRequest)"
                % (sdk_version(), name))


def _range_result_raw(resp):
    return pb.RangeResult(header=_raw_header(resp), kvs=[_kv(kv) for kv in resp.kvs],
                          more=resp.more, count=resp.count)


def _delete_result_raw(resp):
    return pb.DeleteRangeResult(header=_raw_header(resp), deleted=resp.deleted,
                                prev_kvs=[_kv(kv) for kv in resp.prev_kvs])


def _put_result_raw(resp):
    res = pb.PutResult(header=_raw_header(resp))
    if resp.HasField("prev_kv"):
        res.prev_kv.CopyFrom(_kv(resp.prev_kv))
    return res


def _txn_result_raw(resp):
    """A raw etcdserverpb.TxnResponse (nested txn responses come back raw)."""
    out = pb.TxnResult(header=_raw_header(resp), succeeded=resp.succeeded)
    for op in resp.responses:
        out.responses.append(_response_op_raw(op))
    return out


def _response_op_raw(op):
    which = op.WhichOneof("response")
    if which == "response_put":
        return pb.ResponseOp(put=_put_result_raw(op.response_put))
    if which == "response_range":
        return pb.ResponseOp(range=_range_result_raw(op.response_range))
    if which == "response_delete_range":
        return pb.ResponseOp(delete_range=_delete_result_raw(op.response_delete_range))
    if which == "response_txn":
        return pb.ResponseOp(txn=_txn_result_raw(op.response_txn))
    raise RuntimeError("unknown ResponseOp kind %r" % which)


# ---------------------------------------------------------------- watches

class Watch:
    """One watch handle: the SDK watch id and a buffer filled by the SDK callback."""

    def __init__(self, handle):
        self.handle = handle
        self.watch_id = None
        self.cond = threading.Condition()
        self.events = []
        self.progress = []
        self.ended = False
        self.end_error = None
        self.compact_revision = 0

    # Called on the SDK's watch thread with a WatchResponse or an exception.
    def callback(self, response):
        with self.cond:
            if self.ended:
                return
            if isinstance(response, BaseException):
                self.ended = True
                self.end_error = map_error(response)
                if isinstance(response, exc.RevisionCompactedError):
                    self.compact_revision = response.compacted_revision or 0
            elif isinstance(response, (etcd3.events.PutEvent, etcd3.events.DeleteEvent)):
                self.events.append(_watch_event(response))  # etcd3 0.10: one event per call
            elif not response.events:
                # The SDK calls back with an empty response only for progress notifies.
                self.progress.append(response.header.revision)
            else:
                for ev in response.events:
                    self.events.append(_watch_event(ev))
            self.cond.notify_all()

    def mark_canceled(self):
        with self.cond:
            self.ended = True
            self.cond.notify_all()

    def collect(self, min_events, timeout_s):
        deadline = time.monotonic() + timeout_s
        with self.cond:
            # min_events 0 means "no threshold": wait the whole timeout (protocol contract),
            # so a test asserting that no event arrives does not pass vacuously.
            while (min_events == 0 or len(self.events) < min_events) and not self.ended:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self.cond.wait(left)
            res = pb.WatchCollectResult(events=self.events, ended=self.ended,
                                        compact_revision=self.compact_revision,
                                        progress_revisions=self.progress)
            if self.end_error is not None:
                res.end_error.CopyFrom(self.end_error)
            self.events = []
            self.progress = []
            return res


def _watch_event(ev):
    # etcd3.events.PutEvent / DeleteEvent proxy the raw event's kv fields, and the
    # prev_kv fields as prev_<name>.
    if isinstance(ev, etcd3.events.DeleteEvent):
        etype = pb.EVENT_TYPE_DELETE
    elif isinstance(ev, etcd3.events.PutEvent):
        etype = pb.EVENT_TYPE_PUT
    else:
        raise RuntimeError("unknown watch event class %s" % type(ev).__name__)
    out = pb.WatchEvent(type=etype, kv=pb.KeyValue(
        key=ev.key, create_revision=ev.create_revision, mod_revision=ev.mod_revision,
        version=ev.version, value=ev.value, lease=ev.lease))
    if ev.prev_key:  # etcd keys are never empty: empty means no prev_kv
        out.prev_kv.CopyFrom(pb.KeyValue(
            key=ev.prev_key, create_revision=ev.prev_create_revision,
            mod_revision=ev.prev_mod_revision, version=ev.prev_version,
            value=ev.prev_value, lease=ev.prev_lease))
    return out


_WATCH_FILTER = {pb.WATCH_FILTER_NOPUT: 0, pb.WATCH_FILTER_NODELETE: 1}  # etcd FilterType


# ---------------------------------------------------------------- the client session

def parse_endpoint(endpoint):
    """'http://host:port' (or 'host:port') -> (host, port)."""
    ep = endpoint.strip()
    if "://" in ep:
        scheme, ep = ep.split("://", 1)
        if scheme != "http":
            raise Unimplemented("scheme %r: the performer has no TLS material to pass "
                                "as ca_cert/cert_key/cert_cert" % scheme)
    ep = ep.rstrip("/")
    if ep.startswith("["):
        host, _, rest = ep[1:].partition("]")
        port = rest.lstrip(":")
    else:
        host, _, port = ep.rpartition(":")
    if not host or not port.isdigit():
        raise ValueError("cannot parse endpoint %r (want http://host:port)" % endpoint)
    return host, int(port)


class Session:
    """An etcd3 client plus its watch registry."""

    def __init__(self, endpoints, request_timeout_ms=0, username="", password="",
                 watch_registry=None):
        if not endpoints:
            raise ValueError("no endpoints given")
        self.endpoints = list(endpoints)
        self.host, self.port = parse_endpoint(endpoints[0])
        self.timeout = (request_timeout_ms or 10000) / 1000.0
        kwargs = {}
        if username:
            kwargs.update(user=username, password=password)
        # etcd3.client takes one host:port; extra endpoints cannot be given to it.
        self.client = etcd3.client(host=self.host, port=self.port, timeout=self.timeout,
                                   **kwargs)
        self.watches = watch_registry

    def close(self):
        for w in self.watches.drain():
            if w.watch_id is not None:
                try:
                    self.client.cancel_watch(w.watch_id)
                except Exception:
                    pass
            w.mark_canceled()
        self.client.close()

    # -- dispatch

    def execute(self, command):
        """Run one Command, always returning exactly one CommandResult."""
        timer = _Timer()
        kind = command.WhichOneof("command")
        result = pb.CommandResult()
        try:
            if not kind:
                raise BadRequest("empty Command (no command set)")
            handler = getattr(self, "_do_" + kind, None)
            if handler is None:
                raise Unimplemented("command %r is not implemented" % kind)
            payload = handler(getattr(command, kind), timer)
            getattr(result.ok, kind).CopyFrom(payload)
        except SdkRaised as e:
            result.sdk_error.CopyFrom(map_error(e.original))
        except Unimplemented as e:
            result.harness_error.CopyFrom(HK(kind=HK.UNIMPLEMENTED, message=str(e)))
        except BadRequest as e:
            result.harness_error.CopyFrom(HK(kind=HK.BAD_REQUEST, message=str(e)))
        except Exception as e:
            last = traceback.format_exception_only(type(e), e)[-1].strip()
            result.harness_error.CopyFrom(HK(kind=HK.INTERNAL, message=last))
        now = time.monotonic_ns()
        result.call_ns = timer.call_ns if timer.call_ns is not None else now
        result.return_ns = timer.return_ns if timer.return_ns is not None else result.call_ns
        return result

    # -- KV

    def _do_put(self, c, t):
        if c.ignore_value:
            raise Unimplemented("etcd3 put() has no ignore_value option")
        if c.ignore_lease:
            raise Unimplemented("etcd3 put() has no ignore_lease option")
        resp = t.call(self.client.put, c.key, c.value, lease=c.lease or None,
                      prev_kv=c.prev_kv)
        return _put_result_raw(resp)

    def _do_range(self, c, t):
        _check_range_options(c)
        if not hasattr(self.client, "get_response"):  # etcd3 < 0.11
            return self._do_range_tuples(c, t)
        order = _SORT_ORDER[c.sort_order]
        target = _SORT_TARGET[c.sort_target]
        if c.kind == pb.RANGE_KIND_SINGLE:
            if c.keys_only or order is not None or target != "key":
                raise Unimplemented("etcd3 get_response() (single key) takes only "
                                    "serializable; keys_only/sort are not supported")
            resp = t.call(self.client.get_response, c.key, serializable=c.serializable)
        elif c.kind == pb.RANGE_KIND_PREFIX:
            resp = t.call(self.client.get_prefix_response, c.key, sort_order=order,
                          sort_target=target, serializable=c.serializable,
                          keys_only=c.keys_only)
        elif c.kind == pb.RANGE_KIND_RANGE:
            resp = t.call(self.client.get_range_response, c.key, c.range_end,
                          sort_order=order, sort_target=target,
                          serializable=c.serializable, keys_only=c.keys_only)
        elif c.kind == pb.RANGE_KIND_FROM_KEY:
            raise Unimplemented("etcd3 has no from-key range helper")
        else:
            raise BadRequest("unknown range kind %d" % c.kind)
        return _range_result_raw(resp)

    def _do_range_tuples(self, c, t):
        """etcd3 0.10: get()/get_prefix()/get_range() return (value, KVMetadata) tuples;
        the response header is only reachable through the metadata of a returned key."""
        order = _SORT_ORDER[c.sort_order]
        target = _SORT_TARGET[c.sort_target]
        if c.kind == pb.RANGE_KIND_SINGLE:
            if c.keys_only or order is not None or target != "key":
                raise Unimplemented("etcd3 0.10 get() takes only serializable")
            value, meta = t.call(self.client.get, c.key, serializable=c.serializable)
            pairs = [] if meta is None else [(value, meta)]
        else:
            if c.serializable:
                raise Unimplemented("etcd3 0.10 get_prefix()/get_range() have no serializable option")
            if c.kind == pb.RANGE_KIND_PREFIX:
                fn, args = self.client.get_prefix, (c.key,)
            elif c.kind == pb.RANGE_KIND_RANGE:
                fn, args = self.client.get_range, (c.key, c.range_end)
            elif c.kind == pb.RANGE_KIND_FROM_KEY:
                raise Unimplemented("etcd3 has no from-key range helper")
            else:
                raise BadRequest("unknown range kind %d" % c.kind)
            pairs = t.call(lambda *a, **k: list(fn(*a, **k)), *args, sort_order=order,
                           sort_target=target, keys_only=c.keys_only)
        out = pb.RangeResult(count=len(pairs))
        for value, meta in pairs:
            out.kvs.append(pb.KeyValue(key=meta.key, create_revision=meta.create_revision,
                                       mod_revision=meta.mod_revision, version=meta.version,
                                       value=value or b"", lease=meta.lease_id))
        out.header.CopyFrom(_header(pairs[0][1].response_header) if pairs else _header(None))
        return out

    def _do_delete_range(self, c, t):
        if c.kind == pb.RANGE_KIND_SINGLE:
            resp = t.call(self.client.delete, c.key, prev_kv=c.prev_kv,
                          return_response=True)
        elif c.kind == pb.RANGE_KIND_PREFIX:
            if c.prev_kv:
                raise Unimplemented("etcd3 delete_prefix() has no prev_kv option")
            resp = t.call(self.client.delete_prefix, c.key)
        elif c.kind == pb.RANGE_KIND_RANGE:
            raise Unimplemented("etcd3 has no delete over an interval [key, range_end) "
                                "(only delete() and delete_prefix())")
        elif c.kind == pb.RANGE_KIND_FROM_KEY:
            raise Unimplemented("etcd3 has no from-key delete helper")
        else:
            raise BadRequest("unknown range kind %d" % c.kind)
        return _delete_result_raw(resp)

    # -- Txn

    def _compare(self, c):
        tx = self.client.transactions
        if c.kind == pb.RANGE_KIND_SINGLE:
            range_end = None
        elif c.kind == pb.RANGE_KIND_RANGE:
            range_end = c.range_end
        elif c.kind == pb.RANGE_KIND_PREFIX:
            range_end = _prefix_end(c.key)
        else:
            raise Unimplemented("txn compare: etcd3 has no from-key helper")
        if c.target == pb.COMPARE_TARGET_VALUE:
            cmp, operand = tx.value(c.key, range_end), c.value
        elif c.target == pb.COMPARE_TARGET_VERSION:
            cmp, operand = tx.version(c.key, range_end), c.version
        elif c.target == pb.COMPARE_TARGET_CREATE:
            cmp, operand = tx.create(c.key, range_end), c.create_revision
        elif c.target == pb.COMPARE_TARGET_MOD:
            cmp, operand = tx.mod(c.key, range_end), c.mod_revision
        elif c.target == pb.COMPARE_TARGET_LEASE:
            raise Unimplemented("etcd3.transactions has no Lease compare "
                                "(only Value, Version, Create, Mod)")
        else:
            raise BadRequest("unknown compare target %d" % c.target)
        if c.result == pb.COMPARE_RESULT_EQUAL:
            return cmp == operand
        if c.result == pb.COMPARE_RESULT_NOT_EQUAL:
            return cmp != operand
        if c.result == pb.COMPARE_RESULT_GREATER:
            return cmp > operand
        if c.result == pb.COMPARE_RESULT_LESS:
            return cmp < operand
        raise BadRequest("unknown compare result %d" % c.result)

    def _op(self, op):
        tx = self.client.transactions
        which = op.WhichOneof("request")
        if which == "put":
            p = op.put
            if p.ignore_value or p.ignore_lease:
                raise Unimplemented("etcd3.transactions.Put has no ignore_value/ignore_lease")
            return tx.put(p.key, p.value, lease=p.lease or None, prev_kv=p.prev_kv)
        if which == "range":
            r = op.range
            if (r.limit or r.revision or r.sort_order or r.sort_target or r.serializable
                    or r.keys_only or r.count_only or r.min_mod_revision
                    or r.max_mod_revision or r.min_create_revision
                    or r.max_create_revision):
                raise Unimplemented("etcd3.transactions.Get takes only key and range_end "
                                    "(no range options)")
            return tx.get(r.key, self._op_range_end(r))
        if which == "delete_range":
            d = op.delete_range
            return tx.delete(d.key, self._op_range_end(d), prev_kv=d.prev_kv)
        if which == "txn":
            n = op.txn
            return tx.txn([self._compare(c) for c in n.compares],
                          [self._op(o) for o in n.success],
                          [self._op(o) for o in n.failure])
        raise BadRequest("empty RequestOp")

    def _op_range_end(self, r):
        if r.kind == pb.RANGE_KIND_SINGLE:
            return None
        if r.kind == pb.RANGE_KIND_RANGE:
            return r.range_end
        if r.kind == pb.RANGE_KIND_PREFIX:
            return _prefix_end(r.key)
        raise Unimplemented("txn op: etcd3 has no from-key helper")

    def _do_txn(self, c, t):
        compares = [self._compare(x) for x in c.compares]
        success = [self._op(x) for x in c.success]
        failure = [self._op(x) for x in c.failure]
        succeeded, responses = t.call(self.client.transaction, compare=compares,
                                      success=success, failure=failure)
        # transaction() returns (succeeded, responses) and hides the TxnResponse
        # header. Put/delete/txn responses come back raw; range responses are
        # turned into a list of (value, KVMetadata) without header/more/count.
        out = pb.TxnResult(header=_header(None), succeeded=succeeded)
        for r in responses:
            if isinstance(r, list):
                kvs = [pb.KeyValue(key=m.key, create_revision=m.create_revision,
                                   mod_revision=m.mod_revision, version=m.version,
                                   value=value, lease=m.lease_id) for value, m in r]
                # No limit can be set on transactions.Get, so etcd's count is len(kvs)
                # and more is false.
                out.responses.append(pb.ResponseOp(range=pb.RangeResult(
                    header=_header(None), kvs=kvs, more=False, count=len(kvs))))
            else:
                out.responses.append(_response_op_raw(r))
        return out

    # -- maintenance

    def _do_compact(self, c, t):
        t.call(self.client.compact, c.revision, physical=c.physical)
        return pb.CompactResult(header=_header(None))  # compact() returns None

    def _do_status(self, c, t):
        if c.endpoint:
            host, port = parse_endpoint(c.endpoint)
            if (host, port) != (self.host, self.port):
                raise Unimplemented("etcd3 status() only asks the client's own endpoint "
                                    "%s:%d" % (self.host, self.port))
        st = t.call(self.client.status)
        # Status() hides the header; leader is an etcd3.Member (or None when the
        # leader id is not in the member list).
        return pb.StatusResult(header=_header(None), version=st.version,
                               db_size=st.db_size,
                               leader=st.leader.id if st.leader is not None else 0,
                               raft_index=st.raft_index, raft_term=st.raft_term)

    # -- leases

    def _do_lease_grant(self, c, t):
        lease = t.call(self.client.lease, c.ttl, lease_id=c.id or None)
        return pb.LeaseGrantResult(header=_header(None), id=lease.id, ttl=lease.ttl)

    def _do_lease_revoke(self, c, t):
        t.call(self.client.revoke_lease, c.id)
        return pb.LeaseRevokeResult(header=_header(None))

    def _do_lease_time_to_live(self, c, t):
        # get_lease_info() always sends keys=True; the keys are reported as given.
        resp = t.call(self.client.get_lease_info, c.id)
        return pb.LeaseTimeToLiveResult(header=_raw_header(resp), id=resp.ID, ttl=resp.TTL,
                                        granted_ttl=resp.grantedTTL, keys=list(resp.keys))

    def _do_lease_leases(self, c, t):
        raise Unimplemented("etcd3 %s has no API to list leases" % sdk_version())

    def _do_lease_keep_alive_once(self, c, t):
        resps = t.call(lambda: list(self.client.refresh_lease(c.id)))
        if not resps:
            raise RuntimeError("refresh_lease() returned no response")
        r = resps[0]
        return pb.LeaseKeepAliveOnceResult(header=_raw_header(r), id=r.ID, ttl=r.TTL)

    # -- watch

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
                raise BadRequest("unknown watch filter %s" % e)
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
        w = self.watches.get(c.handle)
        if w is None:
            raise BadRequest("unknown watch handle %r" % c.handle)
        t.call_ns = time.monotonic_ns()
        res = w.collect(c.min_events, (c.timeout_ms or 5000) / 1000.0)
        t.return_ns = time.monotonic_ns()
        return res

    def _do_watch_cancel(self, c, t):
        w = self.watches.get(c.handle)
        if w is None:
            raise BadRequest("unknown watch handle %r" % c.handle)
        t.call(self.client.cancel_watch, w.watch_id)
        w.mark_canceled()
        return pb.WatchCancelResult()
