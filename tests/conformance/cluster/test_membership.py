"""Membership and catch-up: a member removed and added back (a new id, an empty data dir), and a
member that fell so far behind that the leader must send it a snapshot.

The SDK has every member's endpoint; what it reads through the member that came back must be
what the cluster holds (and the members' HashKV must agree afterwards, session.py).
"""

from __future__ import annotations

import threading
import time

import pytest

from etcdfit.errors import ExpectationFailed
from etcdfit.outcomes import Kind, Problem
from etcdfit.program import get, put

pytestmark = pytest.mark.server(topology="cluster")

DIAL_MS, REQUEST_MS = 1000, 3000
SNAPSHOT_COUNT = 100            # the lab's members snapshot every 100 applied entries ...
CATCH_UP_ENTRIES = 5000         # ... and keep etcd's default 5000 entries for slow followers
BEHIND = CATCH_UP_ENTRIES + 3 * SNAPSHOT_COUNT
WRITER_THREADS = 8
CATCH_UP_BOUND_S = 20.0


def _fail(what: str, expected: str, actual: str) -> None:
    raise ExpectationFailed(f"{what}: expected {expected}, got {actual}",
                            [Problem(Kind.VALUE_MISMATCH, what, expected=expected, actual=actual)])


@pytest.mark.requires("kv.put", "kv.range", "kv.range.prefix")
def test_a_member_removed_and_added_back_serves_what_the_cluster_holds(performer, cluster_lab, ns):
    lab = cluster_lab
    sdk = performer.connect(lab.endpoints, dial_timeout_ms=DIAL_MS, request_timeout_ms=REQUEST_MS)
    [first] = sdk.run(put(ns.key("a"), "before"))
    serving = (lab.member_ids.index(first.header.member_id)
               if first.header.present and first.header.member_id in lab.member_ids else 0)
    # a follower the SDK is not talking to: this test is about membership, not failover
    lead = lab.leader()
    victim = next(i for i in range(lab.size) if i not in (lead, serving))
    old_id = lab.member_ids[victim]
    lab.remove_member(victim)
    sdk.run(put(ns.key("b"), "while removed"))    # the SDK goes on with two members
    lab.add_member(victim)
    if lab.member_ids[victim] == old_id:
        _fail("the re-added member's id", "a new one", f"{old_id:x} again")
    one = performer.connect([lab.endpoints[victim]], dial_timeout_ms=DIAL_MS, request_timeout_ms=REQUEST_MS)
    one.run(get(ns.key(""), prefix=True).expect(kvs=[{"key": ns.key("a"), "value": "before"},
                                                    {"key": ns.key("b"), "value": "while removed"}]))
    sdk.run(put(ns.key("c"), "after"))
    one.run(get(ns.key("c"), serializable=False).expect(kvs=[{"value": "after"}]))


@pytest.mark.cluster_lab(snapshot_count=SNAPSHOT_COUNT)
@pytest.mark.requires("kv.put", "kv.range", "kv.range.serializable")
def test_a_member_that_needs_a_snapshot_catches_up_and_serves_the_latest_value(performer, cluster_lab, ns):
    lab = cluster_lab
    f = lab.follower()
    sdk = performer.connect([lab.endpoints[f]], dial_timeout_ms=DIAL_MS, request_timeout_ms=REQUEST_MS)
    sdk.run(put(ns.key("k"), "before"))
    lab.isolate(f)
    oracle = lab.healthy_oracle()
    errors: list[BaseException] = []

    def writes(t: int) -> None:
        try:
            for n in range(t, BEHIND, WRITER_THREADS):
                oracle.put(ns.key(f"fill/{n % 50}"), str(n))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=writes, args=(t,)) for t in range(WRITER_THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    if errors:
        raise errors[0]
    latest = oracle.put(ns.key("k"), "after").header.revision
    lab.heal()
    deadline = time.monotonic() + CATCH_UP_BOUND_S
    while lab.oracle(f).status().header.revision < latest and time.monotonic() < deadline:
        time.sleep(0.2)
    log = lab.cluster.members[f].log
    received = [line for line in (log.read_text(errors="replace").splitlines() if log else [])
                if "incoming raft snapshot" in line.lower() or "restored snapshot" in line]
    print(f"member {f} behind by {BEHIND + 1} entries; caught up to {lab.oracle(f).status().header.revision} "
          f"(cluster at {latest}); snapshot lines in its log: {len(received)}"
          + (f", first: {received[0][:160]}" if received else ""))
    sdk.run(get(ns.key("k"), serializable=True).expect(kvs=[{"value": "after", "mod_revision": latest}]))
