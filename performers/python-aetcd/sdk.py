"""aetcd specific code: capabilities, error mapping, command execution.

Everything here goes through the public API of the `aetcd` package (the methods of
`aetcd.Client`, `client.transactions`, `aetcd.rtypes`, `aetcd.utils.prefix_range_end`,
`aetcd.exceptions`). Where that API has no way to express a command or option the
command is answered with a harness UNIMPLEMENTED error that names the missing SDK
feature; raw gRPC stubs are never used to get around the SDK.

aetcd is asyncio-only: every SDK call is awaited on the performer's one event loop
(the grpc.aio server runs on the same loop, see protocol.py).
"""

import asyncio
import os
import sys
import time
import traceback
from importlib import metadata

_GEN = os.path.join(os.path.dirname(os.path.abspath(__file__)), "gen")
if _GEN not in sys.path:
    sys.path.insert(0, _GEN)

import grpc  # noqa: E402

import aetcd  # noqa: E402
import aetcd.exceptions as exc  # noqa: E402
import aetcd.rtypes  # noqa: E402
import aetcd.utils  # noqa: E402

from etcdfit.performer.v1 import performer_pb2 as pb  # noqa: E402

SDK_PACKAGE = "aetcd"
HK = pb.HarnessError


def sdk_version():
    return metadata.version(SDK_PACKAGE)


def _vtuple(version):
    out = []
    for part in version.split("."):
        digits = ""
        for ch in part:
            if not ch.isdigit():
                break
            digits += ch
        out.append(int(digits) if digits else 0)
    return tuple((out + [0, 0, 0])[:3])


def _is_prerelease(version):
    return any(tag in version for tag in ("a", "b", "rc", "dev"))


# ---------------------------------------------------------------- capabilities

# Catalog ids this performer carries out through the aetcd API, with the first SDK
# version they were checked against. Only the 1.0.0 release has been verified.
_IMPLEMENTED = {
    "kv.put": (1, 0, 0),              # Client.put() -> rtypes.Put (with header)
    "kv.put.prev_kv": (1, 0, 0),      # put(prev_kv=True)
    "kv.put.lease": (1, 0, 0),        # put(lease=id)
    "kv.range": (1, 0, 0),            # Client.get() -> rtypes.Get or None
    "kv.range.prefix": (1, 0, 0),     # Client.get_prefix() (utils.prefix_range_end)
    "kv.range.range_end": (1, 0, 0),  # Client.get_range()
    "kv.range.sort": (1, 0, 0),       # sort_order= / sort_target= (prefix / range)
    "kv.range.keys_only": (1, 0, 0),  # get_prefix(keys_only=True) (prefix only)
    "kv.range.serializable": (1, 0, 0),  # get(serializable=True) (single key only)
    "kv.delete": (1, 0, 0),           # Client.delete() -> rtypes.Delete or None
    "kv.delete.range": (1, 0, 0),     # delete_prefix() / delete_range() (no from-key)
    "kv.delete.prev_kv": (1, 0, 0),   # prev_kv= on all three
    "txn": (1, 0, 0),                 # Client.transaction()
    "txn.compare.value": (1, 0, 0),   # transactions.Value
    "txn.compare.version": (1, 0, 0),  # transactions.Version
    "txn.compare.create": (1, 0, 0),  # transactions.Create
    "txn.compare.mod": (1, 0, 0),     # transactions.Mod
    "txn.compare.range": (1, 0, 0),   # BaseCompare(key, range_end)
    "txn.nested": (1, 0, 0),          # transactions.Txn
    "compact": (1, 0, 0),             # Client.compact()
    "compact.physical": (1, 0, 0),    # compact(physical=True)
    "status": (1, 0, 0),              # Client.status() -> Status
    "lease.grant": (1, 0, 0),         # Client.lease(ttl)
    "lease.grant.id": (1, 0, 0),      # Client.lease(ttl, lease_id)
    "lease.revoke": (1, 0, 0),        # Client.revoke_lease()
    "lease.ttl": (1, 0, 0),           # Client.get_lease_info(keys=False)
    "lease.ttl.keys": (1, 0, 0),      # Client.get_lease_info(keys=True)
    "lease.keepalive_once": (1, 0, 0),  # Client.refresh_lease()
    "watch": (1, 0, 0),               # Client.watch() -> rtypes.Watch (async iterator)
    "watch.prefix": (1, 0, 0),        # Client.watch_prefix()
    "watch.range_end": (1, 0, 0),     # watch(range_end=)
    "watch.start_revision": (1, 0, 0),
    "watch.prev_kv": (1, 0, 0),
    "watch.filters": (1, 0, 0),       # watch(kind=EventKind.PUT / DELETE): one filter at a time
    "watch.cancel": (1, 0, 0),        # rtypes.Watch.cancel()
    "watch.compacted": (1, 0, 0),     # iterator raises RevisionCompactedError(compacted_revision)
}

# Catalog ids NOT claimed, with the SDK reason (aetcd 1.0.0). These are findings.
UNCLAIMED = {
    "kv.put.ignore_value": "Client.put() has no ignore_value parameter (_build_put_request "
                           "has one but the TODO says it is never set)",
    "kv.put.ignore_lease": "Client.put() has no ignore_lease parameter",
    "kv.range.from_key": "no from-key helper (get_all() ranges from b'\\0' only)",
    "kv.range.limit": "no get*() method takes limit (_build_get_range_request: TODO)",
    "kv.range.revision": "no get*() method takes revision (_build_get_range_request: TODO)",
    "kv.range.count_only": "no get*() method takes count_only (_build_get_range_request: TODO)",
    "kv.range.mod_revision_filter": "no get*() method takes min/max_mod_revision",
    "kv.range.create_revision_filter": "no get*() method takes min/max_create_revision",
    "txn.compare.lease": "aetcd.transactions has Value/Version/Create/Mod compares only, no Lease",
    "lease.leases": "aetcd.Client has no API to list leases",
    "watch.progress_notify": "watch(progress_notify=True) is sent, but Watcher._handle_response "
                             "only forwards events, so progress notifications never reach the caller",
}


def capabilities_for(version):
    """The catalog ids claimed for a given aetcd version (sorted)."""
    if _is_prerelease(version):
        return []  # only the 1.0.0 release was checked; pre-releases are not built
    v = _vtuple(version)
    return sorted(cap for cap, since in _IMPLEMENTED.items() if v >= since)


# ---------------------------------------------------------------- error mapping

# SDK exception types that carry exactly one canonical meaning, checked first.
ERROR_BY_TYPE = (
    (exc.RevisionCompactedError, pb.COMPACTED),
    (exc.DuplicateLeaseError, pb.LEASE_EXISTS),  # raised without etcd's message
    (exc.WatchTimeoutError, pb.DEADLINE_EXCEEDED),
)

# etcd's error texts. aetcd keeps them as the exception message (error.details()).
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

# aetcd's per-gRPC-code exception classes (exceptions._EXCEPTIONS_BY_CODE), after the
# message table. Most specific class first. PreconditionFailedError and InternalError
# stay UNKNOWN: their meaning depends on etcd's message, handled above.
ERROR_BY_GENERIC_TYPE = (
    (exc.InvalidArgumentError, pb.INVALID_ARGUMENT),
    (exc.ConnectionFailedError, pb.UNAVAILABLE),      # gRPC UNAVAILABLE
    (exc.ConnectionTimeoutError, pb.DEADLINE_EXCEEDED),  # gRPC DEADLINE_EXCEEDED
    (exc.UnauthenticatedError, pb.AUTH_FAILED),       # gRPC UNAUTHENTICATED
)

# By gRPC status code, last (a raw grpc error, or the one aetcd chained as __cause__).
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
    """(StatusCode, details) of a grpc error, else (None, None)."""
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
    """Map an exception the SDK raised (or delivered) to a canonical SdkError.

    aetcd.exceptions._handle_exception turns a grpc.aio.AioRpcError into one of its
    ClientError classes with the gRPC details as the message and chains the original
    with `raise ... from error`; the gRPC code is read from that __cause__ when present.
    """
    raw = e if isinstance(e, grpc.RpcError) else None
    if raw is None and isinstance(e.__cause__, grpc.RpcError):
        raw = e.__cause__
    status, details = _grpc_status(raw)
    message = str(e)

    code = None
    for cls, canonical in ERROR_BY_TYPE:
        if isinstance(e, cls):
            code = canonical
            break
    if code is None:
        for text in (message, details):
            if text is not None and text.strip() in ERROR_BY_MESSAGE:
                code = ERROR_BY_MESSAGE[text.strip()]
                break
    if code is None:
        for cls, canonical in ERROR_BY_GENERIC_TYPE:
            if isinstance(e, cls):
                code = canonical
                break
    if code is None:
        if isinstance(e, asyncio.TimeoutError):
            code = pb.DEADLINE_EXCEEDED
        elif isinstance(e, asyncio.CancelledError):
            code = pb.CANCELED
        elif status is not None and status in ERROR_BY_GRPC_CODE:
            code = ERROR_BY_GRPC_CODE[status]
        else:
            code = pb.UNKNOWN
    grpc_code = status.value[0] if isinstance(status, grpc.StatusCode) else -1
    return pb.SdkError(code=code, sdk_type=_type_name(type(e)), message=message,
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

    async def call(self, fn, *args, **kwargs):
        """Await an SDK coroutine function, recording the monotonic clock around it."""
        self.call_ns = time.monotonic_ns()
        try:
            return await fn(*args, **kwargs)
        except Exception as e:  # any failure inside the SDK is the SDK's
            raise SdkRaised(e) from e
        finally:
            self.return_ns = time.monotonic_ns()


def _sdk_helper(fn, *args):
    """An SDK helper called while building a request (e.g. aetcd.utils)."""
    try:
        return fn(*args)
    except Exception as e:
        raise SdkRaised(e) from e


def _header(h=None):
    """rtypes.ResponseHeader or a raw etcdserverpb.ResponseHeader; None: not exposed."""
    if h is None:
        return pb.ResponseHeader(present=False)
    return pb.ResponseHeader(revision=h.revision, cluster_id=h.cluster_id,
                             member_id=h.member_id, raft_term=h.raft_term, present=True)


def _raw_header(msg):
    if msg.HasField("header"):
        return _header(msg.header)
    return _header(None)


def _kv(kv):
    """rtypes.KeyValue (or a raw mvccpb.KeyValue) -> pb.KeyValue."""
    return pb.KeyValue(key=kv.key, create_revision=kv.create_revision,
                       mod_revision=kv.mod_revision, version=kv.version,
                       value=kv.value, lease=kv.lease)


def _prefix_end(key):
    # The SDK's own prefix computation (what get_prefix / delete_prefix / watch_prefix use).
    return _sdk_helper(aetcd.utils.prefix_range_end, key)


_SORT_ORDER = {pb.SORT_ORDER_NONE: None, pb.SORT_ORDER_ASCEND: "ascend",
               pb.SORT_ORDER_DESCEND: "descend"}
_SORT_TARGET = {pb.SORT_TARGET_KEY: "key", pb.SORT_TARGET_VERSION: "version",
                pb.SORT_TARGET_CREATE: "create", pb.SORT_TARGET_MOD: "mod",
                pb.SORT_TARGET_VALUE: "value"}

# Range options no aetcd get*() method accepts.
_NO_API_RANGE_OPTIONS = ("limit", "revision", "count_only", "min_mod_revision",
                         "max_mod_revision", "min_create_revision", "max_create_revision")


def _check_range_options(r):
    for name in _NO_API_RANGE_OPTIONS:
        if getattr(r, name):
            raise Unimplemented(
                "aetcd %s: no get*() method takes %s (Client._build_get_range_request "
                "never sets it: 'TODO: Add missing request parameters')" % (sdk_version(), name))


def _range_result(resp):
    """rtypes.GetRange -> RangeResult (kvs are the raw mvccpb.KeyValue list)."""
    return pb.RangeResult(header=_header(resp.header), kvs=[_kv(kv) for kv in resp.kvs],
                          more=resp.more, count=resp.count)


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
    """One watch handle: the SDK's rtypes.Watch, drained by a pump task into a buffer."""

    def __init__(self, handle):
        self.handle = handle
        self.sdk_watch = None
        self.task = None
        self.cond = asyncio.Condition()
        self.events = []
        self.progress = []
        self.ended = False
        self.end_error = None
        self.compact_revision = 0

    def start(self, sdk_watch):
        self.sdk_watch = sdk_watch
        self.task = asyncio.get_running_loop().create_task(self._pump())

    async def _pump(self):
        # `async for` over rtypes.Watch: events until cancel()/client close (the
        # iterator just stops) or an error (RevisionCompactedError, stream failure).
        try:
            async for ev in self.sdk_watch:
                await self.add_event(_watch_event(ev))
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
            self.ended = True
            if error is not None:
                self.end_error = map_error(error)
                if isinstance(error, exc.RevisionCompactedError):
                    self.compact_revision = error.compacted_revision or 0
            self.cond.notify_all()

    async def collect(self, min_events, timeout_s):
        def done():
            # min_events 0 means "no threshold": wait the whole timeout (protocol
            # contract), so "no event arrives" is asserted honestly.
            return self.ended or (min_events > 0 and len(self.events) >= min_events)

        async with self.cond:
            try:
                await asyncio.wait_for(self.cond.wait_for(done), timeout_s)
            except asyncio.TimeoutError:
                pass
            res = pb.WatchCollectResult(events=self.events, ended=self.ended,
                                        compact_revision=self.compact_revision,
                                        progress_revisions=self.progress)
            if self.end_error is not None:
                res.end_error.CopyFrom(self.end_error)
            self.events = []
            self.progress = []
            return res


def _watch_event(ev):
    """aetcd.rtypes.Event (kind 'PUT'/'DELETE', kv, prev_kv) -> pb.WatchEvent."""
    if ev.kind == aetcd.rtypes.EventKind.PUT:
        etype = pb.EVENT_TYPE_PUT
    elif ev.kind == aetcd.rtypes.EventKind.DELETE:
        etype = pb.EVENT_TYPE_DELETE
    else:
        raise RuntimeError("unknown watch event kind %r" % (ev.kind,))
    out = pb.WatchEvent(type=etype, kv=_kv(ev.kv))
    # Reported as the SDK gives it: rtypes.Event.prev_kv is None or a KeyValue.
    if ev.prev_kv is not None:
        out.prev_kv.CopyFrom(_kv(ev.prev_kv))
    return out


# etcd FilterType -> the one aetcd EventKind that passes it (watch(kind=...)).
_KIND_FOR_FILTERS = {
    frozenset([pb.WATCH_FILTER_NOPUT]): aetcd.rtypes.EventKind.DELETE,
    frozenset([pb.WATCH_FILTER_NODELETE]): aetcd.rtypes.EventKind.PUT,
}


class WatchRegistry:
    """Watch handles of one client. A handle is live until its watch has ended."""

    def __init__(self):
        self._watches = {}

    def reserve(self, handle, watch):
        if not handle:
            raise BadRequest("watch handle must not be empty")
        old = self._watches.get(handle)
        if old is not None and not old.ended:
            raise BadRequest("watch handle %r is already live" % handle)
        self._watches[handle] = watch

    def release(self, handle, watch):
        if self._watches.get(handle) is watch:
            del self._watches[handle]

    def get(self, handle):
        return self._watches.get(handle)

    def drain(self):
        watches = list(self._watches.values())
        self._watches.clear()
        return watches


# ---------------------------------------------------------------- the client session

def parse_endpoint(endpoint):
    """'http://host:port' (or 'host:port') -> (host, port)."""
    ep = endpoint.strip()
    if "://" in ep:
        scheme, ep = ep.split("://", 1)
        if scheme != "http":
            raise Unimplemented("scheme %r: aetcd.Client only opens insecure channels" % scheme)
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
    """An aetcd.Client plus its watch registry. Create it on the running event loop."""

    def __init__(self, endpoints, dial_timeout_ms=0, request_timeout_ms=0, username="",
                 password=""):
        if not endpoints:
            raise ValueError("no endpoints given")
        self.endpoints = list(endpoints)
        self.host, self.port = parse_endpoint(endpoints[0])
        self.timeout = (request_timeout_ms or 10000) / 1000.0
        self.dial_timeout = (dial_timeout_ms or 5000) / 1000.0
        kwargs = {}
        if username:
            kwargs.update(username=username, password=password)
        # aetcd.Client takes one host:port; extra endpoints cannot be given to it. It has
        # no dial timeout (the channel connects lazily); connect_wait_timeout bounds how
        # long a concurrent caller waits for connect() to finish.
        self.client = aetcd.Client(host=self.host, port=self.port, timeout=self.timeout,
                                   connect_wait_timeout=self.dial_timeout, **kwargs)
        self.watches = WatchRegistry()
        self.closed = False

    async def connect(self):
        """Client.connect(): opens the channel (and authenticates, with credentials)."""
        await asyncio.wait_for(self.client.connect(), self.dial_timeout + self.timeout)

    async def close(self):
        """Ends every watch at once, then closes the client (bounded)."""
        self.closed = True
        watches = self.watches.drain()
        for w in watches:
            await w.end(None)
        try:
            await asyncio.wait_for(self.client.close(), 5.0)
        finally:
            for w in watches:
                if w.task is not None and not w.task.done():
                    w.task.cancel()

    # -- dispatch

    async def execute(self, command):
        """Run one Command, always returning exactly one CommandResult."""
        timer = _Timer()
        kind = command.WhichOneof("command")
        result = pb.CommandResult()
        try:
            if not kind:
                raise BadRequest("empty Command (no command set)")
            if self.closed:
                raise BadRequest("the client was disconnected")
            handler = getattr(self, "_do_" + kind, None)
            if handler is None:
                raise Unimplemented("command %r is not implemented" % kind)
            payload = await handler(getattr(command, kind), timer)
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

    async def _do_put(self, c, t):
        if c.ignore_value:
            raise Unimplemented("aetcd Client.put() has no ignore_value option")
        if c.ignore_lease:
            raise Unimplemented("aetcd Client.put() has no ignore_lease option")
        put = await t.call(self.client.put, c.key, c.value, lease=c.lease or None,
                           prev_kv=c.prev_kv)
        # rtypes.Put: header and prev_kv (None or rtypes.KeyValue), reported as given.
        res = pb.PutResult(header=_header(put.header))
        if put.prev_kv is not None:
            res.prev_kv.CopyFrom(_kv(put.prev_kv))
        return res

    async def _do_range(self, c, t):
        _check_range_options(c)
        order = _SORT_ORDER.get(c.sort_order)
        target = _SORT_TARGET.get(c.sort_target)
        if order is None and c.sort_order != pb.SORT_ORDER_NONE or target is None:
            raise BadRequest("unknown sort order/target %d/%d" % (c.sort_order, c.sort_target))
        if c.kind == pb.RANGE_KIND_SINGLE:
            if c.keys_only or order is not None or target != "key":
                raise Unimplemented("aetcd Client.get() (single key) takes only serializable; "
                                    "keys_only/sort are not supported")
            got = await t.call(self.client.get, c.key, serializable=c.serializable)
            if got is None:
                # get() returns None when the range is empty: no header, no count.
                return pb.RangeResult(header=_header(None), count=0, more=False)
            return pb.RangeResult(header=_header(got.header), kvs=[_kv(got)], count=1,
                                  more=False)
        if c.kind == pb.RANGE_KIND_PREFIX:
            if c.serializable:
                raise Unimplemented("aetcd Client.get_prefix() has no serializable option")
            resp = await t.call(self.client.get_prefix, c.key, sort_order=order,
                                sort_target=target, keys_only=c.keys_only)
        elif c.kind == pb.RANGE_KIND_RANGE:
            if c.serializable or c.keys_only:
                raise Unimplemented("aetcd Client.get_range() has no serializable / "
                                    "keys_only option")
            resp = await t.call(self.client.get_range, c.key, c.range_end, sort_order=order,
                                sort_target=target)
        elif c.kind == pb.RANGE_KIND_FROM_KEY:
            raise Unimplemented("aetcd has no from-key range helper (get_all() ranges from "
                                "b'\\0' only)")
        else:
            raise BadRequest("unknown range kind %d" % c.kind)
        return _range_result(resp)

    async def _do_delete_range(self, c, t):
        if c.kind == pb.RANGE_KIND_SINGLE:
            got = await t.call(self.client.delete, c.key, prev_kv=c.prev_kv)
            if got is None:
                # delete() returns None when nothing was deleted: no header.
                return pb.DeleteRangeResult(header=_header(None), deleted=0)
            res = pb.DeleteRangeResult(header=_header(got.header), deleted=got.deleted)
            if got.prev_kv is not None:
                res.prev_kvs.append(_kv(got.prev_kv))
            return res
        if c.kind == pb.RANGE_KIND_PREFIX:
            resp = await t.call(self.client.delete_prefix, c.key, prev_kv=c.prev_kv)
        elif c.kind == pb.RANGE_KIND_RANGE:
            resp = await t.call(self.client.delete_range, c.key, c.range_end,
                                prev_kv=c.prev_kv)
        elif c.kind == pb.RANGE_KIND_FROM_KEY:
            raise Unimplemented("aetcd has no from-key delete helper")
        else:
            raise BadRequest("unknown range kind %d" % c.kind)
        # rtypes.DeleteRange: header, deleted, raw prev_kvs.
        return pb.DeleteRangeResult(header=_header(resp.header), deleted=resp.deleted,
                                    prev_kvs=[_kv(kv) for kv in resp.prev_kvs])

    # -- Txn

    def _compare(self, c):
        tx = self.client.transactions
        if c.kind == pb.RANGE_KIND_SINGLE:
            range_end = None
        elif c.kind == pb.RANGE_KIND_RANGE:
            range_end = c.range_end
        elif c.kind == pb.RANGE_KIND_PREFIX:
            range_end = _prefix_end(c.key)
        elif c.kind == pb.RANGE_KIND_FROM_KEY:
            raise Unimplemented("txn compare: aetcd has no from-key helper")
        else:
            raise BadRequest("unknown compare range kind %d" % c.kind)
        if c.target == pb.COMPARE_TARGET_VALUE:
            cmp, operand = tx.value(c.key, range_end), c.value
        elif c.target == pb.COMPARE_TARGET_VERSION:
            cmp, operand = tx.version(c.key, range_end), c.version
        elif c.target == pb.COMPARE_TARGET_CREATE:
            cmp, operand = tx.create(c.key, range_end), c.create_revision
        elif c.target == pb.COMPARE_TARGET_MOD:
            cmp, operand = tx.mod(c.key, range_end), c.mod_revision
        elif c.target == pb.COMPARE_TARGET_LEASE:
            raise Unimplemented("aetcd.transactions has no Lease compare "
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
                raise Unimplemented("aetcd.transactions.Put has no ignore_value/ignore_lease")
            return tx.put(p.key, p.value, lease=p.lease or None, prev_kv=p.prev_kv)
        if which == "range":
            r = op.range
            if (r.limit or r.revision or r.sort_order or r.sort_target or r.serializable
                    or r.keys_only or r.count_only or r.min_mod_revision
                    or r.max_mod_revision or r.min_create_revision
                    or r.max_create_revision):
                raise Unimplemented("aetcd.transactions.Get takes only key and range_end "
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
        if r.kind == pb.RANGE_KIND_FROM_KEY:
            raise Unimplemented("txn op: aetcd has no from-key helper")
        raise BadRequest("unknown range kind %d" % r.kind)

    async def _do_txn(self, c, t):
        compares = [self._compare(x) for x in c.compares]
        success = [self._op(x) for x in c.success]
        failure = [self._op(x) for x in c.failure]
        succeeded, responses = await t.call(self.client.transaction, compare=compares,
                                            success=success, failure=failure)
        # transaction() returns (succeeded, responses) and hides the TxnResponse
        # header. Put/delete/txn responses come back as raw ResponseOps; range
        # responses become a list of (value, rtypes.Get) without header/more/count.
        out = pb.TxnResult(header=_header(None), succeeded=succeeded)
        for r in responses:
            if isinstance(r, list):
                kvs = [_kv(g) for _value, g in r]
                # transactions.Get cannot take a limit, so etcd's count is len(kvs)
                # and more is false.
                out.responses.append(pb.ResponseOp(range=pb.RangeResult(
                    header=_header(None), kvs=kvs, more=False, count=len(kvs))))
            else:
                out.responses.append(_response_op_raw(r))
        return out

    # -- maintenance

    async def _do_compact(self, c, t):
        await t.call(self.client.compact, c.revision, physical=c.physical)
        return pb.CompactResult(header=_header(None))  # compact() returns None

    async def _do_status(self, c, t):
        if c.endpoint:
            host, port = parse_endpoint(c.endpoint)
            if (host, port) != (self.host, self.port):
                raise Unimplemented("aetcd Client.status() only asks the client's own "
                                    "endpoint %s:%d" % (self.host, self.port))
        st = await t.call(self.client.status)
        # aetcd.Status hides the header; leader is an aetcd.Member (None when the
        # leader id is not in the member list).
        return pb.StatusResult(header=_header(None), version=st.version,
                               db_size=st.db_size,
                               leader=st.leader.id if st.leader is not None else 0,
                               raft_index=st.raft_index, raft_term=st.raft_term)

    # -- leases

    async def _do_lease_grant(self, c, t):
        lease = await t.call(self.client.lease, c.ttl, lease_id=c.id or None)
        # aetcd.Lease(id, ttl): the LeaseGrantResponse header is dropped.
        return pb.LeaseGrantResult(header=_header(None), id=lease.id, ttl=lease.ttl)

    async def _do_lease_revoke(self, c, t):
        await t.call(self.client.revoke_lease, c.id)
        return pb.LeaseRevokeResult(header=_header(None))  # revoke_lease() returns None

    async def _do_lease_time_to_live(self, c, t):
        resp = await t.call(self.client.get_lease_info, c.id, keys=c.keys)
        return pb.LeaseTimeToLiveResult(header=_raw_header(resp), id=resp.ID, ttl=resp.TTL,
                                        granted_ttl=resp.grantedTTL, keys=list(resp.keys))

    async def _do_lease_leases(self, c, t):
        raise Unimplemented("aetcd %s has no API to list leases" % sdk_version())

    async def _do_lease_keep_alive_once(self, c, t):
        r = await t.call(self.client.refresh_lease, c.id)
        if r is None:
            raise RuntimeError("aetcd Client.refresh_lease() returned no response")
        return pb.LeaseKeepAliveOnceResult(header=_raw_header(r), id=r.ID, ttl=r.TTL)

    # -- watch

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
        w = self.watches.get(c.handle)
        if w is None:
            raise BadRequest("unknown watch handle %r" % c.handle)
        t.call_ns = time.monotonic_ns()
        res = await w.collect(c.min_events, (c.timeout_ms or 5000) / 1000.0)
        t.return_ns = time.monotonic_ns()
        return res

    async def _do_watch_cancel(self, c, t):
        w = self.watches.get(c.handle)
        if w is None:
            raise BadRequest("unknown watch handle %r" % c.handle)
        await t.call(w.sdk_watch.cancel)
        await w.end(None)
        return pb.WatchCancelResult()
