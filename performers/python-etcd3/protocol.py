"""The performer protocol loop: gRPC server, Describe/Connect/Disconnect/Execute,
client registry and per-client watch registry. SDK specifics live in sdk.py."""

import itertools
import os
import signal
import sys
import threading
import time
from concurrent import futures

HERE = os.path.dirname(os.path.abspath(__file__))
GEN = os.path.join(HERE, "gen")
if GEN not in sys.path:
    sys.path.insert(0, GEN)

import grpc  # noqa: E402

from etcdfit.performer.v1 import performer_pb2 as pb  # noqa: E402
from etcdfit.performer.v1 import performer_pb2_grpc as pbg  # noqa: E402

import sdk  # noqa: E402

PERFORMER_NAME = "python-etcd3"
PERFORMER_VERSION = "0.1.0"


def log(msg):
    sys.stderr.write("[python-etcd3 %s] %s\n" % (time.strftime("%H:%M:%S"), msg))
    sys.stderr.flush()


class WatchRegistry:
    """Watch handles of one client. A handle is live until its watch has ended."""

    def __init__(self):
        self._lock = threading.Lock()
        self._watches = {}

    def reserve(self, handle, watch):
        if not handle:
            raise sdk.BadRequest("watch handle must not be empty")
        with self._lock:
            old = self._watches.get(handle)
            if old is not None and not old.ended:
                raise sdk.BadRequest("watch handle %r is already live" % handle)
            self._watches[handle] = watch

    def release(self, handle, watch):
        with self._lock:
            if self._watches.get(handle) is watch:
                del self._watches[handle]

    def get(self, handle):
        with self._lock:
            return self._watches.get(handle)

    def drain(self):
        with self._lock:
            watches = list(self._watches.values())
            self._watches.clear()
            return watches


class Performer(pbg.PerformerServiceServicer):
    def __init__(self):
        self._lock = threading.Lock()
        self._clients = {}
        self._ids = itertools.count(1)

    def Describe(self, request, context):
        version = sdk.sdk_version()
        caps = sdk.capabilities_for(version)
        log("Describe -> etcd3 %s, %d capabilities" % (version, len(caps)))
        return pb.DescribeResponse(
            name=PERFORMER_NAME, language="python", sdk_package=sdk.SDK_PACKAGE,
            sdk_version=version, performer_version=PERFORMER_VERSION,
            protocol_version=pb.PROTOCOL_VERSION_1, capabilities=caps)

    def Connect(self, request, context):
        eps = list(request.endpoints)
        try:
            session = sdk.Session(eps, request.request_timeout_ms, request.username,
                                  request.password, watch_registry=WatchRegistry())
        except sdk.Unimplemented as e:
            log("Connect %s -> UNIMPLEMENTED %s" % (eps, e))
            context.abort(grpc.StatusCode.UNIMPLEMENTED, str(e))
        except ValueError as e:
            log("Connect %s -> INVALID_ARGUMENT %s" % (eps, e))
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, str(e))
        except Exception as e:  # e.g. authentication at construction failed
            err = sdk.map_error(e)
            log("Connect %s -> FAILED %s: %s" % (eps, err.sdk_type, err.message))
            context.abort(grpc.StatusCode.FAILED_PRECONDITION,
                          "etcd3.client failed: %s: %s" % (err.sdk_type, err.message))
        with self._lock:
            client_id = "c%d" % next(self._ids)
            self._clients[client_id] = session
        note = ""
        if len(eps) > 1:
            note = " (etcd3.client takes one host:port; ignored %d other endpoint(s))" % (
                len(eps) - 1)
        log("Connect %s -> %s %s:%d timeout=%.1fs%s" % (
            eps, client_id, session.host, session.port, session.timeout, note))
        return pb.ConnectResponse(client_id=client_id)

    def Disconnect(self, request, context):
        with self._lock:
            session = self._clients.pop(request.client_id, None)
        if session is None:
            log("Disconnect %s -> unknown client" % request.client_id)
            context.abort(grpc.StatusCode.NOT_FOUND,
                          "unknown client_id %r" % request.client_id)
        session.close()
        log("Disconnect %s -> closed" % request.client_id)
        return pb.DisconnectResponse()

    def Execute(self, request, context):
        start = time.monotonic()
        commands = list(request.program.commands)
        with self._lock:
            session = self._clients.get(request.client_id)
        results = []
        if session is None:
            for _ in commands:
                now = time.monotonic_ns()
                results.append(pb.CommandResult(
                    call_ns=now, return_ns=now,
                    harness_error=pb.HarnessError(
                        kind=pb.HarnessError.BAD_REQUEST,
                        message="unknown client_id %r" % request.client_id)))
        else:
            for cmd in commands:
                results.append(session.execute(cmd))
        counts = {"ok": 0, "sdk_error": 0, "harness_error": 0}
        for r in results:
            counts[r.WhichOneof("outcome")] += 1
        kinds = ",".join(c.WhichOneof("command") or "?" for c in commands)
        if len(kinds) > 200:
            kinds = kinds[:200] + "..."
        log("Execute %s [%s] -> ok=%d sdk_error=%d harness_error=%d (%.1f ms)" % (
            request.client_id, kinds, counts["ok"], counts["sdk_error"],
            counts["harness_error"], (time.monotonic() - start) * 1000))
        return pb.ExecuteResponse(results=results)

    def close_all(self):
        with self._lock:
            sessions = list(self._clients.values())
            self._clients.clear()
        for s in sessions:
            try:
                s.close()
            except Exception:
                pass


def _thread_excepthook(args):
    # etcd3's watcher thread dies with "Cannot invoke RPC: Channel closed!" once its
    # client is closed: one log line instead of a traceback.
    name = args.thread.name if args.thread is not None else "?"
    log("thread %s ended: %s: %s" % (name, args.exc_type.__name__, args.exc_value))


def run(listen):
    threading.excepthook = _thread_excepthook
    performer = Performer()
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=16),
                         options=[("grpc.max_receive_message_length", 64 << 20),
                                  ("grpc.max_send_message_length", 64 << 20)])
    pbg.add_PerformerServiceServicer_to_server(performer, server)
    port = server.add_insecure_port(listen)
    if port == 0:
        log("cannot listen on %s" % listen)
        return 1
    server.start()
    log("listening on %s (etcd3 %s, pid %d)" % (listen, sdk.sdk_version(), os.getpid()))

    stop = threading.Event()

    def on_signal(signum, frame):
        log("signal %d: shutting down" % signum)
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    while not stop.wait(0.5):
        pass
    server.stop(grace=2).wait(5)
    performer.close_all()
    log("stopped")
    return 0
