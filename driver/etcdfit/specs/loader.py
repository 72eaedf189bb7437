"""Strict loading of *.spec.yaml files into Suite/Case/Step objects.

Every mapping remembers its line, so any error names file, line and field.
Schema (every field not marked optional is required):

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

Keys: every `key` and `range_end` in commands, and every `key` / `keys` in
expectations, is relative to the test's namespace (written as plain strings).
Values may refer to saved values as "$name", "$name+N" or "$name-N".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import program, yamlio
from ..errors import ConfigError
from ..yamlio import LDict, fields as _fields
from ..gen.etcdfit.performer.v1 import performer_pb2 as pb

ORACLE_COMMANDS = ("put", "get", "delete", "compact")
_STEP_KEYS = {"program", "via", "expect", "expect_error", "save"}
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
REF = re.compile(r"^\$([A-Za-z_][A-Za-z0-9_]*)([+-]\d+)?$")




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
    server: dict = field(default_factory=dict)


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
                     "a case", path, getattr(c, "line", d.line))
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
            case.steps.append(_step(s, path, saved, cd.line))
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


def _server(d: LDict, path: Path) -> dict:
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


def _step(s: Any, path: Path, saved: set[str], case_line: int) -> Step:
    if not isinstance(s, dict):
        raise ConfigError("a step must be a mapping", path, case_line)
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
        cmds = [_command(i, path, saved, via) for i in items]
    else:
        cmds = [_command(s, path, saved, via)]
    return Step(s.line, via, cmds)


def _command(s: Any, path: Path, saved: set[str], via: str) -> tuple[str, LDict, LDict]:
    if not isinstance(s, dict):
        raise ConfigError("a command must be a mapping like {put: {key: a, value: b}}", path, None)
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
    if not isinstance(fields, dict):
        raise ConfigError(f"{name} takes a mapping of fields", path, line)
    _check_refs(fields, saved, path, line)
    _check_refs(s.get("expect", {}), saved, path, s.key_lines.get("expect", line))
    if via == "performer":
        try:  # build once with placeholders, so bad fields are found at collection time
            program.build(name, resolve(fields, _Dummy(), b""))
        except ConfigError as exc:
            raise ConfigError(str(exc), path, line) from None
    if "expect_error" in s:
        if s["expect_error"] not in pb.ErrorCode.keys():
            raise ConfigError(f"expect_error {s['expect_error']!r} is not an error code; codes: "
                              f"{', '.join(pb.ErrorCode.keys()[1:])}", path, s.key_lines["expect_error"])
        if "expect" in s:
            raise ConfigError("use expect or expect_error, not both", path, s.key_lines["expect"])
    if "save" in s:
        sv = s["save"]
        if not isinstance(sv, dict) or not all(isinstance(v, str) for v in sv.values()):
            raise ConfigError("save maps names to result paths, e.g. {rev: header.revision}", path, s.key_lines["save"])
        saved.update(sv)
    return name, fields, s


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
            _check_refs(v, saved, path, line)


class _Dummy(dict):
    def __missing__(self, key):
        return 1


_KEY_FIELDS = {"key", "range_end"}


def resolve(obj: Any, saved: dict, prefix: bytes, *, expectation: bool = False, field_name: str = "") -> Any:
    """Substitute $refs and put namespace prefixes on key fields."""
    if isinstance(obj, dict):
        out = {}
        for k, v in obj.items():
            if k in ("success", "failure", "compares") and isinstance(v, list):
                out[k] = [resolve(i, saved, prefix, expectation=expectation, field_name=k) for i in v]
            else:
                out[k] = resolve(v, saved, prefix, expectation=expectation, field_name=k)
        if field_name in ("success", "failure"):  # a txn op: {put: {...}} -> Cmd
            (name, fields), = out.items()
            return program.build(name, fields)
        return out
    if isinstance(obj, list):
        return [resolve(v, saved, prefix, expectation=expectation, field_name=field_name) for v in obj]
    if isinstance(obj, str):
        m = REF.match(obj)
        if m:
            val = saved[m.group(1)]
            return val + int(m.group(2)) if m.group(2) else val
        if field_name in _KEY_FIELDS or (expectation and field_name == "keys"):
            return prefix + obj.encode()
    return obj


def read_path(result: Any, dotted: str) -> Any:
    """'header.revision' or 'kvs.0.mod_revision' on a result message."""
    cur = result
    for part in dotted.split("."):
        cur = cur[int(part)] if part.isdigit() else getattr(cur, part)
    return cur
