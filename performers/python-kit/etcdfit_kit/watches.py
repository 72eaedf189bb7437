"""Watch handles of one client and what each has buffered for WatchCollect.

The SDK-specific part (how events arrive, how the wait is done: a thread condition or an
asyncio one) stays in the performer; the state and the collect result are shared.
"""

import threading

from .errors import BadRequest
from .stubs import pb


class WatchRegistry:
    """Watch handles of one client. A handle is live until its watch has ended."""

    def __init__(self):
        self._lock = threading.Lock()  # the threaded performer runs RPCs in parallel
        self._watches = {}

    def reserve(self, handle, watch):
        if not handle:
            raise BadRequest("watch handle must not be empty")
        with self._lock:
            old = self._watches.get(handle)
            if old is not None and not old.ended:
                raise BadRequest("watch handle %r is already live" % handle)
            self._watches[handle] = watch

    def release(self, handle, watch):
        with self._lock:
            if self._watches.get(handle) is watch:
                del self._watches[handle]

    def get(self, handle):
        with self._lock:
            return self._watches.get(handle)

    def require(self, handle):
        """The live-or-ended watch of handle; an unknown handle is a bad request."""
        w = self.get(handle)
        if w is None:
            raise BadRequest("unknown watch handle %r" % handle)
        return w

    def drain(self):
        with self._lock:
            watches = list(self._watches.values())
            self._watches.clear()
            return watches


class WatchBuffer:
    """Events and progress revisions received and not yet collected, and how it ended.

    Callers hold their own lock (or run on one event loop) around these methods.
    """

    def __init__(self, handle):
        self.handle = handle
        self.events = []
        self.progress = []
        self.ended = False
        self.end_error = None
        self.compact_revision = 0
        self.errors = []      # SdkErrors surfaced while the watch went on
        self.responses = 0    # watch responses the SDK handed over so far

    def next_response(self):
        """The 1-based number of the response the SDK just handed over (WatchEvent.response;
        only for an SDK that exposes response boundaries)."""
        self.responses += 1
        return self.responses

    def record_error(self, sdk_error):
        """An error the SDK surfaced without ending the watch (WatchCollectResult.errors)."""
        if not self.ended:
            self.errors.append(sdk_error)

    def done(self, min_events):
        # min_events 0 means "no threshold": wait the whole timeout (protocol contract),
        # so a test asserting that no event arrives does not pass vacuously.
        return self.ended or (min_events > 0 and len(self.events) >= min_events)

    def record_end(self, end_error=None, compact_revision=0):
        """Ends the watch; end_error is an SdkError (None: ended without error)."""
        self.ended = True
        if end_error is not None:
            self.end_error = end_error
            self.compact_revision = compact_revision or 0

    def take(self):
        """The WatchCollectResult of everything buffered; the buffer is emptied."""
        res = pb.WatchCollectResult(events=self.events, ended=self.ended,
                                    compact_revision=self.compact_revision,
                                    progress_revisions=self.progress, errors=self.errors)
        if self.end_error is not None:
            res.end_error.CopyFrom(self.end_error)
        self.events = []
        self.progress = []
        self.errors = []
        return res
