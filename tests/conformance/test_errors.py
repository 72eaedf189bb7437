"""Error mapping: each etcd error reaches the test as its canonical code, and the
failed request wrote nothing (checked with the oracle).
"""

from __future__ import annotations

import secrets

import pytest

from etcdfit.program import delete, get, put, txn, value

MIB = 1024 * 1024


@pytest.mark.requires("kv.put")
def test_value_over_the_request_limit_is_request_too_large(performer, oracle, ns):
    # etcd's default --max-request-bytes is 1.5 MiB; 1.6 MiB still fits gRPC's own
    # limit on the server (max-request-bytes + 512 KiB), so etcd itself rejects it.
    k = ns.key("big")
    r0 = oracle.revision()
    performer.run(put(k, b"x" * int(1.6 * MIB)).expect_error("REQUEST_TOO_LARGE"))
    assert oracle.get(k) is None
    assert oracle.revision() == r0


@pytest.mark.requires("kv.put")
def test_value_under_the_request_limit_is_accepted(performer, oracle, ns):
    k = ns.key("big")
    v = secrets.token_bytes(1 * MIB)
    performer.run(put(k, v))
    assert oracle.value(k) == v


@pytest.mark.requires("txn")
def test_too_many_ops_in_the_failure_branch(performer, oracle, ns):
    # etcd counts each branch against --max-txn-ops (128), even the one not taken.
    ops = [put(ns.key(f"f{i:03d}"), "x") for i in range(129)]
    r0 = oracle.revision()
    performer.run(txn([value(ns.key("nope")) == "x"], success=[put(ns.key("s"), "x")], failure=ops)
                  .expect_error("TOO_MANY_OPS"))
    assert oracle.keys(ns.key("")) == []
    assert oracle.revision() == r0


@pytest.mark.requires("txn", "kv.put.lease")
def test_unknown_lease_in_txn_put_is_lease_not_found(performer, oracle, ns):
    live = set(oracle.leases())
    lid = next(c for c in iter(lambda: secrets.randbits(62) | (1 << 61), None) if c not in live)
    r0 = oracle.revision()
    performer.run(txn(success=[put(ns.key("a"), "1"), put(ns.key("b"), "2", lease=lid)])
                  .expect_error("LEASE_NOT_FOUND"))
    assert oracle.keys(ns.key("")) == []  # the whole txn was rejected, not just the op
    assert oracle.revision() == r0


@pytest.mark.requires("kv.range")
def test_get_empty_key_is_empty_key(performer, oracle, ns):
    performer.run(get(b"").expect_error("EMPTY_KEY"))


@pytest.mark.requires("kv.delete")
def test_delete_empty_key_is_empty_key(performer, oracle, ns):
    oracle.put(ns.key("k"), "v")
    r0 = oracle.revision()
    performer.run(delete(b"").expect_error("EMPTY_KEY"))
    assert oracle.revision() == r0
    assert oracle.value(ns.key("k")) == b"v"


@pytest.mark.requires("txn")
def test_empty_key_in_txn_is_empty_key(performer, oracle, ns):
    r0 = oracle.revision()
    performer.run(txn(success=[put(ns.key("a"), "1"), put(b"", "2")]).expect_error("EMPTY_KEY"))
    assert oracle.keys(ns.key("")) == []
    assert oracle.revision() == r0


@pytest.mark.requires("txn", "kv.range.revision")
def test_future_revision_in_txn_range_is_future_revision(performer, oracle, ns):
    oracle.put(ns.key("r"), "x")
    r0 = oracle.revision()
    performer.run(txn(success=[put(ns.key("w"), "1"), get(ns.key("r"), revision=r0 + 1000)])
                  .expect_error("FUTURE_REVISION"))
    assert oracle.get(ns.key("w")) is None
    assert oracle.revision() == r0


@pytest.mark.requires("kv.put", "kv.range")
def test_client_stays_usable_after_an_error(performer, oracle, ns):
    # A failed request leaves the client usable: the next commands still run.
    k = ns.key("k")
    performer.run(
        put(b"", "x").expect_error("EMPTY_KEY"),
        put(k, "after"),
        get(k).expect(kvs=[{"value": "after"}]),
    )
    assert oracle.value(k) == b"after"
