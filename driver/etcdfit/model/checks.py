"""The checks etcd makes before it applies a request: its gRPC layer's (v3rpc/key.go:
empty keys, ignore_value/ignore_lease misuse, the txn op budget, put/delete overlaps) and
the request-size limit of the raft proposal. Each returns an ErrorCode name or None."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from ..gen.etcdfit.performer.v1 import performer_pb2 as pb
from .keys import select

#: etcd's --max-txn-ops default.
MAX_TXN_OPS = 128
#: etcd's --max-request-bytes default (1.5 MiB). etcd measures the marshalled raft request;
#: the model approximates it by the bytes of every key, value and range_end in the request
#: plus OP_OVERHEAD per operation and compare. Close to the limit the two differ by a few
#: bytes per operation, so tests (and the strategies) stay well clear of it.
MAX_REQUEST_BYTES = 1536 * 1024
OP_OVERHEAD = 16


def check_put(p: pb.PutCommand) -> str | None:
    if not p.key:
        return "EMPTY_KEY"
    if p.ignore_value and p.value:
        return "VALUE_PROVIDED"
    if p.ignore_lease and p.lease:
        return "LEASE_PROVIDED"
    return None


def check_range(r: pb.RangeCommand) -> str | None:
    key, _ = select(r.key, r.kind, r.range_end)
    if not key:
        return "EMPTY_KEY"
    if r.sort_order not in pb.SortOrder.values() or r.sort_target not in pb.SortTarget.values():
        return "INVALID_ARGUMENT"
    return None


def check_delete(d: pb.DeleteRangeCommand) -> str | None:
    key, _ = select(d.key, d.kind, d.range_end)
    return "EMPTY_KEY" if not key else None


def check_op(op: pb.RequestOp, budget: int) -> str | None:
    which = op.WhichOneof("request")
    if which == "put":
        return check_put(op.put)
    if which == "range":
        return check_range(op.range)
    if which == "delete_range":
        return check_delete(op.delete_range)
    if which == "txn":
        return check_txn(op.txn, budget)
    return "KEY_NOT_FOUND"  # etcd answers an empty RequestOp so (ErrGRPCKeyNotFound)


def check_txn(t: pb.TxnCommand, budget: int = MAX_TXN_OPS) -> str | None:
    """etcd's checkTxnRequest: the largest of len(compares), len(success), len(failure) must
    not exceed the budget, and a nested txn gets what is left of it (budget - that count)."""
    count = max(len(t.compares), len(t.success), len(t.failure))
    if count > budget:
        return "TOO_MANY_OPS"
    for c in t.compares:
        key, _ = select(c.key, c.kind, c.range_end, compare=True)
        if not key:
            return "EMPTY_KEY"
    for op in (*t.success, *t.failure):
        err = check_op(op, budget - count)
        if err:
            return err
    return None


# ---------------------------------------------------------------- duplicate keys

Interval = tuple[str, str]  # etcd's adt string-affine interval: "" as an end is +infinity


def _lt(a: str, b: str) -> bool:
    """a < b in etcd's StringAffineComparable order, where the empty string is infinity."""
    if not a:
        return False
    if not b:
        return True
    return a < b


def _hits(dels: Iterable[Interval], key: str) -> bool:
    point = (key, key + "\0")
    return any(_lt(b, point[1]) and _lt(point[0], e) for b, e in dels)


def _s(b: bytes) -> str:
    return b.decode("latin-1")  # byte order = code point order, as Go compares strings


def check_intervals(ops: Sequence[pb.RequestOp]) -> tuple[set[str], list[Interval]] | None:
    """etcd's checkIntervals over one branch: (puts, deletes), or None for DUPLICATE_KEY.
    A put may not share a key with another put or fall in a delete's range, at this level
    or in nested txns (then and else of one nested txn may put the same key). A delete's
    interval is [key, range_end) as written, so a from-key delete (range_end "\\0") is an
    empty interval and overlaps nothing."""
    dels: list[Interval] = []
    for op in ops:
        if op.WhichOneof("request") == "delete_range":
            d = op.delete_range
            key, end = select(d.key, d.kind, d.range_end)
            dels.append((_s(key), _s(end)) if end else (_s(key), _s(key) + "\0"))
    puts: set[str] = set()
    for op in ops:
        if op.WhichOneof("request") != "txn":
            continue
        then, other = check_intervals(op.txn.success), check_intervals(op.txn.failure)
        if then is None or other is None:
            return None
        for k in then[0]:
            if k in puts or _hits(dels, k):
                return None
            puts.add(k)
        for k in other[0]:
            if (k in puts and k not in then[0]) or _hits(dels, k):
                return None
            puts.add(k)
        dels += then[1] + other[1]
    for op in ops:
        if op.WhichOneof("request") == "put":
            k = _s(op.put.key)
            if k in puts or _hits(dels, k):
                return None
            puts.add(k)
    return puts, dels


# ---------------------------------------------------------------- request size

def _op_bytes(op: pb.RequestOp) -> int:
    which = op.WhichOneof("request")
    if which == "put":
        return len(op.put.key) + len(op.put.value) + OP_OVERHEAD
    if which == "range":
        return len(op.range.key) + len(op.range.range_end) + OP_OVERHEAD
    if which == "delete_range":
        return len(op.delete_range.key) + len(op.delete_range.range_end) + OP_OVERHEAD
    return txn_bytes(op.txn) + OP_OVERHEAD


def txn_bytes(t: pb.TxnCommand) -> int:
    """The approximate size of a txn request (see MAX_REQUEST_BYTES)."""
    size = sum(len(c.key) + len(c.range_end) + len(c.value) + OP_OVERHEAD for c in t.compares)
    return size + sum(_op_bytes(op) for op in (*t.success, *t.failure))


def read_only(t: pb.TxnCommand) -> bool:
    """etcd serves a txn of ranges only (in both branches, nested too) without raft, so
    the request-size limit does not apply to it."""
    for op in (*t.success, *t.failure):
        which = op.WhichOneof("request")
        if which in ("put", "delete_range") or (which == "txn" and not read_only(op.txn)):
            return False
    return True


def command_bytes(cmd: pb.Command) -> int:
    which = cmd.WhichOneof("command")
    if which == "put":
        return _op_bytes(pb.RequestOp(put=cmd.put))
    if which == "delete_range":
        return _op_bytes(pb.RequestOp(delete_range=cmd.delete_range))
    if which == "txn":
        return 0 if read_only(cmd.txn) else txn_bytes(cmd.txn)
    return 0
