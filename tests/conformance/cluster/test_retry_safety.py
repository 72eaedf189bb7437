"""Retry safety: a compare-and-swap txn whose response is lost is applied at most once, and the
SDK never reports a failure for a txn that succeeded.

The txn is `if value(k) == "v0" then put(k, "v1") else put(k-retried, "x")`. Its request reaches
the cluster while every answer from the SDK's member is dropped (a blackhole on the response
direction of the client link); once the cluster has applied it, the client connections are reset.
An SDK that re-sends the txn on its own finds the compare false, so a retry lands in the else
branch: `k-retried` then exists, the txn was applied twice, and the SDK is likely to report
"succeeded: false" for a txn that succeeded (Jepsen's finding on jetcd 0.8.2, jetcd #1444;
etcd #14890 and #18424 on the Go client's retries).

What the SDK may say, judged against what the oracle sees:
- success with `succeeded: true`: the first apply's answer; `k-retried` must not exist;
- success with `succeeded: false`: a false failure (the swap did happen): a failure;
- an error: allowed (the outcome is unknown to the SDK), but at most one apply.
"""

from __future__ import annotations

import threading
import time

import pytest

from etcdfit.errors import ExpectationFailed
from etcdfit.outcomes import Kind, Problem
from etcdfit.program import get, put, txn, value

pytestmark = pytest.mark.server(topology="cluster")

DIAL_MS, REQUEST_MS = 1000, 5000
APPLY_BOUND_S = 3.0          # the request reaches the cluster and is applied within this
RESULT_BOUND_S = REQUEST_MS / 1000 + 15.0


def _fail(what: str, expected: str, actual: str) -> None:
    raise ExpectationFailed(f"{what}: expected {expected}, got {actual}",
                            [Problem(Kind.VALUE_MISMATCH, what, expected=expected, actual=actual)])


@pytest.mark.parametrize("endpoints", ["one", "all"])
@pytest.mark.requires("txn", "txn.compare.value", "kv.put", "kv.range")
def test_a_cas_txn_whose_response_is_lost_is_applied_at_most_once(performer, cluster_lab, ns, endpoints):
    lab = cluster_lab
    k, retried = ns.key("k"), ns.key("k-retried")
    members = [0] if endpoints == "one" else list(range(lab.size))
    sdk = performer.connect([lab.endpoints[i] for i in members], dial_timeout_ms=DIAL_MS,
                            request_timeout_ms=REQUEST_MS)
    lab.healthy_oracle().put(k, "v0")
    for _ in range(2 * len(members)):   # connections up to the members first: requests must get through
        sdk.run(get(k).expect(kvs=[{"value": "v0"}]))
    for i in members:
        lab.blackhole_responses(i)

    box: list[object] = []
    program = txn([value(k) == "v0"], success=[put(k, "v1")], failure=[put(retried, "x")]).allow_error()
    t = threading.Thread(target=lambda: box.extend(sdk.run(program)), name="lost-response-txn")
    t.start()
    oracle = lab.healthy_oracle()
    deadline, applied_at = time.monotonic() + APPLY_BOUND_S, None
    while time.monotonic() < deadline:
        if oracle.value(k) == b"v1":
            applied_at = time.monotonic()
            break
        time.sleep(0.02)
    for i in members:
        lab.reset_clients(i)   # drops the connections and the blackhole with them
    t.join(RESULT_BOUND_S)
    if t.is_alive():
        _fail(f"the txn's result within {RESULT_BOUND_S:g}s of the reset", "an answer or an error", "no answer")
    [res] = box
    final, twice = oracle.get(k), oracle.get(retried) is not None
    said = res.describe()
    print(f"endpoints={endpoints}: applied while the answer was lost: {applied_at is not None}; "
          f"the SDK said {said}; applied twice: {twice}")
    if twice:
        _fail("applies of one txn whose response was lost", "at most one (the SDK must not re-send a txn "
              "that may have been applied)", f"two: the re-sent txn found the compare false and wrote "
              f"{retried.decode()}; the SDK said {said}")
    if res.kind == "ok" and not res.succeeded:
        _fail("what the SDK reported for a txn the cluster applied", "succeeded: true, or an error",
              f"succeeded: false (a false failure); the cluster has {k.decode()} = {final.value if final else None}")
    if res.kind == "ok" and (final is None or final.value != b"v1"):
        _fail("the key after a txn the SDK reported as succeeded", "v1", repr(final.value if final else None))
