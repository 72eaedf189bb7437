"""Strict loading of *.spec.yaml files into Suite/Case/Step objects.

Every mapping remembers its line, so any error names file, line and field, and lists the
fields that mapping may have. Schema (every field not marked optional is required):

  suite: NAME                      # the suite's name
  description: TEXT                # optional
  requires: [CAPABILITY, ...]      # optional; applies to every case
  server: {min_version: "3.5", max_version: "3.6", topology: single}  # optional; every case
                                   # (also progress_notify: true, for watch progress notifications)
  cases:                           # non-empty
    - name: snake_case_name        # unique in the file; becomes test_<name>
      description: TEXT            # optional
      requires: [CAPABILITY, ...]  # optional; added to the suite's
      server: {...}                # optional; replaces the suite's server requirements
      steps:                       # non-empty; run in order
        - <command>: {fields}      # one command (see etcdfit.program.BUILDERS), or
          program: [ {<command>: {fields}, expect..., save...}, ... ]  # several in one Execute
          via: performer|oracle    # optional, default performer; the oracle runs put/get/delete/compact
          expect: {field: value}   # optional: partial match on the result (default: success)
          expect_error: CODE       # optional: canonical error code instead of success
          save: {name: path}       # optional: save e.g. header.revision as $name for later steps

Command fields are the keyword parameters of the command's builder in etcdfit.program
(`put: {key, value, lease, prev_kv, ignore_value, ignore_lease}`, `get: {key, prefix,
range_end, limit, revision, sort_order, ...}`, ...). A txn's `compares` are mappings of
`compare()`'s parameters (`{key: a, target: value, result: "=", value: v1}`) and its
`success` / `failure` are lists of `{<command>: {fields}}` without expect or save (expect
on the txn's `responses`). Oracle steps take a subset: put {key, value, lease, prev_kv},
get {key, prefix, range_end, revision, limit, serializable}, delete {key, prefix},
compact {revision, physical (default true)}.

Types are checked, never converted:
  - keys, values and range_end (every bytes field) are strings, written as UTF-8. A bare
    `5`, `true` or `1.5` there is refused (YAML reads it as a number or boolean): quote it,
    `value: "5"`. Expected bytes fields in `expect` are strings too.
  - int fields (revision, lease, limit, ttl, id, ...) are integers in int64 range, or a
    saved "$name"; booleans (prefix, prev_kv, ...) are true/false; names (sort_order,
    target, result, handle, ...) are strings.
  - an `expect` mapping names fields of the command's result message (the performer's
    PutResult, RangeResult, ... or, on the oracle, etcd's PutResponse, RangeResponse, ...);
    a `save` path (e.g. `header.revision`, `kvs.0.mod_revision`) names fields of it too.

Keys: every `key` and `range_end` in commands, and every `key` / `keys` in
expectations, is relative to the test's namespace (written as plain strings).
Int and bytes fields may refer to saved values as "$name", "$name+N" or "$name-N".
Saving a field the SDK did not return (a message absent from the result) fails the test,
naming the step, the field and the performer.
"""

from __future__ import annotations

import inspect
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from google.protobuf.descriptor import FieldDescriptor

from .. import program, yamlio
from ..errors import ConfigError
from ..gen.etcd.v3 import rpc_pb2 as epb
from ..gen.etcdfit.performer.v1 import performer_pb2 as pb
from ..yamlio import LDict, is_mapping
from ..yamlio import fields as _fields

if TYPE_CHECKING:
    from ..matchers import AnyDescriptor, AnyField

#: What the oracle can run in a step, with the builder fields it takes.
ORACLE_FIELDS: dict[str, tuple[str, ...]] = {
    "put": ("key", "value", "lease", "prev_kv"),
    "get": ("key", "prefix", "range_end", "revision", "limit", "serializable"),
    "delete": ("key", "prefix"),
    "compact": ("revision", "physical"),
}
ORACLE_COMMANDS = tuple(ORACLE_FIELDS)
#: The etcd response message each oracle command returns (what its expect and save name).
ORACLE_RESULTS: dict[str, AnyDescriptor] = {
    "put": epb.PutResponse.DESCRIPTOR, "get": epb.RangeResponse.DESCRIPTOR,
    "delete": epb.DeleteRangeResponse.DESCRIPTOR, "compact": epb.CompactionResponse.DESCRIPTOR,
}
TXN_OPS = ("put", "get", "range", "delete", "txn")
_STEP_KEYS = {"program", "via", "expect", "expect_error", "save"}
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
REF = re.compile(r"^\$([A-Za-z_][A-Za-z0-9_]*)([+-]\d+)?$")
_INT64 = (-(1 << 63), (1 << 63) - 1)

# Field kinds, from the builders' annotations.
BYTES, INT, BOOL, STR, STRS, COMPARES, OPS, ANY = "bytes", "int", "bool", "str", "strs", "compares", "ops", "any"
_KIND_OF_ANNOTATION = {"Key": BYTES, "Key | None": BYTES, "int": INT, "bool": BOOL, "str": STR,
                       "Sequence[str]": STRS, "Iterable[pb.Compare | dict[str, Any]]": COMPARES, "Iterable[Cmd]": OPS}
#: compare()'s fields; `operand` takes the kind of its target.
COMPARE_FIELDS: dict[str, tuple[str, bool]] = {
    "key": (BYTES, True), "target": (STR, True), "result": (STR, True), "operand": (ANY, False),
    "prefix": (BOOL, False), "range_end": (BYTES, False), "value": (BYTES, False), "version": (INT, False),
    "create_revision": (INT, False), "mod_revision": (INT, False), "lease": (INT, False),
}
_TARGET_SLOT = {"value": "value", "version": "version", "create": "create_revision", "mod": "mod_revision",
                "lease": "lease"}


def command_fields(name: str) -> dict[str, tuple[str, bool]]:
    """A command's YAML fields: name -> (kind, required), from its builder's signature."""
    out = {}
    for p in inspect.signature(program.BUILDERS[name]).parameters.values():
        out[p.name] = (_KIND_OF_ANNOTATION.get(str(p.annotation), ANY), p.default is inspect.Parameter.empty)
    return out


@dataclass
class Step:
    line: int
    via: str
    commands: list[tuple[str, LDict, LDict]]  # (command name, fields, step-like mapping with expect/save)


@dataclass
class Case:
    name: str
    line: int
    requires: list[str]
    steps: list[Step]
    description: str = ""
    server: dict[str, Any] = field(default_factory=dict)


@dataclass
class Suite:
    path: Path
    name: str
    cases: list[Case] = field(default_factory=list)


def load(path: Path) -> Suite:
    return _suite(path, yamlio.load(path))


def _suite(path: Path, doc: Any) -> Suite:
    d = _fields(doc, {"suite": True, "description": False, "requires": False, "server": False, "cases": True},
                "the suite", path, 1)
    suite = Suite(path, str(d["suite"]))
    base_req = _requires(d, path)
    base_server = _server(d, path)
    if not isinstance(d["cases"], list) or not d["cases"]:
        raise ConfigError(f"suite {suite.name!r} has no cases", path, d.key_lines["cases"])
    seen: set[str] = set()
    for c in d["cases"]:
        cd = _fields(c, {"name": True, "description": False, "requires": False, "server": False, "steps": True},
                     "a case", path, getattr(c, "line", d.key_lines["cases"]))
        name = str(cd["name"])
        if not _NAME.match(name):
            raise ConfigError(f"case name {name!r} must be snake_case (a-z, 0-9, _)", path, cd.key_lines["name"])
        if name in seen:
            raise ConfigError(f"case name {name!r} is used twice", path, cd.key_lines["name"])
        seen.add(name)
        if not isinstance(cd["steps"], list) or not cd["steps"]:
            raise ConfigError(f"case {name!r} has no steps", path, cd.key_lines["steps"])
        case = Case(name, cd.line, base_req + _requires(cd, path), [], str(cd.get("description", "")),
                    _server(cd, path) if "server" in cd else base_server)
        saved: set[str] = set()
        for s in cd["steps"]:
            case.steps.append(_step(s, path, saved, cd.key_lines["steps"]))
        suite.cases.append(case)
    return suite


def _requires(d: LDict, path: Path) -> list[str]:
    req = d.get("requires", [])
    if not isinstance(req, list) or not all(isinstance(r, str) for r in req):
        raise ConfigError("requires must be a list of capability ids", path, d.key_lines.get("requires", d.line))
    from ..capabilities import load_catalog

    try:
        load_catalog().check(req, "this spec")
    except ConfigError as exc:
        raise ConfigError(str(exc), path, d.key_lines.get("requires", d.line)) from None
    return list(req)


def _server(d: LDict, path: Path) -> dict[str, Any]:
    if "server" not in d:
        return {}
    line = d.key_lines["server"]
    sv = _fields(d["server"], {"min_version": False, "max_version": False, "topology": False,
                               "progress_notify": False}, "server", path, line)
    from ..servers.requirements import TOPOLOGIES, version_tuple

    for k in ("min_version", "max_version"):
        if k in sv:
            try:
                version_tuple(str(sv[k]))
            except ConfigError as exc:
                raise ConfigError(f"server.{k}: {exc}", path, sv.key_lines[k]) from None
    if sv.get("topology", "single") not in TOPOLOGIES:
        raise ConfigError(f"server.topology must be one of {', '.join(TOPOLOGIES)}", path, sv.key_lines["topology"])
    if not isinstance(sv.get("progress_notify", False), bool):
        raise ConfigError("server.progress_notify must be true or false", path, sv.key_lines["progress_notify"])
    return {k: v if k == "progress_notify" else str(v) for k, v in sv.items()}


def _step(s: Any, path: Path, saved: set[str], line: int) -> Step:
    if not is_mapping(s):
        raise ConfigError("a step must be a mapping like {put: {key: a, value: b}}", path, line)
    via = s.get("via", "performer")
    if via not in ("performer", "oracle"):
        raise ConfigError(f"via must be 'performer' or 'oracle', not {via!r}", path, s.key_lines.get("via", s.line))
    if "program" in s:
        extra = [k for k in s if k not in ("program", "via")]
        if extra:
            raise ConfigError(f"a program step has no field {extra[0]!r} (put expect/save on its commands)",
                              path, s.key_lines[extra[0]])
        if via == "oracle":
            raise ConfigError("programs run on the performer; oracle steps are single commands", path, s.line)
        items = s["program"]
        if not isinstance(items, list) or not items:
            raise ConfigError("program must be a non-empty list of commands", path, s.key_lines["program"])
        cmds = [_command(i, path, saved, via, s.key_lines["program"]) for i in items]
    else:
        cmds = [_command(s, path, saved, via, s.line)]
    return Step(s.line, via, cmds)


def _command(s: Any, path: Path, saved: set[str], via: str, line: int) -> tuple[str, LDict, LDict]:
    if not is_mapping(s):
        raise ConfigError("a command must be a mapping like {put: {key: a, value: b}}", path, line)
    names = [k for k in s if k not in _STEP_KEYS]
    allowed = ORACLE_COMMANDS if via == "oracle" else tuple(program.BUILDERS)
    if len(names) != 1:
        raise ConfigError(f"a step needs exactly one command (one of {', '.join(allowed)}); got {names or 'none'}",
                          path, s.line)
    name = names[0]
    line = s.key_lines[name]
    if name not in allowed:
        raise ConfigError(f"unknown command {name!r} for the {via}; commands: {', '.join(allowed)}", path, line)
    fields = s[name] if s[name] is not None else LDict()
    if not is_mapping(fields):
        raise ConfigError(f"{name} takes a mapping of fields", path, line)
    _check_refs(fields, saved, path, line)
    _check_refs(s.get("expect", {}), saved, path, s.key_lines.get("expect", line))
    checker = _Checker(path, saved)
    placeholders = checker.command(name, fields, line, via)
    try:  # build once with placeholders, so cross-field mistakes are found at collection time
        cmd = program.build(name, resolve(placeholders, {}, b""))
    except ConfigError as exc:
        raise ConfigError(str(exc), path, line) from None
    except (TypeError, ValueError, OverflowError) as exc:
        raise ConfigError(f"{name}: {exc}", path, line) from None
    result = ORACLE_RESULTS[name] if via == "oracle" else pb.CommandOk.DESCRIPTOR.fields_by_name[cmd.name].message_type
    assert result is not None  # every CommandOk field is a message
    if "expect_error" in s:
        if s["expect_error"] not in pb.ErrorCode.keys():  # noqa: SIM118 - a protobuf enum wrapper has no __contains__ or __iter__
            raise ConfigError(f"expect_error {s['expect_error']!r} is not an error code; codes: "
                              f"{', '.join(pb.ErrorCode.keys()[1:])}", path, s.key_lines["expect_error"])
        if via == "oracle":
            raise ConfigError("oracle steps cannot expect an error", path, s.key_lines["expect_error"])
        if "expect" in s:
            raise ConfigError("use expect or expect_error, not both", path, s.key_lines["expect"])
        if "save" in s:
            raise ConfigError("save needs a successful result; a step with expect_error has none",
                              path, s.key_lines["save"])
    if "expect" in s:
        checker.expect(s["expect"], result, "expect", s.key_lines["expect"])
    if "save" in s:
        sv = s["save"]
        if not is_mapping(sv) or not all(isinstance(v, str) for v in sv.values()):
            raise ConfigError("save maps names to result paths, e.g. {rev: header.revision}", path, s.key_lines["save"])
        for var, dotted in sv.items():
            if not isinstance(var, str) or not re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", var):
                raise ConfigError(f"save: {var!r} is not a name (letters, digits, _)", path, sv.key_lines[var])
            checker.save_path(var, dotted, result, sv.key_lines[var])
        saved.update(sv)
    return name, fields, s


class _Checker:
    """Checks command fields and expectations against their schema, at each field's own line."""

    def __init__(self, path: Path, saved: set[str]):
        self.path, self.saved = path, saved

    def fail(self, message: str, line: int) -> ConfigError:
        return ConfigError(message, self.path, line)

    def command(self, name: str, fields: LDict, line: int, via: str = "performer", what: str = "") -> dict[str, Any]:
        """The fields with every $ref replaced by a placeholder of its field's kind."""
        what = what or name
        schema = command_fields(name)
        if via == "oracle":
            oracle = ORACLE_FIELDS[name]
            for k in fields:
                if k in schema and k not in oracle:
                    raise self.fail(f"the oracle's {name} does not take {k!r} (it takes: {', '.join(oracle)}); "
                                    "run this step on the performer", fields.key_lines[k])
            schema = {k: v for k, v in schema.items() if k in oracle}
        return self.mapping(fields, schema, what, line)

    def mapping(self, d: Any, schema: dict[str, tuple[str, bool]], what: str, line: int) -> dict[str, Any]:
        if not is_mapping(d):
            raise self.fail(f"{what} takes a mapping of fields ({', '.join(schema)}), not {_yaml_type(d)}", line)
        unknown = [k for k in d if k not in schema]
        if unknown:  # at the first misspelt field's own line, with every field it could be
            raise self.fail(f"{what} has no field(s) {sorted(map(str, unknown))}; fields: {', '.join(schema)}",
                            d.key_lines.get(unknown[0], d.line))
        missing = [k for k, (_, req) in schema.items() if req and k not in d]
        if missing:
            raise self.fail(f"{what} is missing the field {missing[0]!r}; fields: {', '.join(schema)}",
                            getattr(d, "line", 0) or line)
        out: dict[str, Any] = {}
        for k, v in d.items():
            kind = schema[k][0]
            if k == "operand":
                target = d.get("target")
                kind = BYTES if str(target).lower() == "value" else INT
            out[k] = self.value(v, kind, f"{what}.{k}", d.key_lines[k])
        if schema is COMPARE_FIELDS:
            self.compare(d, out, what)
        return out

    def compare(self, d: LDict, out: dict[str, Any], what: str) -> None:
        target = str(d["target"]).lower()
        if target not in _TARGET_SLOT:
            raise self.fail(f"{what}.target must be one of {', '.join(_TARGET_SLOT)}, not {d['target']!r}",
                            d.key_lines["target"])
        slot = _TARGET_SLOT[target]
        others = [s for s in ("value", "version", "create_revision", "mod_revision", "lease") if s in d and s != slot]
        if others:
            raise self.fail(f"{what}: a compare on {target} takes its operand as `operand` or `{slot}`, "
                            f"not {others[0]!r}", d.key_lines[others[0]])
        if "operand" not in d and slot not in d:
            raise self.fail(f"{what}: a compare on {target} needs an operand ({slot}: ...)", d.line)

    def value(self, v: Any, kind: str, what: str, line: int) -> Any:
        if isinstance(v, str) and REF.match(v):
            if kind == INT:
                return 1
            if kind == BYTES:
                return "x"
            raise self.fail(f"{what} cannot be a saved value ({v!r}); only int and bytes fields can", line)
        if kind == BYTES:
            if not isinstance(v, str):
                raise self.fail(f"{what} must be a string, not {_yaml_type(v)} ({v!r}); keys and values are "
                                f"text: quote it, e.g. \"{v}\"", line)
        elif kind == INT:
            if isinstance(v, bool) or not isinstance(v, int):
                raise self.fail(f"{what} must be an integer, not {_yaml_type(v)} ({v!r})", line)
            if not _INT64[0] <= v <= _INT64[1]:
                raise self.fail(f"{what} is out of range: {v} does not fit in 64 bits", line)
        elif kind == BOOL:
            if not isinstance(v, bool):
                raise self.fail(f"{what} must be true or false, not {_yaml_type(v)} ({v!r})", line)
        elif kind == STR:
            if not isinstance(v, str):
                raise self.fail(f"{what} must be a string, not {_yaml_type(v)} ({v!r})", line)
        elif kind == STRS:
            if not isinstance(v, list) or not all(isinstance(i, str) for i in v):
                raise self.fail(f"{what} must be a list of strings", line)
        elif kind == COMPARES:
            if not isinstance(v, list):
                raise self.fail(f"{what} must be a list of compares like {{key: a, target: value, "
                                f"result: \"=\", value: v1}}", line)
            return [self.mapping(c, COMPARE_FIELDS, f"{what}[{i}]", getattr(c, "line", line))
                    for i, c in enumerate(v)]
        elif kind == OPS:
            if not isinstance(v, list):
                raise self.fail(f"{what} must be a list of operations like {{put: {{key: a, value: b}}}}", line)
            return [self.op(o, f"{what}[{i}]", getattr(o, "line", line)) for i, o in enumerate(v)]
        return v

    def op(self, o: Any, what: str, line: int) -> dict[str, Any]:
        if not is_mapping(o) or len(o) != 1:
            extra = [k for k in o if k not in TXN_OPS] if isinstance(o, dict) else []
            hint = (" (expect and save belong on the txn: expect its `responses`)"
                    if any(k in _STEP_KEYS for k in extra) else "")
            raise self.fail(f"{what} must be one operation like {{put: {{key: a, value: b}}}} "
                            f"(one of {', '.join(TXN_OPS)}){hint}", o.key_lines[extra[0]] if extra else line)
        (name, fields), = o.items()
        oline = o.key_lines[name]
        if name not in TXN_OPS:
            raise self.fail(f"{what}: {name!r} cannot be a txn operation; operations: {', '.join(TXN_OPS)}", oline)
        if fields is None:
            fields = LDict()
            fields.line, fields.key_lines = oline, {}
        return {name: self.command(name, fields, oline, what=f"{what}.{name}")}

    def expect(self, exp: Any, desc: AnyDescriptor, what: str, line: int) -> None:
        if not isinstance(exp, dict):
            raise self.fail(f"{what} must be a mapping of {desc.name} fields", line)
        fields = desc.fields_by_name
        for k, v in exp.items():
            kline = exp.key_lines.get(k, line) if isinstance(exp, LDict) else line
            if k not in fields:
                raise self.fail(f"{what} has no field {k!r}: {desc.name} has {', '.join(fields)}", kline)
            self.expected_value(v, fields[k], f"{what}.{k}", kline)

    def expected_value(self, v: Any, fd: AnyField, what: str, line: int, element: bool = False) -> None:
        if v is None or (isinstance(v, str) and REF.match(v)):
            return
        if _repeated(fd) and not element:
            if not isinstance(v, list):
                raise self.fail(f"{what} is a list; expected a list, not {_yaml_type(v)}", line)
            for i, item in enumerate(v):
                self.expected_value(item, fd, f"{what}[{i}]", getattr(item, "line", line), element=True)
            return
        if fd.message_type is not None:
            self.expect(v, fd.message_type, what, getattr(v, "line", line))
        elif fd.type == FieldDescriptor.TYPE_BYTES:
            if not isinstance(v, str):
                raise self.fail(f"{what} must be a string, not {_yaml_type(v)} ({v!r}): quote it, e.g. \"{v}\"", line)
        elif fd.type == FieldDescriptor.TYPE_STRING:
            if not isinstance(v, str):
                raise self.fail(f"{what} must be a string, not {_yaml_type(v)} ({v!r})", line)
        elif fd.type == FieldDescriptor.TYPE_BOOL:
            if not isinstance(v, bool):
                raise self.fail(f"{what} must be true or false, not {_yaml_type(v)} ({v!r})", line)
        elif fd.type == FieldDescriptor.TYPE_ENUM:
            assert fd.enum_type is not None  # an enum field always has its enum type
            if isinstance(v, bool) or not isinstance(v, (str, int)):
                raise self.fail(f"{what} must be a name of {fd.enum_type.name}, not {_yaml_type(v)}", line)
        elif fd.cpp_type in (FieldDescriptor.CPPTYPE_INT32, FieldDescriptor.CPPTYPE_INT64,
                             FieldDescriptor.CPPTYPE_UINT32, FieldDescriptor.CPPTYPE_UINT64):
            if isinstance(v, bool) or not isinstance(v, int):
                raise self.fail(f"{what} must be an integer, not {_yaml_type(v)} ({v!r})", line)

    def save_path(self, var: str, dotted: str, desc: AnyDescriptor, line: int) -> None:
        cur: AnyDescriptor | None = desc
        prev: AnyField | None = None
        for part in dotted.split("."):
            if part.isdigit():
                if prev is None or not _repeated(prev):
                    raise self.fail(f"save {var}: {dotted!r}: {part} indexes a field that is not a list", line)
                prev = None
                continue
            if prev is not None and _repeated(prev):
                raise self.fail(f"save {var}: {dotted!r}: {prev.name} is a list; give an index ({prev.name}.0)", line)
            if cur is None or part not in cur.fields_by_name:
                names = ", ".join(cur.fields_by_name) if cur is not None else "none (not a message)"
                raise self.fail(f"save {var}: {dotted!r}: no field {part!r} here; fields: {names}", line)
            prev = cur.fields_by_name[part]
            cur = prev.message_type


def _repeated(fd: AnyField) -> bool:
    rep = getattr(fd, "is_repeated", None)  # protobuf >= 6; `label` is gone in 7
    return bool(rep) if rep is not None else fd.label == FieldDescriptor.LABEL_REPEATED  # type: ignore[union-attr]  # protobuf < 6 only


def _yaml_type(v: Any) -> str:
    return {bool: "a boolean", int: "a number", float: "a number", type(None): "empty (null)",
            list: "a list", LDict: "a mapping", dict: "a mapping"}.get(type(v), type(v).__name__)


def _check_refs(obj: Any, saved: set[str], path: Path, line: int | None) -> None:
    if isinstance(obj, str):
        m = REF.match(obj)
        if m and m.group(1) not in saved:
            raise ConfigError(f"{obj!r} refers to ${m.group(1)}, which no earlier step saves", path, line)
    elif isinstance(obj, dict):
        for k, v in obj.items():
            _check_refs(v, saved, path, getattr(obj, "key_lines", {}).get(k, line))
    elif isinstance(obj, list):
        for v in obj:
            _check_refs(v, saved, path, getattr(v, "line", line))


_KEY_FIELDS = {"key", "range_end"}


def resolve(obj: Any, saved: dict[str, Any], prefix: bytes, *, expectation: bool = False, field_name: str = "") -> Any:
    """Substitute $refs and put namespace prefixes on key fields."""
    if isinstance(obj, dict):
        out: dict[str, Any] = {}
        for k, v in obj.items():
            if k in ("success", "failure", "compares") and isinstance(v, list):
                out[k] = [resolve(i, saved, prefix, expectation=expectation, field_name=k) for i in v]
            else:
                out[k] = resolve(v, saved, prefix, expectation=expectation, field_name=k)
        if field_name in ("success", "failure"):  # a txn op: {put: {...}} -> Cmd
            (name, fields), = out.items()
            return program.build(name, fields or {})
        return out
    if isinstance(obj, list):
        return [resolve(v, saved, prefix, expectation=expectation, field_name=field_name) for v in obj]
    if isinstance(obj, str):
        m = REF.match(obj)
        if m:
            val = saved[m.group(1)]
            if not m.group(2):
                return val
            if isinstance(val, bool) or not isinstance(val, int):
                raise ConfigError(f"{obj!r}: ${m.group(1)} holds {val!r}, not an integer, so it takes no offset")
            return val + int(m.group(2))
        if field_name in _KEY_FIELDS or (expectation and field_name == "keys"):
            return prefix + obj.encode()
    return obj


class AbsentField(LookupError):
    """A save path runs through a field the result does not have (the SDK did not return it)."""

    def __init__(self, path: str):
        super().__init__(path)
        self.path = path


def read_path(result: Any, dotted: str) -> Any:
    """'header.revision' or 'kvs.0.mod_revision' on a result message. A message field that is
    not set (HasField false, or a header with present=false) or an index past the end raises
    AbsentField naming the field."""
    cur = result
    done: list[str] = []
    for part in dotted.split("."):
        done.append(part)
        if part.isdigit():
            if int(part) >= len(cur):
                raise AbsentField(".".join(done))
            cur = cur[int(part)]
            continue
        fd = cur.DESCRIPTOR.fields_by_name.get(part) if hasattr(cur, "DESCRIPTOR") else None
        if fd is not None and fd.message_type is not None and not _repeated(fd):
            if not cur.HasField(part) or not _present(getattr(cur, part)):
                raise AbsentField(".".join(done))
        cur = getattr(cur, part)
    return cur


def _present(msg: Any) -> bool:
    """False for a message that says it is not there: a ResponseHeader with present=false
    is how a performer reports that its SDK does not expose the header (python-etcd3's txn)."""
    fd = msg.DESCRIPTOR.fields_by_name.get("present")
    return fd is None or fd.type != FieldDescriptor.TYPE_BOOL or bool(msg.present)
