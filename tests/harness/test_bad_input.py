"""Bad input gets a clear error, nothing hangs, nothing is left behind (issue 9).

Each test is a probe that once gave a silent wrong result, a crash, a hang or leftovers;
it asserts the kind of error and that the file, flag or thing is named. YAML specs and the
DSL have their own probes in test_specs_bad_input.py; plugin rough edges in
test_rough_edges.py."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import grpc
import pytest

from etcdfit import capabilities, matrix, proc
from etcdfit.errors import ConfigError, EtcdServerError, ProtocolMismatch
from etcdfit.oracle import Oracle, OracleError, OracleUnavailable
from etcdfit.outcomes import Kind, problems_of
from etcdfit.performer import manifest
from etcdfit.performer.client import PerformerClient

ROOT = Path(__file__).parent / "performers"
BASE = [f"--performers-root={ROOT}", "--performer=raw-grpc", "-p", "no:cacheprovider"]


# ------------------------------------------------------------------ --etcd-endpoints


@pytest.mark.parametrize("value, says", [
    ("", "an empty item is not an endpoint"),
    (",,,", "an empty item is not an endpoint"),
    ("not a url", "not an endpoint"),
    ("http://127.0.0.1", "not an endpoint"),
    ("http://127.0.0.1:99999", "not an endpoint"),
    ("https://127.0.0.1:2379", "TLS endpoints are not supported yet"),
])
def test_bad_etcd_endpoints_are_refused_up_front(pytester, value, says):
    pytester.makepyfile(test_it="def test_x(): pass\n")
    start = time.monotonic()
    result = pytester.runpytest_subprocess(f"--etcd-endpoints={value}")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert time.monotonic() - start < 10
    result.stderr.fnmatch_lines([f"*--etcd-endpoints*{says}*"])


def test_a_plain_host_port_endpoint_is_accepted_as_http():
    from etcdfit.plugin import endpoints

    assert endpoints("127.0.0.1:2379, http://[::1]:2380") == ["http://127.0.0.1:2379", "http://[::1]:2380"]


# ------------------------------------------------------------------ matrix files and flags


def _matrix(tmp_path: Path, text: str) -> matrix.Matrix:
    p = tmp_path / "m.yaml"
    p.write_text(text)
    return matrix.load(p)


def test_a_matrix_exclude_that_matches_no_cell_is_an_error(tmp_path):
    text = ("version: 1\ngroups:\n  - performers: [go-clientv3@3.6.16]\n    servers: ['3.5.1']\n"
            "exclude:\n  - {performer: go-clientv3@3.5.35, server: '3.5.1'}\n")
    with pytest.raises(ConfigError, match=r"m.yaml:6: exclude .*matches no cell"):
        _matrix(tmp_path, text)


def test_matrix_jobs_zero_is_an_error(tmp_path):
    m = _matrix(tmp_path, "version: 1\ngroups:\n  - performers: [go-clientv3]\n    servers: ['3.5.1']\n")
    with pytest.raises(ConfigError, match="--jobs 0: expected a whole number >= 1"):
        matrix.run(m, tmp_path / "out", jobs=0)


def test_a_cell_that_writes_no_results_shows_why_in_the_terminal(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(matrix, "prebuild", lambda cells: None)
    m = _matrix(tmp_path, "version: 1\npytest_args: ['--no-such-flag']\ngroups:\n"
                          "  - performers: [go-clientv3]\n    servers: ['3.5.1']\n")
    assert matrix.run(m, tmp_path / "out", jobs=1) == 1
    out = capsys.readouterr().out
    assert "wrote no results" in out and "unrecognized arguments: --no-such-flag" in out


def test_etcdfit_run_refuses_negative_jobs(capsys):
    from etcdfit import cli

    assert cli.main(["run", "--performer", "go-clientv3", "--jobs", "-1"]) == 2
    assert "--jobs -1" in capsys.readouterr().err


# ------------------------------------------------------------------ lists and markers


def test_a_binary_known_failures_file_is_an_error_naming_it(tmp_path):
    (tmp_path / "p.txt").write_bytes(b"\x00\xff\xfe binary")
    with pytest.raises(ConfigError, match=r"p.txt: not a known-failure list \(binary"):
        capabilities.load_known_failures("p", tmp_path)


def test_a_binary_known_failures_file_is_a_usage_error_in_a_run(pytester):
    (pytester.path / "kf").mkdir()
    (pytester.path / "kf" / "raw-grpc.txt").write_bytes(b"\xff\xfe\x00")
    pytester.makepyfile(test_it="def test_x(performer): pass\n")
    result = pytester.runpytest_subprocess(*BASE, "--known-failures-dir=kf")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*kf/raw-grpc.txt: not a known-failure list*"])


def test_requires_given_a_list_is_a_usage_error_naming_the_test(pytester):
    pytester.makepyfile(test_it="import pytest\n@pytest.mark.requires(['kv.put'])\ndef test_x(performer): pass\n")
    result = pytester.runpytest_subprocess(*BASE)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*test_it.py::test_x*requires(...) takes capability ids as separate strings*"])


# ------------------------------------------------------------------ performers and the oracle


def test_a_performer_with_the_wrong_protocol_version_is_stopped_at_once(tmp_path, monkeypatch):
    monkeypatch.setenv("RAW_PROTOCOL_VERSION", "2")
    m = manifest.load("raw-grpc", ROOT)
    before = set(_raw_pids())
    with pytest.raises(ProtocolMismatch, match="speaks protocol version 2"):
        PerformerClient.launch(m, "1", m.out_dir("1"), tmp_path)
    assert set(_raw_pids()) - before == set()  # no raw-grpc process left running


def _raw_pids() -> list[int]:
    out = subprocess.run(["pgrep", "-f", str(ROOT / "raw-grpc")], capture_output=True, text=True, check=False).stdout
    return [int(p) for p in out.split()]


def test_an_oracle_call_etcd_refuses_is_an_error_with_a_message(etcd_server):
    o = Oracle(etcd_server.endpoints[0])
    try:
        rev = o.put(b"k", b"v").header.revision
        o.compact(rev)
        with pytest.raises(OracleError, match=r"oracle Range to etcd at http://127.0.0.1:\d+ failed: OUT_OF_RANGE"):
            o.range(b"k", revision=rev - 1)
        with pytest.raises(grpc.RpcError):  # still catchable as a gRPC error by tests that expect one
            o.range(b"k", revision=rev - 1)
    finally:
        o.close()


def test_an_oracle_that_cannot_reach_etcd_is_a_server_fault():
    o = Oracle(f"http://127.0.0.1:{proc.free_port()}")
    try:
        with pytest.raises(OracleUnavailable) as info:
            o.put(b"k", b"v")
    finally:
        o.close()
    assert isinstance(info.value, EtcdServerError)
    assert [p.kind for p in problems_of(info.value)] == [Kind.SERVER_FAULT]
    assert "failed: UNAVAILABLE" in str(info.value)


@pytest.fixture
def etcd_server(tmp_path):
    from etcdfit.servers import embedded

    server = embedded.start(embedded.distro_binary(), tmp_path)
    yield server
    server.stop()


def test_a_performer_stalled_in_connect_is_not_blamed_on_etcd(pytester, monkeypatch):
    monkeypatch.setenv("RAW_STALL_CONNECT", "1")
    pytester.makepyfile(test_it="def test_x(performer): pass\n")
    result = pytester.runpytest_subprocess(*BASE, "--program-timeout=2")
    result.assert_outcomes(errors=1)
    assert "could not connect to etcd" not in result.stdout.str()
    result.stdout.fnmatch_lines(["*performer raw-grpc failed during Connect: *did not answer Connect within 2s*",
                                 "*stalling in Connect on purpose*"])


# ------------------------------------------------------------------ nothing left behind


SLOW = """
import time
from etcdfit.program import put

def test_slow(performer, ns):
    performer.run(put(ns.key("a"), "v"))
    time.sleep(60)
"""


def test_sigterm_cleans_up_like_ctrl_c_and_writes_partial_results(pytester):
    pytester.makepyfile(test_a="from etcdfit.program import put\n"
                               "def test_fast(performer, ns):\n    performer.run(put(ns.key('a'), 'v'))\n",
                        test_b=SLOW)
    results = pytester.path / "results.json"
    p = subprocess.Popen([sys.executable, "-m", "pytest", *BASE, f"--etcdfit-json={results}", str(pytester.path)],
                         cwd=pytester.path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                         env={**os.environ, "ETCDFIT_LOG_DIR": str(pytester.path / "logs")})
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not _data_dirs(p.pid):
        time.sleep(0.2)
    assert _data_dirs(p.pid), "the run never started its etcd"
    time.sleep(4)  # inside test_slow's sleep
    p.send_signal(signal.SIGTERM)
    out, _ = p.communicate(timeout=60)
    assert _data_dirs(p.pid) == set(), out[-2000:]  # the etcd data dir is gone
    doc = json.loads(results.read_text())
    assert [t["outcome"] for t in doc["tests"] if "test_fast" in t["nodeid"]] == ["passed"]
    assert "SIGTERM" in out


def _data_dirs(pid: int) -> set[str]:
    """The etcd data dirs of the driver process `pid` (their names carry it)."""
    return {p.name for p in Path(tempfile.gettempdir()).glob(f"etcdfit-etcd-{pid}-*")}


def test_orphaned_etcd_data_dirs_of_dead_drivers_are_removed(tmp_path):
    from etcdfit.servers import embedded

    dead = subprocess.Popen(["true"])
    dead.wait()
    orphan = Path(tempfile.mkdtemp(prefix=f"etcdfit-etcd-{dead.pid}-"))
    mine = Path(tempfile.mkdtemp(prefix=f"etcdfit-etcd-{os.getpid()}-"))
    try:
        embedded._remove_orphaned_data_dirs()
        assert not orphan.exists() and mine.exists()
    finally:
        mine.rmdir()


def test_runs_keep_their_logs_under_the_project_not_in_tmp(pytester):
    pytester.makepyfile(test_it="from etcdfit.program import put\n"
                                "def test_x(performer, ns):\n    performer.run(put(ns.key('a'), 'v'))\n")
    before = set(Path(tempfile.gettempdir()).glob("etcdfit-logs-*"))
    pytester.runpytest_subprocess(*BASE).assert_outcomes(passed=1)
    assert set(Path(tempfile.gettempdir()).glob("etcdfit-logs-*")) == before
