"""EtcdModel: etcd's KV and lease semantics as a pure step function (no I/O, no clock).

    m = EtcdModel()
    m.execute(put(b"a", b"1").command)   # -> pb.PutResult(header.revision=2)
    m.execute(get(b"a", revision=9).command)   # -> "FUTURE_REVISION"

execute() takes a performer-protocol Command exactly as a test sends it and returns the
canonical result: the CommandOk payload (header.present, header.revision; cluster and
member ids 0) or the ErrorCode name etcd's error maps to. What is canonical where etcd
leaves an order open: lease_leases ids and lease_time_to_live keys are sorted.
Time does not pass: a lease lives until revoked, and its TTL stays as granted.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator
from dataclasses import dataclass

from ..gen.etcdfit.performer.v1 import performer_pb2 as pb
from . import checks
from .keys import in_range, select

#: etcd's smallest lease TTL with the default election timeout (1 s) and heartbeat (100 ms):
#: ceil(1.5 * election timeout) seconds. A grant below it is raised to it.
MIN_LEASE_TTL = 2
#: etcd's lease.MaxLeaseTTL.
MAX_LEASE_TTL = 9_000_000_000


class ModelError(Exception):
    """etcd refused the request with this canonical ErrorCode name (internal to the model)."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


class EtcdWouldCrash(Exception):
    """etcd panics on this request (it has no answer to model): a txn deletes a key with a
    from-key delete, then puts it with ignore_value or ignore_lease. The from-key range
    (range_end "\\0") escapes the duplicate-key check, the ignore_* check reads the state
    before the txn, and the put then finds no key: "panic: unexpected error during txn"
    (etcd 3.5.1, 3.5.35, 3.6.16). The member stops, and panics again replaying its log."""


@dataclass(frozen=True)
class KV:
    key: bytes
    create_revision: int
    mod_revision: int
    version: int
    value: bytes
    lease: int

    def message(self, keys_only: bool = False) -> pb.KeyValue:
        return pb.KeyValue(key=self.key, create_revision=self.create_revision, mod_revision=self.mod_revision,
                           version=self.version, value=b"" if keys_only else self.value, lease=self.lease)


@dataclass(frozen=True)
class Event:
    """One change: a put (kv is the new value) or a delete (kv is None), at kv's revision."""

    revision: int
    key: bytes
    kv: KV | None


def header(revision: int) -> pb.ResponseHeader:
    return pb.ResponseHeader(revision=revision, present=True)


class EtcdModel:
    """A single etcd member's key space, history and leases.

    `revision` starts where the real store is (1 for a fresh etcd); `compact_revision` is
    the last compaction (-1: none, as etcd keeps it). The model holds no keys or leases at the start: give it
    an etcd whose keys and leases are gone, compacted at `revision` (see etcd_exec.reset)."""

    def __init__(self, revision: int = 1, compact_revision: int = -1):
        self.revision = revision
        self.compact_revision = compact_revision
        self.log: list[Event] = []  # every change, in order
        self._history: dict[bytes, list[Event]] = {}
        self.leases: dict[int, int] = {}  # id -> granted TTL
        self._next_lease = 1
        # a write in progress: its revision and whether it changed anything yet
        self._changed = False

    # ---------------------------------------------------------------- reading
    def kv_at(self, key: bytes, revision: int) -> KV | None:
        """The key's value as of revision (None: absent)."""
        hist = self._history.get(key, [])
        i = bisect.bisect_right([e.revision for e in hist], revision)
        return hist[i - 1].kv if i else None

    def current(self, key: bytes) -> KV | None:
        hist = self._history.get(key)
        return hist[-1].kv if hist else None

    def keys_at(self, key: bytes, end: bytes, revision: int) -> list[KV]:
        """The live key-values of [key, end) at revision, in key order."""
        out = []
        for k in sorted(self._history):
            if in_range(k, key, end):
                kv = self.kv_at(k, revision)
                if kv is not None:
                    out.append(kv)
        return out

    # ---------------------------------------------------------------- writing
    def _write_revision(self) -> int:
        return self.revision + 1

    def _record(self, key: bytes, kv: KV | None) -> None:
        ev = Event(self._write_revision(), key, kv)
        self.log.append(ev)
        self._history.setdefault(key, []).append(ev)
        self._changed = True

    def _put(self, p: pb.PutCommand) -> pb.PutResult:
        prev = self.current(p.key)
        if (p.ignore_value or p.ignore_lease) and prev is None:
            raise EtcdWouldCrash(f"a txn deleted {p.key!r}, then put it with ignore_value/ignore_lease")
        value = prev.value if p.ignore_value and prev else p.value
        lease = prev.lease if p.ignore_lease and prev else p.lease
        rev = self._write_revision()
        kv = KV(p.key, prev.create_revision if prev else rev, rev, prev.version + 1 if prev else 1, value, lease)
        self._record(p.key, kv)
        res = pb.PutResult(header=header(rev))
        if p.prev_kv and prev is not None:
            res.prev_kv.CopyFrom(prev.message())
        return res

    def _delete(self, d: pb.DeleteRangeCommand) -> pb.DeleteRangeResult:
        key, end = select(d.key, d.kind, d.range_end)
        gone = self._live(key, end)
        for kv in gone:
            self._record(kv.key, None)
        res = pb.DeleteRangeResult(header=header(self._write_revision() if self._changed else self.revision),
                                   deleted=len(gone))
        if d.prev_kv:
            res.prev_kvs.extend(kv.message() for kv in gone)
        return res

    def _live(self, key: bytes, end: bytes) -> list[KV]:
        return [kv for k in sorted(self._history) if in_range(k, key, end) and (kv := self.current(k)) is not None]

    def _commit(self) -> None:
        if self._changed:
            self.revision += 1
        self._changed = False

    # ---------------------------------------------------------------- range
    def _read_revision(self) -> int:
        """What a read inside the current write sees: its own writes once it made one."""
        return self._write_revision() if self._changed else self.revision

    def _range(self, r: pb.RangeCommand, *, in_txn: bool = False) -> pb.RangeResult:
        key, end = select(r.key, r.kind, r.range_end)
        now = self._read_revision()
        rev = r.revision
        if not in_txn:  # a txn checked its ranges' revisions before it began (_check_path)
            if rev > now:
                raise ModelError("FUTURE_REVISION")
            if rev <= 0:
                rev = now
            if rev < self.compact_revision:
                raise ModelError("COMPACTED")
        elif rev <= 0:
            rev = now
        kvs = self.keys_at(key, end, rev)
        count = len(kvs)
        filters = (r.min_mod_revision, r.max_mod_revision, r.min_create_revision, r.max_create_revision)
        if r.count_only:
            kvs = []
        elif r.limit > 0 and r.sort_order == pb.SORT_ORDER_NONE and not any(filters):
            kvs = kvs[:r.limit + 1]  # etcd fetches one more than the limit to tell `more`
        kvs = [kv for kv in kvs if _passes(kv, r)]
        kvs = _sorted(kvs, r)
        more = False
        if r.limit > 0 and len(kvs) > r.limit:
            kvs, more = kvs[:r.limit], True
        return pb.RangeResult(header=header(now), kvs=[kv.message(r.keys_only) for kv in kvs], more=more,
                              count=count)

    # ---------------------------------------------------------------- txn
    def _compare(self, c: pb.Compare) -> bool:
        """etcd's applyCompare: every key in the range must satisfy it; no key at all
        compares as an absent key (version, create, mod and lease 0), except that a
        value compare on no key is always false."""
        key, end = select(c.key, c.kind, c.range_end, compare=True)
        kvs = self._live(key, end)
        if not kvs:
            return c.target != pb.COMPARE_TARGET_VALUE and _compare_holds(c, _ABSENT)
        return all(_compare_holds(c, kv) for kv in kvs)

    def _path(self, t: pb.TxnCommand) -> list[bool]:
        """Which branch each txn on the taken path takes, depth first: etcd decides them all,
        nested ones too, on the state before the txn writes anything."""
        ok = all(self._compare(c) for c in t.compares)
        path = [ok]
        for op in t.success if ok else t.failure:
            if op.WhichOneof("request") == "txn":
                path += self._path(op.txn)
        return path

    def _check_path(self, t: pb.TxnCommand, path: list[bool], write: bool) -> None:
        """etcd's checks of the taken path before a txn applies: every put's lease and
        ignore_* key (when the txn writes at all), then every range's revision."""
        ops = self._path_ops(t, iter(path))
        if write:
            for op in ops:
                if op.WhichOneof("request") == "put":
                    p = op.put
                    if (p.ignore_value or p.ignore_lease) and self.current(p.key) is None:
                        raise ModelError("KEY_NOT_FOUND")
                    if p.lease and p.lease not in self.leases:
                        raise ModelError("LEASE_NOT_FOUND")
        for op in ops:
            if op.WhichOneof("request") == "range" and op.range.revision:
                if op.range.revision > self.revision:
                    raise ModelError("FUTURE_REVISION")
                if op.range.revision < self.compact_revision:
                    raise ModelError("COMPACTED")

    def _path_ops(self, t: pb.TxnCommand, path: Iterator[bool]) -> list[pb.RequestOp]:
        out = []
        for op in t.success if next(path) else t.failure:
            if op.WhichOneof("request") == "txn":
                out += self._path_ops(op.txn, path)
            else:
                out.append(op)
        return out

    def _apply_txn(self, t: pb.TxnCommand, path: Iterator[bool]) -> pb.TxnResult:
        ok = next(path)
        res = pb.TxnResult(header=header(0), succeeded=ok)  # etcd leaves a nested txn's revision 0
        for op in t.success if ok else t.failure:
            which = op.WhichOneof("request")
            if which == "put":
                res.responses.add(put=self._put(op.put))
            elif which == "delete_range":
                res.responses.add(delete_range=self._delete(op.delete_range))
            elif which == "range":
                res.responses.add(range=self._range(op.range, in_txn=True))
            else:
                res.responses.add(txn=self._apply_txn(op.txn, path))
        return res

    def _txn(self, t: pb.TxnCommand) -> pb.TxnResult:
        path = self._path(t)
        self._check_path(t, path, write=not checks.read_only(t))
        res = self._apply_txn(t, iter(path))
        res.header.CopyFrom(header(self._read_revision()))
        return res

    # ---------------------------------------------------------------- leases
    def _grant(self, g: pb.LeaseGrantCommand) -> pb.LeaseGrantResult:
        lease_id = g.id
        if lease_id == 0:  # etcd picks an id; the model the smallest free one counting from 1
            while self._next_lease in self.leases:
                self._next_lease += 1
            lease_id = self._next_lease
        if g.ttl > MAX_LEASE_TTL:
            raise ModelError("LEASE_TTL_TOO_LARGE")
        if lease_id in self.leases:
            raise ModelError("LEASE_EXISTS")
        self.leases[lease_id] = max(g.ttl, MIN_LEASE_TTL)
        return pb.LeaseGrantResult(header=header(self.revision), id=lease_id, ttl=self.leases[lease_id])

    def lease_keys(self, lease_id: int) -> list[bytes]:
        """The keys attached to a lease now, sorted."""
        return [k for k in sorted(self._history) if (kv := self.current(k)) is not None and kv.lease == lease_id]

    def _revoke(self, lease_id: int) -> pb.LeaseRevokeResult:
        if lease_id not in self.leases:
            raise ModelError("LEASE_NOT_FOUND")
        for k in self.lease_keys(lease_id):  # one revision for all of them, in key order
            self._record(k, None)
        del self.leases[lease_id]
        self._commit()
        return pb.LeaseRevokeResult(header=header(self.revision))

    def _time_to_live(self, t: pb.LeaseTimeToLiveCommand) -> pb.LeaseTimeToLiveResult:
        if t.id not in self.leases:  # not an error: etcd answers TTL -1
            return pb.LeaseTimeToLiveResult(header=header(self.revision), id=t.id, ttl=-1)
        ttl = self.leases[t.id]
        return pb.LeaseTimeToLiveResult(header=header(self.revision), id=t.id, ttl=ttl, granted_ttl=ttl,
                                        keys=self.lease_keys(t.id) if t.keys else [])

    def _keep_alive_once(self, lease_id: int) -> pb.LeaseKeepAliveOnceResult:
        if lease_id not in self.leases:
            raise ModelError("LEASE_NOT_FOUND")
        return pb.LeaseKeepAliveOnceResult(header=header(self.revision), id=lease_id, ttl=self.leases[lease_id])

    # ---------------------------------------------------------------- commands
    def execute(self, cmd: pb.Command) -> Result:
        """Run one command; the CommandOk payload, or the ErrorCode name etcd answers with.
        Raises EtcdWouldCrash for the one request known to crash etcd instead."""
        try:
            err = _static_check(cmd)
            if err:
                return err
            if checks.command_bytes(cmd) > checks.MAX_REQUEST_BYTES:
                return "REQUEST_TOO_LARGE"
            return self._dispatch(cmd)
        except ModelError as exc:
            self._changed = False  # a refused request changes nothing
            return exc.code

    def _dispatch(self, cmd: pb.Command) -> Result:
        which = cmd.WhichOneof("command")
        if which == "put":
            p = cmd.put
            if p.lease and p.lease not in self.leases:
                raise ModelError("LEASE_NOT_FOUND")
            if (p.ignore_value or p.ignore_lease) and self.current(p.key) is None:
                raise ModelError("KEY_NOT_FOUND")
            res: Result = self._put(p)
        elif which == "range":
            res = self._range(cmd.range)
        elif which == "delete_range":
            res = self._delete(cmd.delete_range)
        elif which == "txn":
            res = self._txn(cmd.txn)
        elif which == "compact":
            res = self._compact(cmd.compact.revision)
        elif which == "lease_grant":
            res = self._grant(cmd.lease_grant)
        elif which == "lease_revoke":
            res = self._revoke(cmd.lease_revoke.id)
        elif which == "lease_time_to_live":
            res = self._time_to_live(cmd.lease_time_to_live)
        elif which == "lease_leases":
            res = pb.LeaseLeasesResult(header=header(self.revision), ids=sorted(self.leases))
        elif which == "lease_keep_alive_once":
            res = self._keep_alive_once(cmd.lease_keep_alive_once.id)
        else:
            raise ValueError(f"the model does not run {which} commands")
        self._commit()
        return res

    def _compact(self, revision: int) -> pb.CompactResult:
        if revision <= self.compact_revision:
            raise ModelError("COMPACTED")
        if revision > self.revision:
            raise ModelError("FUTURE_REVISION")
        self.compact_revision = revision
        return pb.CompactResult(header=header(self.revision))

    # ---------------------------------------------------------------- watch
    def events(self, key: bytes, range_end: bytes = b"", from_revision: int = 1) -> list[pb.WatchEvent] | str:
        """The events a watch of [key, range_end) (etcd's terms: an empty range_end is one
        key, b"\\0" every key from key on) created with start_revision=from_revision and
        prev_kv would receive, in order; "COMPACTED" when that revision is compacted away.
        At from_revision == compact_revision only the values compaction kept show: a put
        still current at that revision (without its prev_kv), never a delete."""
        if from_revision < self.compact_revision:
            return "COMPACTED"
        out = []
        for i, ev in enumerate(self.log):
            if ev.revision < max(from_revision, 1) or not in_range(ev.key, key, range_end):
                continue
            if ev.revision == self.compact_revision and not self._kept(i):
                continue
            prev = self.kv_at(ev.key, ev.revision - 1) if ev.revision - 1 >= self.compact_revision else None
            kv = ev.kv.message() if ev.kv else pb.KeyValue(key=ev.key, mod_revision=ev.revision)
            we = pb.WatchEvent(type=pb.EVENT_TYPE_PUT if ev.kv else pb.EVENT_TYPE_DELETE, kv=kv)
            if prev is not None:
                we.prev_kv.CopyFrom(prev.message())
            out.append(we)
        return out

    def _kept(self, i: int) -> bool:
        """Whether compaction at this event's revision kept it: the key's last change at that
        revision, and a put."""
        ev = self.log[i]
        later = [e for e in self.log[i + 1:] if e.key == ev.key and e.revision == ev.revision]
        return ev.kv is not None and not later


Result = pb.PutResult | pb.RangeResult | pb.DeleteRangeResult | pb.TxnResult | pb.CompactResult \
    | pb.LeaseGrantResult | pb.LeaseRevokeResult | pb.LeaseTimeToLiveResult | pb.LeaseLeasesResult \
    | pb.LeaseKeepAliveOnceResult | str


def _static_check(cmd: pb.Command) -> str | None:
    """What etcd's gRPC layer refuses before the request reaches the store."""
    which = cmd.WhichOneof("command")
    if which == "put":
        return checks.check_put(cmd.put)
    if which == "range":
        return checks.check_range(cmd.range)
    if which == "delete_range":
        return checks.check_delete(cmd.delete_range)
    if which == "txn":
        err = checks.check_txn(cmd.txn)
        if err:
            return err
        if checks.check_intervals(cmd.txn.success) is None or checks.check_intervals(cmd.txn.failure) is None:
            return "DUPLICATE_KEY"
    return None


def _passes(kv: KV, r: pb.RangeCommand) -> bool:
    return not ((r.max_mod_revision and kv.mod_revision > r.max_mod_revision)
                or (r.min_mod_revision and kv.mod_revision < r.min_mod_revision)
                or (r.max_create_revision and kv.create_revision > r.max_create_revision)
                or (r.min_create_revision and kv.create_revision < r.min_create_revision))


_SORT_FIELDS = {pb.SORT_TARGET_KEY: "key", pb.SORT_TARGET_VERSION: "version", pb.SORT_TARGET_CREATE: "create_revision",
                pb.SORT_TARGET_MOD: "mod_revision", pb.SORT_TARGET_VALUE: "value"}


def _sorted(kvs: list[KV], r: pb.RangeCommand) -> list[KV]:
    """etcd sorts by the target (ascending when the target is not the key and no order is
    given) and keeps equal ones in key order. That last part is Go's sort.Sort on at most
    6 elements (insertion sort); on more, etcd 3.5 may reorder ties."""
    order = r.sort_order
    if order == pb.SORT_ORDER_NONE and r.sort_target != pb.SORT_TARGET_KEY:
        order = pb.SORT_ORDER_ASCEND
    if order == pb.SORT_ORDER_NONE:
        return kvs
    field = _SORT_FIELDS[r.sort_target]
    return sorted(kvs, key=lambda kv: getattr(kv, field), reverse=order == pb.SORT_ORDER_DESCEND)


def _compare_holds(c: pb.Compare, kv: KV) -> bool:
    if c.target == pb.COMPARE_TARGET_VALUE:
        a: bytes | int = kv.value
        b: bytes | int = c.value
    else:
        field = {pb.COMPARE_TARGET_VERSION: "version", pb.COMPARE_TARGET_CREATE: "create_revision",
                 pb.COMPARE_TARGET_MOD: "mod_revision", pb.COMPARE_TARGET_LEASE: "lease"}[c.target]
        a, b = getattr(kv, field), getattr(c, field)
    if c.result == pb.COMPARE_RESULT_EQUAL:
        return a == b
    if c.result == pb.COMPARE_RESULT_NOT_EQUAL:
        return a != b
    if c.result == pb.COMPARE_RESULT_GREATER:
        return a > b  # type: ignore[operator]  # both bytes or both int, by target
    return a < b  # type: ignore[operator]


_ABSENT = KV(b"", 0, 0, 0, b"", 0)
