"""Monotonic call and return times of one command (protocol: call_ns, return_ns)."""

import time

from .errors import SdkRaised

now_ns = time.monotonic_ns


class Timer:
    """Records the clock right before and right after the SDK call of one command.

    A command that never reaches the SDK keeps None in both (dispatch stamps the
    result with the current time instead).
    """

    def __init__(self):
        self.call_ns = None
        self.return_ns = None

    def mark_call(self):
        self.call_ns = now_ns()

    def mark_return(self):
        self.return_ns = now_ns()

    def call(self, fn, *args, **kwargs):
        """Call SDK code; anything it raises is the SDK's (SdkRaised)."""
        self.mark_call()
        try:
            return fn(*args, **kwargs)
        except Exception as e:
            raise SdkRaised(e) from e
        finally:
            self.mark_return()


class AsyncTimer(Timer):
    """Timer for an asyncio SDK: call() awaits an SDK coroutine function."""

    async def call(self, fn, *args, **kwargs):
        self.mark_call()
        try:
            return await fn(*args, **kwargs)
        except Exception as e:
            raise SdkRaised(e) from e
        finally:
            self.mark_return()
