"""Transactions: compares on every target, branch selection, per-op responses, limits.

The branch a txn took is checked twice: the SDK's `succeeded` flag, and which
marker key the oracle finds written afterwards.
"""

from __future__ import annotations

import pytest

from etcdfit.matchers import ANY
from etcdfit.program import (
    compare,
    create_revision,
    delete,
    get,
    lease_of,
    mod_revision,
    put,
    txn,
    value,
    version,
)


def _branch_txn(ns, cmp):
    """A txn writing ns/branch = "success" or "failure" depending on `cmp`."""
    return txn([cmp], success=[put(ns.key("branch"), "success")], failure=[put(ns.key("branch"), "failure")])


def _check_branch(performer, oracle, ns, cmp, took_success: bool):
    performer.run(_branch_txn(ns, cmp).expect(succeeded=took_success))
    assert oracle.value(ns.key("branch")) == (b"success" if took_success else b"failure")


# ---------------------------------------------------------------- compare targets


@pytest.mark.requires("txn", "txn.compare.value")
@pytest.mark.parametrize("holds", [True, False])
def test_compare_value(performer, oracle, ns, holds):
    k = ns.key("k")
    oracle.put(k, "v1")
    _check_branch(performer, oracle, ns, value(k) == ("v1" if holds else "v2"), holds)


@pytest.mark.requires("txn", "txn.compare.value")
def test_compare_value_greater_and_less_are_bytewise(performer, oracle, ns):
    k = ns.key("k")
    oracle.put(k, b"b\x80")
    performer.run(
        txn([value(k) > b"b\x7f"]).expect(succeeded=True),
        txn([value(k) < b"b\x81"]).expect(succeeded=True),
        txn([value(k) > b"c"]).expect(succeeded=False),
        txn([value(k) != b"b\x80"]).expect(succeeded=False),
    )


@pytest.mark.requires("txn", "txn.compare.version")
@pytest.mark.parametrize("holds", [True, False])
def test_compare_version(performer, oracle, ns, holds):
    k = ns.key("k")
    oracle.put(k, "v1")
    oracle.put(k, "v2")
    _check_branch(performer, oracle, ns, version(k) == 2 if holds else version(k) > 2, holds)


@pytest.mark.requires("txn", "txn.compare.version")
def test_compare_version_zero_matches_a_missing_key(performer, oracle, ns):
    k = ns.key("k")
    res = performer.run(
        txn([version(k) == 0], success=[put(k, "created")], failure=[get(k)]).expect(succeeded=True),
        txn([version(k) == 0], success=[put(k, "again")], failure=[get(k)]).expect(
            succeeded=False, responses=[{"range": {"kvs": [{"value": "created"}]}}]),
    )
    assert res[0].succeeded and not res[1].succeeded
    assert oracle.value(k) == b"created"


@pytest.mark.requires("txn", "txn.compare.create")
@pytest.mark.parametrize("holds", [True, False])
def test_compare_create_revision(performer, oracle, ns, holds):
    k = ns.key("k")
    created = oracle.put(k, "v1").header.revision
    oracle.put(k, "v2")
    cmp = create_revision(k) == created if holds else create_revision(k) < created
    _check_branch(performer, oracle, ns, cmp, holds)


@pytest.mark.requires("txn", "txn.compare.mod")
@pytest.mark.parametrize("holds", [True, False])
def test_compare_mod_revision(performer, oracle, ns, holds):
    k = ns.key("k")
    created = oracle.put(k, "v1").header.revision
    modified = oracle.put(k, "v2").header.revision
    cmp = mod_revision(k) == modified if holds else mod_revision(k) == created
    _check_branch(performer, oracle, ns, cmp, holds)


@pytest.mark.requires("txn", "txn.compare.lease")
@pytest.mark.parametrize("holds", [True, False])
def test_compare_lease(performer, oracle, ns, holds):
    k = ns.key("k")
    lease = oracle.lease_grant(60)
    oracle.put(k, "v", lease=lease)
    cmp = lease_of(k) == lease if holds else lease_of(k) == 0
    _check_branch(performer, oracle, ns, cmp, holds)


@pytest.mark.requires("txn", "txn.compare.value", "txn.compare.version")
def test_all_compares_must_hold(performer, oracle, ns):
    a, b = ns.key("a"), ns.key("b")
    oracle.put(a, "1")
    oracle.put(b, "2")
    performer.run(
        txn([value(a) == "1", version(b) == 1], success=[put(ns.key("both"), "yes")]).expect(succeeded=True),
        txn([value(a) == "1", value(b) == "1"], success=[put(ns.key("one"), "yes")],
            failure=[put(ns.key("one"), "no")]).expect(succeeded=False),
    )
    assert oracle.value(ns.key("both")) == b"yes"
    assert oracle.value(ns.key("one")) == b"no"


@pytest.mark.requires("txn", "txn.compare.value", "txn.compare.range")
def test_compare_over_a_prefix_requires_every_key_to_match(performer, oracle, ns):
    oracle.put(ns.key("p/a"), "v1")
    oracle.put(ns.key("p/b"), "v1")
    oracle.put(ns.key("q"), "other")
    performer.run(txn([value(ns.key("p/"), prefix=True) == "v1"]).expect(succeeded=True))
    oracle.put(ns.key("p/c"), "v2")
    performer.run(txn([value(ns.key("p/"), prefix=True) == "v1"]).expect(succeeded=False))


@pytest.mark.requires("txn", "txn.compare.version", "txn.compare.range")
def test_compare_over_a_range_end(performer, oracle, ns):
    oracle.put(ns.key("a"), "1")
    oracle.put(ns.key("b"), "1")
    oracle.put(ns.key("c"), "1")
    oracle.put(ns.key("c"), "2")  # c has version 2, outside [a, c)
    performer.run(
        txn([compare(ns.key("a"), "version", "=", 1, range_end=ns.key("c"))]).expect(succeeded=True),
        txn([compare(ns.key("a"), "version", "=", 1, range_end=ns.key("d"))]).expect(succeeded=False),
    )


# ---------------------------------------------------------------- shape of the txn


@pytest.mark.requires("txn")
def test_empty_txn_succeeds_without_writing(performer, oracle, ns):
    r0 = oracle.revision()
    performer.run(txn().expect(succeeded=True, responses=None))
    assert oracle.revision() == r0


@pytest.mark.requires("txn")
def test_per_op_responses_in_order(performer, oracle, ns):
    oracle.put(ns.key("r"), "read-me")
    oracle.put(ns.key("d1"), "x")
    oracle.put(ns.key("d2"), "x")
    performer.run(txn(success=[
        put(ns.key("w"), "written"),
        get(ns.key("r")),
        delete(ns.key("d1")),
        delete(ns.key("missing")),
    ]).expect(succeeded=True, responses=[
        {"put": {}},
        {"range": {"kvs": [{"key": ns.key("r"), "value": "read-me", "version": 1}], "count": 1}},
        {"delete_range": {"deleted": 1}},
        {"delete_range": {"deleted": 0}},
    ]))
    assert oracle.value(ns.key("w")) == b"written"
    assert oracle.get(ns.key("d1")) is None
    assert oracle.value(ns.key("d2")) == b"x"


@pytest.mark.requires("txn", "txn.compare.value")
def test_failure_branch_responses(performer, oracle, ns):
    oracle.put(ns.key("k"), "v")
    performer.run(txn([value(ns.key("k")) == "nope"], success=[put(ns.key("s"), "1")],
                      failure=[get(ns.key("k")), put(ns.key("f"), "1")]).expect(
        succeeded=False, responses=[{"range": {"kvs": [{"value": "v"}]}}, {"put": {}}]))
    assert oracle.get(ns.key("s")) is None
    assert oracle.value(ns.key("f")) == b"1"


@pytest.mark.requires("txn", "kv.range.prefix")
def test_prefix_range_inside_txn(performer, oracle, ns):
    oracle.put(ns.key("p/a"), "1")
    oracle.put(ns.key("p/b"), "2")
    oracle.put(ns.key("q"), "3")
    performer.run(txn(success=[get(ns.key("p/"), prefix=True)]).expect(responses=[
        {"range": {"kvs": [{"key": ns.key("p/a"), "value": "1"}, {"key": ns.key("p/b"), "value": "2"}], "count": 2}},
    ]))


@pytest.mark.requires("txn")
def test_txn_writes_are_one_revision(performer, oracle, ns):
    r0 = oracle.revision()
    performer.run(txn(success=[put(ns.key("a"), "1"), put(ns.key("b"), "2"), put(ns.key("c"), "3")]))
    mods = {oracle.get(ns.key(n)).mod_revision for n in "abc"}
    assert len(mods) == 1, f"the txn's puts landed at several revisions: {mods}"
    (rev,) = mods
    assert rev > r0
    # Nothing of the txn is visible one revision earlier.
    assert oracle.range(ns.key(""), prefix=True, revision=rev - 1).count == 0


@pytest.mark.requires("txn", "txn.nested", "txn.compare.version")
def test_nested_txn(performer, oracle, ns):
    oracle.put(ns.key("outer"), "x")
    performer.run(txn([version(ns.key("outer")) > 0], success=[
        put(ns.key("o"), "1"),
        txn([version(ns.key("inner")) > 0], success=[put(ns.key("in-s"), "1")],
            failure=[put(ns.key("in-f"), "1"), get(ns.key("outer"))]),
    ]).expect(succeeded=True, responses=[
        {"put": {}},
        {"txn": {"succeeded": False, "responses": [{"put": {}}, {"range": {"kvs": [{"value": "x"}]}}]}},
    ]))
    assert oracle.value(ns.key("o")) == b"1"
    assert oracle.value(ns.key("in-f")) == b"1"
    assert oracle.get(ns.key("in-s")) is None
    assert oracle.get(ns.key("o")).mod_revision == oracle.get(ns.key("in-f")).mod_revision


# ---------------------------------------------------------------- errors


@pytest.mark.requires("txn")
def test_duplicate_key_in_one_branch_is_rejected(performer, oracle, ns):
    r0 = oracle.revision()
    performer.run(txn(success=[put(ns.key("k"), "1"), put(ns.key("k"), "2")]).expect_error("DUPLICATE_KEY"))
    assert oracle.get(ns.key("k")) is None
    assert oracle.revision() == r0


@pytest.mark.requires("txn")
def test_put_and_delete_of_the_same_key_is_duplicate(performer, oracle, ns):
    oracle.put(ns.key("k"), "v")
    performer.run(txn(success=[put(ns.key("k"), "1"), delete(ns.key("k"))]).expect_error("DUPLICATE_KEY"))
    assert oracle.value(ns.key("k")) == b"v"


@pytest.mark.requires("txn")
def test_same_key_in_different_branches_is_allowed(performer, oracle, ns):
    performer.run(txn(success=[put(ns.key("k"), "s")], failure=[put(ns.key("k"), "f")]).expect(succeeded=True))
    assert oracle.value(ns.key("k")) == b"s"


@pytest.mark.requires("txn")
def test_128_ops_is_the_limit(performer, oracle, ns):
    ops = [put(ns.key(f"k{i:03d}"), str(i)) for i in range(128)]
    performer.run(txn(success=ops).expect(succeeded=True, responses=[ANY] * 128))
    assert oracle.range(ns.key(""), prefix=True).count == 128


@pytest.mark.requires("txn")
def test_129_ops_is_too_many(performer, oracle, ns):
    ops = [put(ns.key(f"k{i:03d}"), str(i)) for i in range(129)]
    performer.run(txn(success=ops).expect_error("TOO_MANY_OPS"))
    assert oracle.range(ns.key(""), prefix=True).count == 0
