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

Environment: LOCKSTEP_EXAMPLES (default 200), LOCKSTEP_STEPS (30), LOCKSTEP_FUZZ=1 (a new
seed each run unless --hypothesis-seed, the example database under .cache/hypothesis).
"""

from __future__ import annotations

import os
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
                lane.ran, lane.sent = [], []

        @rule(drawn=COMMANDS)
        def step(self, drawn: Cmd) -> None:
            problems = []
            for lane in lanes:
                if not lockstep.needs(drawn.command) <= lane.performer.capabilities:
                    continue
                shift = self.model.revision - SPREAD_BACK - strategies.DRAW_BASE
                cmd = lockstep.moved(strategies.rebase([drawn.command], shift)[0], lane.ns, lane.block)
                out = lane.performer.run(Cmd(cmd).allow_error())[0]
                if out.kind == "harness_error" and out.result.harness_error.kind == pb.HarnessError.UNIMPLEMENTED:
                    event(f"{lane.label} cannot run this {out.cmd.name} (UNIMPLEMENTED)")
                    continue  # the SDK was not called, so etcd saw nothing: neither does the model
                lane.ran.append(drawn.command)
                lane.sent.append(cmd)
                got, want = answer(out), self.model.execute(cmd)
                g, w, used = lockstep.normalise(cmd, got, want, lane.known)
                if g != w:
                    problems.append(divergence(lane, cmd, g, w, used))
            assert not problems, f"{len(problems)} performer(s) disagree with the model\n" + "\n\n".join(problems)

    run_state_machine_as_test(Lockstep, settings=_settings())
