"""Server behaviours the connection-fault work looks at, on the session's own server: a watch at
the compaction revision, a watch on a future revision, TTLs below the server's minimum, and
whether the SDK surfaces etcd's errors as its own types.

etcd fixed two watch bugs late: a watch opened at the compaction revision missed the delete
at that revision (issue 18089, fixed on release-3.5 in August 2024, so 3.5.17 delivers it; the
same miss after a compaction interrupted by a crash, issue 19179, was fixed in 3.5.18 and 3.4.36
and is not reproduced here, see docs/findings.md), and a watch on a future revision received
progress notifications (and, against several members, events) below its start revision (fixed
in 3.5.22, 3.6.2 and 3.4.38). Both were seen here: etcd 3.4.23 and 3.5.1 give no delete event
and progress notifications at the current revision, 3.5.35 and 3.6.16 neither. The servers etcdfit lists that predate the fixes
carry them as known server failures (capabilities/known-failures/etcd@VERSION.txt)."""

from __future__ import annotations

import time

import pytest

from etcdfit.matchers import Matcher, ge
from etcdfit.oracle import OracleError
from etcdfit.program import delete, get, lease_grant, lease_revoke, put, txn, watch_collect, watch_start


def _compacted_on_every_member(etcd, revision: int, bound_s: float = 10.0) -> None:
    """On a cluster, a compaction is applied by each member on its own: wait (bounded) until every
    member refuses a read below `revision`, so the watch meets a compacted store wherever the SDK
    sends it (else the outcome would depend on which member it reached first)."""
    if not hasattr(etcd, "oracle"):
        return   # one member: the compaction answered by it is the one the watch meets
    for i in range(len(etcd.members)):
        deadline = time.monotonic() + bound_s
        while True:
            try:
                etcd.oracle(i).range(b"\0", revision=revision - 1)
            except OracleError as exc:
                if "compacted" in str(exc):
                    break
                raise
            if time.monotonic() > deadline:
                raise AssertionError(f"member {i} had not applied the compaction at {revision} after {bound_s:g}s")
            time.sleep(0.05)


@pytest.mark.requires("watch.start_revision")
def test_a_watch_opened_at_a_compaction_revision_that_is_a_delete_delivers_the_delete(performer, oracle, etcd, ns):
    k = ns.key("k")
    oracle.put(k, "v")
    deleted = oracle.delete(k).header.revision
    oracle.compact(deleted)
    _compacted_on_every_member(etcd, deleted)
    performer.run(watch_start("w", k, start_revision=deleted))
    performer.run(watch_collect("w", 1, timeout_ms=3000).expect(events=[
        {"type": "DELETE", "kv": {"key": k, "mod_revision": deleted}}]))


@pytest.mark.server(progress_notify=True)
@pytest.mark.requires("watch.start_revision", "watch.progress_notify")
def test_a_watch_on_a_future_revision_delivers_nothing_below_it(performer, oracle, ns):
    k = ns.key("k")
    future = oracle.revision() + 10
    performer.run(watch_start("w", k, start_revision=future, progress_notify=True))
    for i in range(3):  # revisions well below `future`
        oracle.put(k, f"early{i}")
    # nothing below the start revision: no event, and no progress notification either (a
    # notification at revision R tells the watcher it has seen everything up to R)
    at_or_above = Matcher(f"every revision >= {future}", lambda revs: all(r >= future for r in revs))
    performer.run(watch_collect("w", 0, timeout_ms=2500).expect(events=[], progress_revisions=at_or_above))
    while oracle.revision() < future:
        oracle.put(ns.key("filler"), "x")
    at = oracle.put(k, "late").header.revision
    performer.run(watch_collect("w", 1, timeout_ms=5000).expect(events=[
        {"type": "PUT", "kv": {"key": k, "value": "late", "mod_revision": at}}]))


@pytest.mark.requires("lease.grant", "lease.ttl")
def test_a_ttl_below_the_server_minimum_is_raised(performer, oracle):
    # etcd's minimum TTL is ceil(1.5 x election timeout) = 2 s with the default 1 s election timeout
    [grant] = performer.run(lease_grant(1).expect(ttl=ge(2)))
    assert oracle.lease_ttl(grant.id).grantedTTL == grant.ttl
    oracle.lease_revoke(grant.id)


def _typed(result) -> None:
    raw = result.error.sdk_type if result.error else "-"
    assert result.error is not None and result.error.typed, (
        f"{result.cmd.name}: the SDK let a raw error through ({raw}), not one of its own error types")


@pytest.mark.requires("errors.typed", "lease.revoke")
def test_lease_not_found_arrives_as_the_sdks_own_error_type(performer):
    [res] = performer.run(lease_revoke(0x7E7CF17).expect_error("LEASE_NOT_FOUND"))
    _typed(res)


@pytest.mark.requires("errors.typed", "kv.range.revision")
def test_future_revision_arrives_as_the_sdks_own_error_type(performer, oracle, ns):
    [res] = performer.run(get(ns.key("k"), revision=oracle.revision() + 1000).expect_error("FUTURE_REVISION"))
    _typed(res)


@pytest.mark.requires("txn", "kv.delete.range", "kv.put.ignore_value")
def test_a_txn_that_deletes_a_key_then_puts_it_with_ignore_value_leaves_the_server_running(performer, fault, ns):
    """Found by the model-vs-etcd property test: etcd validates ignore_value against the state
    before the txn, the from-key delete is not counted as touching the key (its range end "\\0"
    looks empty to the duplicate-key check), and the put then finds no key while applying.
    Runs on the fault lab's own server: on the affected releases the server dies, and the entry
    in its log kills it again on every restart."""
    sdk = performer.connect(fault.endpoints, dial_timeout_ms=1000, request_timeout_ms=3000)
    fault.oracle.put(ns.key("b"), "x")
    # range_end "\0" is every key from `a` on (what a from-key helper sends), written out so
    # every SDK with explicit ranges can send it
    [res] = sdk.run(txn([], success=[delete(ns.key("a"), range_end=b"\0"), put(ns.key("b"), ignore_value=True)])
                    .allow_error())
    assert res.kind != "harness_error", f"the performer could not send the txn: {res.describe()}"
    problem = fault.server.health()
    assert problem is None, f"one client txn crashed etcd: {problem.splitlines()[0]}"
