"""What the lockstep state machine (test_lockstep.py) needs besides hypothesis: which
capabilities a command uses, how a drawn command moves into one performer's namespace,
how a performer's result is normalised before it is compared with the model's, and how
a divergence is written back as a conformance test (Python and YAML).

Commands are drawn once per step with the placeholder prefix DRAW_PREFIX and lease ids
from strategies.LEASE_IDS, then moved into each performer's own namespace: keys under
`ls/<i>/` and lease ids in a block of their own (id + LEASE_BLOCK * (i + 1)).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from etcdfit.capabilities import KnownFailure
from etcdfit.gen.etcdfit.performer.v1 import performer_pb2 as pb
from etcdfit.model import Result

DRAW_PREFIX = b"k/"
LEASE_BLOCK = 10_000
#: Seconds a lease's remaining TTL may have run down between grant and lease_ttl; the
#: model's clock does not move (the same slack as test_agreement.py).
TTL_SLACK = 2

Got = Result  # a performer's answer: its payload, an ErrorCode name, or "HARNESS_ERROR: ..."
T = TypeVar("T")


# ---------------------------------------------------------------- capabilities

def _range_caps(r: pb.RangeCommand) -> set[str]:
    caps = {"kv.range", {pb.RANGE_KIND_PREFIX: "kv.range.prefix", pb.RANGE_KIND_RANGE: "kv.range.range_end",
                         pb.RANGE_KIND_FROM_KEY: "kv.range.from_key"}.get(r.kind, "kv.range")}
    for field, cap in (("limit", "kv.range.limit"), ("revision", "kv.range.revision"),
                       ("sort_order", "kv.range.sort"), ("sort_target", "kv.range.sort"),
                       ("keys_only", "kv.range.keys_only"), ("count_only", "kv.range.count_only"),
                       ("serializable", "kv.range.serializable"),
                       ("min_mod_revision", "kv.range.mod_revision_filter"),
                       ("max_mod_revision", "kv.range.mod_revision_filter"),
                       ("min_create_revision", "kv.range.create_revision_filter"),
                       ("max_create_revision", "kv.range.create_revision_filter")):
        if getattr(r, field):
            caps.add(cap)
    return caps


def _put_caps(p: pb.PutCommand) -> set[str]:
    caps = {"kv.put"}
    for field, cap in (("lease", "kv.put.lease"), ("prev_kv", "kv.put.prev_kv"),
                       ("ignore_value", "kv.put.ignore_value"), ("ignore_lease", "kv.put.ignore_lease")):
        if getattr(p, field):
            caps.add(cap)
    return caps


def _delete_caps(d: pb.DeleteRangeCommand) -> set[str]:
    caps = {"kv.delete"}
    if d.kind != pb.RANGE_KIND_SINGLE:
        caps.add("kv.delete.range")
    if d.prev_kv:
        caps.add("kv.delete.prev_kv")
    return caps


_CMP_CAP = {pb.COMPARE_TARGET_VALUE: "txn.compare.value", pb.COMPARE_TARGET_VERSION: "txn.compare.version",
            pb.COMPARE_TARGET_CREATE: "txn.compare.create", pb.COMPARE_TARGET_MOD: "txn.compare.mod",
            pb.COMPARE_TARGET_LEASE: "txn.compare.lease"}


def _txn_caps(t: pb.TxnCommand, nested: bool = False) -> set[str]:
    caps = {"txn"} | ({"txn.nested"} if nested else set())
    for c in t.compares:
        caps.add(_CMP_CAP[c.target])
        if c.kind != pb.RANGE_KIND_SINGLE:
            caps.add("txn.compare.range")
    for op in (*t.success, *t.failure):
        which = op.WhichOneof("request")
        caps |= (_put_caps(op.put) if which == "put" else _range_caps(op.range) if which == "range"
                 else _delete_caps(op.delete_range) if which == "delete_range" else _txn_caps(op.txn, True))
    return caps


def needs(cmd: pb.Command) -> set[str]:
    """The catalog capabilities a performer must claim to run this command as drawn
    (a txn needs what its operations need, nested ones too)."""
    which = cmd.WhichOneof("command")
    if which == "put":
        return _put_caps(cmd.put)
    if which == "range":
        return _range_caps(cmd.range)
    if which == "delete_range":
        return _delete_caps(cmd.delete_range)
    if which == "txn":
        return _txn_caps(cmd.txn)
    if which == "compact":
        return {"compact"} | ({"compact.physical"} if cmd.compact.physical else set())
    if which == "lease_grant":
        return {"lease.grant"} | ({"lease.grant.id"} if cmd.lease_grant.id else set())
    if which == "lease_time_to_live":
        return {"lease.ttl"} | ({"lease.ttl.keys"} if cmd.lease_time_to_live.keys else set())
    return {{"lease_revoke": "lease.revoke", "lease_leases": "lease.leases",
             "lease_keep_alive_once": "lease.keepalive_once"}[str(which)]}


# ---------------------------------------------------------------- namespaces

def _key(b: bytes, ns: bytes) -> bytes:
    return ns + b[len(DRAW_PREFIX):] if b.startswith(DRAW_PREFIX) else b


def _lease(lease_id: int, block: int) -> int:
    return lease_id + block if lease_id else 0


def _move_op(msg: pb.Command | pb.RequestOp, ns: bytes, block: int) -> None:
    which = msg.WhichOneof("command" if isinstance(msg, pb.Command) else "request")
    if which == "put":
        msg.put.key, msg.put.lease = _key(msg.put.key, ns), _lease(msg.put.lease, block)
    elif which in ("range", "delete_range"):
        sel = getattr(msg, which)
        sel.key, sel.range_end = _key(sel.key, ns), _key(sel.range_end, ns)
    elif which == "txn":
        for c in msg.txn.compares:
            c.key, c.range_end = _key(c.key, ns), _key(c.range_end, ns)
            if c.target == pb.COMPARE_TARGET_LEASE:
                c.lease = _lease(c.lease, block)
        for op in (*msg.txn.success, *msg.txn.failure):
            _move_op(op, ns, block)
    elif which in ("lease_grant", "lease_revoke", "lease_time_to_live", "lease_keep_alive_once"):
        sub = getattr(msg, which)
        sub.id = _lease(sub.id, block)


def moved(cmd: pb.Command, ns: bytes, block: int) -> pb.Command:
    """The drawn command in a performer's namespace: keys under DRAW_PREFIX moved under ns
    (the empty key stays empty: it is the invalid one), lease ids shifted by block."""
    out = pb.Command()
    out.CopyFrom(cmd)
    _move_op(out, ns, block)
    return out


# ---------------------------------------------------------------- normalisation

@dataclass(frozen=True)
class Normalisation:
    """One known way an SDK's answer differs from etcd's, made equal before comparing.

    It applies to a performer whose known-failure lists list `known_failure` (so when the
    SDK is fixed and the line goes, the normalisation stops applying and the lockstep
    test sees the difference again); `applies(cmd, got, want)` says whether this
    command's result is the case; `fix(got, want)` returns both as they are compared."""

    name: str
    known_failure: str
    applies: Callable[[pb.Command, Got, Result], bool]
    fix: Callable[[Got, Result], tuple[Got, Result]]


def _copy(m: Result) -> Result:
    if isinstance(m, str):
        return m
    out = type(m)()
    out.CopyFrom(m)
    return out


def _keys_only(got: Got, want: Result) -> tuple[Got, Result]:
    assert isinstance(got, pb.RangeResult) and isinstance(want, pb.RangeResult)
    return (pb.RangeResult(kvs=[pb.KeyValue(key=kv.key) for kv in got.kvs]),
            pb.RangeResult(kvs=[pb.KeyValue(key=kv.key) for kv in want.kvs]))


def _prev_kvs_only(got: Got, want: Result) -> tuple[Got, Result]:
    assert isinstance(got, pb.DeleteRangeResult) and isinstance(want, pb.DeleteRangeResult)
    return pb.DeleteRangeResult(prev_kvs=got.prev_kvs), pb.DeleteRangeResult(prev_kvs=want.prev_kvs)


def _no_ttl(got: Got, want: Result) -> tuple[Got, Result]:
    got, want = _copy(got), _copy(want)
    assert isinstance(got, pb.LeaseGrantResult) and isinstance(want, pb.LeaseGrantResult)
    got.ttl = want.ttl = 0
    return got, want


def _empty_prev_kv(got: Got, want: Result) -> tuple[Got, Result]:
    got = _copy(got)
    assert isinstance(got, pb.PutResult)
    got.ClearField("prev_kv")
    return got, want


def _no_lease_keys(got: Got, want: Result) -> tuple[Got, Result]:
    got = _copy(got)
    assert isinstance(got, pb.LeaseTimeToLiveResult)
    del got.keys[:]
    return got, want


def _is(which: str, pred: Callable[[pb.Command], bool] = lambda c: True) -> Callable[[pb.Command], bool]:
    return lambda c: c.WhichOneof("command") == which and pred(c)


NORMALISATIONS: list[Normalisation] = [
    Normalisation(
        "keys_only range: only the keys are compared", "tests/conformance/test_kv.py::test_keys_only_returns_keys_without_values",
        lambda c, g, w: _is("range", lambda c: c.range.keys_only)(c) and isinstance(g, pb.RangeResult)
        and isinstance(w, pb.RangeResult), _keys_only),
    Normalisation(
        "delete with prev_kv: only prev_kvs are compared", "tests/conformance/test_kv.py::test_delete_prev_kv_returns_the_deleted_pair",
        lambda c, g, w: _is("delete_range", lambda c: c.delete_range.prev_kv)(c)
        and isinstance(g, pb.DeleteRangeResult) and isinstance(w, pb.DeleteRangeResult), _prev_kvs_only),
    Normalisation(
        "lease grant: the granted TTL is not compared", "tests/conformance/test_lease.py::test_grant_returns_an_id_and_ttl",
        lambda c, g, w: isinstance(g, pb.LeaseGrantResult) and isinstance(w, pb.LeaseGrantResult), _no_ttl),
    Normalisation(
        "revoke of an unknown lease: success stands for LEASE_NOT_FOUND",
        "tests/conformance/test_lease.py::test_revoke_of_a_lease_revoked_elsewhere_is_lease_not_found",
        lambda c, g, w: _is("lease_revoke")(c) and w == "LEASE_NOT_FOUND" and isinstance(g, pb.LeaseRevokeResult),
        lambda g, w: (w, w)),
    Normalisation(
        "put prev_kv of a new key: an empty KeyValue stands for none",
        "tests/conformance/test_kv.py::test_put_prev_kv_absent_for_new_key_and_present_after",
        lambda c, g, w: isinstance(g, pb.PutResult) and isinstance(w, pb.PutResult) and not w.HasField("prev_kv")
        and g.prev_kv == pb.KeyValue(), _empty_prev_kv),
    Normalisation(
        "time-to-live without keys: keys the SDK asked for anyway are not compared",
        "tests/conformance/test_lease.py::test_time_to_live_without_keys_lists_no_keys",
        lambda c, g, w: _is("lease_time_to_live", lambda c: not c.lease_time_to_live.keys)(c)
        and isinstance(g, pb.LeaseTimeToLiveResult) and isinstance(w, pb.LeaseTimeToLiveResult), _no_lease_keys),
    Normalisation(
        "grant of an existing lease id: any SDK error stands for LEASE_EXISTS",
        "tests/conformance/test_lease.py::test_grant_of_an_existing_id_is_lease_exists",
        lambda c, g, w: _is("lease_grant")(c) and w == "LEASE_EXISTS" and isinstance(g, str)
        and not g.startswith("HARNESS_ERROR"), lambda g, w: (w, w)),
]


#: Divergences this test found that no known-failure line covers yet: none. (Issue 13 item 6:
#: each finding becomes a conformance test and a fix or a known failure; a rule tied to that
#: line then goes in NORMALISATIONS.) The sort target that go, java and rust dropped when no
#: order was given was a performer bug, fixed; test_sort_target_without_an_order_sorts_ascending_by_that_target.
#: So was node-etcd3's single-key read with keys_only, count_only or a sort (every key from the
#: key on; test_sort_on_one_key_reads_only_that_key and the keys_only/count_only tests).
PENDING_FINDINGS: dict[str, list[Normalisation]] = {}


def normalisations_for(name: str, known: list[KnownFailure]) -> list[Normalisation]:
    """The normalisations whose known failure this performer's lists hold, and its pending findings."""
    return [n for n in NORMALISATIONS if any(k.matches(n.known_failure) for k in known)] + \
        PENDING_FINDINGS.get(name, [])


def _strip_absent_headers(got: Got, want: Result) -> None:
    """ResponseHeader.present false: the SDK does not expose it, so neither side has one
    (recursively through txn responses)."""
    if isinstance(got, str) or isinstance(want, str) or type(got) is not type(want):
        return
    if not got.header.present:
        got.ClearField("header")
        want.ClearField("header")
    if isinstance(got, pb.TxnResult) and isinstance(want, pb.TxnResult) and len(got.responses) == len(want.responses):
        for g, w in zip(got.responses, want.responses, strict=True):
            which = g.WhichOneof("response")
            if which and which == w.WhichOneof("response"):
                _strip_absent_headers(getattr(g, which), getattr(w, which))


def _server_ids_out(msg: object) -> None:
    """A header's cluster and member ids and raft term are the server's, not the model's:
    the model leaves them 0, and so does the comparison (every header, nested too)."""
    from google.protobuf.message import Message

    if not isinstance(msg, Message):
        return
    if isinstance(msg, pb.ResponseHeader):
        msg.cluster_id = msg.member_id = msg.raft_term = 0
        return
    for fd, value in msg.ListFields():
        for v in (value if fd.is_repeated else [value]):
            _server_ids_out(v)


def _gone_lease(cmd: pb.Command, got: Got, want: Result) -> Got:
    """A keep-alive of a lease etcd does not hold: etcd answers TTL 0, clientv3 raises
    LEASE_NOT_FOUND (the model's canonical form). Either is right (the conformance test
    test_keepalive_once_of_an_unknown_lease_reports_it_gone allows both)."""
    if (cmd.WhichOneof("command") == "lease_keep_alive_once" and want == "LEASE_NOT_FOUND"
            and isinstance(got, pb.LeaseKeepAliveOnceResult) and got.ttl <= 0):
        return want
    return got


_SORT_FIELD = {pb.SORT_TARGET_VERSION: "version", pb.SORT_TARGET_CREATE: "create_revision",
               pb.SORT_TARGET_MOD: "mod_revision", pb.SORT_TARGET_VALUE: "value"}


def _ties_in_key_order(r: pb.RangeCommand, res: Result) -> None:
    """etcd sorts by a non-key target with Go's sort.Sort, which is not stable: past six
    keys, keys with equal sort values come in any order (the model's are in key order).
    etcd sorts every matching key (`count` of them) before it applies the limit, so:
    - within each run of equal sort values, put the keys in key order, on both sides;
    - when the limit cut the last run short (`more`), which of its tied keys made the cut is
      open too: that run is compared by its sort values alone (found by the lockstep test:
      a from-key read sorted by version with limit 1 over 18 keys)."""
    field = _SORT_FIELD.get(r.sort_target)
    if field is None or not isinstance(res, pb.RangeResult) or max(len(res.kvs), res.count) <= 6:
        return
    kvs, out = list(res.kvs), []
    last: list[pb.KeyValue] = []
    while kvs:
        run = [kv for kv in kvs if getattr(kv, field) == getattr(kvs[0], field)]
        run_ids = {id(kv) for kv in run}
        kvs = [kv for kv in kvs if id(kv) not in run_ids]
        last = sorted(run, key=lambda kv: kv.key)
        out += last
    if res.more and last:
        out = out[:len(out) - len(last)] + [pb.KeyValue(**{field: getattr(kv, field)}) for kv in last]
    copies = [pb.KeyValue() for _ in out]
    for c, kv in zip(copies, out, strict=True):
        c.CopyFrom(kv)
    del res.kvs[:]
    res.kvs.extend(copies)


def _open_orders(msg: pb.Command | pb.RequestOp, got: Got, want: Result) -> None:
    which = msg.WhichOneof("command" if isinstance(msg, pb.Command) else "request")
    if which == "range":
        _ties_in_key_order(msg.range, got)
        _ties_in_key_order(msg.range, want)
    elif which == "txn" and isinstance(got, pb.TxnResult) and isinstance(want, pb.TxnResult):
        ops = msg.txn.success if want.succeeded else msg.txn.failure
        if got.succeeded == want.succeeded and len(got.responses) == len(want.responses) == len(ops):
            for op, g, w in zip(ops, got.responses, want.responses, strict=True):
                sub = op.WhichOneof("request")
                if sub and g.WhichOneof("response") == w.WhichOneof("response") == sub:
                    _open_orders(op, getattr(g, sub), getattr(w, sub))


def _ttl_slack(got: Got, want: Result) -> None:
    """A lease's remaining TTL may have run down by TTL_SLACK seconds on etcd."""
    if isinstance(got, pb.LeaseTimeToLiveResult) and isinstance(want, pb.LeaseTimeToLiveResult):
        if want.ttl - TTL_SLACK <= got.ttl <= want.ttl:
            got.ttl = want.ttl


def normalise(cmd: pb.Command, got: Got, want: Result, known: list[Normalisation]) -> tuple[Got, Result, list[str]]:
    """Both results in the form they are compared in, and the names of the known-failure
    normalisations that changed something."""
    got, want = _copy(_gone_lease(cmd, got, want)), _copy(want)
    _server_ids_out(got)
    _strip_absent_headers(got, want)
    _open_orders(cmd, got, want)
    _ttl_slack(got, want)
    used = []
    for n in known:
        if n.applies(cmd, got, want):
            got, want = n.fix(got, want)
            used.append(n.name)
    return got, want, used


# ---------------------------------------------------------------- repro: a conformance test

@dataclass(frozen=True)
class Rev:
    """A revision, written relative to r0 (the store's revision when the test starts)."""

    offset: int


@dataclass(frozen=True)
class NsKey:
    """A key in the test's namespace (`ns.key(name)`; plain `name` in YAML)."""

    name: str


@dataclass(frozen=True)
class Call:
    """A builder call: name and its keyword fields (YAML: {name: {fields}})."""

    name: str
    fields: dict[str, object]


_SORT_ORDER = {pb.SORT_ORDER_ASCEND: "ascend", pb.SORT_ORDER_DESCEND: "descend"}
_SORT_TARGET = {pb.SORT_TARGET_VERSION: "version", pb.SORT_TARGET_CREATE: "create", pb.SORT_TARGET_MOD: "mod",
                pb.SORT_TARGET_VALUE: "value"}
_TARGET = {pb.COMPARE_TARGET_VALUE: ("value", "value"), pb.COMPARE_TARGET_VERSION: ("version", "version"),
           pb.COMPARE_TARGET_CREATE: ("create", "create_revision"), pb.COMPARE_TARGET_MOD: ("mod", "mod_revision"),
           pb.COMPARE_TARGET_LEASE: ("lease", "lease")}
_RESULT = {pb.COMPARE_RESULT_EQUAL: "=", pb.COMPARE_RESULT_NOT_EQUAL: "!=", pb.COMPARE_RESULT_GREATER: ">",
           pb.COMPARE_RESULT_LESS: "<"}
_REV_FIELDS = {"revision", "create_revision", "mod_revision", "min_mod_revision", "max_mod_revision",
               "min_create_revision", "max_create_revision"}


class Writer:
    """Commands and results as builder calls and expectation fields, with keys under
    DRAW_PREFIX as namespace keys and revisions relative to `base` (r0)."""

    def __init__(self, base: int):
        self.base = base

    def key(self, b: bytes) -> object:
        return NsKey(b[len(DRAW_PREFIX):].decode("latin-1")) if b.startswith(DRAW_PREFIX) else b

    def rev(self, n: int) -> object:
        return Rev(n - self.base) if n else 0

    def _selection(self, key: bytes, kind: int, range_end: bytes) -> dict[str, object]:
        out: dict[str, object] = {"key": self.key(key)}
        if kind == pb.RANGE_KIND_PREFIX:
            out["prefix"] = True
        elif kind == pb.RANGE_KIND_FROM_KEY:
            out["from_key"] = True
        elif kind == pb.RANGE_KIND_RANGE:
            out["range_end"] = self.key(range_end)
        return out

    def _compare(self, c: pb.Compare) -> dict[str, object]:
        target, slot = _TARGET[c.target]
        operand = getattr(c, slot)
        sel = self._selection(c.key, c.kind, c.range_end)
        return {"key": sel.pop("key"), "target": target, "result": _RESULT[c.result],
                slot: self.rev(operand) if slot in _REV_FIELDS else operand, **sel}

    def command(self, cmd: pb.Command | pb.RequestOp) -> Call:
        which = str(cmd.WhichOneof("command" if isinstance(cmd, pb.Command) else "request"))
        msg = getattr(cmd, which)
        if which == "put":
            f: dict[str, object] = {"key": self.key(msg.key), "value": msg.value}
            f |= {n: getattr(msg, n) for n in ("lease", "prev_kv", "ignore_value", "ignore_lease") if getattr(msg, n)}
            return Call("put", f)
        if which in ("range", "delete_range"):
            f = self._selection(msg.key, msg.kind, msg.range_end)
            for n in ("limit", "keys_only", "count_only", "serializable", "prev_kv"):
                if getattr(msg, n, False):
                    f[n] = getattr(msg, n)
            for n in sorted(_REV_FIELDS):
                if getattr(msg, n, 0):
                    f[n] = self.rev(getattr(msg, n))
            if getattr(msg, "sort_order", 0):
                f["sort_order"] = _SORT_ORDER[msg.sort_order]
            if getattr(msg, "sort_target", 0):
                f["sort_target"] = _SORT_TARGET[msg.sort_target]
            return Call("get" if which == "range" else "delete", f)
        if which == "txn":
            f = {"compares": [self._compare(c) for c in msg.compares]}
            f |= {b: [self.command(op) for op in getattr(msg, b)] for b in ("success", "failure") if getattr(msg, b)}
            return Call("txn", f)
        if which == "compact":
            return Call("compact", {"revision": self.rev(msg.revision)})
        if which == "lease_grant":
            return Call("lease_grant", {"ttl": msg.ttl, **({"id": msg.id} if msg.id else {})})
        if which == "lease_time_to_live":
            return Call("lease_ttl", {"id": msg.id, **({"keys": True} if msg.keys else {})})
        if which == "lease_leases":
            return Call("lease_leases", {})
        name = {"lease_revoke": "lease_revoke", "lease_keep_alive_once": "lease_keepalive_once"}[which]
        return Call(name, {"id": msg.id})

    def result(self, msg: object) -> object:
        """A result message as expectation fields (every field set; a header by its revision)."""
        from google.protobuf.message import Message

        assert isinstance(msg, Message)
        out: dict[str, object] = {}
        for fd, value in msg.ListFields():
            name = fd.name
            if name == "header":
                out[name] = {"revision": self.rev(value.revision)} if value.revision else {}
            elif fd.is_repeated:
                out[name] = [self._value(name, fd, v) for v in value]
            else:
                out[name] = self._value(name, fd, value)
        return out

    def _value(self, name: str, fd: object, value: object) -> object:
        from google.protobuf.message import Message

        if isinstance(value, Message):
            if value.DESCRIPTOR.name == "ResponseOp":
                which = str(value.WhichOneof("response"))
                return {which: self.result(getattr(value, which))}
            return self.result(value)
        if isinstance(value, bytes) and name in ("key", "keys"):
            return self.key(value)
        if isinstance(value, int) and not isinstance(value, bool) and name in _REV_FIELDS:
            return self.rev(value)
        if getattr(fd, "enum_type", None) is not None:
            return fd.enum_type.values_by_number[value].name  # type: ignore[attr-defined]
        return value


# ---------------------------------------------------------------- emitting Python and YAML

def _py(v: object) -> str:
    if isinstance(v, Rev):
        return "r0" if not v.offset else f"r0 {'+' if v.offset > 0 else '-'} {abs(v.offset)}"
    if isinstance(v, NsKey):
        return f"ns.key({v.name!r})"
    if isinstance(v, bytes) and len(v) > 64 and v == v[:1] * len(v):
        return f"{v[:1]!r} * {len(v)}"
    if isinstance(v, Call):
        f = dict(v.fields)
        head = [_py(f.pop("key"))] if "key" in f else []
        return f"{v.name}({', '.join(head + [f'{k}={_py(x)}' for k, x in f.items()])})"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{k!r}: {_py(x)}" for k, x in v.items()) + "}"
    if isinstance(v, list):
        return "[" + ", ".join(_py(x) for x in v) + "]"
    return repr(v)


def _yaml(v: object) -> str:
    if isinstance(v, Rev):
        return '"$r0"' if not v.offset else f'"$r0{v.offset:+d}"'
    if isinstance(v, NsKey):
        return _yaml(v.name)
    if isinstance(v, bytes):
        if len(v) > 64 and v == v[:1] * len(v):
            return f'"{v[:1].decode()} x {len(v)}"  # write out {len(v)} bytes'
        return _yaml(v.decode("utf-8", "backslashreplace"))
    if isinstance(v, str):
        return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, Call):
        return "{" + f"{v.name}: {_yaml(v.fields)}" + "}"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{k}: {_yaml(x)}" for k, x in v.items()) + "}"
    if isinstance(v, list):
        return "[" + ", ".join(_yaml(x) for x in v) + "]"
    return str(v)


@dataclass
class ReproStep:
    """One command of the repro, and what the model answers to it on its own."""

    call: Call
    want: object  # expectation fields, or an ErrorCode name
    check: bool  # write the expectation (the divergent command), or only success/error


def python_test(name: str, caps: set[str], steps: list[ReproStep]) -> str:
    lines = ["@pytest.mark.requires(" + ", ".join(repr(c) for c in sorted(caps)) + ")",
             f"def test_{name}(performer, oracle, ns):",
             "    r0 = oracle.revision()",
             "    performer.run("]
    for s in steps:
        tail = ""
        if isinstance(s.want, str):
            tail = f".expect_error({s.want!r})"
        elif s.check:
            assert isinstance(s.want, dict)
            tail = f".expect({', '.join(f'{k}={_py(v)}' for k, v in s.want.items())})"
        lines.append(f"        {_py(s.call)}{tail},")
    return "\n".join([*lines, "    )"])


def yaml_spec(name: str, caps: set[str], steps: list[ReproStep]) -> str:
    lines = ["suite: lockstep-findings", "cases:", f"  - name: {name}",
             f"    requires: [{', '.join(sorted(caps))}]", "    steps:",
             "      - via: oracle", "        get: {key: r0}", "        save: {r0: header.revision}"]
    for s in steps:
        lines.append(f"      - {s.call.name}: {_yaml(s.call.fields)}")
        if isinstance(s.want, str):
            lines.append(f"        expect_error: {s.want}")
        elif s.check:
            lines.append(f"        expect: {_yaml(s.want)}")
    return "\n".join(lines)


def ddmin(items: list[T], fails: Callable[[list[T]], list[T] | None], budget: Callable[[], bool]) -> list[T]:
    """Zeller's delta debugging: a smaller list on which `fails` still fails (it returns the
    list cut after the failing item, or None), 1-minimal unless the budget ran out first."""
    n = 2
    while len(items) >= 2 and budget():
        size = -(-len(items) // n)
        chunks = [items[i:i + size] for i in range(0, len(items), size)]
        for cand in chunks + [items[:i] + items[i + size:] for i in range(0, len(items), size)]:
            if not budget():
                return items
            if len(cand) < len(items) and (kept := fails(cand)) is not None:
                items, n = kept, max(2 if cand in chunks else n - 1, 2)
                break
        else:
            if n >= len(items):
                return items
            n = min(len(items), 2 * n)
    return items
