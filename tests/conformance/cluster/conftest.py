"""Cluster tests: every test here needs `server(topology="cluster")`, i.e. `--topology cluster3`.

After every test the members' stores are compared: each member's HashKV at one revision (the
last committed one, read through a quorum) must be the same.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from etcdfit.errors import ExpectationFailed
from etcdfit.outcomes import Kind, Problem


@pytest.fixture(autouse=True)
def members_agree(cluster) -> Iterator[None]:
    """After the test: HashKV agrees across members at the same revision (a mismatch fails the
    test, naming each member, its hash and the revision)."""
    yield
    revision = cluster.oracle(0).revision()
    for i in range(len(cluster.members)):
        cluster.oracle(i).revision()   # a linearizable read: member i has applied `revision` too
    hashes = {i: cluster.hashkv(i, revision) for i in range(len(cluster.members))}
    if len({h.hash for h in hashes.values()}) != 1:
        shown = ", ".join(f"member {i} ({cluster.members[i].endpoints[0]}): hash {h.hash} "
                          f"(compact revision {h.compact_revision})" for i, h in hashes.items())
        raise ExpectationFailed(
            f"the members' stores differ at revision {revision}: {shown}",
            [Problem(Kind.VALUE_MISMATCH, f"HashKV at revision {revision}", expected="the same hash on every member",
                     actual=shown, command="hashkv")])
