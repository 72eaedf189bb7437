"""The server loop of a Python performer: serve a Backend on host:port until SIGTERM or
SIGINT, with grpc.server and a thread pool (blocking SDKs) or grpc.aio (asyncio SDKs)."""

import asyncio
import os
import signal
import threading
from concurrent import futures

import grpc

from .protocol import AsyncPerformer, ThreadedPerformer
from .stubs import pbg

_SERVER_OPTIONS = [("grpc.max_receive_message_length", 64 << 20),
                   ("grpc.max_send_message_length", 64 << 20)]


def run_threaded(listen, backend):
    """Serve a ThreadedPerformer on listen until SIGTERM/SIGINT; returns the exit code."""
    performer = ThreadedPerformer(backend)
    log = performer.log

    def thread_excepthook(args):
        # SDK background threads that die once their client is closed (etcd3's watcher:
        # "Cannot invoke RPC: Channel closed!"): one log line instead of a traceback.
        name = args.thread.name if args.thread is not None else "?"
        log("thread %s ended: %s: %s" % (name, args.exc_type.__name__, args.exc_value))

    threading.excepthook = thread_excepthook
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=16), options=_SERVER_OPTIONS)
    pbg.add_PerformerServiceServicer_to_server(performer, server)
    port = server.add_insecure_port(listen)
    if port == 0:
        log("cannot listen on %s" % listen)
        return 1
    server.start()
    log("listening on %s (%s %s, pid %d)" % (listen, backend.sdk_package,
                                             backend.sdk_version(), os.getpid()))
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


def run_asyncio(listen, backend):
    """Serve an AsyncPerformer on listen until SIGTERM/SIGINT; returns the exit code."""
    return asyncio.run(_serve_asyncio(listen, backend))


async def _serve_asyncio(listen, backend):
    loop = asyncio.get_running_loop()
    performer = AsyncPerformer(backend)
    log = performer.log

    def exception_handler(loop, context):
        # Background failures inside the SDK (e.g. a watch stream after the channel
        # closed): one log line instead of a traceback.
        e = context.get("exception")
        what = "%s: %s" % (type(e).__name__, e) if e is not None else context.get("message")
        log("event loop: %s" % what)

    loop.set_exception_handler(exception_handler)
    server = grpc.aio.server(options=_SERVER_OPTIONS)
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
    log("listening on %s (%s %s, pid %d)" % (listen, backend.sdk_package,
                                             backend.sdk_version(), os.getpid()))
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
