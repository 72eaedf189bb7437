"""The test-object builder: commands with expectations, grouped into programs.

    from etcdfit.program import put, get, txn, value
    res = performer.run(
        put(k, "v1").expect(header={"revision": gt(0)}),
        get(k).expect(kvs=[{"key": k, "value": "v1", "version": 1}]),
    )
    rev = res[0].header.revision

Every command expects success unless told otherwise (`expect_error(CODE)` or
`allow_error()`). A program is sent in one Execute call; the runner checks each
result and raises ExpectationFailed listing every mismatch with the program.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar, cast

from google.protobuf import text_format
from google.protobuf.internal.enum_type_wrapper import EnumTypeWrapper

from . import matchers
from .errors import ConfigError, ExpectationFailed
from .gen.etcdfit.performer.v1 import performer_pb2 as pb
from .outcomes import Kind, Problem, ProgramRecord

Key = str | bytes


def _b(v: Key | None, what: str = "a key or value") -> bytes:
    """A key or value as bytes. Only str (UTF-8) and bytes are accepted: bytes(5) would be
    five NUL bytes, so an int here is always a test bug."""
    if v is None:
        return b""
    if isinstance(v, str):
        return v.encode()
    if isinstance(v, (bytes, bytearray)):
        return bytes(v)
    raise ConfigError(f"{what} must be str or bytes, not {type(v).__name__} ({v!r})")


def _kind(prefix: bool, from_key: bool, range_end: Key | None) -> tuple[pb.RangeKind, bytes]:
    chosen = sum([bool(prefix), bool(from_key), range_end is not None])
    if chosen > 1:
        raise ConfigError("choose at most one of prefix, from_key and range_end")
    if prefix:
        return pb.RANGE_KIND_PREFIX, b""
    if from_key:
        return pb.RANGE_KIND_FROM_KEY, b""
    if range_end is not None:
        return pb.RANGE_KIND_RANGE, _b(range_end, "range_end")
    return pb.RANGE_KIND_SINGLE, b""


_E = TypeVar("_E", bound=int)  # a generated enum type (pb.SortOrder, ...), an int subclass


def _enum(enum_type: type[_E], prefix: str, name: str | int) -> _E:
    if isinstance(name, int):
        return cast(_E, name)  # a number is taken as the enum's value, unchecked
    wrapper = cast(EnumTypeWrapper, enum_type)  # what the generated module holds at run time
    full = name.upper() if name.upper().startswith(prefix) else prefix + name.upper()
    try:
        return cast(_E, wrapper.Value(full))
    except ValueError:
        valid = [n[len(prefix):].lower() for n in wrapper.keys()]  # noqa: SIM118 - a protobuf enum wrapper has no __contains__ or __iter__
        raise ConfigError(f"{name!r} is not one of {valid}") from None


# ------------------------------------------------------------------ commands


@dataclass
class Cmd:
    """One command plus what the test expects of its result."""

    command: pb.Command
    expect_ok: dict[str, Any] | None = None
    expect_code: str | None = None
    any_outcome: bool = False

    @property
    def name(self) -> str:
        name: str = self.command.WhichOneof("command")
        return name

    def expect(self, **fields: Any) -> Cmd:
        """Expect success, with these result fields (partial match, see matchers)."""
        self.expect_ok = {**(self.expect_ok or {}), **fields}
        return self

    def expect_error(self, code: str) -> Cmd:
        """Expect the SDK to fail with this canonical ErrorCode name."""
        pb.ErrorCode.Value(code)  # unknown codes are a test bug: fail loudly
        self.expect_code = code
        return self

    def allow_error(self) -> Cmd:
        """Accept any outcome; the test inspects the result itself."""
        self.any_outcome = True
        return self

    def as_op(self) -> pb.RequestOp:
        op = pb.RequestOp()
        name = self.name
        if name not in ("put", "range", "delete_range", "txn"):
            raise ConfigError(f"{name} cannot be a txn operation (put, get, delete or txn only)")
        if self.expect_ok is not None or self.expect_code is not None or self.any_outcome:
            # A txn returns one result (TxnResult: header, succeeded, responses): its
            # operations have no outcome of their own to check, so this would be dropped.
            raise ConfigError(
                f"a txn operation cannot carry expectations ({name}(...).expect/expect_error/allow_error "
                "inside txn(...) would never be checked): expect on the txn's result instead, e.g. "
                "txn(...).expect(succeeded=True, responses=[{'put': {}}, {'range': {'kvs': [...]}}])")
        getattr(op, name).CopyFrom(getattr(self.command, name))
        return op

    def text(self) -> str:
        """The command as failure output shows it: keys relative to the test's namespace,
        compares written out with their operator and operand even when those are zero."""
        return matchers.relative(_text(self.command))


_OPERATORS = {pb.COMPARE_RESULT_EQUAL: "==", pb.COMPARE_RESULT_GREATER: ">",
              pb.COMPARE_RESULT_LESS: "<", pb.COMPARE_RESULT_NOT_EQUAL: "!="}
_TARGETS = {pb.COMPARE_TARGET_VALUE: ("value", "value"), pb.COMPARE_TARGET_VERSION: ("version", "version"),
            pb.COMPARE_TARGET_CREATE: ("create_revision", "create_revision"),
            pb.COMPARE_TARGET_MOD: ("mod_revision", "mod_revision"), pb.COMPARE_TARGET_LEASE: ("lease", "lease")}


def compare_text(c: pb.Compare) -> str:
    """`value("a") == "v1"`, `version("a", prefix) > 0`: a compare with every part shown."""
    fn, slot = _TARGETS.get(c.target, (str(c.target), "version"))
    where = matchers.show(c.key)
    if c.kind == pb.RANGE_KIND_PREFIX:
        where += ", prefix"
    elif c.kind == pb.RANGE_KIND_RANGE:
        where += f", range_end={matchers.show(c.range_end)}"
    operand = getattr(c, slot)
    shown = matchers.show(operand) if slot == "value" else str(operand)
    return f"{fn}({where}) {_OPERATORS.get(c.result, str(c.result))} {shown}"


def _text(msg: pb.Command | pb.TxnCommand) -> str:
    name = msg.WhichOneof("command") if isinstance(msg, pb.Command) else None
    txn_msg = (msg.txn if name == "txn" else None) if isinstance(msg, pb.Command) else msg
    if txn_msg is None:
        inner = getattr(msg, name) if name else msg
        return text_format.MessageToString(inner, as_one_line=True, as_utf8=True)
    parts = ["compares: [" + ", ".join(compare_text(c) for c in txn_msg.compares) + "]"]
    for branch in ("success", "failure"):
        ops = getattr(txn_msg, branch)
        shown = []
        for op in ops:
            kind = op.WhichOneof("request")
            inner = getattr(op, kind)
            body = _text(inner) if kind == "txn" else text_format.MessageToString(inner, as_one_line=True, as_utf8=True)
            shown.append(f"{kind} {{{body}}}")
        parts.append(f"{branch}: [" + ", ".join(shown) + "]")
    return " ".join(parts)


def _cmd(**kw: Any) -> Cmd:
    return Cmd(pb.Command(**kw))


def put(key: Key, value: Key = b"", *, lease: int = 0, prev_kv: bool = False,
        ignore_value: bool = False, ignore_lease: bool = False) -> Cmd:
    return _cmd(put=pb.PutCommand(key=_b(key, "put: key"), value=_b(value, "put: value"), lease=lease,
                                  prev_kv=prev_kv,
                                  ignore_value=ignore_value, ignore_lease=ignore_lease))


def get(key: Key, *, prefix: bool = False, from_key: bool = False, range_end: Key | None = None,
        limit: int = 0, revision: int = 0, sort_order: str = "none", sort_target: str = "key",
        serializable: bool = False, keys_only: bool = False, count_only: bool = False,
        min_mod_revision: int = 0, max_mod_revision: int = 0,
        min_create_revision: int = 0, max_create_revision: int = 0) -> Cmd:
    kind, end = _kind(prefix, from_key, range_end)
    return _cmd(range=pb.RangeCommand(
        key=_b(key, "get: key"), kind=kind, range_end=end, limit=limit, revision=revision,
        sort_order=_enum(pb.SortOrder, "SORT_ORDER_", sort_order),
        sort_target=_enum(pb.SortTarget, "SORT_TARGET_", sort_target),
        serializable=serializable, keys_only=keys_only, count_only=count_only,
        min_mod_revision=min_mod_revision, max_mod_revision=max_mod_revision,
        min_create_revision=min_create_revision, max_create_revision=max_create_revision))


def delete(key: Key, *, prefix: bool = False, from_key: bool = False,
           range_end: Key | None = None, prev_kv: bool = False) -> Cmd:
    kind, end = _kind(prefix, from_key, range_end)
    return _cmd(delete_range=pb.DeleteRangeCommand(key=_b(key, "delete: key"), kind=kind, range_end=end,
                                                   prev_kv=prev_kv))


def txn(compares: Iterable[pb.Compare | dict[str, Any]] = (), success: Iterable[Cmd] = (),
        failure: Iterable[Cmd] = ()) -> Cmd:
    cmps = [c if isinstance(c, pb.Compare) else compare(**c) for c in compares]
    return _cmd(txn=_txn_msg(cmps, success, failure))


def _txn_msg(cmps: list[pb.Compare], success: Iterable[Cmd], failure: Iterable[Cmd]) -> pb.TxnCommand:
    return pb.TxnCommand(compares=cmps, success=[c.as_op() for c in success],
                         failure=[c.as_op() for c in failure])


def compact(revision: int, *, physical: bool = False) -> Cmd:
    return _cmd(compact=pb.CompactCommand(revision=revision, physical=physical))


def status(endpoint: str = "") -> Cmd:
    return _cmd(status=pb.StatusCommand(endpoint=endpoint))


def lease_grant(ttl: int, *, id: int = 0) -> Cmd:  # `id` shadows the builtin: etcd's own field name
    return _cmd(lease_grant=pb.LeaseGrantCommand(ttl=ttl, id=id))


def lease_revoke(id: int) -> Cmd:
    return _cmd(lease_revoke=pb.LeaseRevokeCommand(id=id))


def lease_ttl(id: int, *, keys: bool = False) -> Cmd:
    return _cmd(lease_time_to_live=pb.LeaseTimeToLiveCommand(id=id, keys=keys))


def lease_leases() -> Cmd:
    return _cmd(lease_leases=pb.LeaseLeasesCommand())


def lease_keepalive_once(id: int) -> Cmd:
    return _cmd(lease_keep_alive_once=pb.LeaseKeepAliveOnceCommand(id=id))


def watch_start(handle: str, key: Key, *, prefix: bool = False, range_end: Key | None = None,
                start_revision: int = 0, prev_kv: bool = False, progress_notify: bool = False,
                filters: Sequence[str] = ()) -> Cmd:
    kind, end = _kind(prefix, False, range_end)
    return _cmd(watch_start=pb.WatchStartCommand(
        handle=handle, key=_b(key, "watch_start: key"), kind=kind, range_end=end, start_revision=start_revision,
        prev_kv=prev_kv, progress_notify=progress_notify,
        filters=[_enum(pb.WatchFilter, "WATCH_FILTER_", f) for f in filters]))


def watch_collect(handle: str, min_events: int = 1, *, timeout_ms: int = 5000) -> Cmd:
    return _cmd(watch_collect=pb.WatchCollectCommand(handle=handle, min_events=min_events, timeout_ms=timeout_ms))


def watch_cancel(handle: str) -> Cmd:
    return _cmd(watch_cancel=pb.WatchCancelCommand(handle=handle))


def lease_keepalive_start(handle: str, *, id: int = 0, ttl: int = 0) -> Cmd:
    """Start the SDK's keep-alive stream for lease `id`, or with `ttl` grant one through the SDK first."""
    if (id == 0) == (ttl == 0):
        raise ConfigError("lease_keepalive_start takes a lease id, or a ttl to grant one, not both or neither")
    return _cmd(lease_keep_alive_start=pb.LeaseKeepAliveStartCommand(handle=handle, id=id, ttl=ttl))


def lease_keepalive_collect(handle: str, min_responses: int = 1, *, timeout_ms: int = 5000) -> Cmd:
    return _cmd(lease_keep_alive_collect=pb.LeaseKeepAliveCollectCommand(
        handle=handle, min_responses=min_responses, timeout_ms=timeout_ms))


def lease_keepalive_stop(handle: str) -> Cmd:
    return _cmd(lease_keep_alive_stop=pb.LeaseKeepAliveStopCommand(handle=handle))


#: Command names usable in YAML specs and their builders.
BUILDERS: dict[str, Callable[..., Cmd]] = {
    "put": put, "get": get, "range": get, "delete": delete, "txn": txn, "compact": compact,
    "status": status, "lease_grant": lease_grant, "lease_revoke": lease_revoke,
    "lease_ttl": lease_ttl, "lease_leases": lease_leases,
    "lease_keepalive_once": lease_keepalive_once, "watch_start": watch_start,
    "watch_collect": watch_collect, "watch_cancel": watch_cancel,
    "lease_keepalive_start": lease_keepalive_start, "lease_keepalive_collect": lease_keepalive_collect,
    "lease_keepalive_stop": lease_keepalive_stop,
}


def build(name: str, fields: dict[str, Any]) -> Cmd:
    """A command from its name and fields (YAML specs); bad names are ConfigErrors."""
    if name not in BUILDERS:
        raise ConfigError(f"unknown command {name!r}; commands: {', '.join(sorted(BUILDERS))}")
    fn = BUILDERS[name]
    params = inspect.signature(fn).parameters
    unknown = set(fields) - set(params)
    if unknown:
        raise ConfigError(f"{name} has no field(s) {sorted(unknown)}; fields: {', '.join(params)}")
    try:
        return fn(**fields)
    except TypeError as exc:
        raise ConfigError(f"{name}: {exc}") from None


# ------------------------------------------------------------------ compares


def compare(key: Key, target: str, result: str, operand: Any = None, *, prefix: bool = False,
            range_end: Key | None = None, value: Any = None, version: Any = None,
            create_revision: Any = None, mod_revision: Any = None, lease: Any = None) -> pb.Compare:
    """compare("k", "value", "=", "v1"); YAML may name the operand by its target instead."""
    ops = {"=": "EQUAL", "==": "EQUAL", ">": "GREATER", "<": "LESS", "!=": "NOT_EQUAL"}
    res = _enum(pb.CompareResult, "COMPARE_RESULT_", ops.get(result, result))
    tgt = _enum(pb.CompareTarget, "COMPARE_TARGET_", target)
    named = {"value": value, "version": version, "create": create_revision, "mod": mod_revision, "lease": lease}
    if operand is None:
        operand = named.get(target.lower())
    if operand is None:
        raise ConfigError(f"compare on {target} needs an operand ({target}: ...)")
    kind, end = _kind(prefix, False, range_end)
    c = pb.Compare(result=res, target=tgt, key=_b(key, "compare: key"), kind=kind, range_end=end)
    slot = {pb.COMPARE_TARGET_VALUE: "value", pb.COMPARE_TARGET_VERSION: "version",
            pb.COMPARE_TARGET_CREATE: "create_revision", pb.COMPARE_TARGET_MOD: "mod_revision",
            pb.COMPARE_TARGET_LEASE: "lease"}[tgt]
    setattr(c, slot, _operand(slot, operand))
    return c


def _operand(slot: str, operand: Any) -> Any:
    """A compare operand typed by its target: bytes or str for value, int for the others
    (a bool is not a revision; bytes(n) and int("5") would silently compare something else)."""
    if slot == "value":
        return _b(operand, "compare on value: operand")
    if isinstance(operand, bool) or not isinstance(operand, int):
        raise ConfigError(f"compare on {slot}: operand must be an int, not {type(operand).__name__} ({operand!r})")
    return operand


class _Target:
    """`value(k) == "v"`, `version(k) > 0`: compares written like clientv3's."""

    def __init__(self, target: str, key: Key, prefix: bool = False, range_end: Key | None = None):
        self.target, self.key, self.prefix, self.range_end = target, key, prefix, range_end

    def _c(self, op: str, operand: Any) -> pb.Compare:
        return compare(self.key, self.target, op, operand, prefix=self.prefix, range_end=self.range_end)

    # == and != build a Compare instead of answering a bool, as clientv3's Compare(Value(k), "=", v) reads.
    def __eq__(self, o: object) -> pb.Compare:  # type: ignore[override]  # builds a Compare, see above
        return self._c("=", o)

    def __ne__(self, o: object) -> pb.Compare:  # type: ignore[override]  # builds a Compare, see above
        return self._c("!=", o)

    def __gt__(self, o: object) -> pb.Compare:
        return self._c(">", o)

    def __lt__(self, o: object) -> pb.Compare:
        return self._c("<", o)

    __hash__ = None  # type: ignore[assignment]


def value(key: Key, **kw: Any) -> _Target:
    return _Target("value", key, **kw)


def version(key: Key, **kw: Any) -> _Target:
    return _Target("version", key, **kw)


def create_revision(key: Key, **kw: Any) -> _Target:
    return _Target("create", key, **kw)


def mod_revision(key: Key, **kw: Any) -> _Target:
    return _Target("mod", key, **kw)


def lease_of(key: Key, **kw: Any) -> _Target:
    return _Target("lease", key, **kw)


# ------------------------------------------------------------------ results


class Outcome:
    """One command's result. Attribute access reads the ok payload (r.header.revision)."""

    def __init__(self, cmd: Cmd, result: pb.CommandResult):
        self.cmd, self.result = cmd, result

    @property
    def kind(self) -> str:
        return self.result.WhichOneof("outcome") or "missing"

    @property
    def ok(self) -> Any:
        __tracebackhide__ = True
        if self.kind != "ok":
            kind = Kind.HARNESS_ERROR if self.kind in ("harness_error", "missing") else Kind.UNEXPECTED_ERROR
            problem = Problem(kind, "the test reads this command's result", command=self.cmd.name,
                              expected="success", actual=matchers.relative(self.describe()))
            raise ExpectationFailed(f"{self.cmd.name} did not succeed: {problem.actual}", [problem])
        return getattr(self.result.ok, self.result.ok.WhichOneof("payload"))

    @property
    def error(self) -> pb.SdkError | None:
        return self.result.sdk_error if self.kind == "sdk_error" else None

    @property
    def code(self) -> str | None:
        return pb.ErrorCode.Name(self.result.sdk_error.code) if self.kind == "sdk_error" else None

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.ok, name)

    def describe(self) -> str:
        k = self.kind
        if k == "ok":
            return "ok " + matchers.show(self.ok)
        if k == "sdk_error":
            e = self.result.sdk_error
            return f"sdk_error {pb.ErrorCode.Name(e.code)} ({e.sdk_type}: {e.message})"
        if k == "harness_error":
            h = self.result.harness_error
            return f"harness_error {pb.HarnessError.Kind.Name(h.kind)}: {h.message}"
        return "no result (the performer returned fewer results than commands)"


class Results(list[Outcome]):
    """The outcomes of one program, in command order."""


def _timestamps(out: Outcome) -> list[Problem]:
    r = out.result
    if out.kind == "missing" or (0 < r.call_ns <= r.return_ns):
        return []
    return [Problem(Kind.PROTOCOL_VIOLATION, f"timestamps: need 0 < call_ns <= return_ns, "
                    f"got call_ns={r.call_ns} return_ns={r.return_ns}", path="call_ns/return_ns")]


def check(cmd: Cmd, out: Outcome) -> list[Problem]:
    """Problems between what `cmd` expects and what happened (index and where unset)."""
    stamps = _timestamps(out)
    if cmd.any_outcome:
        return stamps
    if out.kind == "harness_error":
        return [Problem(Kind.HARNESS_ERROR, "the performer could not run it", expected="a result",
                        actual=out.describe())]
    if out.kind == "missing":
        return [Problem(Kind.MISSING_RESULT, "the performer returned fewer results than commands",
                        expected="a result", actual="no result")]
    if cmd.expect_code is not None:
        if out.kind == "ok":
            return [*stamps, Problem(Kind.UNEXPECTED_SUCCESS, expected=f"error {cmd.expect_code}",
                                     actual=out.describe())]
        if out.code != cmd.expect_code:
            return [*stamps, Problem(Kind.WRONG_ERROR, path="code", expected=f"error {cmd.expect_code}",
                                     actual=out.describe())]
        return stamps
    if out.kind != "ok":
        return [*stamps, Problem(Kind.UNEXPECTED_ERROR, expected="success", actual=out.describe())]
    if not cmd.expect_ok:
        return stamps
    return stamps + [Problem(Kind.VALUE_MISMATCH, path=m.path, expected=m.expected, actual=m.actual)
                     for m in matchers.match(cmd.expect_ok, out.ok)]


def program_lines(cmds: Sequence[Cmd]) -> list[str]:
    return [f"[{i}] {c.name} {{{c.text()}}}" for i, c in enumerate(cmds)]


def program_text(cmds: Sequence[Cmd]) -> str:
    return "\n".join("  " + line for line in program_lines(cmds))


def failure_text(performer: str, problems: list[Problem], record: ProgramRecord) -> str:
    """The readable failure: every problem, then the program and its results."""
    return (f"{performer}: {len(problems)} expectation(s) failed\n"
            + "\n".join("  " + p.line() for p in problems)
            + "\nprogram:\n" + record.text()
            + "\nresults:\n" + "\n".join("  " + r for r in record.results))


def evaluate(cmds: Sequence[Cmd], response: pb.ExecuteResponse, performer: str, where: str = "") -> Results:
    """Pair results with commands, check every expectation, raise one failure holding them all."""
    __tracebackhide__ = True
    results = list(response.results)
    outs = Results(Outcome(c, results[i] if i < len(results) else pb.CommandResult())
                   for i, c in enumerate(cmds))
    problems: list[Problem] = []
    if len(results) > len(cmds):
        problems.append(Problem(Kind.PROTOCOL_VIOLATION, f"{len(cmds)} command(s) but {len(results)} result(s)",
                                where=where or performer))
    for i, (c, o) in enumerate(zip(cmds, outs, strict=True)):
        for p in check(c, o):
            p.index, p.command, p.where = i, c.name, where or performer
            problems.append(p)
    if problems:
        record = ProgramRecord(performer, program_lines(cmds),
                               [f"[{i}] {matchers.relative(o.describe())}" for i, o in enumerate(outs)])
        raise ExpectationFailed(failure_text(performer, problems, record), problems, record)
    return outs
