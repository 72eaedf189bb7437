"""The plugin end to end, in a pytest subprocess, against the raw-grpc test performer
(tests/harness/performers/raw-grpc) and a real embedded etcd."""

from pathlib import Path

import pytest

ROOT = Path(__file__).parent / "performers"
BASE = [f"--performers-root={ROOT}", "--performer=raw-grpc", "-p", "no:cacheprovider"]

TESTS = """
import pytest
from etcdfit.program import put, get

@pytest.mark.requires("kv.put", "kv.range")
def test_put_get(performer, ns):
    performer.run(put(ns.key("a"), "v"), get(ns.key("a")).expect(kvs=[{"value": "v"}]))

@pytest.mark.requires("kv.put", "kv.range")
def test_sdk_lies(performer, ns):
    performer.run(put(ns.key("a"), "__lie__"), get(ns.key("a")).expect(kvs=[{"value": "__lie__"}]))

@pytest.mark.requires("txn.nested", "lease.leases")
def test_needs_more(performer):
    pass
"""


def run(pytester: pytest.Pytester, *args: str, tests: str = TESTS, monkeypatch=None):
    pytester.makepyfile(test_it=tests)
    return pytester.runpytest_subprocess(*BASE, *args, timeout=120)


def test_pass_fail_and_skip_reason_naming_performer_version_and_ids(pytester):
    result = run(pytester, "-rs")
    result.assert_outcomes(passed=1, failed=1, skipped=1)
    result.stdout.fnmatch_lines([
        "*[[]1[]] range: kvs[[]0[]].value: expected '__lie__', got 'not-what-was-written'*",
        "*raw-grpc (SDK 1) lacks capability: lease.leases, txn.nested*",
    ])


def test_known_failure_is_reported_as_xfail(pytester):
    (pytester.path / "kf").mkdir()
    (pytester.path / "kf" / "raw-grpc.txt").write_text("*::test_sdk_lies -- raw-grpc lies on purpose\n")
    result = run(pytester, "--known-failures-dir=kf", "-rx", ".")
    result.assert_outcomes(passed=1, xfailed=1, skipped=1)
    result.stdout.fnmatch_lines(["*known failure (*raw-grpc.txt:1): raw-grpc lies on purpose*"])


def test_listed_test_that_passes_fails_the_run(pytester):
    (pytester.path / "kf").mkdir()
    (pytester.path / "kf" / "raw-grpc.txt").write_text("*::test_put_get -- claimed broken\n")
    result = run(pytester, "--known-failures-dir=kf", ".")
    result.assert_outcomes(passed=0, failed=2, skipped=1)
    result.stdout.fnmatch_lines(["*XPASS(strict)*known failure*claimed broken*remove that line*"])


def test_flaky_list_never_decides_the_outcome(pytester):
    (pytester.path / "kf").mkdir()
    (pytester.path / "kf" / "raw-grpc.flaky.txt").write_text(
        "*::test_sdk_lies -- fails sometimes\n*::test_put_get -- fails sometimes\n")
    result = run(pytester, "--known-failures-dir=kf", "-rxX", ".")
    result.assert_outcomes(xfailed=1, xpassed=1, skipped=1)  # a flaky failure and a flaky pass: run is green
    assert result.ret == 0
    result.stdout.fnmatch_lines(["*flaky (*raw-grpc.flaky.txt:1): fails sometimes*"])


def test_unmatched_known_failure_pattern_is_an_error(pytester):
    (pytester.path / "kf").mkdir()
    (pytester.path / "kf" / "raw-grpc.txt").write_text("*::test_renamed_long_ago -- stale\n")
    result = run(pytester, "--known-failures-dir=kf", ".")
    assert result.ret != 0
    result.stderr.fnmatch_lines(["*known-failure patterns for raw-grpc match no test*",
                                 "*raw-grpc.txt:1: *::test_renamed_long_ago*",
                                 "*delete the line*"])


CRASH = """
from etcdfit.program import put, get

def test_1_crashes(performer, ns):
    performer.run(put(ns.key("a"), "__crash__"))

def test_2_fresh_performer(performer, ns):
    performer.run(put(ns.key("a"), "fine"), get(ns.key("a")).expect(kvs=[{"value": "fine"}]))
"""


@pytest.fixture(params=["unary", "session"])
def execute_path(request, monkeypatch):
    """Both Execute paths: a unary RPC per program, and the ExecuteSession fast path."""
    if request.param == "session":
        monkeypatch.setenv("RAW_CLAIM_SESSION", "1")
    return request.param


def test_crash_fails_one_test_with_exit_code_and_log_then_restarts(pytester, execute_path):
    result = run(pytester, tests=CRASH)
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*PerformerCrashed: performer 127.0.0.1:* crashed during Execute*",
                                 "*exit code: 7*", "*last performer log lines:*", "*crashing on purpose*"])
    if execute_path == "session":  # the program went over the fast path
        result.stdout.fnmatch_lines(["*ExecuteSession opened*", "*crashing on purpose*"])


def test_hang_is_a_timeout_and_the_run_goes_on(pytester, execute_path):
    result = run(pytester, "--program-timeout", "3", tests=CRASH.replace("__crash__", "__hang__"))
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*PerformerHung: *did not answer Execute within 3s*", "*hanging on purpose*"])


def test_protocol_mismatch_is_a_clear_error(pytester, monkeypatch):
    monkeypatch.setenv("RAW_PROTOCOL_VERSION", "2")
    result = run(pytester, tests=CRASH)
    result.assert_outcomes(errors=2)
    result.stdout.fnmatch_lines(["*speaks protocol version 2, this driver speaks 1*Rebuild the performer*"])


def test_unknown_performer_lists_the_available_ones(pytester):
    pytester.makepyfile(test_it="def test_x(performer): pass")
    result = pytester.runpytest_subprocess(f"--performers-root={ROOT}", "--performer=nope")
    assert result.ret != 0
    result.stderr.fnmatch_lines(["*--performer nope: unknown performer 'nope'*Available performers: raw-grpc*"])


def test_unknown_capability_in_marker_is_an_error(pytester):
    result = run(pytester, tests="import pytest\n@pytest.mark.requires('kv.rnage')\ndef test_x(performer): pass\n")
    assert result.ret != 0
    result.stderr.fnmatch_lines(["*'kv.rnage' (did you mean 'kv.range'?)*"])


def test_bad_performer_address_is_a_usage_error(pytester):
    pytester.makepyfile(test_it="def test_x(): pass")
    result = pytester.runpytest_subprocess("--performer-address", "localhost")
    assert result.ret != 0
    result.stderr.fnmatch_lines(["*expected HOST:PORT*"])


def test_malformed_spec_names_file_line_and_field(pytester):
    pytester.path.joinpath("bad.spec.yaml").write_text(
        "suite: s\ncases:\n  - name: c\n    steps:\n      - put: {key: a, valeu: v}\n")
    result = pytester.runpytest_subprocess(*BASE)
    assert result.ret != 0
    result.stdout.fnmatch_lines(["*invalid spec: *bad.spec.yaml:5: put has no field(s) [[]'valeu'[]]*"])


def test_yaml_spec_runs_against_performer(pytester):
    pytester.path.joinpath("ok.spec.yaml").write_text(
        "suite: s\nrequires: [kv.put, kv.range]\ncases:\n  - name: c\n    steps:\n"
        "      - put: {key: a, value: v}\n        save: {rev: header.revision}\n"
        "      - get: {key: a}\n        expect: {kvs: [{key: a, value: v, mod_revision: $rev}]}\n"
        "      - via: oracle\n        get: {key: a}\n        expect: {kvs: [{value: v}]}\n")
    result = pytester.runpytest_subprocess(*BASE, "-v")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["*ok.spec.yaml::test_c[[]raw-grpc[]] PASSED*"])
