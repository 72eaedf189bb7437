"""Known failures of one participant of a cross-SDK test (etcdfit.participants), end to end in a
pytest subprocess against the raw-grpc test performer and a real embedded etcd."""

from pathlib import Path

import pytest

from etcdfit import capabilities as caps
from etcdfit.errors import ExpectationFailed
from etcdfit.outcomes import Kind, Problem
from etcdfit.participants import Listed, _decide

ROOT = Path(__file__).parent / "performers"
BASE = [f"--performers-root={ROOT}", "--performer=raw-grpc", "-p", "no:cacheprovider"]

TESTS = """
from etcdfit.participants import blame

def test_blames_raw_grpc(performers):
    raise blame(performers[0], "diverged on purpose")

def test_blames_nobody(performers):
    assert performers and False, "a check of the whole group"

def test_all_agree(performers):
    assert performers
"""


def run(pytester: pytest.Pytester, lines: str, *args: str):
    pytester.makepyfile(test_cross=TESTS)
    (pytester.path / "kf").mkdir()
    (pytester.path / "kf" / "raw-grpc.txt").write_text(lines)
    return pytester.runpytest_subprocess(*BASE, "--known-failures-dir=kf", *args, ".", timeout=120)


def test_a_blamed_listed_participant_is_a_known_failure(pytester):
    result = run(pytester, "*::test_blames_raw_grpc -- raw-grpc diverges on purpose\n", "-rx")
    result.assert_outcomes(passed=1, failed=1, xfailed=1)
    result.stdout.fnmatch_lines([("*known failure of raw-grpc in a cross-SDK test: raw-grpc: raw-grpc diverges "
                                  "on purpose (*raw-grpc.txt:1)*")])


def test_a_failure_blaming_no_participant_stays_a_failure(pytester):
    result = run(pytester, "*::test_blames_raw_grpc -- a\n*::test_blames_nobody -- b\n")
    result.assert_outcomes(passed=1, failed=1, xfailed=1)
    result.stdout.fnmatch_lines(["*FAILED*test_blames_nobody*"])


def test_a_listed_cross_sdk_test_that_passes_fails(pytester):
    result = run(pytester, "*::test_blames_raw_grpc -- a\n*::test_all_agree -- claimed broken\n")
    result.assert_outcomes(passed=0, failed=2, xfailed=1)
    result.stdout.fnmatch_lines(["*XPASS(strict)*listed as a known failure*raw-grpc.txt:2*remove that line*"])


def test_an_unmatched_pattern_is_still_an_error(pytester):
    result = run(pytester, "*::test_blames_raw_grpc -- a\n*::test_gone -- renamed\n")
    assert result.ret != 0
    result.stderr.fnmatch_lines(["*known-failure patterns for raw-grpc match no test*", "*test_gone*"])


def test_every_blamed_participant_must_be_listed(tmp_path):
    entry = caps.KnownFailure("*::t", "a reason", tmp_path / "a.txt", 1)
    listed = Listed(strict={"a": entry})
    both = ExpectationFailed("x", [Problem(Kind.VALUE_MISMATCH, "m", performer="a"),
                                   Problem(Kind.VALUE_MISMATCH, "m", performer="b")])
    assert _decide(listed, both) is None
    assert _decide(listed, ExpectationFailed("x", [Problem(Kind.VALUE_MISMATCH, "m", performer="a")])) is not None
    assert _decide(listed, ExpectationFailed("x", [Problem(Kind.VALUE_MISMATCH, "m")])) is None
    assert _decide(listed, AssertionError("plain")) is None
