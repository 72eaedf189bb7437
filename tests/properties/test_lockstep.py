"""Every selected performer in lockstep with the model: a hypothesis RuleBasedStateMachine
draws one command per step (etcdfit.model.strategies, about one in eight deliberately
invalid) and runs it on each performer that claims the capabilities it needs, and on the
model. Each performer's result, normalised (lockstep.normalise), must equal the model's.

Namespacing: the performers share the session's etcd, and etcd's revision is the whole
store's, so the model plays that one store: one EtcdModel, fed every performer's command in
the order etcd receives them. Each performer works under its own key prefix (`ls/<i>/`) and
lease-id block, so none touches another's keys or leases, while revisions, from-key ranges,
lease listings and compactions (which see the whole store) stay exact. Every example starts
from an empty, compacted store (EtcdExecutor.reset), so the test refuses --etcd-endpoints.

Revisions are drawn around strategies.DRAW_BASE and moved, per performer and step, to the
store's revision minus SPREAD_BACK: reads and compares name recent past revisions and, now
and then, future ones; a drawn program replays the same whatever revision etcd is at.

A divergence fails the example; hypothesis shrinks the steps; the failure names each
performer that disagrees (command, its answer, the model's) and prints a conformance test
for it, in Python and as a YAML spec, made from its own commands with the model's answers.
Hypothesis's stateful shrinker leaves steps it could drop when each step takes several
draws (a put left seven repeats of itself), so the failing performer's commands are then
cut down further by delta debugging on that performer alone (minimise): the program
printed last is one from which no single command can be removed.

Environment: LOCKSTEP_EXAMPLES (default 200), LOCKSTEP_STEPS (30), LOCKSTEP_FUZZ=1 (a new
seed each run unless --hypothesis-seed, the example database under .cache/hypothesis).
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field

import lockstep
import pytest
from google.protobuf import text_format
from hypothesis import HealthCheck, Phase, event, settings
from hypothesis.database import DirectoryBasedExampleDatabase
from hypothesis.stateful import RuleBasedStateMachine, rule, run_state_machine_as_test
from lockstep import DRAW_PREFIX, LEASE_BLOCK, Got, Normalisation, ReproStep, Writer

from etcdfit import paths
from etcdfit.capabilities import load_known_failures
from etcdfit.gen.etcdfit.performer.v1 import performer_pb2 as pb
from etcdfit.model import EtcdModel, Result, render, strategies
from etcdfit.model.etcd_exec import EtcdExecutor
from etcdfit.oracle import Oracle
from etcdfit.performer.pool import PerformerSession
from etcdfit.program import Cmd, Outcome

EXAMPLES = int(os.environ.get("LOCKSTEP_EXAMPLES", "200"))
STEPS = int(os.environ.get("LOCKSTEP_STEPS", "30"))
FUZZ = os.environ.get("LOCKSTEP_FUZZ", "") not in ("", "0")
#: Drawn revisions (DRAW_BASE .. DRAW_BASE + 8) land at revision - SPREAD_BACK ..
SPREAD_BACK = 4
#: Where the repro's model starts; its revisions are written relative to it (r0).
REPRO_BASE = 1000
#: Bounds on the delta-debugging pass over a failing performer's program.
MINIMISE_TRIALS, MINIMISE_SECONDS = 400, 120.0

COMMANDS = strategies.weighted((strategies.valid_commands(DRAW_PREFIX, strategies.DRAW_BASE), 7),
                               (strategies.invalid_commands(DRAW_PREFIX, strategies.DRAW_BASE), 1))


def _settings() -> settings:
    common = {"max_examples": EXAMPLES, "stateful_step_count": STEPS, "deadline": None,
                  "suppress_health_check": list(HealthCheck),
              "phases": [p for p in Phase if p != Phase.explain]}
    if FUZZ:
        return settings(database=DirectoryBasedExampleDatabase(str(paths.repo_root() / ".cache" / "hypothesis")),
                        **common)  # type: ignore[arg-type]
    return settings(derandomize=True, database=None, **common)  # type: ignore[arg-type]


@dataclass
class Lane:
    """One performer in the lockstep run: its namespace, lease block and normalisations."""

    performer: PerformerSession
    ns: bytes
    block: int
    known: list[Normalisation]
    ran: list[pb.Command] = field(default_factory=list)  # the drawn commands it ran, this example
    sent: list[pb.Command] = field(default_factory=list)  # ... as sent (moved and rebased)
    diverged: str = ""  # this example's first divergence, as divergence() printed it

    @property
    def label(self) -> str:
        return self.performer.identity.label


def answer(out: Outcome) -> Got:
    if out.kind == "ok":
        return out.ok  # type: ignore[no-any-return]
    if out.kind == "sdk_error":
        return str(out.code)
    return f"HARNESS_ERROR: {out.describe()}"


def shown(r: Got) -> str:
    return r if isinstance(r, str) else text_format.MessageToString(r, as_one_line=True, as_utf8=True)[:1500]


def repro(lane: Lane, index: int) -> str:
    """The lane's own commands, up to the divergent one, as a conformance test in Python
    and YAML with the model's answers (run on them alone, from an empty namespace)."""
    model, writer, steps, caps = EtcdModel(REPRO_BASE, -1), Writer(REPRO_BASE), [], set()
    for i, drawn in enumerate(lane.ran):
        cmd = strategies.rebase([drawn], model.revision - SPREAD_BACK - strategies.DRAW_BASE)[0]
        want: Result = model.execute(cmd)
        caps |= lockstep.needs(cmd)
        steps.append(ReproStep(writer.command(cmd), want if isinstance(want, str) else writer.result(want),
                               check=i == index))
    name = "lockstep_" + lane.performer.name.replace("-", "_")
    return (f"--- a conformance test (tests/conformance/test_*.py) ---\n{lockstep.python_test(name, caps, steps)}\n"
            f"--- the same as a YAML spec (tests/conformance/specs/*.spec.yaml) ---\n"
            f"{lockstep.yaml_spec(name, caps, steps)}")


def run_step(lane: Lane, model: EtcdModel, drawn: pb.Command) -> str | None:
    """Run one drawn command on the lane's performer and on the model: the divergence text
    when they disagree (after normalisation), else None. A command the SDK cannot run
    (UNIMPLEMENTED) is not recorded: etcd saw nothing, so neither does the model."""
    shift = model.revision - SPREAD_BACK - strategies.DRAW_BASE
    cmd = lockstep.moved(strategies.rebase([drawn], shift)[0], lane.ns, lane.block)
    out = lane.performer.run(Cmd(cmd).allow_error())[0]
    if out.kind == "harness_error" and out.result.harness_error.kind == pb.HarnessError.UNIMPLEMENTED:
        event(f"{lane.label} cannot run this {out.cmd.name} (UNIMPLEMENTED)")
        return None
    lane.ran.append(drawn)
    lane.sent.append(cmd)
    got, want = answer(out), model.execute(cmd)
    g, w, used = lockstep.normalise(cmd, got, want, lane.known)
    return None if g == w else divergence(lane, cmd, g, w, used)


def minimise(lane: Lane, executor: EtcdExecutor) -> str:
    """The lane's failing program cut down by delta debugging, run on its performer alone
    from an empty store each time; a candidate counts when a command of the same kind as
    the original divergent one still disagrees with the model."""
    kind = lane.ran[-1].WhichOneof("command")
    start, trials = time.monotonic(), [0]
    found: dict[str, str] = {}

    def fails(program: list[pb.Command]) -> list[pb.Command] | None:
        trials[0] += 1
        base = executor.reset()
        model = EtcdModel(base, base)
        lane.ran, lane.sent = [], []
        for drawn in program:
            text = run_step(lane, model, drawn)
            if text is not None:
                if drawn.WhichOneof("command") != kind:
                    return None
                found["text"] = text
                return list(lane.ran)
        return None

    def budget() -> bool:
        return trials[0] < MINIMISE_TRIALS and time.monotonic() - start < MINIMISE_SECONDS

    original = list(lane.ran)
    smallest = lockstep.ddmin(original, fails, budget)
    if fails(smallest) is None:  # flaky, or the budget cut it short of a failing run
        return (f"(delta debugging could not reproduce the divergence on {lane.label} alone in "
                f"{trials[0]} runs: the program above is hypothesis's)")
    return (f"Delta debugging cut {lane.label}'s program from {len(original)} to {len(smallest)} commands "
            f"({trials[0]} runs, {time.monotonic() - start:.1f}s):\n{found['text']}")


def divergence(lane: Lane, cmd: pb.Command, got: Got, want: Result, used: list[str]) -> str:
    i = len(lane.ran) - 1
    return "\n".join([
        f"{lane.label} disagrees with the model on its command [{i}] {render.call(cmd)}",
        f"  {lane.label}: {shown(got)}",
        f"  model{' ' * (len(lane.label) - 5)}: {shown(want)}",
        *([f"  (normalised: {'; '.join(used)})"] if used else []),
        f"{lane.label}'s commands as sent (namespace {lane.ns.decode()}, lease ids + {lane.block}):",
        render.program(lane.sent), repro(lane, i)])


@pytest.fixture
def lanes(performers: list[PerformerSession], request: pytest.FixtureRequest) -> list[Lane]:
    if request.config.option.etcd_endpoints:
        pytest.skip("the lockstep test empties and compacts etcd before every example: not on --etcd-endpoints")
    out = []
    for i, p in enumerate(performers):
        known = load_known_failures(p.name, version=p.identity.sdk_version)
        out.append(Lane(p, b"ls/%d/" % i, LEASE_BLOCK * (i + 1), lockstep.normalisations_for(p.name, known)))
    return out


def test_sdks_agree_with_the_model_in_lockstep(lanes: list[Lane], oracle: Oracle) -> None:
    """Each step's command, on every performer that can run it, gives the model's answer
    (after the documented normalisations, tests/properties/README.md)."""
    executor = EtcdExecutor(oracle)

    class Lockstep(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            base = executor.reset()
            self.model = EtcdModel(base, base)
            for lane in lanes:
                lane.ran, lane.sent, lane.diverged = [], [], ""

        @rule(drawn=COMMANDS)
        def step(self, drawn: Cmd) -> None:
            problems = []
            for lane in lanes:
                if not lockstep.needs(drawn.command) <= lane.performer.capabilities:
                    continue
                text = run_step(lane, self.model, drawn.command)
                if text is not None:
                    lane.diverged = text
                    problems.append(text)
            assert not problems, f"{len(problems)} performer(s) disagree with the model\n" + "\n\n".join(problems)

    try:
        run_state_machine_as_test(Lockstep, settings=_settings())
    except AssertionError as exc:
        # lanes hold hypothesis's final (shrunk) example: cut each failing one down further
        cut = [minimise(lane, executor) for lane in lanes if lane.diverged]
        if not cut:
            raise
        raise AssertionError(f"{exc}\n\n" + "\n\n".join(cut)) from None


def test_delta_debugging_leaves_a_one_minimal_list() -> None:
    """The minimiser's search (lockstep.ddmin): what fails needs 3 and 7 before 9; every
    other item goes, and the list is cut after the failing item."""
    calls = []

    def fails(xs: list[int]) -> list[int] | None:
        calls.append(xs)
        if 9 in xs and {3, 7} <= set(xs[:xs.index(9)]):
            return xs[:xs.index(9) + 1]
        return None

    assert lockstep.ddmin(list(range(12)), fails, lambda: True) == [3, 7, 9]
    assert lockstep.ddmin(list(range(12)), fails, lambda: len(calls) < 3) != [3, 7, 9]  # the budget ends it
