"""Programs that run at the same time on several performers and clients, paused and
resumed at latches the driver relays between them (protocol: ExecuteStream).

    from etcdfit.concurrency import run_concurrently, signal, wait, lock_acquire, lock_release
    run = run_concurrently([
        (a, [lock_acquire("h", name), signal("held"), wait("go"), lock_release("h")]),
        (b, [wait("held"), signal("go"), lock_acquire("h", name)]),
    ])
    run.results[1][2].create_revision   # a program's outcomes, as PerformerSession.run returns them
    run.history                         # every command with driver-clock call/return times

A latch is a name. When any program signals L, every program waiting on L (on any
performer) is released, and so is every later Wait on L. Each program's stream has a
deadline (`timeout`); a performer that crashes or stalls fails the run with its exit code
and log tail, as Execute does. Expectations are checked per program after every program
ended; failures of all programs are reported together.
"""

from __future__ import annotations

import functools
import queue
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import grpc

from .errors import EtcdfitError, ExpectationFailed, PerformerError
from .gen.etcdfit.performer.v1 import performer_pb2 as pb
from .history import linearizability
from .history.record import History, align
from .outcomes import Kind, Problem, ProgramRecord
from .performer.pool import PerformerSession
from .program import Cmd, Key, Results, _b, _cmd, evaluate, program_lines

DEFAULT_TIMEOUT = 20.0


class StreamUnsupported(EtcdfitError):
    """The performer answered ExecuteStream with UNIMPLEMENTED: it does not claim stream.latches.
    Require the capability (`@pytest.mark.requires("stream.latches")` or `participants(...)`)."""


# ------------------------------------------------------------------ commands


def signal(latch: str) -> Cmd:
    """Tell the driver this program reached here: every program waiting on `latch` goes on."""
    return _cmd(signal=pb.SignalCommand(latch=latch))


def wait(latch: str, *, timeout_ms: int = 10_000) -> Cmd:
    """Pause until some program signals `latch`; expects it released (not timed out)."""
    return _cmd(wait=pb.WaitCommand(latch=latch, timeout_ms=timeout_ms)).expect(released=True)


def lock_acquire(handle: str, name: Key, *, session_ttl: int = 60, timeout_ms: int = 10_000,
                 try_only: bool = False) -> Cmd:
    """Acquire the lock `name` with the SDK's recipe in a session of `session_ttl` seconds."""
    return _cmd(lock_acquire=pb.LockAcquireCommand(handle=handle, name=_b(name, "lock name"), session_ttl=session_ttl,
                                                   timeout_ms=timeout_ms, try_only=try_only))


def lock_release(handle: str) -> Cmd:
    return _cmd(lock_release=pb.LockReleaseCommand(handle=handle))


def campaign(handle: str, name: Key, value: Key, *, session_ttl: int = 60, timeout_ms: int = 10_000) -> Cmd:
    return _cmd(election_campaign=pb.ElectionCampaignCommand(handle=handle, name=_b(name, "election name"),
                                                             value=_b(value, "campaign value"),
                                                             session_ttl=session_ttl, timeout_ms=timeout_ms))


def proclaim(handle: str, value: Key) -> Cmd:
    return _cmd(election_proclaim=pb.ElectionProclaimCommand(handle=handle, value=_b(value, "proclaim value")))


def leader(name: Key = b"", *, handle: str = "") -> Cmd:
    return _cmd(election_leader=pb.ElectionLeaderCommand(handle=handle, name=_b(name, "election name")))


def observe_start(handle: str, name: Key) -> Cmd:
    return _cmd(election_observe_start=pb.ElectionObserveStartCommand(handle=handle, name=_b(name, "election name")))


def observe_collect(handle: str, min_leaders: int = 1, *, timeout_ms: int = 5000) -> Cmd:
    return _cmd(election_observe_collect=pb.ElectionObserveCollectCommand(handle=handle, min_leaders=min_leaders,
                                                                          timeout_ms=timeout_ms))


def resign(handle: str) -> Cmd:
    return _cmd(election_resign=pb.ElectionResignCommand(handle=handle))


STM_ISOLATIONS = ("default", "serializable_snapshot", "serializable", "repeatable_reads", "read_committed")


def stm(adds: Sequence[tuple[Key, int]], *, isolation: str = "default", max_attempts: int = 0,
        timeout_ms: int = 10_000, read_signal: str = "", write_wait: str = "",
        write_wait_timeout_ms: int = 10_000) -> Cmd:
    """One transaction with the SDK's STM: read each key of `adds` as a decimal integer (absent:
    0) and write it back plus its delta; the SDK retries on a conflict. `isolation` is one of
    STM_ISOLATIONS (capability stm.isolation.<level>; "default": the SDK's own, capability stm).
    In the first attempt only, signal `read_signal` after the reads and wait for `write_wait`
    before the writes (ExecuteStream programs), so another client can write in between."""
    if isolation not in STM_ISOLATIONS:
        raise EtcdfitError(f"stm: unknown isolation {isolation!r}; one of {', '.join(STM_ISOLATIONS)}")
    if not adds:
        raise EtcdfitError("stm: needs at least one (key, delta)")
    return _cmd(stm=pb.StmCommand(
        adds=[pb.StmAdd(key=_b(k, "stm key"), delta=d) for k, d in adds],
        isolation="STM_ISOLATION_" + isolation.upper(), max_attempts=max_attempts,
        timeout_ms=timeout_ms, read_signal=read_signal, write_wait=write_wait,
        write_wait_timeout_ms=write_wait_timeout_ms))


def transfer(src: Key, dst: Key, amount: int, **kw: Any) -> Cmd:
    """stm([(src, -amount), (dst, +amount)], **kw): move `amount` from one account to another."""
    return stm([(src, -amount), (dst, amount)], **kw)


# ------------------------------------------------------------------ running


@dataclass
class _Program:
    session: PerformerSession
    cmds: list[Cmd]
    label: str
    requests: queue.Queue[pb.ExecuteStreamRequest | None] = field(default_factory=queue.Queue)
    results: dict[int, pb.CommandResult] = field(default_factory=dict)
    received_ns: dict[int, int] = field(default_factory=dict)
    sent_ns: int = 0
    done: bool = False
    error: BaseException | None = None

    def feed(self) -> Iterator[pb.ExecuteStreamRequest]:
        while True:
            item = self.requests.get()
            if item is None:
                return
            yield item


@dataclass
class ConcurrentRun:
    results: list[Results]
    history: History
    latches: dict[str, int]   # latch -> driver ns it was relayed at


class _Relay:
    """Latches seen so far, relayed to every program's stream."""

    def __init__(self, programs: list[_Program]):
        self.programs, self.lock = programs, threading.Lock()
        self.released: dict[str, int] = {}

    def signalled(self, latch: str) -> None:
        with self.lock:
            if latch in self.released:
                return
            self.released[latch] = time.monotonic_ns()
            for p in self.programs:
                if not p.done:
                    p.requests.put(pb.ExecuteStreamRequest(latch_released=pb.LatchReleased(latch=latch)))


def _read(p: _Program, relay: _Relay, timeout: float) -> None:
    client = p.session.client
    try:
        p.sent_ns = time.monotonic_ns()   # the program (queued first, by run_concurrently) goes no earlier
        for resp in client.stub.ExecuteStream(p.feed(), timeout=timeout):
            kind = resp.WhichOneof("response")
            if kind == "result":
                p.received_ns[resp.result.index] = time.monotonic_ns()
                p.results[resp.result.index] = resp.result.result
            elif kind == "signalled":
                relay.signalled(resp.signalled.latch)
            elif kind == "done":
                break
    except grpc.RpcError as exc:
        if exc.code() == grpc.StatusCode.UNIMPLEMENTED:
            p.error = StreamUnsupported(f"{p.label} does not implement ExecuteStream (programs with latches): "
                                        f"{exc.details()}; it does not claim stream.latches")
        else:
            p.error = client._classify("ExecuteStream", exc, timeout)
    except BaseException as exc:
        p.error = exc
    finally:
        p.done = True
        p.requests.put(None)


def run_concurrently(programs: Sequence[tuple[PerformerSession, Sequence[Cmd]]], *,
                     timeout: float = DEFAULT_TIMEOUT, check: bool = True) -> ConcurrentRun:
    """Run every (session, commands) program at the same time, relaying latches; then check
    each program's expectations (check=False: leave that to the caller). Sessions must be
    distinct SDK clients (PerformerSession.connect makes more on one performer)."""
    __tracebackhide__ = True
    ids = [(id(s.client), s.client_id) for s, _ in programs]
    if len(set(ids)) != len(ids):
        raise EtcdfitError("run_concurrently: two programs on one SDK client; a client runs one program at a time "
                           "(make another with session.connect(etcd.endpoints))")
    progs = [_Program(s, list(cmds), f"{s.identity.label}/{s.client_id}") for s, cmds in programs]
    relay = _Relay(progs)
    threads = [threading.Thread(target=_read, args=(p, relay, timeout), daemon=True, name=f"etcdfit-stream-{p.label}")
               for p in progs]
    for p in progs:   # every stream's first message, before any thread can relay a latch into its queue
        p.requests.put(pb.ExecuteStreamRequest(program=pb.ExecuteRequest(
            client_id=p.session.client_id, program=pb.Program(commands=[c.command for c in p.cmds]))))
    for p, t in zip(progs, threads, strict=True):
        p.session.programs.append(ProgramRecord(p.label, render=functools.partial(program_lines, p.cmds)))
        t.start()
    deadline = time.monotonic() + timeout + 5
    for t in threads:
        t.join(max(0.0, deadline - time.monotonic()))
    errors = [p.error for p in progs if p.error is not None]
    stuck = [p.label for p, t in zip(progs, threads, strict=True) if t.is_alive()]
    if stuck:
        raise PerformerError(f"programs on {', '.join(stuck)} did not end within {timeout + 5:.0f}s")
    if errors:
        raise errors[0]
    history = History()
    for p in progs:
        history.operations += align(p.label, [c.command for c in p.cmds], p.results, p.received_ns, p.sent_ns,
                                    relay.released)
    history.operations.sort(key=lambda o: o.call_ns)
    outs: list[Results] = []
    failures: list[ExpectationFailed] = []
    for p in progs:
        response = pb.ExecuteResponse(results=[p.results[i] for i in sorted(p.results)])
        try:
            outs.append(evaluate(p.cmds, response, p.label) if check else
                        evaluate([c if c.any_outcome else _any(c) for c in p.cmds], response, p.label))
        except ExpectationFailed as exc:
            for pr in exc.problems:  # names the participant, for its known-failure lists (etcdfit.participants)
                if isinstance(pr, Problem) and not pr.performer:
                    pr.performer = p.session.spec
            failures.append(exc)
    if failures:
        problems = [pr for f in failures for pr in f.problems]
        raise ExpectationFailed("\n\n".join(str(f) for f in failures), problems,
                                failures[0].program)
    return ConcurrentRun(outs, history, dict(relay.released))


def _any(c: Cmd) -> Cmd:
    return Cmd(c.command, any_outcome=True)


def check_linearizable(history: History, where: Path,
                       initial: dict[bytes, bytes] | None = None) -> linearizability.Verdict:
    """Check the history's KV operations (`initial`: keys set before it, e.g. by the oracle);
    on a violation save the history and porcupine's visualization under `where` and fail
    with a HISTORY_VIOLATION naming both."""
    __tracebackhide__ = True
    verdict = linearizability.check(history, where / "linearizability.html", initial=initial)
    if verdict.result == "illegal":
        saved = history.save(where / "history.json")
        problem = Problem(Kind.HISTORY_VIOLATION, "the recorded history is not linearizable (porcupine, a KV "
                          "model per key)", path=verdict.visualization, expected="a linearizable history",
                          actual=f"violation; visualization {verdict.visualization}, history {saved}",
                          where="history")
        raise ExpectationFailed(f"history of {verdict.operations} operations is not linearizable: see "
                                f"{verdict.visualization} (history: {saved})", [problem])
    return verdict
