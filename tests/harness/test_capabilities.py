"""Capability catalog, requirement evaluation and known-failure lists (no etcd needed)."""

from pathlib import Path

import pytest

from etcdfit import capabilities as caps
from etcdfit.errors import ConfigError, UnknownCapabilityError


def test_catalog_loads_with_meanings():
    cat = caps.load_catalog()
    assert "kv.put" in cat.meanings and cat.meanings["txn.nested"]


def test_unknown_id_is_an_error_with_a_suggestion():
    with pytest.raises(UnknownCapabilityError, match=r"'kv.rnage'.*did you mean 'kv.range'"):
        caps.load_catalog().check(["kv.rnage"], "test x")


@pytest.mark.parametrize(
    "required, offered, lacking",
    [
        ([], [], []),
        (["kv.put"], ["kv.put", "kv.range"], []),
        (["kv.put", "txn.nested"], ["kv.put"], ["txn.nested"]),
        (["watch", "txn"], [], ["txn", "watch"]),
    ],
)
def test_missing(required, offered, lacking):
    assert caps.missing(required, offered) == lacking


def test_skip_reason_names_performer_version_and_ids():
    reason = caps.skip_reason("python-etcd3", "0.12.0", ["lease.leases", "txn.nested"])
    assert reason == "python-etcd3 (SDK 0.12.0) lacks capability: lease.leases, txn.nested"


def test_known_failures_parse(tmp_path: Path):
    (tmp_path / "p.txt").write_text("# comment\n\n*::test_a -- SDK drops prev_kv (see docs/findings.md)\n")
    [entry] = caps.load_known_failures("p", tmp_path)
    assert entry.pattern == "*::test_a" and entry.line == 3 and "prev_kv" in entry.reason


@pytest.mark.parametrize(
    "line, message",
    [
        ("*::test_a", "needs a reason"),
        ("*::test_a --   ", "needs a reason"),
        ("test_a -- why", "does not look like a test id"),
    ],
)
def test_known_failure_errors_name_file_and_line(tmp_path: Path, line, message):
    (tmp_path / "p.txt").write_text("# header\n" + line + "\n")
    with pytest.raises(ConfigError, match=rf"p\.txt:2: .*{message}"):
        caps.load_known_failures("p", tmp_path)


def test_version_specific_list_adds_to_the_general_one(tmp_path: Path):
    (tmp_path / "p.txt").write_text("*::test_a -- every version\n")
    (tmp_path / "p@2.txt").write_text("*::test_b -- only 2\n")
    assert [e.pattern for e in caps.load_known_failures("p", tmp_path, "2")] == ["*::test_a", "*::test_b"]
    assert [e.pattern for e in caps.load_known_failures("p", tmp_path, "1")] == ["*::test_a"]


def test_known_failure_matches_without_performer_parameter(tmp_path: Path):
    (tmp_path / "p.txt").write_text("tests/conformance/test_kv.py::test_a -- why\n")
    entries = caps.load_known_failures("p", tmp_path)
    assert caps.find_known_failure(entries, "tests/conformance/test_kv.py::test_a[p@1]", "p@1")
    assert not caps.find_known_failure(entries, "tests/conformance/test_kv.py::test_ab[p@1]", "p@1")


@pytest.mark.parametrize(
    "nodeid, spec, base",
    [
        ("f.py::t[go-clientv3]", "go-clientv3", "f.py::t"),
        ("f.py::t[go-clientv3-key-ascend]", "go-clientv3", "f.py::t[key-ascend]"),
        ("f.py::t[key-go-clientv3@3.6.16]", "go-clientv3@3.6.16", "f.py::t[key]"),
        ("f.py::t[a-go-clientv3-b]", "go-clientv3", "f.py::t[a-b]"),
        ("f.py::t", "go-clientv3", "f.py::t"),
    ],
)
def test_base_test_id_keeps_the_tests_own_parameters(nodeid, spec, base):
    assert caps.base_test_id(nodeid, spec) == base
