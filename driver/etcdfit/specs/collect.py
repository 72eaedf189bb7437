"""Turning a *.spec.yaml into a pytest module of ordinary test functions.

Each case becomes `test_<name>` taking the performer, oracle and ns fixtures, with
its `requires` as a marker, so parametrization over performers, capability skips
and known failures work exactly as for Python tests.

A spec that cannot be loaded (malformed, binary, too big, an alias bomb, a bug in the
loader) becomes one failing test, `<file>::test_invalid_spec`, whose message names the
file (and line): never an INTERNALERROR, and never a collection error, which would stop
pytest from running the other files.
"""

from __future__ import annotations

import types
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from google.protobuf.message import Message

from .. import matchers, program
from ..errors import ConfigError, ExpectationFailed
from ..outcomes import Kind, Problem, ProgramRecord
from . import loader

if TYPE_CHECKING:
    from ..oracle import Oracle
    from ..performer.pool import PerformerSession
    from ..plugin import Namespace


class SpecFile(pytest.Module):
    def _getobj(self) -> types.ModuleType:
        path = Path(self.path)
        try:
            suite = loader.load(path)
        except ConfigError as exc:
            return _invalid(path, exc)
        except RecursionError:
            return _invalid(path, ConfigError("nested too deeply to load", path))
        except Exception as exc:  # any loader failure is this file's error, not the session's
            return _invalid(path, ConfigError(f"cannot load this spec ({type(exc).__name__}: {exc}); this is a "
                                              "bug in etcdfit's spec loader, please report it with the file", path))
        mod = types.ModuleType(f"etcdfit_spec_{suite.name}")
        mod.__file__ = str(self.path)
        for case in suite.cases:
            setattr(mod, f"test_{case.name}", _make_test(case))
        return mod

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, ConfigError):
            return f"invalid spec: {excinfo.value}"
        return str(super().repr_failure(excinfo))


def _invalid(path: Path, exc: ConfigError) -> types.ModuleType:
    """A module whose one test fails with the spec's error, so the run goes on with other files."""
    message = f"invalid spec: {exc}"

    def test_invalid_spec() -> None:
        pytest.fail(message, pytrace=False)

    mod = types.ModuleType("etcdfit_invalid_spec")
    mod.__file__ = str(path)
    mod.test_invalid_spec = test_invalid_spec  # type: ignore[attr-defined]  # a module's attributes are open
    return mod


def _make_test(case: loader.Case) -> Callable[[PerformerSession, Oracle, Namespace], None]:
    def test(performer: PerformerSession, oracle: Oracle, ns: Namespace) -> None:
        __tracebackhide__ = True
        run_case(case, performer, oracle, ns.prefix)

    test.__doc__ = case.description or None
    marks = []
    if case.requires:
        marks.append(pytest.mark.requires(*case.requires))
    if case.server:
        marks.append(pytest.mark.server(**case.server))
    test.pytestmark = marks  # type: ignore[attr-defined]  # pytest reads a function's marks from here
    return test


def run_case(case: loader.Case, performer: PerformerSession, oracle: Oracle, prefix: bytes) -> None:
    __tracebackhide__ = True
    saved: dict[str, Any] = {}
    for n, step in enumerate(case.steps, 1):
        if step.via == "oracle":
            _oracle_step(step, n, oracle, saved, prefix)
            continue
        where = f"step {n}, line {step.line}"
        cmds = []
        for name, fields, meta in step.commands:
            cmd = _build(name, fields, saved, prefix, where)
            if "expect_error" in meta:
                cmd.expect_error(meta["expect_error"])
            elif "expect" in meta:
                cmd.expect(**loader.resolve(meta["expect"], saved, prefix, expectation=True))
            cmds.append(cmd)
        outs = performer.run(*cmds, where=where)
        label = performer.identity.label
        for i, ((name, _fields, meta), out) in enumerate(zip(step.commands, outs, strict=True)):
            if "save" in meta:  # never with expect_error: the loader refuses that
                record = ProgramRecord(label, program.program_lines(cmds),
                                       [f"[{j}] {matchers.relative(o.describe())}" for j, o in enumerate(outs)])
                _save(meta, out.ok, saved, f"{label}, step {n}", i, name, record)


def _build(name: str, fields: Any, saved: dict[str, Any], prefix: bytes, where: str) -> program.Cmd:
    try:
        return program.build(name, loader.resolve(fields, saved, prefix))
    except ConfigError as exc:  # e.g. a saved value of the wrong type for its field
        raise ConfigError(f"{where}: {exc}") from None


def _save(meta: Any, result: Any, saved: dict[str, Any], where: str, index: int | None, name: str,
          record: ProgramRecord | None = None) -> None:
    """Save the step's `save` paths; a field the SDK did not return fails the test here,
    instead of a 0 saved now failing a later step with a misleading mismatch."""
    __tracebackhide__ = True
    sv = meta.get("save", {})
    for var, dotted in sv.items():
        try:
            saved[var] = loader.read_path(result, dotted)
        except loader.AbsentField as exc:
            place = f"{where}, line {sv.key_lines.get(var, meta.line)}"
            problem = Problem(Kind.VALUE_MISMATCH, f"save {var}: {dotted}", index=index, command=name,
                              path=exc.path, expected=f"a value to save as ${var}",
                              actual="absent (the performer did not return it)", where=place)
            raise ExpectationFailed(f"{place}: cannot save ${var}: the {name} result has no {exc.path} "
                                    "(the performer did not return it)\n  " + problem.line(), [problem],
                                    record) from None


def _oracle_step(step: loader.Step, n: int, oracle: Oracle, saved: dict[str, Any], prefix: bytes) -> None:
    __tracebackhide__ = True
    where = f"step {n}, line {step.line}"
    (name, fields, meta), = step.commands
    f = loader.resolve(fields, saved, prefix)
    _build(name, fields, saved, prefix, where)  # the builder's type checks: no int where bytes belong
    res: Message  # the etcd response of the oracle's call
    if name == "put":
        res = oracle.put(f["key"], f.get("value", b""), lease=f.get("lease", 0), prev_kv=f.get("prev_kv", False))
    elif name == "get":
        res = oracle.range(f["key"], prefix=f.get("prefix", False), range_end=f.get("range_end"),
                           revision=f.get("revision", 0), limit=f.get("limit", 0),
                           serializable=f.get("serializable", False))
    elif name == "delete":
        res = oracle.delete(f["key"], prefix=f.get("prefix", False))
    else:
        res = oracle.compact(f["revision"], physical=f.get("physical", True))
    place = f"oracle, {where}"
    if "expect" in meta:
        mismatches = matchers.match(loader.resolve(meta["expect"], saved, prefix, expectation=True), res)
        if mismatches:
            problems = [Problem(Kind.VALUE_MISMATCH, index=0, command=name, path=m.path, expected=m.expected,
                                actual=m.actual, where=place) for m in mismatches]
            record = ProgramRecord("oracle", [f"[0] {name} {matchers.show(dict(f))}"], [f"[0] ok {matchers.show(res)}"])
            raise ExpectationFailed(f"{place}: {len(problems)} expectation(s) failed\n"
                                    + "\n".join("  " + p.line() for p in problems)
                                    + "\nprogram:\n" + record.text()
                                    + "\nresults:\n" + "\n".join("  " + r for r in record.results),
                                    problems, record)
    _save(meta, res, saved, f"oracle, step {n}", 0, name)
