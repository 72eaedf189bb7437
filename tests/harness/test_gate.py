"""The release gate's comparison: each way NEW can be worse than the baseline is a reason."""

import pytest

from etcdfit.errors import EtcdfitError
from etcdfit.gate import Side, compare, load_baseline, save_baseline, side_from_results
from etcdfit.outcomes import Kind, Problem
from etcdfit.report.model import ResultsDoc, TestRecord


def _side(label, caps, outcomes, problems=()):
    return Side(label, set(caps), dict(outcomes), {}, list(problems))


def test_identical_sides_pass():
    s = _side("p@1", ["kv.put"], {"t::a": "passed", "t::b": "known_failure"})
    assert compare(s, s) == []


def test_lost_capability_is_a_reason():
    reasons = compare(_side("p@2", ["kv.put"], {}), _side("p@1", ["kv.put", "txn"], {}))
    assert reasons == ["capability txn disappeared: p@1 has it, p@2 does not"]


def test_gained_capability_and_fixed_test_are_fine():
    old = _side("p@1", ["kv.put"], {"t::a": "failed"})
    new = _side("p@2", ["kv.put", "txn"], {"t::a": "passed"})
    assert compare(new, old) == []


def test_passing_test_that_now_fails_is_a_reason():
    new = Side("p@2", set(), {"t::a": "failed"}, {"t::a": "value_mismatch: [0] range: kvs: expected 1 item(s), got 0"})
    reasons = compare(new, _side("p@1", [], {"t::a": "passed"}))
    assert reasons == ["t::a passed with p@1 and fails with p@2 (value_mismatch: [0] range: kvs: expected 1 item(s), got 0)"]


def test_known_failure_that_passes_is_a_reason():
    doc = ResultsDoc(performers={"p": {"capabilities": []}},
                     tests=[TestRecord("t::a[p]", "t::a", "failed", classification="known_failure_passed")])
    new = side_from_results(doc, "p@2")
    assert compare(new, _side("p@1", [], {}))[0].startswith("t::a is listed as a known failure but passes with p@2")


def test_a_regression_names_its_first_problem_from_the_data():
    problem = Problem(Kind.VALUE_MISMATCH, index=1, command="range", path="kvs[0].value",
                      expected="'a'", actual="'b'")
    doc = ResultsDoc(performers={"p": {"capabilities": []}},
                     tests=[TestRecord("t::a[p]", "t::a", "failed", classification="value_mismatch",
                                       problems=[problem], message="no text is parsed")])
    [reason] = compare(side_from_results(doc, "p@2"), _side("p@1", [], {"t::a": "passed"}))
    assert reason == ("t::a passed with p@1 and fails with p@2 "
                      "(value_mismatch: [1] range: kvs[0].value: expected 'a', got 'b')")


def test_a_bad_baseline_file_is_refused_before_the_suite_runs(tmp_path, monkeypatch):
    from argparse import Namespace

    import etcdfit.gate as gate

    monkeypatch.setattr(gate, "run_side", lambda *a: pytest.fail("the suite ran before the baseline was checked"))
    (tmp_path / "b.json").write_text("{}")
    args = Namespace(performer="p@2", etcd="embedded", out=str(tmp_path), baseline=None,
                     baseline_file=str(tmp_path / "b.json"), save_baseline=None)
    with pytest.raises(EtcdfitError, match="is not an etcdfit baseline"):
        gate.main(args)


def test_baseline_file_round_trip(tmp_path):
    s = _side("p@1", ["kv.put"], {"t::a": "passed"})
    save_baseline(s, tmp_path / "b.json")
    back = load_baseline(tmp_path / "b.json")
    assert back.capabilities == s.capabilities and back.outcomes == s.outcomes
