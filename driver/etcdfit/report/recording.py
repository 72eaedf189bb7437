"""Recording test outcomes as data while pytest runs.

`annotate` runs in the process that ran the test (an xdist worker, or the only one): it
puts the performer identity, the problems and the program on the report's
user_properties, the one channel xdist carries back to the controller. `record` turns
a finished report into a `TestRecord` wherever the results file is written. The JUnit XML
gets plain `performer`, `sdk_version` and `server` properties from the same data.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from .. import capabilities as caps
from ..outcomes import Kind, Problem, ProgramRecord, failure_class, problems_of
from .model import TestRecord, cell_id

# Per-test data that fixtures leave on the item for the report hook.
IDENTITY = pytest.StashKey[dict[str, Any]]()        # the performer's identity (see session.py)
PROGRAMS = pytest.StashKey[list[ProgramRecord]]()        # ProgramRecords sent, in order
LOG_TAIL = pytest.StashKey[Any]()         # () -> str: the performer log's last lines
TIMELINE = pytest.StashKey[Any]()         # etcdfit.faults.Timeline of a fault test
SERVER_FAULT = pytest.StashKey[str]()     # what was wrong with the session's etcd when the test failed

_PERFORMER, _PROBLEMS, _PROGRAM, _LOG = "etcdfit_performer", "etcdfit_problems", "etcdfit_program", "etcdfit_log_tail"
_TIMELINE = "etcdfit_timeline"
_KNOWN_PASSED = "etcdfit_known_failure_passed"

# The last failing comparison of a plain `assert a == b` (pytest_assertrepr_compare gives both
# sides as objects): the left side is taken as the actual value, the right as the expected one.
_last_compare: tuple[str, Any, Any] | None = None


def remember_compare(op: str, left: Any, right: Any) -> None:
    global _last_compare  # noqa: PLW0603 - one slot shared by two pytest hooks in this process
    _last_compare = (op, left, right)


def forget_compare() -> None:
    global _last_compare  # noqa: PLW0603 - see remember_compare
    _last_compare = None


def _problems(exc: BaseException) -> list[Problem]:
    problems = problems_of(exc)
    if _last_compare is not None and len(problems) == 1 and problems[0].kind is Kind.ASSERTION:
        from ..matchers import show

        op, left, right = _last_compare
        p = problems[0]
        p.path, p.expected, p.actual = f"assert ... {op} ...", show(right), show(left)
    forget_compare()
    return problems


def annotate(item: pytest.Item, call: pytest.CallInfo[None], report: pytest.TestReport) -> None:
    """Attach what the results file needs to the report of the deciding phase."""
    if not (call.when == "call" or (call.when == "setup" and report.outcome != "passed")):
        return
    if call.when == "call" and call.excinfo is None and report.failed:
        # the only way a call that raised nothing fails: a strict xfail (a known failure) that passed
        report.user_properties.append((_KNOWN_PASSED, "1"))
    info = item.stash.get(IDENTITY, None)
    if info is not None:
        report.user_properties.append((_PERFORMER, json.dumps(info)))
        # JUnit XML writes the item's properties (from the teardown report): plain ones only there
        for name, value in (("performer", info["name"]), ("sdk_version", info["sdk_version"]),
                            ("server", info.get("etcd_version", ""))):
            if (name, value) not in item.user_properties:
                item.user_properties.append((name, value))
    timeline = item.stash.get(TIMELINE, None)
    if timeline is not None and timeline.events:
        report.user_properties.append((_TIMELINE, json.dumps([e.to_json() for e in timeline.events])))
        if call.excinfo is not None:
            report.sections.append(("fault timeline", timeline.text()))
    if call.excinfo is None:
        return
    exc = call.excinfo.value
    if isinstance(exc, pytest.skip.Exception):
        return
    problems = _problems(exc)
    server = item.stash.get(SERVER_FAULT, None)
    if server is not None:  # never blamed on the SDK: the server's fault comes first, the rest as seen
        problems = [Problem(Kind.SERVER_FAULT, server.splitlines()[0], where="the session's etcd"), *problems]
    report.user_properties.append((_PROBLEMS, json.dumps([p.to_json() for p in problems])))
    prog = getattr(exc, "program", None)
    if prog is None:
        progs = item.stash.get(PROGRAMS, [])
        prog = progs[-1] if progs else None
    if isinstance(prog, ProgramRecord):
        report.user_properties.append((_PROGRAM, json.dumps(prog.to_json())))
    log = item.stash.get(LOG_TAIL, None)
    if log is not None:
        report.user_properties.append((_LOG, log()))


def record(report: pytest.TestReport) -> TestRecord | None:
    """One record per test, from its deciding phase (None for phases that decide nothing)."""
    props: dict[str, Any] = dict(report.user_properties)  # what annotate() stored: str values
    xfail = getattr(report, "wasxfail", None)
    flaky = xfail is not None and str(xfail).startswith("flaky")
    problems = [Problem.from_json(p) for p in json.loads(props.get(_PROBLEMS, "[]"))]
    if report.when == "call":
        if report.passed:
            outcome = "passed"
        elif report.skipped and xfail is not None:
            outcome = "flaky" if flaky else "known_failure"
        elif report.failed and _KNOWN_PASSED in props:
            outcome = "failed"
            problems = [Problem(Kind.KNOWN_FAILURE_PASSED, "listed as a known failure, but it passes: "
                                "remove its line from the known-failure list")]
        else:
            outcome = "failed" if report.failed else "skipped"
    elif report.when == "setup" and not report.passed:
        outcome = "skipped" if report.skipped else "error"
        if report.skipped and xfail is not None:
            outcome = "flaky" if flaky else "known_failure"
    elif report.when == "teardown" and report.failed:
        outcome = "error"
        problems = problems or [Problem(Kind.TEST_ERROR, "teardown failed")]
    else:
        return None
    if outcome in ("failed", "error") and not problems:
        problems = [Problem(Kind.TEST_ERROR, "the test failed without an exception etcdfit recognises")]
    message = ""
    if report.skipped and isinstance(report.longrepr, tuple):
        message = str(report.longrepr[2])
    elif xfail is not None:
        message = str(xfail)
    elif report.failed:
        message = str(report.longreprtext)[-4000:]
    performer = json.loads(props[_PERFORMER]) if _PERFORMER in props else None
    program = ProgramRecord.from_json(json.loads(props[_PROGRAM])) if _PROGRAM in props else None
    timeline = json.loads(props[_TIMELINE]) if _TIMELINE in props else []
    failing = outcome in ("failed", "error")
    return TestRecord(
        nodeid=report.nodeid,
        test=caps.base_test_id(report.nodeid, performer["spec"]) if performer else report.nodeid,
        outcome=outcome, phase=report.when,
        cell=cell_id(performer["name"], performer["sdk_version"], performer.get("etcd_version", "?"),
                     performer.get("topology", "single"), performer.get("security", "plain")) if performer else None,
        performer=performer["spec"] if performer else None,
        duration_s=round(report.duration, 4),
        classification=failure_class(problems) if failing else None,
        problems=problems if (failing or outcome in ("known_failure", "flaky")) else [],
        program=program, message=message, timeline=timeline,
        log_tail=props.get(_LOG, "") if failing else "",
    )


def performer_of(report: pytest.TestReport) -> dict[str, Any] | None:
    props: dict[str, Any] = dict(report.user_properties)
    return json.loads(props[_PERFORMER]) if _PERFORMER in props else None
