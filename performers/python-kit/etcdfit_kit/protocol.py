"""The gRPC servicers of a Python performer: Describe/Connect/Disconnect/Execute, the
client registry and logging, threaded (ThreadedPerformer) or asyncio (AsyncPerformer);
serve.py runs them.

The performer supplies a Backend: its identity, the SDK's version and capabilities,
map_error and new_session(ConnectRequest). A session has host, port, timeout (seconds),
execute(command) and close(); an asyncio session's execute, close and connect() are
coroutines (connect() is awaited by Connect). new_session may raise Unimplemented or
ValueError (a request the SDK cannot take); any other failure is FAILED_PRECONDITION.
"""

import itertools
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import grpc

from .errors import Unimplemented
from .stubs import pb, pbg
from .timing import now_ns


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

    def _describe(self):
        b = self.backend
        version = b.sdk_version()
        caps = b.capabilities_for(version)
        self.log("Describe -> %s %s, %d capabilities" % (b.sdk_package, version, len(caps)))
        return pb.DescribeResponse(
            name=b.name, language="python", sdk_package=b.sdk_package, sdk_version=version,
            performer_version=b.version, protocol_version=pb.PROTOCOL_VERSION_1,
            capabilities=caps)

    def _new_session(self, request):
        """(session, None), or (None, (status, message)) to abort Connect with."""
        eps = list(request.endpoints)
        try:
            return self.backend.new_session(request), None
        except Unimplemented as e:
            self.log("Connect %s -> UNIMPLEMENTED %s" % (eps, e))
            return None, (grpc.StatusCode.UNIMPLEMENTED, str(e))
        except ValueError as e:
            self.log("Connect %s -> INVALID_ARGUMENT %s" % (eps, e))
            return None, (grpc.StatusCode.INVALID_ARGUMENT, str(e))
        except Exception as e:  # e.g. authentication at construction failed
            return None, self._connect_failed(eps, e, self.backend.client_call)

    def _connect_failed(self, eps, e, call):
        err = self.backend.map_error(e)
        self.log("Connect %s -> FAILED %s: %s" % (eps, err.sdk_type, err.message))
        return grpc.StatusCode.FAILED_PRECONDITION, "%s failed: %s: %s" % (
            call, err.sdk_type, err.message)

    def _register(self, request, session):
        eps = list(request.endpoints)
        with self._lock:
            client_id = "c%d" % next(self._ids)
            self._clients[client_id] = session
        note = ""
        if len(eps) > 1:
            note = " (%s takes one host:port; ignored %d other endpoint(s))" % (
                self.backend.client_call, len(eps) - 1)
        self.log("Connect %s -> %s %s:%d timeout=%.1fs%s" % (
            eps, client_id, session.host, session.port, session.timeout, note))
        return pb.ConnectResponse(client_id=client_id)

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
        session, abort = self._new_session(request)
        if abort is not None:
            context.abort(*abort)
        return self._register(request, session)

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
        session, abort = self._new_session(request)
        if abort is not None:
            await context.abort(*abort)
        try:
            await session.connect()
        except Exception as e:  # e.g. authentication failed
            abort = self._connect_failed(list(request.endpoints), e,
                                         self.backend.client_call + ".connect")
            try:
                await session.close()
            except Exception:
                pass
            await context.abort(*abort)
        return self._register(request, session)

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

    async def close_all(self):
        for s in self._pop_all():
            try:
                await s.close()
            except Exception:
                pass
