"""Turning a *.spec.yaml into a pytest module of ordinary test functions.

Each case becomes `test_<name>` taking the performer, oracle and ns fixtures, with
its `requires` as a marker, so parametrization over performers, capability skips
and known failures work exactly as for Python tests.
"""

from __future__ import annotations

import types
from pathlib import Path

import pytest

from .. import program
from ..errors import ConfigError, ExpectationFailed
from .. import matchers
from . import loader


class SpecFile(pytest.Module):
    def _getobj(self):
        suite = loader.load(Path(self.path))
        mod = types.ModuleType(f"etcdfit_spec_{suite.name}")
        mod.__file__ = str(self.path)
        for case in suite.cases:
            setattr(mod, f"test_{case.name}", _make_test(case))
        return mod

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, ConfigError):
            return f"invalid spec: {excinfo.value}"
        return super().repr_failure(excinfo, style)


def _make_test(case: loader.Case):
    def test(performer, oracle, ns):
        __tracebackhide__ = True
        run_case(case, performer, oracle, ns.prefix)

    test.__doc__ = case.description or None
    marks = []
    if case.requires:
        marks.append(pytest.mark.requires(*case.requires))
    if case.server:
        marks.append(pytest.mark.server(**case.server))
    test.pytestmark = marks  # type: ignore[attr-defined]
    return test


def run_case(case: loader.Case, performer, oracle, prefix: bytes) -> None:
    __tracebackhide__ = True
    saved: dict = {}
    for step in case.steps:
        if step.via == "oracle":
            _oracle_step(step, oracle, saved, prefix)
            continue
        cmds = []
        for name, fields, meta in step.commands:
            cmd = program.build(name, loader.resolve(fields, saved, prefix))
            if "expect_error" in meta:
                cmd.expect_error(meta["expect_error"])
            elif "expect" in meta:
                cmd.expect(**loader.resolve(meta["expect"], saved, prefix, expectation=True))
            cmds.append(cmd)
        outs = performer.run(*cmds)
        for (name, fields, meta), out in zip(step.commands, outs):
            for var, path in meta.get("save", {}).items():
                saved[var] = loader.read_path(out.ok, path)


def _oracle_step(step: loader.Step, oracle, saved: dict, prefix: bytes) -> None:
    __tracebackhide__ = True
    (name, fields, meta), = step.commands
    f = loader.resolve(fields, saved, prefix)
    if name == "put":
        res = oracle.put(f["key"], f.get("value", b""), lease=f.get("lease", 0))
    elif name == "get":
        res = oracle.range(f["key"], prefix=f.get("prefix", False), range_end=f.get("range_end"),
                           revision=f.get("revision", 0))
    elif name == "delete":
        res = oracle.delete(f["key"], prefix=f.get("prefix", False))
    else:
        res = oracle.compact(f["revision"], physical=f.get("physical", True))
    if "expect" in meta:
        problems = matchers.match(loader.resolve(meta["expect"], saved, prefix, expectation=True), res)
        if problems:
            raise ExpectationFailed(f"oracle {name} (line {step.line}): " + "; ".join(problems))
    for var, path in meta.get("save", {}).items():
        saved[var] = loader.read_path(res, path)
