"""The model's counterpart on a real etcd: performer-protocol commands sent as etcd's own
gRPC requests through the oracle's stubs, and etcd's responses turned into the same
canonical results the model gives (CommandOk payloads, or ErrorCode names by etcd's
error table). RangeKinds become range_ends as clientv3 makes them (model.keys.select), and
lease_keep_alive_once answers LEASE_NOT_FOUND for etcd's TTL-0 reply, as clientv3 does."""

from __future__ import annotations

from typing import Any, cast

import grpc

from .. import errortable
from ..gen.etcd.v3 import rpc_pb2 as epb
from ..gen.etcd.v3 import rpc_pb2_grpc as epbg
from ..gen.etcdfit.performer.v1 import performer_pb2 as pb
from ..oracle import Oracle, OracleError
from .keys import FROM_KEY_END, select
from .store import Result

DEADLINE = 10.0


# The performer protocol numbers its enums (sort order and target, compare result and target,
# event type) as etcd does, so values pass through unchanged (the casts say only that).
def _header(h: epb.ResponseHeader) -> pb.ResponseHeader:
    return pb.ResponseHeader(revision=h.revision, present=True)


def _kv(kv: epb.KeyValue) -> pb.KeyValue:
    return pb.KeyValue(key=kv.key, create_revision=kv.create_revision, mod_revision=kv.mod_revision,
                       version=kv.version, value=kv.value, lease=kv.lease)


# ---------------------------------------------------------------- requests
def put_request(p: pb.PutCommand) -> epb.PutRequest:
    return epb.PutRequest(key=p.key, value=p.value, lease=p.lease, prev_kv=p.prev_kv,
                          ignore_value=p.ignore_value, ignore_lease=p.ignore_lease)


def range_request(r: pb.RangeCommand) -> epb.RangeRequest:
    key, end = select(r.key, r.kind, r.range_end)
    return epb.RangeRequest(key=key, range_end=end, limit=r.limit, revision=r.revision,
                            sort_order=cast(Any, r.sort_order),
                            sort_target=cast(Any, r.sort_target), serializable=r.serializable, keys_only=r.keys_only,
                            count_only=r.count_only, min_mod_revision=r.min_mod_revision,
                            max_mod_revision=r.max_mod_revision, min_create_revision=r.min_create_revision,
                            max_create_revision=r.max_create_revision)


def delete_request(d: pb.DeleteRangeCommand) -> epb.DeleteRangeRequest:
    key, end = select(d.key, d.kind, d.range_end)
    return epb.DeleteRangeRequest(key=key, range_end=end, prev_kv=d.prev_kv)


def compare(c: pb.Compare) -> epb.Compare:
    key, end = select(c.key, c.kind, c.range_end, compare=True)
    out = epb.Compare(result=cast(Any, c.result), target=cast(Any, c.target), key=key, range_end=end)
    field = {pb.COMPARE_TARGET_VERSION: "version", pb.COMPARE_TARGET_CREATE: "create_revision",
             pb.COMPARE_TARGET_MOD: "mod_revision", pb.COMPARE_TARGET_VALUE: "value",
             pb.COMPARE_TARGET_LEASE: "lease"}[c.target]
    setattr(out, field, getattr(c, field))
    return out


def txn_request(t: pb.TxnCommand) -> epb.TxnRequest:
    return epb.TxnRequest(compare=[compare(c) for c in t.compares], success=[_op(o) for o in t.success],
                          failure=[_op(o) for o in t.failure])


def _op(op: pb.RequestOp) -> epb.RequestOp:
    which = op.WhichOneof("request")
    if which == "put":
        return epb.RequestOp(request_put=put_request(op.put))
    if which == "range":
        return epb.RequestOp(request_range=range_request(op.range))
    if which == "delete_range":
        return epb.RequestOp(request_delete_range=delete_request(op.delete_range))
    return epb.RequestOp(request_txn=txn_request(op.txn))


# ---------------------------------------------------------------- responses
def put_result(r: epb.PutResponse) -> pb.PutResult:
    res = pb.PutResult(header=_header(r.header))
    if r.HasField("prev_kv"):
        res.prev_kv.CopyFrom(_kv(r.prev_kv))
    return res


def range_result(r: epb.RangeResponse) -> pb.RangeResult:
    return pb.RangeResult(header=_header(r.header), kvs=[_kv(kv) for kv in r.kvs], more=r.more, count=r.count)


def delete_result(r: epb.DeleteRangeResponse) -> pb.DeleteRangeResult:
    return pb.DeleteRangeResult(header=_header(r.header), deleted=r.deleted, prev_kvs=[_kv(kv) for kv in r.prev_kvs])


def txn_result(r: epb.TxnResponse) -> pb.TxnResult:
    res = pb.TxnResult(header=_header(r.header), succeeded=r.succeeded)
    for op in r.responses:
        which = op.WhichOneof("response")
        if which == "response_put":
            res.responses.add(put=put_result(op.response_put))
        elif which == "response_range":
            res.responses.add(range=range_result(op.response_range))
        elif which == "response_delete_range":
            res.responses.add(delete_range=delete_result(op.response_delete_range))
        else:
            res.responses.add(txn=txn_result(op.response_txn))
    return res


class EtcdExecutor:
    """Runs commands on etcd through an Oracle's channel; execute() mirrors EtcdModel.execute."""

    def __init__(self, oracle: Oracle):
        self.oracle = oracle
        self._lease_stub = epbg.LeaseStub(oracle.channel)  # the oracle wraps only unary calls

    def execute(self, cmd: pb.Command) -> Result:
        try:
            return self._dispatch(cmd)
        except OracleError as exc:
            return errortable.code_for(exc.details()) or f"UNMAPPED {exc.code().name}: {exc.details()}"

    def _dispatch(self, cmd: pb.Command) -> Result:
        o, which = self.oracle, cmd.WhichOneof("command")
        kw: dict[str, Any] = {"timeout": DEADLINE}
        if which == "put":
            return put_result(o.kv.Put(put_request(cmd.put), **kw))
        if which == "range":
            return range_result(o.kv.Range(range_request(cmd.range), **kw))
        if which == "delete_range":
            return delete_result(o.kv.DeleteRange(delete_request(cmd.delete_range), **kw))
        if which == "txn":
            return txn_result(o.kv.Txn(txn_request(cmd.txn), **kw))
        if which == "compact":
            c = cmd.compact
            r = o.kv.Compact(epb.CompactionRequest(revision=c.revision, physical=c.physical), **kw)
            return pb.CompactResult(header=_header(r.header))
        return self._lease(cmd, which)

    def _lease(self, cmd: pb.Command, which: str | None) -> Result:
        o, kw = self.oracle, {"timeout": DEADLINE}
        if which == "lease_grant":
            g = o.lease.LeaseGrant(epb.LeaseGrantRequest(TTL=cmd.lease_grant.ttl, ID=cmd.lease_grant.id), **kw)
            if g.error:
                return f"UNMAPPED lease grant error: {g.error}"
            return pb.LeaseGrantResult(header=_header(g.header), id=g.ID, ttl=g.TTL)
        if which == "lease_revoke":
            r = o.lease.LeaseRevoke(epb.LeaseRevokeRequest(ID=cmd.lease_revoke.id), **kw)
            return pb.LeaseRevokeResult(header=_header(r.header))
        if which == "lease_time_to_live":
            t = cmd.lease_time_to_live
            r = o.lease.LeaseTimeToLive(epb.LeaseTimeToLiveRequest(ID=t.id, keys=t.keys), **kw)
            return pb.LeaseTimeToLiveResult(header=_header(r.header), id=r.ID, ttl=r.TTL, granted_ttl=r.grantedTTL,
                                            keys=sorted(r.keys))
        if which == "lease_leases":
            r = o.lease.LeaseLeases(epb.LeaseLeasesRequest(), **kw)
            return pb.LeaseLeasesResult(header=_header(r.header), ids=sorted(s.ID for s in r.leases))
        if which == "lease_keep_alive_once":
            return self._keep_alive_once(cmd.lease_keep_alive_once.id)
        raise ValueError(f"etcd_exec does not run {which} commands")

    def _keep_alive_once(self, lease_id: int) -> Result:
        call = self._lease_stub.LeaseKeepAlive(iter([epb.LeaseKeepAliveRequest(ID=lease_id)]),
                                                     timeout=DEADLINE)
        try:
            r: epb.LeaseKeepAliveResponse = next(iter(call))
        except grpc.RpcError as exc:
            return errortable.code_for(exc.details() or "") or f"UNMAPPED {exc.code().name}"
        finally:
            call.cancel()
        if r.TTL <= 0:
            return "LEASE_NOT_FOUND"
        return pb.LeaseKeepAliveOnceResult(header=_header(r.header), id=r.ID, ttl=r.TTL)

    # ---------------------------------------------------------------- state
    def reset(self) -> int:
        """Empty etcd for a new example: revoke every lease, delete every key, compact at
        the revision that leaves. Returns that revision; EtcdModel(revision=r,
        compact_revision=r) is then the same store."""
        o = self.oracle
        for lease_id in o.leases():
            try:
                o.lease_revoke(lease_id)
            except OracleError:
                pass  # expired meanwhile
        o.kv.DeleteRange(epb.DeleteRangeRequest(key=FROM_KEY_END, range_end=FROM_KEY_END), timeout=DEADLINE)
        rev = o.revision()
        try:
            o.compact(rev, physical=False)
        except OracleError as exc:
            if errortable.code_for(exc.details()) != "COMPACTED":
                raise
        return rev

    def events(self, key: bytes, range_end: bytes, from_revision: int, until: int) -> list[pb.WatchEvent] | str:
        """The events a watch with prev_kv from from_revision receives up to revision until
        (which must have an event in the range), or the ErrorCode its end says."""
        req = epb.WatchRequest(create_request=epb.WatchCreateRequest(
            key=key, range_end=range_end, start_revision=from_revision, prev_kv=True))
        call = self.oracle.watch_stub.Watch(iter([req]), timeout=DEADLINE)
        out: list[pb.WatchEvent] = []
        try:
            for resp in call:
                if resp.compact_revision:
                    return "COMPACTED"
                for e in resp.events:
                    we = pb.WatchEvent(type=e.type, kv=_kv(e.kv))
                    if e.HasField("prev_kv"):
                        we.prev_kv.CopyFrom(_kv(e.prev_kv))
                    out.append(we)
                if out and out[-1].kv.mod_revision >= until:
                    break
        finally:
            call.cancel()
        return out
