"""KV conformance: put, range and delete, checked against etcd's documented semantics.

Every test arranges and/or verifies state with the oracle (the driver's own etcd
client), so a result is judged by what the server holds, not only by what the SDK
under test reports.
"""

from __future__ import annotations

import pytest

from etcdfit.matchers import ANY, ge, gt
from etcdfit.program import delete, get, put, txn

# ---------------------------------------------------------------- put


@pytest.mark.requires("kv.put", "kv.range")
def test_put_then_get_returns_the_value(performer, oracle, ns):
    k = ns.key("k")
    res = performer.run(
        put(k, "v1").expect(header={"present": True, "revision": gt(0)}),
        get(k).expect(kvs=[{"key": k, "value": "v1", "version": 1, "lease": 0}], count=1, more=False),
    )
    rev = res[0].header.revision
    assert res[1].kvs[0].create_revision == rev
    assert res[1].kvs[0].mod_revision == rev
    kv = oracle.get(k)
    assert kv is not None and kv.value == b"v1" and kv.mod_revision == rev


@pytest.mark.requires("kv.put")
def test_put_header_revision_increments_by_one_per_put(performer, oracle, ns):
    # Assumes nobody else writes to this etcd during the test (the embedded etcd
    # belongs to this worker; tests in one worker run one after another).
    r0 = oracle.revision()
    res = performer.run(
        put(ns.key("a"), "1").expect(header={"present": True, "revision": r0 + 1}),
        put(ns.key("b"), "2").expect(header={"present": True, "revision": r0 + 2}),
        put(ns.key("a"), "3").expect(header={"present": True, "revision": r0 + 3}),
    )
    assert res[2].header.revision == r0 + 3
    assert oracle.revision() == r0 + 3
    assert oracle.get(ns.key("a")).mod_revision == r0 + 3
    assert oracle.get(ns.key("b")).mod_revision == r0 + 2


@pytest.mark.requires("kv.put", "kv.range")
def test_version_and_revisions_after_several_puts(performer, oracle, ns):
    k = ns.key("k")
    res = performer.run(put(k, "v1"), put(k, "v2"), put(k, "v3"), get(k))
    first, last = res[0].header.revision, res[2].header.revision
    assert first < res[1].header.revision < last
    kv = res[3].kvs[0]
    assert (kv.value, kv.version, kv.create_revision, kv.mod_revision) == (b"v3", 3, first, last)
    o = oracle.get(k)
    assert (o.value, o.version, o.create_revision, o.mod_revision) == (b"v3", 3, first, last)


@pytest.mark.requires("kv.put", "kv.put.prev_kv")
def test_put_prev_kv_absent_for_new_key_and_present_after(performer, oracle, ns):
    k = ns.key("k")
    res = performer.run(
        put(k, "v1", prev_kv=True).expect(prev_kv=None),
        put(k, "v2", prev_kv=True).expect(prev_kv={"key": k, "value": "v1", "version": 1}),
    )
    assert res[1].prev_kv.mod_revision == res[0].header.revision
    assert oracle.value(k) == b"v2"


@pytest.mark.requires("kv.put", "kv.put.lease", "kv.range")
def test_put_with_lease_attaches_the_lease(performer, oracle, ns):
    k = ns.key("k")
    lease = oracle.lease_grant(60)
    performer.run(put(k, "v", lease=lease), get(k).expect(kvs=[{"key": k, "value": "v", "lease": lease}]))
    assert oracle.get(k).lease == lease
    assert k in oracle.lease_ttl(lease, keys=True).keys


@pytest.mark.requires("kv.put", "kv.put.ignore_value")
def test_put_ignore_value_keeps_the_value(performer, oracle, ns):
    k = ns.key("k")
    r = oracle.put(k, "kept").header.revision
    performer.run(put(k, ignore_value=True))
    kv = oracle.get(k)
    assert (kv.value, kv.version) == (b"kept", 2)
    assert kv.mod_revision > r


@pytest.mark.requires("kv.put", "kv.put.ignore_value")
def test_put_ignore_value_on_missing_key_is_key_not_found(performer, oracle, ns):
    k = ns.key("missing")
    r0 = oracle.revision()
    performer.run(put(k, ignore_value=True).expect_error("KEY_NOT_FOUND"))
    assert oracle.get(k) is None
    assert oracle.revision() == r0


@pytest.mark.requires("kv.put", "kv.put.lease", "kv.put.ignore_lease")
def test_put_ignore_lease_keeps_the_lease(performer, oracle, ns):
    k = ns.key("k")
    lease = oracle.lease_grant(60)
    oracle.put(k, "v1", lease=lease)
    performer.run(put(k, "v2", ignore_lease=True))
    kv = oracle.get(k)
    assert (kv.value, kv.version, kv.lease) == (b"v2", 2, lease)


@pytest.mark.requires("kv.put")
def test_put_without_lease_detaches_an_existing_lease(performer, oracle, ns):
    k = ns.key("k")
    lease = oracle.lease_grant(60)
    oracle.put(k, "v1", lease=lease)
    performer.run(put(k, "v2"))
    kv = oracle.get(k)
    assert (kv.value, kv.lease) == (b"v2", 0)
    assert k not in oracle.lease_ttl(lease, keys=True).keys


@pytest.mark.requires("kv.put")
def test_put_empty_key_is_empty_key(performer, oracle, ns):
    r0 = oracle.revision()
    performer.run(put(b"", "v").expect_error("EMPTY_KEY"))
    assert oracle.revision() == r0


@pytest.mark.requires("kv.put")
def test_put_empty_value_stores_an_empty_value(performer, oracle, ns):
    k = ns.key("k")
    performer.run(put(k, b""))
    kv = oracle.get(k)
    assert kv is not None and kv.value == b"" and kv.version == 1


@pytest.mark.requires("kv.put", "kv.range")
def test_binary_keys_and_values_round_trip(performer, oracle, ns):
    k = ns.key(b"\x00\xff\xfe\x80bin")
    v = b"\xff\x00\xc3\x28\xa0\xa1\x80"
    performer.run(put(k, v), get(k).expect(kvs=[{"key": k, "value": v}]))
    assert oracle.value(k) == v
    oracle.put(ns.key(b"\xc0\xaf"), b"\xfe\xff")
    performer.run(get(ns.key(b"\xc0\xaf")).expect(kvs=[{"key": ns.key(b"\xc0\xaf"), "value": b"\xfe\xff"}]))


# ---------------------------------------------------------------- range


@pytest.mark.requires("kv.range")
def test_get_missing_key_returns_nothing(performer, oracle, ns):
    oracle.put(ns.key("other"), "x")
    performer.run(get(ns.key("missing")).expect(kvs=None, count=0, more=False))


@pytest.mark.requires("kv.range")
def test_get_reports_what_the_oracle_wrote(performer, oracle, ns):
    k = ns.key("k")
    lease = oracle.lease_grant(60)
    oracle.put(k, "a")
    r = oracle.put(k, "b", lease=lease).header.revision
    created = oracle.get(k).create_revision
    performer.run(get(k).expect(
        kvs=[{"key": k, "value": "b", "version": 2, "create_revision": created, "mod_revision": r, "lease": lease}],
        count=1, header={"revision": ge(r)}))


@pytest.mark.requires("kv.range", "kv.range.prefix")
def test_prefix_range_returns_only_keys_with_the_prefix(performer, oracle, ns):
    for name in ("p", "p/a", "p/b", "p/c/d", "q", "p0"):
        oracle.put(ns.key(name), name)
    performer.run(get(ns.key("p/"), prefix=True).expect(
        kvs=[{"key": ns.key("p/a"), "value": "p/a"}, {"key": ns.key("p/b")}, {"key": ns.key("p/c/d")}],
        count=3, more=False))


@pytest.mark.requires("kv.range", "kv.range.prefix")
def test_prefix_range_with_trailing_0xff_byte(performer, oracle, ns):
    # etcd's prefix end for ...\xff is ...\x00+1 of the previous byte: "p\xff" -> "q".
    inside = [ns.key(b"p\xff"), ns.key(b"p\xff\x00"), ns.key(b"p\xff\xff\xff")]
    outside = [ns.key(b"p"), ns.key(b"p\xfe\xff"), ns.key(b"q")]
    for k in inside + outside:
        oracle.put(k, "x")
    performer.run(get(ns.key(b"p\xff"), prefix=True).expect(kvs=[{"key": k} for k in inside], count=3))


@pytest.mark.requires("kv.range", "kv.range.prefix", "kv.range.keys_only")
def test_prefix_of_the_empty_key_reads_every_key(performer, oracle, ns):
    # etcd's convention (clientv3 WithPrefix, `etcdctl get "" --prefix`): the prefix ""
    # is the range key "\0", range_end "\0", i.e. every key. Other tests' keys are there
    # too, so assert only that ours are; keys_only keeps the answer small.
    mine = [ns.key("a"), ns.key(b"\xff")]
    for k in mine:
        oracle.put(k, "x")
    [res] = performer.run(get(b"", prefix=True, keys_only=True))
    seen = {kv.key for kv in res.kvs}
    assert set(mine) <= seen, f"the empty prefix missed keys of this test: {sorted(set(mine) - seen)}"
    assert len(seen) == len(res.kvs), "a key was returned twice"


@pytest.mark.requires("kv.range", "kv.range.range_end")
def test_explicit_range_end_is_half_open(performer, oracle, ns):
    for name in ("a", "b", "bb", "c", "d"):
        oracle.put(ns.key(name), name)
    performer.run(get(ns.key("b"), range_end=ns.key("d")).expect(
        kvs=[{"key": ns.key("b")}, {"key": ns.key("bb")}, {"key": ns.key("c")}], count=3))


@pytest.mark.requires("kv.range", "kv.range.from_key", "kv.range.limit")
def test_from_key_with_limit_starts_at_the_key(performer, oracle, ns):
    for name in ("a", "b", "c", "d"):
        oracle.put(ns.key(name), name)
    # Keys of other tests may sort after ours, so only the first two are certain.
    res = performer.run(get(ns.key("b"), from_key=True, limit=2).expect(
        kvs=[{"key": ns.key("b"), "value": "b"}, {"key": ns.key("c"), "value": "c"}], more=True))
    assert res[0].count >= 3


@pytest.mark.requires("kv.range", "kv.range.prefix", "kv.range.limit")
def test_limit_reports_more_and_full_count(performer, oracle, ns):
    for name in ("a", "b", "c", "d", "e"):
        oracle.put(ns.key(name), name)
    performer.run(
        get(ns.key(""), prefix=True, limit=2).expect(
            kvs=[{"key": ns.key("a")}, {"key": ns.key("b")}], more=True, count=5),
        get(ns.key(""), prefix=True, limit=5).expect(kvs=[ANY] * 5, more=False, count=5),
    )


@pytest.mark.requires("kv.range", "kv.range.revision")
def test_range_at_past_revision_reads_history(performer, oracle, ns):
    k = ns.key("k")
    r1 = oracle.put(k, "v1").header.revision
    r2 = oracle.put(k, "v2").header.revision
    r3 = oracle.delete(k).header.revision
    performer.run(
        get(k, revision=r1).expect(kvs=[{"value": "v1", "version": 1, "mod_revision": r1}]),
        get(k, revision=r2).expect(kvs=[{"value": "v2", "version": 2, "mod_revision": r2, "create_revision": r1}]),
        get(k, revision=r3).expect(kvs=None, count=0),
        get(k, revision=r1 - 1).expect(kvs=None, count=0),
    )


@pytest.mark.requires("kv.range", "kv.range.prefix", "kv.range.revision")
def test_prefix_range_at_past_revision(performer, oracle, ns):
    oracle.put(ns.key("a"), "1")
    r = oracle.put(ns.key("b"), "1").header.revision
    oracle.put(ns.key("c"), "1")
    oracle.put(ns.key("a"), "2")
    performer.run(get(ns.key(""), prefix=True, revision=r).expect(
        kvs=[{"key": ns.key("a"), "value": "1"}, {"key": ns.key("b"), "value": "1"}], count=2))


def _sort_fixture(oracle, ns):
    """Three keys whose five sort orders (ascending) are all different.

    key: a b c | version: c(1) b(2) a(3) | create: b c a | mod: c a b | value: b a c
    """
    oracle.put(ns.key("b"), "v1")
    oracle.put(ns.key("c"), "v3")
    oracle.put(ns.key("a"), "v2")
    oracle.put(ns.key("a"), "v2")
    oracle.put(ns.key("a"), "v2")
    oracle.put(ns.key("b"), "v1")


ASCENDING = {"key": "abc", "version": "cba", "create": "bca", "mod": "cab", "value": "bac"}


@pytest.mark.requires("kv.range", "kv.range.prefix", "kv.range.sort")
@pytest.mark.parametrize("order", ["ascend", "descend"])
@pytest.mark.parametrize("target", list(ASCENDING))
def test_sort_by_each_target_and_order(performer, oracle, ns, target, order):
    _sort_fixture(oracle, ns)
    names = ASCENDING[target] if order == "ascend" else ASCENDING[target][::-1]
    performer.run(get(ns.key(""), prefix=True, sort_target=target, sort_order=order).expect(
        kvs=[{"key": ns.key(n)} for n in names], count=3))


@pytest.mark.requires("kv.range", "kv.range.prefix", "kv.range.sort")
@pytest.mark.parametrize("target", ["version", "create", "mod", "value"])
def test_sort_target_without_an_order_sorts_ascending_by_that_target(performer, oracle, ns, target):
    """etcd sorts ascending by a sort target given without an order (found by the lockstep
    property test: three performers dropped the target and returned key order)."""
    _sort_fixture(oracle, ns)
    performer.run(get(ns.key(""), prefix=True, sort_target=target, sort_order="none").expect(
        kvs=[{"key": ns.key(n)} for n in ASCENDING[target]], count=3))


@pytest.mark.requires("kv.range", "kv.range.sort")
@pytest.mark.parametrize("order", ["ascend", "descend"])
def test_sort_on_one_key_reads_only_that_key(performer, oracle, ns, order):
    """A single-key read stays a single-key read when it asks for a sort order (found by the
    lockstep property test over ExecuteSession: one performer read every key from that key
    on, as it once did for keys_only and count_only below)."""
    for name in ("a", "a0", "b"):
        oracle.put(ns.key(name), name)
    performer.run(get(ns.key("a"), sort_order=order).expect(kvs=[{"key": ns.key("a"), "value": "a"}], count=1))


@pytest.mark.requires("kv.range", "kv.range.sort", "txn")
def test_sort_on_one_key_inside_a_txn_reads_only_that_key(performer, oracle, ns):
    for name in ("a", "a0", "b"):
        oracle.put(ns.key(name), name)
    performer.run(txn(compares=[], success=[get(ns.key("a"), sort_order="ascend")]).expect(
        succeeded=True, responses=[{"range": {"kvs": [{"key": ns.key("a"), "value": "a"}], "count": 1}}]))


@pytest.mark.requires("kv.range", "kv.range.keys_only")
def test_keys_only_on_one_key_reads_only_that_key(performer, oracle, ns):
    """A single-key read stays a single-key read with keys_only (found by the lockstep
    property test: one performer read every key from that key on)."""
    for name in ("a", "a0", "b"):
        oracle.put(ns.key(name), name)
    performer.run(get(ns.key("a"), keys_only=True).expect(kvs=[{"key": ns.key("a"), "value": None}]))


@pytest.mark.requires("kv.range", "kv.range.count_only")
def test_count_only_on_one_key_counts_only_that_key(performer, oracle, ns):
    for name in ("a", "a0", "b"):
        oracle.put(ns.key(name), name)
    performer.run(get(ns.key("a"), count_only=True).expect(count=1, kvs=[]))


@pytest.mark.requires("kv.range", "kv.range.prefix", "kv.range.sort", "kv.range.limit")
def test_sort_descending_with_limit_takes_from_the_end(performer, oracle, ns):
    for name in ("a", "b", "c", "d"):
        oracle.put(ns.key(name), name)
    performer.run(get(ns.key(""), prefix=True, sort_target="key", sort_order="descend", limit=2).expect(
        kvs=[{"key": ns.key("d")}, {"key": ns.key("c")}], more=True, count=4))


@pytest.mark.requires("kv.range", "kv.range.prefix", "kv.range.keys_only")
def test_keys_only_returns_keys_without_values(performer, oracle, ns):
    oracle.put(ns.key("a"), "value-a")
    oracle.put(ns.key("b"), "value-b")
    res = performer.run(get(ns.key(""), prefix=True, keys_only=True).expect(
        kvs=[{"key": ns.key("a"), "value": None, "version": 1}, {"key": ns.key("b"), "value": None, "version": 1}],
        count=2))
    assert all(kv.mod_revision > 0 for kv in res[0].kvs)


@pytest.mark.requires("kv.range", "kv.range.prefix", "kv.range.count_only")
def test_count_only_returns_the_count_without_kvs(performer, oracle, ns):
    for name in ("a", "b", "c"):
        oracle.put(ns.key(name), name)
    performer.run(get(ns.key(""), prefix=True, count_only=True).expect(kvs=None, count=3))


@pytest.mark.requires("kv.range", "kv.range.serializable")
def test_serializable_get_reads_the_value(performer, oracle, ns):
    k = ns.key("k")
    r = oracle.put(k, "v").header.revision
    # A single-member cluster has applied every acknowledged write locally.
    performer.run(get(k, serializable=True).expect(kvs=[{"key": k, "value": "v", "mod_revision": r}], count=1))


def _filter_fixture(oracle, ns) -> tuple[int, int, int, int]:
    """a, b, c created in order, then a modified: create a<b<c, mod b<c<a."""
    ra = oracle.put(ns.key("a"), "1").header.revision
    rb = oracle.put(ns.key("b"), "1").header.revision
    rc = oracle.put(ns.key("c"), "1").header.revision
    ra2 = oracle.put(ns.key("a"), "2").header.revision
    return ra, rb, rc, ra2


@pytest.mark.requires("kv.range", "kv.range.prefix", "kv.range.mod_revision_filter")
def test_min_and_max_mod_revision_filters(performer, oracle, ns):
    ra, rb, rc, ra2 = _filter_fixture(oracle, ns)
    performer.run(
        get(ns.key(""), prefix=True, min_mod_revision=rc).expect(kvs=[{"key": ns.key("a")}, {"key": ns.key("c")}]),
        get(ns.key(""), prefix=True, max_mod_revision=rc).expect(kvs=[{"key": ns.key("b")}, {"key": ns.key("c")}]),
        get(ns.key(""), prefix=True, min_mod_revision=rb, max_mod_revision=rb).expect(kvs=[{"key": ns.key("b")}]),
    )


@pytest.mark.requires("kv.range", "kv.range.prefix", "kv.range.create_revision_filter")
def test_min_and_max_create_revision_filters(performer, oracle, ns):
    ra, rb, rc, ra2 = _filter_fixture(oracle, ns)
    performer.run(
        get(ns.key(""), prefix=True, min_create_revision=rb).expect(kvs=[{"key": ns.key("b")}, {"key": ns.key("c")}]),
        get(ns.key(""), prefix=True, max_create_revision=rb).expect(kvs=[{"key": ns.key("a")}, {"key": ns.key("b")}]),
        get(ns.key(""), prefix=True, max_create_revision=ra).expect(kvs=[{"key": ns.key("a"), "value": "2"}]),
    )


# ---------------------------------------------------------------- delete


@pytest.mark.requires("kv.delete")
def test_delete_single_key(performer, oracle, ns):
    oracle.put(ns.key("k"), "v")
    oracle.put(ns.key("k2"), "v")
    performer.run(delete(ns.key("k")).expect(deleted=1, prev_kvs=None))
    assert oracle.get(ns.key("k")) is None
    assert oracle.value(ns.key("k2")) == b"v"


@pytest.mark.requires("kv.delete")
def test_delete_missing_key_deletes_nothing(performer, oracle, ns):
    oracle.put(ns.key("other"), "v")
    r0 = oracle.revision()
    performer.run(delete(ns.key("missing")).expect(deleted=0))
    assert oracle.revision() == r0
    assert oracle.value(ns.key("other")) == b"v"


@pytest.mark.requires("kv.delete", "kv.delete.prev_kv")
def test_delete_prev_kv_returns_the_deleted_pair(performer, oracle, ns):
    k = ns.key("k")
    oracle.put(k, "v1")
    r = oracle.put(k, "v2").header.revision
    performer.run(delete(k, prev_kv=True).expect(
        deleted=1, prev_kvs=[{"key": k, "value": "v2", "version": 2, "mod_revision": r}]))
    assert oracle.get(k) is None


@pytest.mark.requires("kv.delete", "kv.delete.range")
def test_delete_prefix(performer, oracle, ns):
    for name in ("p/a", "p/b", "p/c", "p", "q"):
        oracle.put(ns.key(name), name)
    performer.run(delete(ns.key("p/"), prefix=True).expect(deleted=3))
    assert oracle.keys(ns.key("")) == [ns.key("p"), ns.key("q")]


@pytest.mark.requires("kv.delete", "kv.delete.range")
def test_delete_range_end_is_half_open(performer, oracle, ns):
    for name in ("a", "b", "c", "d"):
        oracle.put(ns.key(name), name)
    performer.run(delete(ns.key("b"), range_end=ns.key("d")).expect(deleted=2))
    assert oracle.keys(ns.key("")) == [ns.key("a"), ns.key("d")]


@pytest.mark.requires("kv.delete", "kv.delete.range", "kv.delete.prev_kv")
def test_delete_prefix_with_prev_kv_returns_all_deleted(performer, oracle, ns):
    for name in ("a", "b"):
        oracle.put(ns.key(name), "val-" + name)
    res = performer.run(delete(ns.key(""), prefix=True, prev_kv=True).expect(deleted=2))
    got = sorted((kv.key, kv.value) for kv in res[0].prev_kvs)
    assert got == [(ns.key("a"), b"val-a"), (ns.key("b"), b"val-b")]
    assert oracle.keys(ns.key("")) == []


@pytest.mark.requires("kv.delete", "kv.delete.range")
def test_delete_prefix_is_one_revision(performer, oracle, ns):
    for name in ("a", "b", "c"):
        oracle.put(ns.key(name), name)
    r0 = oracle.revision()
    performer.run(delete(ns.key(""), prefix=True).expect(deleted=3))
    # Deleting several keys is one write: all three vanish at the same new revision.
    r1 = oracle.range(ns.key(""), prefix=True, revision=r0)
    assert len(r1.kvs) == 3
    assert oracle.range(ns.key(""), prefix=True).count == 0
    assert oracle.range(ns.key(""), prefix=True, revision=r0 + 1).count == 0


@pytest.mark.requires("kv.put", "kv.delete", "kv.range")
def test_recreated_key_starts_a_new_version_history(performer, oracle, ns):
    k = ns.key("k")
    res = performer.run(put(k, "v1"), put(k, "v2"), delete(k).expect(deleted=1), put(k, "v3"),
                        get(k).expect(kvs=[{"value": "v3", "version": 1}]))
    assert res[4].kvs[0].create_revision == res[3].header.revision
    kv = oracle.get(k)
    assert (kv.version, kv.create_revision) == (1, res[3].header.revision)
