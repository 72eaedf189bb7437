"""The model against real etcd: random programs (etcdfit.model.strategies) run on both,
command by command; every result must be the same payload or the same error code.

Each example starts from an empty store: etcd_exec.reset() revokes every lease, deletes
every key and compacts at the revision that leaves, and the model starts there
(EtcdModel(rev, rev)). So ranges over every key, from-key deletes and lease listings mean
the same on both sides, and no example sees another's keys. Programs are drawn around a
fixed revision (strategies.DRAW_BASE) and moved to the real start with strategies.rebase:
a strategy that read etcd's revision would not replay the same, and could not shrink.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from etcdfit.gen.etcdfit.performer.v1 import performer_pb2 as pb
from etcdfit.model import EtcdModel, Result, render, strategies
from etcdfit.model.etcd_exec import EtcdExecutor
from etcdfit.model.keys import FROM_KEY_END

PREFIX = b"k/"
#: Seconds a lease's remaining TTL may have run down between grant and lease_ttl on etcd;
#: the model's clock does not move.
TTL_SLACK = 2


def normalise(etcd: Result, model: Result) -> Result:
    """etcd's result with what time changes taken out: a lease's remaining TTL."""
    if isinstance(etcd, pb.LeaseTimeToLiveResult) and isinstance(model, pb.LeaseTimeToLiveResult):
        if model.ttl - TTL_SLACK <= etcd.ttl <= model.ttl:
            copy = pb.LeaseTimeToLiveResult()
            copy.CopyFrom(etcd)
            copy.ttl = model.ttl
            return copy
    return etcd


def shown(r: Result) -> str:
    from google.protobuf import text_format

    return r if isinstance(r, str) else text_format.MessageToString(r, as_one_line=True, as_utf8=True)


def divergence(cmds: list[pb.Command], i: int, etcd: Result, model: Result) -> str:
    return (f"the model and etcd disagree on command [{i}] {render.call(cmds[i])}\n"
            f"  etcd : {shown(etcd)[:2000]}\n  model: {shown(model)[:2000]}\nprogram:\n{render.program(cmds)}")


def check_events(ex: EtcdExecutor, model: EtcdModel, cmds: list[pb.Command], from_revision: int) -> None:
    """A watch of every key from from_revision sees what model.events() says."""
    want = model.events(FROM_KEY_END, FROM_KEY_END, from_revision)
    if isinstance(want, list) and not want:
        return  # nothing to wait for: a watch would only time out
    until = want[-1].kv.mod_revision if isinstance(want, list) else model.revision
    got = ex.events(FROM_KEY_END, FROM_KEY_END, from_revision, until)
    assert got == want, (f"a watch from revision {from_revision} saw {[shown(e) for e in got] if isinstance(got, list) else got}"
                         f"\nthe model: {[shown(e) for e in want] if isinstance(want, list) else want}"
                         f"\nprogram:\n{render.program(cmds)}")


@settings(max_examples=500, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example])
@given(program=strategies.programs(PREFIX), watch_from=st.integers(1, 30))
def test_model_agrees_with_etcd(etcd_exec: EtcdExecutor, program: strategies.Program, watch_from: int) -> None:
    """Every command's result agrees; then a watch of every key from a revision the program
    wrote (base + watch_from, or the last) sees the events the model lists."""
    base = etcd_exec.reset()
    cmds = strategies.rebase(program, base - strategies.DRAW_BASE)
    model = EtcdModel(base, base)
    for i, cmd in enumerate(cmds):
        got, want = etcd_exec.execute(cmd), model.execute(cmd)
        assert normalise(got, want) == want, divergence(cmds, i, got, want)
    if model.revision > base:
        check_events(etcd_exec, model, cmds, min(base + watch_from, model.revision))
