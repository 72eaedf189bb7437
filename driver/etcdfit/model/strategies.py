"""Hypothesis strategies over the builder DSL (etcdfit.program): commands and programs for
EtcdModel and for runs in lockstep with etcd or performers.

Keys come from a small space (five names under `prefix`) so that commands collide.
Revisions are drawn around `base`, the store's revision when the program starts. A
strategy must not depend on outside state (hypothesis replays it), so draw with a fixed
base (DRAW_BASE) and move the program to the real one with `rebase(program, real - base)`.
Lease ids are fixed (LEASE_IDS): the model cannot guess the id etcd would pick for id 0.

    valid_commands(...)    commands etcd accepts (a few may still fail on state, e.g. a put
                           on a lease not granted yet, which is part of the point)
    invalid_commands(...)  commands etcd must refuse: oversize values, too many txn ops,
                           compacted or future revisions, unknown leases, empty keys,
                           ignore_value with a value, duplicate keys in a txn
    programs(...)          Programs (lists of both, mostly valid) shown as DSL calls
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from ..gen.etcdfit.performer.v1 import performer_pb2 as pb
from ..program import (
    Cmd,
    compact,
    compare,
    delete,
    get,
    lease_grant,
    lease_keepalive_once,
    lease_leases,
    lease_revoke,
    lease_ttl,
    put,
    txn,
)
from . import render
from .checks import MAX_REQUEST_BYTES, MAX_TXN_OPS
from .keys import FROM_KEY_END, select

#: Key names under the prefix. At most six keys exist at once: etcd 3.5 keeps equal sort
#: values in key order only for up to six results (see store._sorted).
NAMES = (b"a", b"ab", b"b", b"ba", b"c")
VALUES = (b"", b"1", b"2", b"x")
LEASE_IDS = (1, 2, 3)
UNKNOWN_LEASE = 999
#: Lease TTLs: 1 is raised to etcd's minimum (2 s); all outlive a program's run.
TTLS = (1, 30, 3600)
DRAW_BASE = 100
OVERSIZE = MAX_REQUEST_BYTES + 64 * 1024  # clear of the limit, and under gRPC's 2 MiB receive limit


def keys(prefix: bytes = b"") -> st.SearchStrategy[bytes]:
    return st.sampled_from([prefix + n for n in NAMES])


def _selection(prefix: bytes, compare: bool = False) -> st.SearchStrategy[dict[str, Any]]:
    """How a range, delete or compare picks keys: one key, a prefix (the namespace's own
    too), from a key (not for a compare), or [key, end) (end may sort before key)."""
    k = keys(prefix)
    ways = [st.builds(lambda key: {"key": key}, k),
            st.builds(lambda key: {"key": key, "prefix": True}, k | st.just(prefix) if prefix else k),
            st.builds(lambda key, end: {"key": key, "range_end": end}, k, k)]
    if not compare:
        ways.append(st.builds(lambda key: {"key": key, "from_key": True}, k))
    return st.one_of(ways)


def revisions(base: int, spread: int = 8) -> st.SearchStrategy[int]:
    """0 (latest) or a revision the program may have reached: base .. base + spread."""
    return weighted((st.just(0), 2), (st.integers(base, base + spread), 3))


def weighted(*choices: tuple[st.SearchStrategy[Any], int]) -> st.SearchStrategy[Any]:
    """One of the strategies, picked in proportion to its weight."""
    return st.sampled_from([s for s, w in choices for _ in range(w)]).flatmap(lambda s: s)


def puts(prefix: bytes = b"") -> st.SearchStrategy[Cmd]:
    """Mostly plain puts; some with a lease, prev_kv, ignore_value or ignore_lease."""
    flags = weighted((st.just(()), 6), (st.sampled_from([("ignore_value",), ("ignore_lease",),
                                                         ("ignore_value", "ignore_lease")]), 1))
    return st.builds(lambda key, value, lease, prev, ign: put(
        key, b"" if "ignore_value" in ign else value, lease=0 if "ignore_lease" in ign else lease, prev_kv=prev,
        ignore_value="ignore_value" in ign, ignore_lease="ignore_lease" in ign),
        keys(prefix), st.sampled_from(VALUES), st.sampled_from((0,) * 6 + LEASE_IDS), st.booleans(), flags)


def ranges(prefix: bytes = b"", base: int = 1) -> st.SearchStrategy[Cmd]:
    """A get with up to three of its options set."""
    revs = revisions(base)
    values: dict[str, st.SearchStrategy[Any]] = {
        "limit": st.integers(1, 3), "revision": revs,
        "sort_order": st.sampled_from(("none", "ascend", "descend")),
        "sort_target": st.sampled_from(("key", "version", "create", "mod", "value")),
        "keys_only": st.just(True), "count_only": st.just(True),
        "min_mod_revision": revs, "max_mod_revision": revs,
        "min_create_revision": revs, "max_create_revision": revs}
    names = st.lists(st.sampled_from(sorted(values)), max_size=3, unique=True)
    options = names.flatmap(lambda ns: st.fixed_dictionaries({n: values[n] for n in ns}))
    return st.builds(lambda sel, opts: get(**sel, **opts), _selection(prefix), options)


def deletes(prefix: bytes = b"") -> st.SearchStrategy[Cmd]:
    return st.builds(lambda sel, prev: delete(**sel, prev_kv=prev), _selection(prefix), st.booleans())


def compares(prefix: bytes = b"", base: int = 1) -> st.SearchStrategy[Any]:
    sel = _selection(prefix, compare=True)
    operand = {"value": st.sampled_from(VALUES), "version": st.integers(0, 3),
               "create": revisions(base), "mod": revisions(base), "lease": st.sampled_from((0, *LEASE_IDS))}
    return st.sampled_from(sorted(operand)).flatmap(lambda target: st.builds(
        lambda s, op, x: compare(s["key"], target, op, x, prefix=s.get("prefix", False),
                                 range_end=s.get("range_end")),
        sel, st.sampled_from(("=", "!=", ">", "<")), operand[target]))


def txns(prefix: bytes = b"", base: int = 1, depth: int = 2) -> st.SearchStrategy[Cmd]:
    ops = st.one_of(puts(prefix), ranges(prefix, base), deletes(prefix))
    if depth > 1:
        ops = st.one_of(ops, st.deferred(lambda: txns(prefix, base, depth - 1)))
    return st.builds(txn, st.lists(compares(prefix, base), max_size=2), st.lists(ops, max_size=3),
                     st.lists(ops, max_size=3)).filter(lambda c: not kills_etcd(c.command.txn))


def kills_etcd(t: pb.TxnCommand) -> bool:
    """Whether a txn holds both a from-key delete and an ignore_value/ignore_lease put: the
    ingredients of the request that crashes etcd (model.EtcdWouldCrash). Never generated."""
    ops: list[pb.RequestOp] = []
    todo = [t]
    while todo:
        cur = todo.pop()
        ops += [*cur.success, *cur.failure]
        todo += [op.txn for op in (*cur.success, *cur.failure) if op.WhichOneof("request") == "txn"]
    from_key = any(op.WhichOneof("request") == "delete_range"
                   and select(op.delete_range.key, op.delete_range.kind, op.delete_range.range_end)[1] == FROM_KEY_END
                   for op in ops)
    ignore = any(op.WhichOneof("request") == "put" and (op.put.ignore_value or op.put.ignore_lease) for op in ops)
    return from_key and ignore


def leases(base: int = 1) -> st.SearchStrategy[Cmd]:
    lid = st.sampled_from(LEASE_IDS)
    return st.one_of(
        st.builds(lambda i, t: lease_grant(t, id=i), lid, st.sampled_from(TTLS)),
        st.builds(lease_revoke, lid),
        st.builds(lambda i, k: lease_ttl(i, keys=k), lid, st.booleans()),
        st.just(lease_leases()),
        st.builds(lease_keepalive_once, lid))


def valid_commands(prefix: bytes = b"", base: int = 1) -> st.SearchStrategy[Cmd]:
    return weighted((puts(prefix), 8), (ranges(prefix, base), 6), (deletes(prefix), 2), (txns(prefix, base), 4),
                    (leases(base), 3), (st.builds(compact, st.integers(base, base + 4)), 1))


def invalid_commands(prefix: bytes = b"", base: int = 1) -> st.SearchStrategy[Cmd]:
    k = keys(prefix)
    return st.one_of(
        st.builds(lambda key: put(key, b"x" * OVERSIZE), k),
        st.builds(lambda key: txn(success=[put(key, b"x" * OVERSIZE)]), k),
        st.builds(lambda n: txn(success=[put(prefix + b"k%d" % i) for i in range(n)]),
                  st.integers(MAX_TXN_OPS + 1, MAX_TXN_OPS + 2)),
        st.builds(lambda n: txn(success=[get(prefix + b"a")] * 100 + [txn(failure=[get(prefix + b"b")] * n)]),
                  st.integers(MAX_TXN_OPS - 101, MAX_TXN_OPS - 99)),
        st.builds(lambda key, r: get(key, revision=r), k, st.integers(max(1, base - 3), base - 1) if base > 1
                  else st.just(base + 1000)),
        st.builds(lambda key, r: get(key, revision=r), k, st.integers(base + 100, base + 1000)),
        st.builds(compact, st.integers(max(0, base - 3), base + 1000)),
        st.builds(lambda key: put(key, b"v", lease=UNKNOWN_LEASE), k),
        st.just(lease_revoke(UNKNOWN_LEASE)), st.just(lease_keepalive_once(UNKNOWN_LEASE)),
        st.just(lease_ttl(UNKNOWN_LEASE)), st.just(lease_grant(10**10, id=UNKNOWN_LEASE)),
        st.sampled_from([put(b""), get(b""), delete(b""), txn([compare(b"", "version", "=", 0)]),
                         txn(success=[put(b"")]), get(b"", range_end=prefix + b"b")]),
        st.builds(lambda key: put(key, b"v", ignore_value=True), k),
        st.builds(lambda key: put(key, lease=1, ignore_lease=True), k),
        st.builds(lambda key: txn(success=[put(key), delete(key, prefix=True)]), k),
        st.builds(lambda a, b: txn(success=[txn(success=[put(a)]), put(b)]), k, k),
    )


class Program(list[pb.Command]):
    """Commands, shown (in hypothesis's falsifying examples too) as builder-DSL calls."""

    def __repr__(self) -> str:
        return "[\n" + render.program(list(self)) + "\n]"


def programs(prefix: bytes = b"", base: int = DRAW_BASE, max_size: int = 20) -> st.SearchStrategy[Program]:
    """A program: a few puts (so there is something to read), then commands of which about
    one in eight is deliberately invalid."""
    cmd = weighted((valid_commands(prefix, base), 7), (invalid_commands(prefix, base), 1))
    first = st.lists(st.builds(put, keys(prefix), st.sampled_from(VALUES)), min_size=1, max_size=4)
    return st.builds(lambda a, b: Program(c.command for c in a + b), first, st.lists(cmd, max_size=max_size))


def rebase(program: list[pb.Command], by: int) -> Program:
    """The program with every revision it names moved by `by`: range revisions and
    mod/create filters, compaction revisions, create/mod compare operands. Zeros stay
    zero (latest, no filter, an absent key)."""
    out = Program()
    for cmd in program:
        moved = pb.Command()
        moved.CopyFrom(cmd)
        _rebase(moved, by)
        out.append(moved)
    return out


def _shift(msg: Any, fields: tuple[str, ...], by: int) -> None:
    for f in fields:
        if getattr(msg, f):
            setattr(msg, f, getattr(msg, f) + by)


_RANGE_REVS = ("revision", "min_mod_revision", "max_mod_revision", "min_create_revision", "max_create_revision")


def _rebase(msg: pb.Command | pb.RequestOp, by: int) -> None:
    which = msg.WhichOneof("command" if isinstance(msg, pb.Command) else "request")
    if which == "range":
        _shift(msg.range, _RANGE_REVS, by)
    elif which == "compact" and isinstance(msg, pb.Command):
        _shift(msg.compact, ("revision",), by)
    elif which == "txn":
        for c in msg.txn.compares:
            if c.target in (pb.COMPARE_TARGET_CREATE, pb.COMPARE_TARGET_MOD):
                _shift(c, ("create_revision", "mod_revision"), by)
        for op in (*msg.txn.success, *msg.txn.failure):
            _rebase(op, by)
