"""Leases: grant, time-to-live, revoke, list, keep-alive, and the errors for unknown ids.

No test waits for a lease to expire: TTLs are long and leases are revoked or left
to expire after the run.
"""

from __future__ import annotations

import secrets

import pytest

from etcdfit.matchers import between, ge, gt, unordered
from etcdfit.program import get, lease_grant, lease_keepalive_once, lease_leases, lease_revoke, lease_ttl, put

TTL = 60


def unused_lease_id(oracle) -> int:
    """A positive int64 lease id that the server does not know."""
    live = set(oracle.leases())
    while True:
        cand = secrets.randbits(62) | (1 << 61)
        if cand not in live:
            return cand


@pytest.mark.requires("lease.grant")
def test_grant_returns_an_id_and_ttl(performer, oracle):
    res = performer.run(lease_grant(TTL).expect(id=gt(0), ttl=ge(TTL)))
    lid = res[0].id
    assert lid in oracle.leases()
    live = oracle.lease_ttl(lid)
    assert live.grantedTTL == res[0].ttl
    assert 0 < live.TTL <= res[0].ttl
    oracle.lease_revoke(lid)


@pytest.mark.requires("lease.grant")
def test_two_grants_get_different_ids(performer, oracle):
    res = performer.run(lease_grant(TTL), lease_grant(TTL))
    assert res[0].id != res[1].id
    assert {res[0].id, res[1].id} <= set(oracle.leases())
    for r in res:
        oracle.lease_revoke(r.id)


@pytest.mark.requires("lease.grant", "lease.grant.id")
def test_grant_with_client_chosen_id(performer, oracle):
    want = unused_lease_id(oracle)
    performer.run(lease_grant(TTL, id=want).expect(id=want, ttl=ge(TTL)))
    assert oracle.lease_ttl(want).grantedTTL >= TTL
    oracle.lease_revoke(want)


@pytest.mark.requires("lease.grant", "lease.grant.id")
def test_grant_of_an_existing_id_is_lease_exists(performer, oracle):
    lid = oracle.lease_grant(TTL)
    performer.run(lease_grant(TTL * 2, id=lid).expect_error("LEASE_EXISTS"))
    assert oracle.lease_ttl(lid).grantedTTL == TTL  # the existing lease is untouched
    oracle.lease_revoke(lid)


@pytest.mark.requires("lease.ttl")
def test_time_to_live_reports_granted_and_remaining(performer, oracle):
    lid = oracle.lease_grant(TTL)
    performer.run(lease_ttl(lid).expect(id=lid, granted_ttl=TTL, ttl=between(1, TTL), keys=None))
    oracle.lease_revoke(lid)


@pytest.mark.requires("lease.ttl")
def test_time_to_live_without_keys_lists_no_keys(performer, oracle, ns):
    """LeaseTimeToLive lists the attached keys only when asked (found by the lockstep
    property test: an SDK that always asks reported them)."""
    lid = oracle.lease_grant(TTL)
    oracle.put(ns.key("a"), "1", lease=lid)
    performer.run(lease_ttl(lid).expect(id=lid, granted_ttl=TTL, keys=None))
    oracle.lease_revoke(lid)


@pytest.mark.requires("lease.ttl", "lease.ttl.keys")
def test_time_to_live_lists_attached_keys(performer, oracle, ns):
    lid = oracle.lease_grant(TTL)
    oracle.put(ns.key("a"), "1", lease=lid)
    oracle.put(ns.key("b"), "2", lease=lid)
    oracle.put(ns.key("c"), "3")  # no lease
    performer.run(lease_ttl(lid, keys=True).expect(
        id=lid, granted_ttl=TTL, keys=unordered([ns.key("a"), ns.key("b")])))
    oracle.lease_revoke(lid)


@pytest.mark.requires("lease.ttl")
def test_time_to_live_of_a_revoked_lease_is_minus_one(performer, oracle):
    lid = oracle.lease_grant(TTL)
    oracle.lease_revoke(lid)
    # etcd answers LeaseTimeToLive for an unknown lease with TTL -1, not an error.
    performer.run(lease_ttl(lid).expect(id=lid, ttl=-1))


@pytest.mark.requires("lease.revoke")
def test_revoke_deletes_attached_keys(performer, oracle, ns):
    lid = oracle.lease_grant(TTL)
    oracle.put(ns.key("a"), "1", lease=lid)
    oracle.put(ns.key("b"), "2", lease=lid)
    oracle.put(ns.key("keep"), "3")
    performer.run(lease_revoke(lid))
    assert oracle.keys(ns.key("")) == [ns.key("keep")]
    assert lid not in oracle.leases()
    assert oracle.lease_ttl(lid).TTL == -1


@pytest.mark.requires("lease.grant", "lease.revoke", "kv.put", "kv.put.lease", "kv.range")
def test_grant_put_revoke_through_the_sdk(performer, oracle, ns):
    k = ns.key("k")
    res = performer.run(lease_grant(TTL))
    lid = res[0].id
    performer.run(
        put(k, "v", lease=lid),
        get(k).expect(kvs=[{"key": k, "lease": lid}]),
        lease_revoke(lid),
        get(k).expect(kvs=None, count=0),
    )
    assert oracle.get(k) is None


@pytest.mark.requires("lease.revoke")
def test_revoke_unknown_lease_is_lease_not_found(performer, oracle):
    lid = unused_lease_id(oracle)
    performer.run(lease_revoke(lid).expect_error("LEASE_NOT_FOUND"))
    assert lid not in oracle.leases()


@pytest.mark.requires("lease.revoke")
def test_revoke_twice_is_lease_not_found(performer, oracle):
    lid = oracle.lease_grant(TTL)
    performer.run(lease_revoke(lid), lease_revoke(lid).expect_error("LEASE_NOT_FOUND"))
    assert lid not in oracle.leases()


@pytest.mark.requires("lease.grant", "lease.revoke")
def test_revoke_of_a_lease_revoked_elsewhere_is_lease_not_found(performer, oracle):
    # The SDK granted this lease, so it may keep state for it (a lease object, a
    # keep-alive); once another client revoked it, etcd answers "requested lease not
    # found" and the SDK must pass that on rather than report a successful revoke.
    [grant] = performer.run(lease_grant(TTL))
    oracle.lease_revoke(grant.id)
    performer.run(lease_revoke(grant.id).expect_error("LEASE_NOT_FOUND"))
    assert grant.id not in oracle.leases()


@pytest.mark.requires("kv.put", "kv.put.lease")
def test_put_with_unknown_lease_is_lease_not_found(performer, oracle, ns):
    k = ns.key("k")
    lid = unused_lease_id(oracle)
    r0 = oracle.revision()
    performer.run(put(k, "v", lease=lid).expect_error("LEASE_NOT_FOUND"))
    assert oracle.get(k) is None
    assert oracle.revision() == r0


@pytest.mark.requires("lease.leases")
def test_leases_lists_granted_ids(performer, oracle):
    a, b = oracle.lease_grant(TTL), oracle.lease_grant(TTL)
    res = performer.run(lease_leases())
    assert {a, b} <= set(res[0].ids)
    oracle.lease_revoke(a)
    res = performer.run(lease_leases())
    assert a not in res[0].ids and b in res[0].ids
    oracle.lease_revoke(b)


@pytest.mark.requires("lease.keepalive_once")
def test_keepalive_once_renews_the_lease(performer, oracle):
    lid = oracle.lease_grant(TTL)
    performer.run(lease_keepalive_once(lid).expect(id=lid, ttl=between(1, TTL)))
    live = oracle.lease_ttl(lid)
    assert live.grantedTTL == TTL and live.TTL > 0
    oracle.lease_revoke(lid)


@pytest.mark.requires("lease.keepalive_once")
def test_keepalive_once_of_an_unknown_lease_reports_it_gone(performer, oracle):
    # etcd answers a keep-alive for a lease it does not hold with TTL 0 and no gRPC
    # error. The SDK may pass that on (ok, TTL <= 0) or raise LEASE_NOT_FOUND (clientv3's
    # KeepAliveOnce does); it must not report a live lease or an unclassifiable error.
    lid = unused_lease_id(oracle)
    [ka] = performer.run(lease_keepalive_once(lid).allow_error())
    if ka.kind == "sdk_error":
        assert ka.code == "LEASE_NOT_FOUND", f"keep-alive of an unknown lease: {ka.describe()}"
    else:
        assert ka.kind == "ok", f"keep-alive of an unknown lease: {ka.describe()}"
        assert ka.ttl <= 0, f"keep-alive of an unknown lease reported it alive: {ka.describe()}"
    assert lid not in oracle.leases()
