"""The gRPC servicers of a Python performer: Describe/Connect/Disconnect/Execute, the
client registry and logging, threaded (ThreadedPerformer) or asyncio (AsyncPerformer);
serve.py runs them.

The performer supplies a Backend: its identity, the SDK's version and capabilities,
map_error and new_session(ConnectRequest). A session has host, port, timeout (seconds),
execute(command) and close(); an asyncio session's execute, close and connect() are
coroutines (connect() is awaited by Connect).

Connect: an option behind a capability the performer does not claim (CONNECT_OPTIONS) is
refused with INVALID_ARGUMENT naming it, before the SDK is touched. new_session (and
connect()) may raise Unimplemented or ValueError (a request the SDK cannot take), or
SdkRaised when the SDK's own client constructor failed: that is answered as data,
ConnectResponse.error (mapped by map_error) with call_ns/return_ns around the
constructor. Any other exception is a performer bug (INTERNAL).
"""

import itertools
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import grpc

from .errors import SdkRaised, Unimplemented
from .stubs import pb, pbg
from .timing import now_ns

# ConnectRequest options that are SDK client settings, each behind a capability.
CONNECT_OPTIONS = (
    ("keepalive_time_ms", "connect.keepalive"),
    ("keepalive_timeout_ms", "connect.keepalive"),
    ("block_until_connected", "connect.block"),
    ("auto_sync_interval_ms", "connect.auto_sync"),
    ("tls_ca_pem", "connect.tls"),
    ("tls_server_name", "connect.tls"),
    ("tls_cert_pem", "connect.tls.client_cert"),
    ("tls_key_pem", "connect.tls.client_cert"),
)


def check_connect_options(request, capabilities, who):
    """ValueError naming the first option set in request whose capability is not claimed."""
    for name, cap in CONNECT_OPTIONS:
        if getattr(request, name) and cap not in capabilities:
            raise ValueError("ConnectRequest.%s is not supported: %s does not claim %s"
                             % (name, who, cap))


@dataclass(frozen=True)
class Backend:
    name: str                 # performer name, as in performer.yaml
    version: str              # performer version (Describe)
    sdk_package: str          # the SDK's distribution name
    client_call: str          # what makes a client, for messages: "etcd3.client"
    sdk_version: Callable     # () -> the installed SDK version
    capabilities_for: Callable  # (sdk version) -> sorted catalog ids
    map_error: Callable       # (exception) -> pb.SdkError
    new_session: Callable     # (pb.ConnectRequest) -> session
    workload: object = None   # a workload.py WorkloadSdk (perf.workload); None: UNIMPLEMENTED


class Log:
    def __init__(self, name):
        self.name = name

    def __call__(self, msg):
        sys.stderr.write("[%s %s] %s\n" % (self.name, time.strftime("%H:%M:%S"), msg))
        sys.stderr.flush()


class _Shell:
    """What the threaded and the asyncio servicer share (none of it blocks)."""

    def __init__(self, backend):
        self.backend = backend
        self.log = Log(backend.name)
        self._lock = threading.Lock()
        self._clients = {}
        self._ids = itertools.count(1)
        self._caps = None

    def _describe(self):
        b = self.backend
        version = b.sdk_version()
        caps = b.capabilities_for(version)
        self.log("Describe -> %s %s, %d capabilities" % (b.sdk_package, version, len(caps)))
        return pb.DescribeResponse(
            name=b.name, language="python", sdk_package=b.sdk_package, sdk_version=version,
            performer_version=b.version, protocol_version=pb.PROTOCOL_VERSION_1,
            capabilities=caps)

    def _capabilities(self):
        if self._caps is None:
            self._caps = frozenset(self.backend.capabilities_for(self.backend.sdk_version()))
        return self._caps

    def _new_session(self, request):
        """(session, None), or (None, failure): failure is (status, message) to abort
        Connect with, or the ConnectResponse carrying the SDK's error."""
        eps = list(request.endpoints)
        b = self.backend
        call_ns = now_ns()
        try:
            check_connect_options(request, self._capabilities(), "%s (%s %s)" % (
                b.name, b.sdk_package, b.sdk_version()))
            return b.new_session(request), None
        except Exception as e:
            return None, self._connect_failure(eps, e, b.client_call, call_ns)

    def _connect_failure(self, eps, e, call, call_ns):
        """How Connect answers a failure of new_session / connect() (see the module doc)."""
        return_ns = now_ns()
        if isinstance(e, SdkRaised):  # the SDK's client constructor failed: data
            err = self.backend.map_error(e.original)
            self.log("Connect %s -> SDK error %s %s: %s (%.1f ms)" % (
                eps, pb.ErrorCode.Name(err.code), err.sdk_type,
                (err.message.strip().splitlines() or [""])[-1][:300], (return_ns - call_ns) / 1e6))
            return pb.ConnectResponse(error=err, call_ns=call_ns, return_ns=return_ns)
        if isinstance(e, Unimplemented):
            self.log("Connect %s -> UNIMPLEMENTED %s" % (eps, e))
            return grpc.StatusCode.UNIMPLEMENTED, str(e)
        if isinstance(e, ValueError):
            self.log("Connect %s -> INVALID_ARGUMENT %s" % (eps, e))
            return grpc.StatusCode.INVALID_ARGUMENT, str(e)
        self.log("Connect %s -> performer bug in %s: %s: %s" % (eps, call, type(e).__name__, e))
        return grpc.StatusCode.INTERNAL, "performer bug making the client (%s): %s: %s" % (
            call, type(e).__name__, e)

    def _register(self, request, session, call_ns):
        eps = list(request.endpoints)
        with self._lock:
            client_id = "c%d" % next(self._ids)
            self._clients[client_id] = session
        note = ""
        if len(eps) > 1:
            note = " (%s takes one host:port; ignored %d other endpoint(s))" % (
                self.backend.client_call, len(eps) - 1)
        return_ns = now_ns()
        self.log("Connect %s -> %s %s:%d timeout=%.1fs%s (%.1f ms)" % (
            eps, client_id, session.host, session.port, session.timeout, note,
            (return_ns - call_ns) / 1e6))
        return pb.ConnectResponse(client_id=client_id, call_ns=call_ns, return_ns=return_ns)

    def _pop(self, client_id):
        with self._lock:
            session = self._clients.pop(client_id, None)
        if session is None:
            self.log("Disconnect %s -> unknown client" % client_id)
        return session

    def _get(self, client_id):
        with self._lock:
            return self._clients.get(client_id)

    def _pop_all(self):
        with self._lock:
            sessions = list(self._clients.values())
            self._clients.clear()
        return sessions

    def _log_closed(self, client_id, started, error):
        if error is not None:
            self.log("Disconnect %s -> close failed: %s: %s" % (
                client_id, type(error).__name__, error))
        else:
            self.log("Disconnect %s -> closed (%.1f ms)" % (
                client_id, (time.monotonic() - started) * 1000))

    def _answer(self, request, commands, results, started):
        counts = {"ok": 0, "sdk_error": 0, "harness_error": 0}
        for r in results:
            counts[r.WhichOneof("outcome")] += 1
        kinds = ",".join(c.WhichOneof("command") or "?" for c in commands)
        if len(kinds) > 200:
            kinds = kinds[:200] + "..."
        self.log("Execute %s [%s] -> ok=%d sdk_error=%d harness_error=%d (%.1f ms)" % (
            request.client_id, kinds, counts["ok"], counts["sdk_error"],
            counts["harness_error"], (time.monotonic() - started) * 1000))
        return pb.ExecuteResponse(results=results)


def unknown_client_results(commands, client_id):
    """One BAD_REQUEST result per command of a program sent to an unknown client."""
    out = []
    for _ in commands:
        now = now_ns()
        out.append(pb.CommandResult(call_ns=now, return_ns=now, harness_error=pb.HarnessError(
            kind=pb.HarnessError.BAD_REQUEST, message="unknown client_id %r" % client_id)))
    return out


class ThreadedPerformer(_Shell, pbg.PerformerServiceServicer):
    """For a blocking SDK: each RPC runs on a thread of the server's pool."""

    def Describe(self, request, context):
        return self._describe()

    def Connect(self, request, context):
        call_ns = now_ns()
        session, failure = self._new_session(request)
        if isinstance(failure, pb.ConnectResponse):
            return failure
        if failure is not None:
            context.abort(*failure)
        return self._register(request, session, call_ns)

    def Disconnect(self, request, context):
        session = self._pop(request.client_id)
        if session is None:
            context.abort(grpc.StatusCode.NOT_FOUND, "unknown client_id %r" % request.client_id)
        started, error = time.monotonic(), None
        try:
            session.close()
        except Exception as e:
            error = e
        self._log_closed(request.client_id, started, error)
        return pb.DisconnectResponse()

    def Execute(self, request, context):
        started = time.monotonic()
        commands = list(request.program.commands)
        session = self._get(request.client_id)
        if session is None:
            results = unknown_client_results(commands, request.client_id)
        else:
            results = [session.execute(cmd) for cmd in commands]
        return self._answer(request, commands, results, started)

    def ExecuteSession(self, request_iterator, context):
        # The fast path (capability execute.session): many programs on one stream, each
        # answered as Execute would, in order, before the next is read.
        for request in request_iterator:
            yield self.Execute(request, context)

    def ExecuteStream(self, request_iterator, context):
        from .streams import threaded_stream
        yield from threaded_stream(self, request_iterator, context, unknown_client_results)

    def Workload(self, request, context):
        from .workload import serve_threaded
        yield from serve_threaded(self.backend, request, context, self.log)

    def close_all(self):
        for s in self._pop_all():
            try:
                s.close()
            except Exception:
                pass


class AsyncPerformer(_Shell, pbg.PerformerServiceServicer):
    """For an asyncio SDK: every RPC is a coroutine on the one event loop the SDK's
    clients use, so a long WatchCollect never blocks Disconnect or another Execute."""

    async def Describe(self, request, context):
        return self._describe()

    async def Connect(self, request, context):
        call_ns = now_ns()
        session, failure = self._new_session(request)
        if failure is None:
            try:
                await session.connect()
            except Exception as e:  # e.g. authentication failed
                failure = self._connect_failure(list(request.endpoints), e,
                                                self.backend.client_call + ".connect", call_ns)
                try:
                    await session.close()
                except Exception:
                    pass
        if isinstance(failure, pb.ConnectResponse):
            return failure
        if failure is not None:
            await context.abort(*failure)
        return self._register(request, session, call_ns)

    async def Disconnect(self, request, context):
        session = self._pop(request.client_id)
        if session is None:
            await context.abort(grpc.StatusCode.NOT_FOUND,
                                "unknown client_id %r" % request.client_id)
        started, error = time.monotonic(), None
        try:
            await session.close()
        except Exception as e:
            error = e
        self._log_closed(request.client_id, started, error)
        return pb.DisconnectResponse()

    async def Execute(self, request, context):
        started = time.monotonic()
        commands = list(request.program.commands)
        session = self._get(request.client_id)
        if session is None:
            results = unknown_client_results(commands, request.client_id)
        else:
            results = [await session.execute(cmd) for cmd in commands]
        return self._answer(request, commands, results, started)

    async def ExecuteSession(self, request_iterator, context):
        # The fast path (capability execute.session); see Performer.ExecuteSession.
        async for request in request_iterator:
            yield await self.Execute(request, context)

    async def ExecuteStream(self, request_iterator, context):
        from .streams import async_stream
        async for response in async_stream(self, request_iterator, context, unknown_client_results):
            yield response

    async def Workload(self, request, context):
        from .workload import serve_async
        async for report in serve_async(self.backend, request, context, self.log):
            yield report

    async def close_all(self):
        for s in self._pop_all():
            try:
                await s.close()
            except Exception:
                pass
