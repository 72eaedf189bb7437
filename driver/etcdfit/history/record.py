"""A history: every command of concurrently running programs, with its client, input,
output and its call and return times on the driver's clock.

Times are the driver's monotonic clock (time.monotonic_ns), one clock for every
performer: performer clocks have different origins (go counts from its process start,
Python uses CLOCK_MONOTONIC) and cannot be compared across processes. A performer's
clock is used only for durations since an anchor the driver observed (docs/concurrency.md):

* call: at or after the driver sent the program, plus the time the performer says
  passed from its first command's call to this one's; after a Wait, at or after the
  driver released that latch, plus the time from the Wait's return to this call;
* return: at or before the driver received this result, and before every later
  result's receipt less the performer's time between the two returns.

Both bounds are sound on one machine (same tick rate): each real operation lies inside
[call, return], so the linearizability check never reports a violation the clocks made up.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from google.protobuf import json_format

from ..gen.etcdfit.performer.v1 import performer_pb2 as pb

NEVER = -1  # return time of an operation that never returned (its outcome is unknown)


@dataclass
class Operation:
    """One command as it ran: `client` names the performer and client ('go-clientv3@3.6.16/c2')."""

    client: str
    index: int                    # position in its program
    command: pb.Command
    result: pb.CommandResult
    call_ns: int                  # driver clock
    return_ns: int                # driver clock; NEVER when no result came back
    performer_call_ns: int = 0    # as the performer reported them
    performer_return_ns: int = 0

    @property
    def name(self) -> str:
        return self.command.WhichOneof("command") or ""

    @property
    def outcome(self) -> str:
        return self.result.WhichOneof("outcome") or "missing"

    def to_json(self) -> dict[str, Any]:
        return {"client": self.client, "index": self.index, "call_ns": self.call_ns, "return_ns": self.return_ns,
                "performer_call_ns": self.performer_call_ns, "performer_return_ns": self.performer_return_ns,
                "command": json_format.MessageToDict(self.command),
                "result": json_format.MessageToDict(self.result)}


@dataclass
class History:
    operations: list[Operation] = field(default_factory=list)

    def save(self, path: Path) -> Path:
        """Write the history as JSON (one object per operation), to re-check it offline."""
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps([o.to_json() for o in self.operations], indent=1))
        return path

    def by_client(self) -> dict[str, list[Operation]]:
        out: dict[str, list[Operation]] = {}
        for o in self.operations:
            out.setdefault(o.client, []).append(o)
        return out


def align(client: str, cmds: list[pb.Command], results: dict[int, pb.CommandResult],
          received_ns: dict[int, int], sent_ns: int, latch_released_ns: dict[str, int]) -> list[Operation]:
    """The operations of one program, with times on the driver's clock (see the module doc).

    `received_ns[i]`: when the driver received result i; `sent_ns`: when it sent the program;
    `latch_released_ns[L]`: when it relayed latch L."""
    anchors: list[tuple[int, int]] = []  # (driver ns, performer ns) the next calls come after
    ops: list[Operation] = []
    first_call = next((results[i].call_ns for i in sorted(results)), 0)
    anchors.append((sent_ns, first_call))
    for i, cmd in enumerate(cmds):
        r = results.get(i)
        if r is None:
            ops.append(Operation(client, i, cmd, pb.CommandResult(), _lower(anchors, None, sent_ns), NEVER))
            continue
        ops.append(Operation(client, i, cmd, r, _lower(anchors, r.call_ns, sent_ns), received_ns[i],
                             r.call_ns, r.return_ns))
        if cmd.WhichOneof("command") == "wait" and r.HasField("ok") and r.ok.wait.released:
            released = latch_released_ns.get(cmd.wait.latch)
            if released is not None:
                anchors.append((released, r.return_ns))
    # return <= receipt of any later result less the performer time between the two returns
    bound: int | None = None
    next_return = 0
    for o in reversed(ops):
        if o.return_ns == NEVER:
            continue
        if bound is not None:
            o.return_ns = min(o.return_ns, bound - (next_return - o.performer_return_ns))
        bound, next_return = o.return_ns, o.performer_return_ns
        o.return_ns = max(o.return_ns, o.call_ns)
    return ops


def _lower(anchors: list[tuple[int, int]], perf_call: int | None, floor: int) -> int:
    if perf_call is None:
        return max(a for a, _ in anchors)
    return max([floor] + [a + (perf_call - p) for a, p in anchors if perf_call >= p])
