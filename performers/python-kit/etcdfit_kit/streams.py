"""ExecuteStream: programs with latches (Signal / Wait), threaded or asyncio.

The driver's first message is the program; later messages release latches. The
program's commands run in order on the client (session.execute); a Signal sends
`signalled` to the driver, a Wait blocks until the driver released its latch on this
stream (or the timeout passes: WaitResult.released false). Each result is streamed as
soon as it exists; `done` ends the stream.
"""

import asyncio
import threading

from .stubs import pb
from .timing import now_ns

DEFAULT_WAIT_S = 10.0


def _result(i, result):
    return pb.ExecuteStreamResponse(result=pb.StreamedResult(index=i, result=result))


def _ok(call_ns, **payload):
    return pb.CommandResult(call_ns=call_ns, return_ns=now_ns(), ok=pb.CommandOk(**payload))


def _wait_s(cmd):
    return cmd.wait.timeout_ms / 1000.0 if cmd.wait.timeout_ms else DEFAULT_WAIT_S


def _first(request, unknown):
    """(client_id, commands) of the stream's first message; None and a message when bad."""
    if request.WhichOneof("request") != "program":
        return None, "ExecuteStream: the first message must be the program"
    return (request.program.client_id, list(request.program.program.commands)), None


class ThreadLatches:
    def __init__(self):
        self._cond = threading.Condition()
        self._released = set()
        self._ended = False

    def release(self, name):
        with self._cond:
            self._released.add(name)
            self._cond.notify_all()

    def end(self):
        with self._cond:
            self._ended = True
            self._cond.notify_all()

    def wait(self, name, timeout):
        with self._cond:
            return self._cond.wait_for(lambda: name in self._released or self._ended, timeout) \
                and name in self._released


def threaded_stream(shell, request_iterator, context, unknown_results):
    """The body of ThreadedPerformer.ExecuteStream (a generator of responses)."""
    import grpc

    first = next(request_iterator, None)
    if first is None:
        return
    program, problem = _first(first, unknown_results)
    if problem:
        context.abort(grpc.StatusCode.INVALID_ARGUMENT, problem)
    client_id, commands = program
    shell.log("ExecuteStream %s: %d commands" % (client_id, len(commands)))
    session = shell._get(client_id)
    if session is None:
        for i, r in enumerate(unknown_results(commands, client_id)):
            yield _result(i, r)
        yield pb.ExecuteStreamResponse(done=pb.ProgramDone())
        return
    latches = ThreadLatches()

    def read():
        try:
            for m in request_iterator:
                if m.WhichOneof("request") == "latch_released":
                    latches.release(m.latch_released.latch)
        except Exception:
            pass
        finally:
            latches.end()

    threading.Thread(target=read, daemon=True, name="etcdfit-latches-%s" % client_id).start()
    for i, cmd in enumerate(commands):
        kind = cmd.WhichOneof("command")
        if kind == "signal":
            call = now_ns()
            yield pb.ExecuteStreamResponse(signalled=pb.LatchSignalled(latch=cmd.signal.latch, index=i))
            yield _result(i, _ok(call, signal=pb.SignalResult()))
        elif kind == "wait":
            call = now_ns()
            released = latches.wait(cmd.wait.latch, _wait_s(cmd))
            yield _result(i, _ok(call, wait=pb.WaitResult(released=released)))
        else:
            yield _result(i, session.execute(cmd))
    yield pb.ExecuteStreamResponse(done=pb.ProgramDone())


class AsyncLatches:
    def __init__(self):
        self._cond = asyncio.Condition()
        self._released = set()
        self._ended = False

    async def release(self, name):
        async with self._cond:
            self._released.add(name)
            self._cond.notify_all()

    async def end(self):
        async with self._cond:
            self._ended = True
            self._cond.notify_all()

    async def wait(self, name, timeout):
        async with self._cond:
            try:
                await asyncio.wait_for(
                    self._cond.wait_for(lambda: name in self._released or self._ended), timeout)
            except asyncio.TimeoutError:
                return False
            return name in self._released


async def async_stream(shell, request_iterator, context, unknown_results):
    """The body of AsyncPerformer.ExecuteStream (an async generator of responses)."""
    import grpc

    requests = request_iterator.__aiter__()
    try:
        first = await requests.__anext__()
    except StopAsyncIteration:
        return
    program, problem = _first(first, unknown_results)
    if problem:
        await context.abort(grpc.StatusCode.INVALID_ARGUMENT, problem)
    client_id, commands = program
    shell.log("ExecuteStream %s: %d commands" % (client_id, len(commands)))
    session = shell._get(client_id)
    if session is None:
        for i, r in enumerate(unknown_results(commands, client_id)):
            yield _result(i, r)
        yield pb.ExecuteStreamResponse(done=pb.ProgramDone())
        return
    latches = AsyncLatches()

    async def read():
        try:
            async for m in requests:
                if m.WhichOneof("request") == "latch_released":
                    await latches.release(m.latch_released.latch)
        except Exception:
            pass
        finally:
            await latches.end()

    reader = asyncio.ensure_future(read())
    try:
        for i, cmd in enumerate(commands):
            kind = cmd.WhichOneof("command")
            if kind == "signal":
                call = now_ns()
                yield pb.ExecuteStreamResponse(signalled=pb.LatchSignalled(latch=cmd.signal.latch, index=i))
                yield _result(i, _ok(call, signal=pb.SignalResult()))
            elif kind == "wait":
                call = now_ns()
                released = await latches.wait(cmd.wait.latch, _wait_s(cmd))
                yield _result(i, _ok(call, wait=pb.WaitResult(released=released)))
            else:
                yield _result(i, await session.execute(cmd))
        yield pb.ExecuteStreamResponse(done=pb.ProgramDone())
    finally:
        reader.cancel()
