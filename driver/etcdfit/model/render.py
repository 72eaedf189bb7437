"""Commands written back as builder-DSL calls, so a failing program reads (and pastes) as
the test that would reproduce it: `put(b"k/a", b"1", lease=1)`, `txn([value(b"k/a") == b"1"], ...)`."""

from __future__ import annotations

from ..gen.etcdfit.performer.v1 import performer_pb2 as pb

_SORT_ORDER = {pb.SORT_ORDER_ASCEND: "ascend", pb.SORT_ORDER_DESCEND: "descend"}
_SORT_TARGET = {pb.SORT_TARGET_VERSION: "version", pb.SORT_TARGET_CREATE: "create", pb.SORT_TARGET_MOD: "mod",
                pb.SORT_TARGET_VALUE: "value"}
_CMP_FN = {pb.COMPARE_TARGET_VALUE: ("value", "value"), pb.COMPARE_TARGET_VERSION: ("version", "version"),
           pb.COMPARE_TARGET_CREATE: ("create_revision", "create_revision"),
           pb.COMPARE_TARGET_MOD: ("mod_revision", "mod_revision"), pb.COMPARE_TARGET_LEASE: ("lease_of", "lease")}
_CMP_OP = {pb.COMPARE_RESULT_EQUAL: "==", pb.COMPARE_RESULT_NOT_EQUAL: "!=", pb.COMPARE_RESULT_GREATER: ">",
           pb.COMPARE_RESULT_LESS: "<"}


def _bytes(b: bytes) -> str:
    if len(b) > 64 and b == b[:1] * len(b):
        return f"{b[:1]!r} * {len(b)}"
    return repr(b)


def _selection(key: bytes, kind: int, range_end: bytes) -> list[str]:
    args = [_bytes(key)]
    if kind == pb.RANGE_KIND_PREFIX:
        args.append("prefix=True")
    elif kind == pb.RANGE_KIND_FROM_KEY:
        args.append("from_key=True")
    elif kind == pb.RANGE_KIND_RANGE:
        args.append(f"range_end={_bytes(range_end)}")
    return args


def _call(name: str, args: list[str]) -> str:
    return f"{name}({', '.join(args)})"


def compare_call(c: pb.Compare) -> str:
    fn, slot = _CMP_FN[c.target]
    operand = getattr(c, slot)
    shown = _bytes(operand) if isinstance(operand, bytes) else str(operand)
    return f"{_call(fn, _selection(c.key, c.kind, c.range_end))} {_CMP_OP[c.result]} {shown}"


def _txn(t: pb.TxnCommand) -> str:
    args = [f"[{', '.join(compare_call(c) for c in t.compares)}]"]
    for branch in ("success", "failure"):
        ops = getattr(t, branch)
        if ops:
            args.append(f"{branch}=[{', '.join(op_call(op) for op in ops)}]")
    return _call("txn", args)


def op_call(op: pb.RequestOp) -> str:
    which = op.WhichOneof("request")
    if which == "txn":
        return _txn(op.txn)
    return call(pb.Command(**{which: getattr(op, which)}))


def _put(p: pb.PutCommand) -> str:
    args = [_bytes(p.key)] + ([_bytes(p.value)] if p.value else [])
    args += [f"{f}={getattr(p, f)!r}" for f in ("lease", "prev_kv", "ignore_value", "ignore_lease") if getattr(p, f)]
    return _call("put", args)


def _range(r: pb.RangeCommand) -> str:
    args = _selection(r.key, r.kind, r.range_end)
    if r.sort_order:
        args.append(f"sort_order={_SORT_ORDER.get(r.sort_order, r.sort_order)!r}")
    if r.sort_target:
        args.append(f"sort_target={_SORT_TARGET.get(r.sort_target, r.sort_target)!r}")
    args += [f"{f}={getattr(r, f)!r}" for f in (
        "limit", "revision", "serializable", "keys_only", "count_only", "min_mod_revision", "max_mod_revision",
        "min_create_revision", "max_create_revision") if getattr(r, f)]
    return _call("get", args)


def call(cmd: pb.Command) -> str:
    """One command as the builder call that makes it."""
    which = cmd.WhichOneof("command")
    if which == "put":
        return _put(cmd.put)
    if which == "range":
        return _range(cmd.range)
    if which == "delete_range":
        d = cmd.delete_range
        return _call("delete", _selection(d.key, d.kind, d.range_end) + (["prev_kv=True"] if d.prev_kv else []))
    if which == "txn":
        return _txn(cmd.txn)
    if which == "compact":
        return _call("compact", [str(cmd.compact.revision)] + (["physical=True"] if cmd.compact.physical else []))
    if which == "lease_grant":
        g = cmd.lease_grant
        return _call("lease_grant", [str(g.ttl)] + ([f"id={g.id}"] if g.id else []))
    if which == "lease_revoke":
        return _call("lease_revoke", [str(cmd.lease_revoke.id)])
    if which == "lease_time_to_live":
        t = cmd.lease_time_to_live
        return _call("lease_ttl", [str(t.id)] + (["keys=True"] if t.keys else []))
    if which == "lease_leases":
        return "lease_leases()"
    if which == "lease_keep_alive_once":
        return _call("lease_keepalive_once", [str(cmd.lease_keep_alive_once.id)])
    return f"<{which}>"


def program(cmds: list[pb.Command]) -> str:
    """A program as one DSL call per line, numbered as results are."""
    return "\n".join(f"  [{i}] {call(c)}," for i, c in enumerate(cmds))
