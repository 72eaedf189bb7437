"""A server that dies or freezes by itself is noticed at once and named as a server fault, never
blamed on the SDK; the next test gets a fresh server (issue 10, item 6). And the fault lab:
its own server behind toxiproxy, every fault on a timeline and undone at the end."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).parent / "performers"
BASE = [f"--performers-root={ROOT}", "--performer=raw-grpc", "-p", "no:cacheprovider"]

KILLED = """
import os, signal
from etcdfit.program import put, get

def test_1_server_dies(performer, etcd, ns):
    os.killpg(etcd.process.pid, signal.SIGKILL)
    etcd.process.wait()
    performer.run(put(ns.key("a"), "v"))

def test_2_next_test_gets_a_fresh_server(performer, ns):
    performer.run(put(ns.key("a"), "v"), get(ns.key("a")).expect(kvs=[{"value": "v"}]))

def test_3_and_the_next(performer, ns):
    performer.run(put(ns.key("b"), "v"))
"""


def test_a_server_killed_mid_test_is_a_server_fault_and_is_replaced(pytester):
    pytester.makepyfile(test_it=KILLED)
    out = pytester.path / "r.json"
    start = time.monotonic()
    result = pytester.runpytest_subprocess(*BASE, f"--etcdfit-json={out}", timeout=120)
    result.assert_outcomes(passed=2, failed=1)
    assert time.monotonic() - start < 40  # the later tests do not wait out deadlines
    result.stdout.fnmatch_lines(["*etcd server fault*", "*etcd 3.5.1 at http://127.0.0.1:* exited with code -9*"])
    [rec] = [t for t in json.loads(out.read_text())["tests"] if t["outcome"] == "failed"]
    assert rec["classification"] == "server_fault"
    assert rec["problems"][0]["kind"] == "server_fault" and "exited with code -9" in rec["problems"][0]["message"]


FROZEN = """
import os, signal
from etcdfit.program import put

def test_1_server_freezes(performer, etcd, ns):
    os.killpg(etcd.process.pid, signal.SIGSTOP)
    performer.run(put(ns.key("a"), "v"))

def test_2_fresh(performer, ns):
    performer.run(put(ns.key("a"), "v"))
"""


def test_a_frozen_server_is_a_server_fault_not_the_sdks(pytester):
    pytester.makepyfile(test_it=FROZEN)
    out = pytester.path / "r.json"
    result = pytester.runpytest_subprocess(*BASE, "--program-timeout=3", f"--etcdfit-json={out}", timeout=120)
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*did not answer a status call within 2s*"])
    [rec] = [t for t in json.loads(out.read_text())["tests"] if t["outcome"] == "failed"]
    assert rec["classification"] == "server_fault"


ALWAYS_DYING = """
import os, signal
import pytest
from etcdfit.program import put

@pytest.mark.parametrize("i", range(6))
def test_dies(performer, etcd, ns, i):
    os.killpg(etcd.process.pid, signal.SIGKILL)
    etcd.process.wait()
    performer.run(put(ns.key("a"), "v"))
"""


def test_a_server_that_keeps_dying_fails_the_rest_at_once(pytester):
    pytester.makepyfile(test_it=ALWAYS_DYING)
    result = pytester.runpytest_subprocess(*BASE, timeout=180)
    result.assert_outcomes(failed=4, errors=2)  # replaced 3 times, then the rest fail in setup
    result.stdout.fnmatch_lines(["*the session's etcd keeps failing; not started again*"])


LAB = """
import time
from etcdfit.program import get, put

def test_fault_lab(performer, fault, ns):
    sdk = performer.connect(fault.endpoints, dial_timeout_ms=1000, request_timeout_ms=2000)
    sdk.run(put(ns.key("a"), "v"))
    fault.blackhole()
    start = time.monotonic()
    sdk.run(put(ns.key("a"), "w").allow_error())
    assert time.monotonic() - start < 15
    fault.heal()
    fault.kill_and_restart()
    assert fault.oracle.value(ns.key("a")) == b"v"
    assert False, "fail on purpose to see the timeline"
"""


def test_fault_lab_records_a_timeline_and_undoes_everything(pytester):
    pytester.makepyfile(test_it=LAB)
    out = pytester.path / "r.json"
    result = pytester.runpytest_subprocess(*BASE, f"--etcdfit-json={out}", timeout=120)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*fault timeline*", "*blackhole*link*", "*heal*link*", "*kill*server*SIGKILL*",
                                 "*restart*server*"])
    [rec] = json.loads(out.read_text())["tests"]
    actions = [e["action"] for e in rec["timeline"]]
    assert actions == ["start", "blackhole", "heal", "kill", "restart"]  # as of the test body's end


def test_fault_tests_are_skipped_on_an_external_cluster(pytester):
    from etcdfit.servers import embedded

    server = embedded.start(embedded.distro_binary(), pytester.path)
    try:
        pytester.makepyfile(test_it="def test_x(performer, fault): pass\n")
        result = pytester.runpytest_subprocess(*BASE, f"--etcd-endpoints={server.endpoints[0]}", "-rs", timeout=60)
    finally:
        server.stop()
    result.assert_outcomes(skipped=1)
    result.stdout.fnmatch_lines(["*fault tests need an etcd that etcdfit starts*"])


@pytest.mark.parametrize("fault", ["blackhole", "cut"])
def test_proxy_faults_are_undone_by_heal(tmp_path, fault):
    from etcdfit.faults import FaultLab, Toxiproxy
    from etcdfit.servers import embedded

    tp = Toxiproxy(tmp_path)
    lab = FaultLab(embedded.distro_binary(), tmp_path, tp, "h")
    try:
        getattr(lab, fault)()
        assert lab.proxy.faults()
        lab.heal()
        assert lab.proxy.faults() == []
    finally:
        lab.close()
        tp.close()
    assert not lab.server.alive() and not lab.server.data_dir.exists()


# ------------------------------------------------------------------ known failures keyed by server version

LIES = """
import pytest
from etcdfit.program import put, get

@pytest.mark.requires("kv.put", "kv.range")
def test_server_lies(performer, ns):
    performer.run(put(ns.key("a"), "__lie__"), get(ns.key("a")).expect(kvs=[{"value": "__lie__"}]))

@pytest.mark.requires("kv.put")
def test_fine(performer, ns):
    performer.run(put(ns.key("a"), "v"))
"""


def test_a_server_known_failure_applies_to_every_performer_on_that_release(pytester):
    (pytester.path / "kf").mkdir()
    (pytester.path / "kf" / "etcd@3.5.1.txt").write_text("*::test_server_lies -- a bug of this release\n")
    (pytester.path / "kf" / "etcd@3.6.16.txt").write_text("*::test_fine -- never applied on 3.5.1\n")
    pytester.makepyfile(test_it=LIES)
    result = pytester.runpytest_subprocess(*BASE, "--known-failures-dir=kf", "-rx", ".", timeout=120)
    result.assert_outcomes(passed=1, xfailed=1)
    result.stdout.fnmatch_lines(["*known server failure of etcd 3.5.1 (*etcd@3.5.1.txt:1): a bug of this release*"])


def test_an_unmatched_server_known_failure_pattern_is_an_error(pytester):
    (pytester.path / "kf").mkdir()
    (pytester.path / "kf" / "etcd@3.5.1.txt").write_text("*::test_renamed -- stale\n")
    pytester.makepyfile(test_it=LIES)
    result = pytester.runpytest_subprocess(*BASE, "--known-failures-dir=kf", ".", timeout=120)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*known server failures of etcd 3.5.1 match no test*", "*etcd@3.5.1.txt:1*"])


def test_unmatched_patterns_are_judged_only_within_the_folders_collected(pytester):
    (pytester.path / "kf").mkdir()
    (pytester.path / "kf" / "raw-grpc.txt").write_text("b/test_b.py::test_gone -- stale\n")
    for d in ("a", "b"):
        (pytester.path / d).mkdir()
        (pytester.path / d / f"test_{d}.py").write_text("def test_x(performer): pass\n")
    ok = pytester.runpytest_subprocess(*BASE, "--known-failures-dir=kf", "a", timeout=60)
    ok.assert_outcomes(passed=1)
    bad = pytester.runpytest_subprocess(*BASE, "--known-failures-dir=kf", ".", timeout=60)
    assert bad.ret == pytest.ExitCode.USAGE_ERROR
    bad.stderr.fnmatch_lines(["*known-failure patterns for raw-grpc match no test*", "*b/test_b.py::test_gone"])
