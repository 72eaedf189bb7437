"""The performer protocol loop: a grpc.aio server with Describe/Connect/Disconnect/
Execute and the client registry, all on one asyncio event loop shared with aetcd's
asyncio clients. SDK specifics live in sdk.py.

Every RPC is a coroutine, so a long WatchCollect (an awaited condition with a timeout)
never blocks Disconnect or another Execute: Disconnect ends the client's watches at
once, which wakes any collect waiting on them.
"""

import asyncio
import itertools
import os
import signal
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
GEN = os.path.join(HERE, "gen")
if GEN not in sys.path:
    sys.path.insert(0, GEN)

import grpc  # noqa: E402

from etcdfit.performer.v1 import performer_pb2 as pb  # noqa: E402
from etcdfit.performer.v1 import performer_pb2_grpc as pbg  # noqa: E402

import sdk  # noqa: E402

PERFORMER_NAME = "python-aetcd"
PERFORMER_VERSION = "0.1.0"


def log(msg):
    sys.stderr.write("[python-aetcd %s] %s\n" % (time.strftime("%H:%M:%S"), msg))
    sys.stderr.flush()


class Performer(pbg.PerformerServiceServicer):
    def __init__(self):
        self._clients = {}
        self._ids = itertools.count(1)

    async def Describe(self, request, context):
        version = sdk.sdk_version()
        caps = sdk.capabilities_for(version)
        log("Describe -> aetcd %s, %d capabilities" % (version, len(caps)))
        return pb.DescribeResponse(
            name=PERFORMER_NAME, language="python", sdk_package=sdk.SDK_PACKAGE,
            sdk_version=version, performer_version=PERFORMER_VERSION,
            protocol_version=pb.PROTOCOL_VERSION_1, capabilities=caps)

    async def Connect(self, request, context):
        eps = list(request.endpoints)
        try:
            session = sdk.Session(eps, request.dial_timeout_ms, request.request_timeout_ms,
                                  request.username, request.password)
        except sdk.Unimplemented as e:
            log("Connect %s -> UNIMPLEMENTED %s" % (eps, e))
            await context.abort(grpc.StatusCode.UNIMPLEMENTED, str(e))
        except ValueError as e:
            log("Connect %s -> INVALID_ARGUMENT %s" % (eps, e))
            await context.abort(grpc.StatusCode.INVALID_ARGUMENT, str(e))
        try:
            await session.connect()
        except Exception as e:  # e.g. authentication failed
            err = sdk.map_error(e)
            log("Connect %s -> FAILED %s: %s" % (eps, err.sdk_type, err.message))
            try:
                await session.close()
            except Exception:
                pass
            await context.abort(grpc.StatusCode.FAILED_PRECONDITION,
                                "aetcd.Client.connect failed: %s: %s" % (err.sdk_type, err.message))
        client_id = "c%d" % next(self._ids)
        self._clients[client_id] = session
        note = ""
        if len(eps) > 1:
            note = " (aetcd.Client takes one host:port; ignored %d other endpoint(s))" % (
                len(eps) - 1)
        log("Connect %s -> %s %s:%d timeout=%.1fs%s" % (
            eps, client_id, session.host, session.port, session.timeout, note))
        return pb.ConnectResponse(client_id=client_id)

    async def Disconnect(self, request, context):
        session = self._clients.pop(request.client_id, None)
        if session is None:
            log("Disconnect %s -> unknown client" % request.client_id)
            await context.abort(grpc.StatusCode.NOT_FOUND,
                                "unknown client_id %r" % request.client_id)
        start = time.monotonic()
        try:
            await session.close()
        except Exception as e:
            log("Disconnect %s -> close failed: %s: %s" % (
                request.client_id, type(e).__name__, e))
        else:
            log("Disconnect %s -> closed (%.1f ms)" % (
                request.client_id, (time.monotonic() - start) * 1000))
        return pb.DisconnectResponse()

    async def Execute(self, request, context):
        start = time.monotonic()
        commands = list(request.program.commands)
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
                results.append(await session.execute(cmd))
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

    async def close_all(self):
        sessions = list(self._clients.values())
        self._clients.clear()
        for s in sessions:
            try:
                await s.close()
            except Exception:
                pass


def _loop_exception_handler(loop, context):
    # Background failures inside aetcd (e.g. its watch stream after the channel closed):
    # one log line instead of a traceback.
    e = context.get("exception")
    what = "%s: %s" % (type(e).__name__, e) if e is not None else context.get("message")
    log("event loop: %s" % what)


async def serve(listen):
    loop = asyncio.get_running_loop()
    loop.set_exception_handler(_loop_exception_handler)
    performer = Performer()
    server = grpc.aio.server(options=[("grpc.max_receive_message_length", 64 << 20),
                                      ("grpc.max_send_message_length", 64 << 20)])
    pbg.add_PerformerServiceServicer_to_server(performer, server)
    try:
        port = server.add_insecure_port(listen)
    except RuntimeError as e:
        log("cannot listen on %s: %s" % (listen, e))
        return 1
    if port == 0:
        log("cannot listen on %s" % listen)
        return 1
    await server.start()
    log("listening on %s (aetcd %s, pid %d)" % (listen, sdk.sdk_version(), os.getpid()))

    stop = asyncio.Event()

    def on_signal(signum):
        log("signal %d: shutting down" % signum)
        stop.set()

    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, on_signal, sig)
    await stop.wait()
    await performer.close_all()
    await server.stop(grace=1)
    log("stopped")
    return 0


def run(listen):
    return asyncio.run(serve(listen))
