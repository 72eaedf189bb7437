"""Software transactional memory (the SDKs' STM recipes) across SDKs.

Expectations come from etcd's STM semantics as documented in clientv3's concurrency/stm.go:
at every isolation level but read committed an attempt commits only if what it read is
unchanged (serializable snapshot also: the keys it writes were not modified since its first
read), so a conflicting write between an attempt's reads and its commit makes it run again;
read committed commits without any check. Transfers between accounts keep the total, and the
server's own history (a watch replay by the driver's etcd client, not an SDK) holds each
committed transfer exactly once, as one revision writing exactly its keys and values.
"""

from __future__ import annotations

import random
import threading
from collections import Counter
from typing import Any

import pytest

from etcdfit.concurrency import run_concurrently, signal, stm, transfer, wait
from etcdfit.gen.etcd.v3 import rpc_pb2 as epb
from etcdfit.oracle import prefix_end
from etcdfit.participants import blame
from etcdfit.program import get, mod_revision, put, txn

LEVELS = ("serializable_snapshot", "serializable", "repeatable_reads")
ACCOUNTS, START, TRANSFERS = 4, 1000, 6


def server_writes(oracle: Any, prefix: bytes, since: int, until: int, timeout: float = 10.0) -> dict[int, dict[bytes, bytes]]:
    """{revision: {key: value}} of every PUT the server applied under prefix in (since, until]."""
    import queue

    requests: queue.Queue[epb.WatchRequest | None] = queue.Queue()
    requests.put(epb.WatchRequest(create_request=epb.WatchCreateRequest(
        key=prefix, range_end=prefix_end(prefix), start_revision=since + 1)))

    def feed() -> Any:
        while (r := requests.get()) is not None:
            yield r

    call = oracle.watch_stub.Watch(feed(), timeout=timeout)
    out: dict[int, dict[bytes, bytes]] = {}
    try:
        for resp in call:
            assert not (resp.compact_revision or resp.canceled), "the replay of the server's history was cancelled"
            for e in resp.events:
                assert e.type == 0, f"unexpected DELETE of {e.kv.key!r} at {e.kv.mod_revision}"
                out.setdefault(e.kv.mod_revision, {})[e.kv.key] = e.kv.value
            if resp.events and resp.events[-1].kv.mod_revision >= until:
                break
    finally:
        requests.put(None)
        call.cancel()
    return {r: w for r, w in out.items() if r <= until}


def cas_transfer(session: Any, src: bytes, dst: bytes, amount: int,
                 attempts: int = 200) -> tuple[int | None, dict[bytes, bytes], int]:
    """A transfer by plain compare-and-swap (for SDKs without STM): read both accounts, then a txn
    guarded by both mod revisions; retried (bounded) until it commits. -> (revision, or None when
    the SDK does not report the txn's header; writes; tries)."""
    for n in range(1, attempts + 1):
        r = session.run(get(src), get(dst))
        a, b = r[0].kvs[0], r[1].kvs[0]
        writes = {src: str(int(a.value) - amount).encode(), dst: str(int(b.value) + amount).encode()}
        t = session.run(txn([mod_revision(src) == a.mod_revision, mod_revision(dst) == b.mod_revision],
                            [put(k, v) for k, v in writes.items()]))[0]
        if t.succeeded:
            return (t.header.revision if t.header.present else None), writes, n
    raise blame(session, f"a compare-and-swap transfer did not commit in {attempts} tries")


@pytest.mark.parametrize("level", LEVELS)
def test_stm_transfers_keep_total(level, clients, performers, ns, oracle):
    """STM clients (every SDK claiming stm.isolation.<level>) and compare-and-swap clients (the
    others) move money between 4 accounts at the same time. The total stays, and every committed
    transfer is one revision in the server's history, exactly once; nothing else was written."""
    stm_clients = clients(0, f"stm.isolation.{level}")
    cas_clients = [s for s in performers if f"stm.isolation.{level}" not in s.capabilities]
    accounts = [ns.key(f"acct{i}") for i in range(ACCOUNTS)]
    prefix = ns.key("acct")
    oracle.txn(epb.TxnRequest(success=[epb.RequestOp(request_put=epb.PutRequest(key=a, value=str(START).encode()))
                                       for a in accounts]))
    since = oracle.revision()
    rng = random.Random(12)

    def plan() -> list[tuple[bytes, bytes, int]]:
        return [(*rng.sample(accounts, 2), rng.randint(1, 50)) for _ in range(TRANSFERS)]  # type: ignore[misc]

    stm_plans = [plan() for _ in stm_clients]
    cas_plans = [plan() for _ in cas_clients]
    cas_done: list[list[tuple[int, dict[bytes, bytes], int]]] = [[] for _ in cas_clients]
    cas_errors: list[BaseException] = []

    def run_cas(i: int) -> None:
        try:
            for src, dst, n in cas_plans[i]:
                cas_done[i].append(cas_transfer(cas_clients[i], src, dst, n))
        except BaseException as exc:  # reported after the join
            cas_errors.append(exc)

    threads = [threading.Thread(target=run_cas, args=(i,), daemon=True) for i in range(len(cas_clients))]
    for t in threads:
        t.start()
    run = run_concurrently([(s, [transfer(src, dst, n, isolation=level, timeout_ms=15_000) for src, dst, n in p])
                            for s, p in zip(stm_clients, stm_plans, strict=True)], timeout=30)
    for t in threads:
        t.join(40)
    assert not any(t.is_alive() for t in threads), "a compare-and-swap client did not finish within 40 s"
    if cas_errors:
        raise cas_errors[0]

    balances = [int(oracle.value(a) or b"0") for a in accounts]
    assert sum(balances) == ACCOUNTS * START, f"the total changed: balances {balances}"
    until = oracle.revision()
    applied = server_writes(oracle, prefix, since, until)
    committed: list[tuple[int | None, dict[bytes, bytes], str]] = []
    for s, results in zip(stm_clients, run.results, strict=True):
        for r in results:
            rev = r.header.revision if r.ok.HasField("header") and r.header.present else None
            committed.append((rev, {w.key: w.value for w in r.writes}, s.identity.label))
            print(f"{s.identity.label} stm {level}: attempts {r.attempts}, revision {rev}")
    for s, done in zip(cas_clients, cas_done, strict=True):
        for rev, writes, tries in done:
            committed.append((rev, writes, s.identity.label))
            print(f"{s.identity.label} cas transfer: tries {tries}, revision {rev}")
    by_rev = [c for c in committed if c[0] is not None]
    assert len({c[0] for c in by_rev}) == len(by_rev), "two committed transfers report the same revision"
    for rev, writes, who in by_rev:
        assert applied.get(rev) == writes, (f"{who}: its transfer at revision {rev} wrote {writes}, "
                                            f"the server's history has {applied.get(rev)}")
    rest = Counter(frozenset(w.items()) for r, w in applied.items() if r not in {c[0] for c in by_rev})
    unmatched = Counter(frozenset(c[1].items()) for c in committed if c[0] is None)
    assert rest == unmatched, (f"revisions in the server's history without a committed transfer, or committed "
                               f"transfers not in it exactly once: history {dict(rest)}, reported {dict(unmatched)}")
    assert len(applied) == len(committed), f"{len(applied)} revisions written, {len(committed)} transfers committed"


@pytest.mark.parametrize("level", [*LEVELS, "read_committed"])
def test_stm_retries_after_latched_conflict(level, clients, performers, ns, oracle, etcd):
    """A's STM reads x and y (one revision), then waits; B (another performer's client, or another
    client of A's performer when it is alone) puts x = 500; A's
    first attempt then writes. At every level but read committed the attempt must fail and the
    STM run again: attempts > 1, and the committed transfer is computed from B's value (x = 490).
    Read committed has no conflict check: one attempt, and B's write is overwritten (x = 990)."""
    stm_clients = clients(0, f"stm.isolation.{level}")
    for i, a in enumerate(stm_clients):
        others = [p for p in performers if p.spec != a.spec]
        b = others[i % len(others)] if others else a.connect(etcd.endpoints)
        x, y = ns.key(f"x{i}"), ns.key(f"y{i}")
        oracle.txn(epb.TxnRequest(success=[epb.RequestOp(request_put=epb.PutRequest(key=k, value=b"1000"))
                                           for k in (x, y)]))
        run = run_concurrently([
            (a, [transfer(x, y, 10, isolation=level, read_signal="read", write_wait="written")]),
            (b, [wait("read"), put(x, "500"), signal("written")]),
        ])
        r = run.results[0][0]
        print(f"{a.identity.label} stm {level}: attempts {r.attempts}, reads "
              f"{[(v.key, v.value) for v in r.reads]}, wait released {r.wait_released}")
        assert r.wait_released, "the STM's write_wait latch was not released"
        if level == "read_committed":
            if r.attempts != 1 or oracle.value(x) != b"990":
                raise blame(a, f"read committed: expected one attempt overwriting B's write (x = 990), got "
                               f"{r.attempts} attempts, x = {oracle.value(x)!r}")
        else:
            if r.attempts < 2:
                raise blame(a, f"{level}: the first attempt committed over a conflicting write (attempts 1)")
            if (oracle.value(x), oracle.value(y)) != (b"490", b"1010"):
                raise blame(a, f"{level}: expected x = 490, y = 1010 after the retry, got "
                               f"{oracle.value(x)!r}, {oracle.value(y)!r}")


def test_stm_under_execute_refuses_latches(clients, ns):
    """Latches need the stream: an STM with a read_signal under Execute is BAD_REQUEST; without
    latches it runs and commits in one attempt on an uncontended key."""
    for i, s in enumerate(clients(0, "stm")):
        k = ns.key(f"plain{i}")
        r = s.run(stm([(k, 5)]).expect(attempts=1))[0]
        assert [(w.key, w.value) for w in r.writes] == [(k, b"5")]
        assert [v.present for v in r.reads] == [False]
        out = s.run(stm([(k, 1)], read_signal="x").allow_error())[0]
        assert out.kind == "harness_error", out.describe()
