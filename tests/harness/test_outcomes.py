"""Failures are data: a wrong expectation (Python test and YAML spec) becomes problem records
with kind, path, expected and actual in the results file, and the HTML drill-down shows them.
End to end in a pytest subprocess against the raw-grpc test performer and a real etcd."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from etcdfit import cli
from etcdfit.errors import ExpectationFailed, PerformerCrashed, PerformerHung
from etcdfit.outcomes import Kind, Problem, failure_class, problems_of
from etcdfit.report.model import ResultsDoc

ROOT = Path(__file__).parent / "performers"
BASE = [f"--performers-root={ROOT}", "--performer=raw-grpc", "-p", "no:cacheprovider"]

PY_TEST = """
import pytest
from etcdfit.program import get, put, txn, version

@pytest.mark.requires("kv.put", "kv.range")
def test_wrong_value(performer, ns):
    performer.run(put(ns.key("a"), "__lie__"), get(ns.key("a")).expect(kvs=[{"value": "__lie__", "version": 1}]))

@pytest.mark.requires("kv.put")
def test_wrong_error(performer, ns):
    performer.run(put(ns.key("b"), "v").expect_error("COMPACTED"))

@pytest.mark.requires("kv.put", "kv.range")
def test_plain_assert(performer, ns):
    res = performer.run(put(ns.key("c"), "v"))
    assert res[0].header.revision == -1
"""

SPEC = """
suite: outcomes
requires: [kv.put, kv.range]
cases:
  - name: wrong_value_in_a_spec
    steps:
      - put: {key: a, value: __lie__}
      - get: {key: a}
        expect: {kvs: [{value: __lie__}]}
"""


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("outcomes")


def _run(pytester: pytest.Pytester) -> dict:
    pytester.makepyfile(test_it=PY_TEST)
    (pytester.path / "x.spec.yaml").write_text(SPEC)
    out = pytester.path / "results.json"
    result = pytester.runpytest_subprocess(*BASE, f"--etcdfit-json={out}", ".", timeout=180)
    result.assert_outcomes(failed=4)
    return json.loads(out.read_text())


def test_wrong_expectations_become_problem_records_and_the_report_shows_them(pytester):
    raw = _run(pytester)
    assert raw["schema"] == "etcdfit.results/v2"
    by_name = {t["test"].split("::")[-1]: t for t in raw["tests"]}

    wrong = by_name["test_wrong_value"]
    assert wrong["classification"] == "value_mismatch"
    [p] = wrong["problems"]
    assert (p["kind"], p["index"], p["command"], p["path"]) == ("value_mismatch", 1, "range", "kvs[0].value")
    assert (p["expected"], p["actual"]) == ("'__lie__'", "'not-what-was-written'")
    assert wrong["program"]["commands"][0].startswith("[0] put {key: \"<ns>/a\"")  # keys relative to the namespace

    [p] = by_name["test_wrong_error"]["problems"]
    assert (p["kind"], p["expected"]) == ("unexpected_success", "error COMPACTED")
    assert by_name["test_wrong_error"]["classification"] == "wrong_error"

    [p] = by_name["test_plain_assert"]["problems"]
    assert p["kind"] == "assertion" and by_name["test_plain_assert"]["classification"] == "value_mismatch"
    assert (p["path"], p["expected"], p["actual"]) == ("assert ... == ...", "-1", "4")

    spec = by_name["test_wrong_value_in_a_spec"]
    [p] = spec["problems"]
    assert (p["kind"], p["path"], p["expected"], p["actual"]) == \
        ("value_mismatch", "kvs[0].value", "'__lie__'", "'not-what-was-written'")
    assert "raw-grpc@1" in p["where"]

    doc = ResultsDoc.load(pytester.path / "results.json")
    assert {t.problems[0].kind for t in doc.tests} == {Kind.VALUE_MISMATCH, Kind.UNEXPECTED_SUCCESS, Kind.ASSERTION}

    out = pytester.path / "html"
    assert cli.main(["report", str(pytester.path / "results.json"), "--out", str(out)]) == 0
    page = (out / "index.html").read_text()
    assert ("<td><code>kvs[0].value</code></td><td class=exp><code>&#x27;__lie__&#x27;</code></td>"
            "<td class=got><code>&#x27;not-what-was-written&#x27;</code></td>") in page
    assert "<span class=kind>unexpected success</span>" in page


def test_known_failure_drill_down_keeps_the_actual_mismatch(pytester):
    (pytester.path / "kf").mkdir()
    (pytester.path / "kf" / "raw-grpc.txt").write_text("*::test_wrong_value -- raw-grpc lies on purpose\n")
    pytester.makepyfile(test_it=PY_TEST)
    out = pytester.path / "results.json"
    pytester.runpytest_subprocess(*BASE, "--known-failures-dir=kf", f"--etcdfit-json={out}", "-k", "wrong_value",
                                  ".", timeout=180).assert_outcomes(xfailed=1, deselected=2)
    [t] = ResultsDoc.load(out).tests
    assert t.outcome == "known_failure" and t.problems[0].path == "kvs[0].value"
    html = pytester.path / "html"
    assert cli.main(["report", str(out), "--out", str(html)]) == 0
    page = (html / "index.html").read_text()
    assert "what failed (check it is the listed reason)" in page and "not-what-was-written" in page


@pytest.mark.parametrize("exc, kind, cls", [
    (PerformerCrashed("performer x crashed during Execute", exit_code=-9), Kind.PERFORMER_CRASHED, "performer_crash"),
    (PerformerHung("performer x did not answer Execute within 60s"), Kind.PERFORMER_HUNG, "timeout"),
    (AssertionError("assert 1 == 2"), Kind.ASSERTION, "value_mismatch"),
    (KeyError("boom"), Kind.TEST_ERROR, "harness_error"),
])
def test_failure_class_comes_from_problem_kinds(exc, kind, cls):
    [p] = problems_of(exc)
    assert p.kind is kind and failure_class([p]) == cls


def test_the_most_decisive_kind_wins():
    problems = [Problem(Kind.VALUE_MISMATCH), Problem(Kind.PERFORMER_CRASHED)]
    assert failure_class(problems) == "performer_crash"
    err = ExpectationFailed("text", [Problem(Kind.WRONG_ERROR, path="code")])
    assert failure_class(problems_of(err)) == "wrong_error"


def test_problem_round_trips_through_json():
    p = Problem(Kind.VALUE_MISMATCH, "m", 2, "range", "count", "3", "2", "go@1, step 2, line 9")
    assert Problem.from_json(json.loads(json.dumps(p.to_json()))) == p


def test_a_known_failure_that_passes_is_recorded_from_data_not_text(pytester):
    (pytester.path / "kf").mkdir()
    (pytester.path / "kf" / "raw-grpc.txt").write_text("*::test_plain_assert -- claimed broken\n")
    pytester.makepyfile(test_it=PY_TEST.replace("== -1", "> 0"))
    out = pytester.path / "results.json"
    pytester.runpytest_subprocess(*BASE, "--known-failures-dir=kf", f"--etcdfit-json={out}", "-k", "plain_assert",
                                  ".", timeout=180).assert_outcomes(failed=1, deselected=2)
    [t] = ResultsDoc.load(out).tests
    assert (t.outcome, t.classification) == ("failed", "known_failure_passed")
    assert t.problems[0].kind is Kind.KNOWN_FAILURE_PASSED
