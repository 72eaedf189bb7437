"""Maintenance status: the SDK reports what the server reports to the oracle."""

from __future__ import annotations

import pytest

from etcdfit.matchers import ge, gt
from etcdfit.program import put, status


@pytest.mark.requires("status")
def test_status_reports_the_server_version(performer, oracle):
    want = oracle.status().version
    assert want, "the oracle got no server version"
    performer.run(status().expect(version=want))


@pytest.mark.requires("status")
def test_status_reports_leader_and_raft_index(performer, oracle):
    before = oracle.status()
    res = performer.run(status().expect(leader=gt(0), raft_index=ge(before.raftIndex), raft_term=gt(0)))
    # A single-member cluster: the leader is the member that answered.
    assert res[0].leader == before.leader
    assert res[0].raft_index > 0


@pytest.mark.requires("status")
def test_status_reports_a_database_size(performer, oracle):
    performer.run(status().expect(db_size=gt(0)))
    assert oracle.status().dbSize > 0


@pytest.mark.requires("status", "kv.put")
def test_status_raft_index_advances_after_a_write(performer, oracle, ns):
    res = performer.run(status(), put(ns.key("k"), "v"), status())
    assert res[2].raft_index > res[0].raft_index
