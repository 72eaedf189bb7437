"""etcd's watch guarantees, checked on every watch the suite runs.

In etcd's own terms (the watch API documentation and tests/robustness validate): a watch's events
are ordered (revisions never go backwards), unique (no event
twice), atomic (a revision's events in one response), reliable (no event missing between the
first and the last delivered, compared with the server's history), resumable (after a fault,
on from the next revision: reliability across the fault), and they honour the request: every key
in the watched range, nothing below the start revision, filters applied, prev_kv right, and a
put that created its key (version 1) has create_revision == mod_revision.

`WatchChecker.feed` checks each collected batch against everything the watch delivered before;
`check_reliable` compares delivered events with the server's. Both return problem records of
kind history_violation, naming the guarantee.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..gen.etcdfit.performer.v1 import performer_pb2 as pb
from ..matchers import show
from ..outcomes import Kind, Problem

PUT, DELETE = pb.EVENT_TYPE_PUT, pb.EVENT_TYPE_DELETE


@dataclass(frozen=True)
class WatchRequest:
    """What a watch asked for, in etcd's terms (range_end b"" for one key)."""

    key: bytes
    range_end: bytes = b""
    start_revision: int = 0
    prev_kv: bool = False
    no_put: bool = False
    no_delete: bool = False

    @classmethod
    def of(cls, cmd: pb.WatchStartCommand) -> WatchRequest:
        from ..oracle import prefix_end

        if cmd.kind == pb.RANGE_KIND_PREFIX:
            key, end = (cmd.key or b"\0"), prefix_end(cmd.key)
        elif cmd.kind == pb.RANGE_KIND_RANGE:
            key, end = cmd.key, cmd.range_end
        else:
            key, end = cmd.key, b""
        return cls(key, end, cmd.start_revision, cmd.prev_kv,
                   pb.WATCH_FILTER_NOPUT in cmd.filters, pb.WATCH_FILTER_NODELETE in cmd.filters)

    def covers(self, key: bytes) -> bool:
        if not self.range_end:
            return key == self.key
        if self.range_end == b"\0":  # every key >= key
            return key >= self.key
        return self.key <= key < self.range_end


def _violation(guarantee: str, handle: str, index: int, expected: str, actual: str) -> Problem:
    return Problem(Kind.HISTORY_VIOLATION, f"watch {handle!r} broke the watch guarantee '{guarantee}'",
                   path=f"events[{index}]", expected=expected, actual=actual)


def _ev(e: pb.WatchEvent) -> str:
    kind = "PUT" if e.type == PUT else "DELETE"
    return f"{kind} {show(e.kv.key)} @{e.kv.mod_revision}"


@dataclass
class WatchChecker:
    """Everything one watch delivered so far, and the checks on each new batch."""

    handle: str
    request: WatchRequest
    delivered: list[pb.WatchEvent] = field(default_factory=list)
    seen: set[tuple[int, bytes]] = field(default_factory=set)
    response_of_revision: dict[int, int] = field(default_factory=dict)
    checked_up_to: int = 0   # events up to this revision were compared with the server's history

    def feed(self, events: Sequence[pb.WatchEvent]) -> list[Problem]:
        problems: list[Problem] = []
        req = self.request
        for e in events:
            i = len(self.delivered)
            rev, key = e.kv.mod_revision, e.kv.key
            last = self.delivered[-1] if self.delivered else None
            if (rev, key) in self.seen:
                problems.append(_violation("unique", self.handle, i, "each event once", f"{_ev(e)} again"))
            elif last is not None and rev < last.kv.mod_revision:  # a revision's own events keep the txn's order
                problems.append(_violation("ordered", self.handle, i, f"after {_ev(last)}", _ev(e)))
            self.seen.add((rev, key))
            if e.response:
                first = self.response_of_revision.setdefault(rev, e.response)
                if first != e.response:
                    problems.append(_violation("atomic", self.handle, i,
                                               f"revision {rev}'s events in one response ({first})",
                                               f"{_ev(e)} in response {e.response}"))
            if not req.covers(key):
                problems.append(_violation("in the watched range", self.handle, i,
                                           f"keys in [{show(req.key)}, {show(req.range_end)})", _ev(e)))
            if req.start_revision and rev < req.start_revision:
                problems.append(_violation("from the start revision", self.handle, i,
                                           f"revisions >= {req.start_revision}", _ev(e)))
            if (req.no_put and e.type == PUT) or (req.no_delete and e.type == DELETE):
                problems.append(_violation("filters", self.handle, i, "no " + ("puts" if req.no_put else "deletes"),
                                           _ev(e)))
            problems += self._event_fields(e, i)
            self.delivered.append(e)
        return problems

    def _event_fields(self, e: pb.WatchEvent, i: int) -> list[Problem]:
        out: list[Problem] = []
        kv = e.kv
        if e.type == PUT and kv.version == 1 and kv.create_revision and kv.create_revision != kv.mod_revision:
            out.append(_violation("create flag", self.handle, i, "create_revision == mod_revision for version 1",
                                  f"{_ev(e)} created at {kv.create_revision}"))
        if e.type == PUT and kv.version > 1 and kv.create_revision == kv.mod_revision and kv.create_revision:
            out.append(_violation("create flag", self.handle, i, "an update (version > 1) created earlier",
                                  f"{_ev(e)} version {kv.version}, created at {kv.create_revision}"))
        if not self.request.prev_kv:
            if e.HasField("prev_kv"):
                out.append(_violation("prev_kv", self.handle, i, "no prev_kv (not asked for)", _ev(e)))
            return out
        had_previous = e.type == DELETE or kv.version > 1
        if had_previous and not e.HasField("prev_kv"):
            out.append(_violation("prev_kv", self.handle, i, "the previous key-value", f"{_ev(e)} without it"))
        elif e.HasField("prev_kv"):
            p = e.prev_kv
            if not had_previous:
                out.append(_violation("prev_kv", self.handle, i, "none (the put created the key)",
                                      f"prev_kv @{p.mod_revision}"))
            elif p.key != kv.key or p.mod_revision >= kv.mod_revision:
                out.append(_violation("prev_kv", self.handle, i, f"{show(kv.key)} before revision {kv.mod_revision}",
                                      f"prev_kv {show(p.key)} @{p.mod_revision}"))
        return out


def check_reliable(handle: str, delivered: Iterable[pb.WatchEvent], history: Iterable[tuple[int, bytes, int]],
                   since: int, until: int) -> list[Problem]:
    """Delivered events with revisions in (since, until] against the server's history of the same
    range and revisions: (type, key, revision) tuples. Missing ones break 'reliable'."""
    got = {(e.type, e.kv.key, e.kv.mod_revision) for e in delivered if since < e.kv.mod_revision <= until}
    want = [h for h in history if since < h[2] <= until]
    missing = [h for h in want if h not in got]
    if not missing:
        return []
    shown = ", ".join(f"{'PUT' if t == PUT else 'DELETE'} {show(k)} @{r}" for t, k, r in missing[:5])
    return [Problem(Kind.HISTORY_VIOLATION, f"watch {handle!r} broke the watch guarantee 'reliable'",
                    path=f"revisions {since + 1}..{until}", expected=f"all {len(want)} events the server has",
                    actual=f"{len(missing)} missing: {shown}")]


def describe(problems: list[Problem]) -> dict[str, Any]:
    return {"violations": [p.to_json() for p in problems]}
