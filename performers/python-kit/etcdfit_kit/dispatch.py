"""One Command -> exactly one CommandResult, whatever happens (the exec loop).

A session has one method per command kind, `_do_<kind>(command, timer)`, returning the
ok payload. What they raise decides the outcome: SdkRaised -> sdk_error (mapped by the
performer's map_error), Unimplemented / BadRequest -> harness_error, anything else ->
harness_error INTERNAL (a performer bug).
"""

import traceback

from .errors import BadRequest, SdkRaised, Unimplemented
from .stubs import pb
from .timing import AsyncTimer, Timer, now_ns

HK = pb.HarnessError


def execute(session, command, map_error, guard=None):
    """Run one Command on a synchronous session."""
    timer = Timer()
    result = pb.CommandResult()
    try:
        kind, handler = _handler(session, command, guard)
        getattr(result.ok, kind).CopyFrom(handler(getattr(command, kind), timer))
    except Exception as e:
        _fail(result, e, map_error)
    return _stamp(result, timer)


async def execute_async(session, command, map_error, guard=None):
    """Run one Command on an asyncio session (its _do_* are coroutine functions)."""
    timer = AsyncTimer()
    result = pb.CommandResult()
    try:
        kind, handler = _handler(session, command, guard)
        getattr(result.ok, kind).CopyFrom(await handler(getattr(command, kind), timer))
    except Exception as e:
        _fail(result, e, map_error)
    return _stamp(result, timer)


def harness_error(kind, message):
    return HK(kind=kind, message=message)


def _handler(session, command, guard):
    kind = command.WhichOneof("command")
    if not kind:
        raise BadRequest("empty Command (no command set)")
    if guard is not None:
        guard()  # e.g. refuse commands on a disconnected client
    handler = getattr(session, "_do_" + kind, None)
    if handler is None:
        raise Unimplemented("command %r is not implemented" % kind)
    return kind, handler


def _fail(result, e, map_error):
    if isinstance(e, SdkRaised):
        result.sdk_error.CopyFrom(map_error(e.original))
    elif isinstance(e, Unimplemented):
        result.harness_error.CopyFrom(harness_error(HK.UNIMPLEMENTED, str(e)))
    elif isinstance(e, BadRequest):
        result.harness_error.CopyFrom(harness_error(HK.BAD_REQUEST, str(e)))
    else:
        last = traceback.format_exception_only(type(e), e)[-1].strip()
        result.harness_error.CopyFrom(harness_error(HK.INTERNAL, last))


def _stamp(result, timer):
    now = now_ns()
    result.call_ns = timer.call_ns if timer.call_ns is not None else now
    result.return_ns = timer.return_ns if timer.return_ns is not None else result.call_ns
    return result
