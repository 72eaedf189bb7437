"""Server requirements: version range and topology, evaluated like capabilities."""

from types import SimpleNamespace

import pytest

from etcdfit.errors import ConfigError
from etcdfit.servers.requirements import unmet, version_tuple

ONE = ["http://127.0.0.1:1"]


@pytest.mark.parametrize(
    "version, kwargs, reasons",
    [
        ("3.5.1", {}, []),
        ("3.5.1", {"min_version": "3.5"}, []),
        ("3.4.23", {"min_version": "3.5"}, ["etcd 3.4.23 is older than the test's min_version 3.5"]),
        ("3.5.35", {"max_version": "3.5"}, []),
        ("3.6.0", {"max_version": "3.5"}, ["etcd 3.6.0 is newer than the test's max_version 3.5"]),
        ("3.6.16", {"min_version": "3.5", "max_version": "3.6"}, []),
        ("3.5.1", {"topology": "cluster"}, ["the test needs a 3-member cluster (--topology cluster3); this run's etcd has 1 member(s)"]),
    ],
)
def test_unmet(version, kwargs, reasons):
    assert unmet(SimpleNamespace(version=version, endpoints=ONE), **kwargs) == reasons


@pytest.mark.parametrize(
    "interval, reasons",
    [
        (1.0, []),
        (None, [("the test waits for watch progress notifications, so it needs a progress-notify interval "
                 "of at most 2s; this run's etcd has an unknown one (it was not started by etcdfit)")]),
        (600.0, [("the test waits for watch progress notifications, so it needs a progress-notify interval "
                  "of at most 2s; this run's etcd has 600s")]),
    ],
)
def test_progress_notify_needs_a_short_known_interval(interval, reasons):
    server = SimpleNamespace(version="3.5.1", endpoints=ONE, progress_notify_interval=interval)
    assert unmet(server, progress_notify=True) == reasons
    assert unmet(server) == []


def test_bad_values_are_errors():
    with pytest.raises(ConfigError, match="not a version"):
        version_tuple("three")
    with pytest.raises(ConfigError, match="topology 'ring'"):
        unmet(SimpleNamespace(version="3.5.1", endpoints=ONE), topology="ring")


def test_server_marker_skips_with_reason(pytester):
    pytester.makepyfile(test_it="""
import pytest
from etcdfit.program import put

@pytest.mark.server(min_version="9.0")
def test_future_server(performer, ns):
    performer.run(put(ns.key("a"), "v"))

@pytest.mark.server(max_version="3.5")
def test_old_enough(performer, ns):
    performer.run(put(ns.key("a"), "v"))
""")
    from pathlib import Path

    root = Path(__file__).parent / "performers"
    result = pytester.runpytest_subprocess(f"--performers-root={root}", "--performer=raw-grpc", "-rs")
    result.assert_outcomes(passed=1, skipped=1)
    result.stdout.fnmatch_lines(["*etcd 3.5.1 is older than the test's min_version 9.0*"])
