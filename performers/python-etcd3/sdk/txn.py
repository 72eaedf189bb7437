"""Txn through etcd3's transaction() and client.transactions (compares, ops, nesting)."""

from etcdfit_kit import convert
from etcdfit_kit.errors import BadRequest, Unimplemented
from etcdfit_kit.stubs import pb

from .kv import prefix_end


class TxnCommands:
    """Session methods for Txn (self.client is an etcd3 client)."""

    def _compare(self, c):
        tx = self.client.transactions
        if c.kind == pb.RANGE_KIND_SINGLE:
            range_end = None
        elif c.kind == pb.RANGE_KIND_RANGE:
            range_end = c.range_end
        elif c.kind == pb.RANGE_KIND_PREFIX:
            range_end = prefix_end(c.key)
        else:
            raise Unimplemented("txn compare: etcd3 has no from-key helper")
        if c.target == pb.COMPARE_TARGET_VALUE:
            cmp, operand = tx.value(c.key, range_end), c.value
        elif c.target == pb.COMPARE_TARGET_VERSION:
            cmp, operand = tx.version(c.key, range_end), c.version
        elif c.target == pb.COMPARE_TARGET_CREATE:
            cmp, operand = tx.create(c.key, range_end), c.create_revision
        elif c.target == pb.COMPARE_TARGET_MOD:
            cmp, operand = tx.mod(c.key, range_end), c.mod_revision
        elif c.target == pb.COMPARE_TARGET_LEASE:
            raise Unimplemented("etcd3.transactions has no Lease compare "
                                "(only Value, Version, Create, Mod)")
        else:
            raise BadRequest("unknown compare target %d" % c.target)
        if c.result == pb.COMPARE_RESULT_EQUAL:
            return cmp == operand
        if c.result == pb.COMPARE_RESULT_NOT_EQUAL:
            return cmp != operand
        if c.result == pb.COMPARE_RESULT_GREATER:
            return cmp > operand
        if c.result == pb.COMPARE_RESULT_LESS:
            return cmp < operand
        raise BadRequest("unknown compare result %d" % c.result)

    def _op(self, op):
        tx = self.client.transactions
        which = op.WhichOneof("request")
        if which == "put":
            p = op.put
            if p.ignore_value or p.ignore_lease:
                raise Unimplemented("etcd3.transactions.Put has no ignore_value/ignore_lease")
            return tx.put(p.key, p.value, lease=p.lease or None, prev_kv=p.prev_kv)
        if which == "range":
            r = op.range
            if (r.limit or r.revision or r.sort_order or r.sort_target or r.serializable
                    or r.keys_only or r.count_only or r.min_mod_revision
                    or r.max_mod_revision or r.min_create_revision
                    or r.max_create_revision):
                raise Unimplemented("etcd3.transactions.Get takes only key and range_end "
                                    "(no range options)")
            return tx.get(r.key, self._op_range_end(r))
        if which == "delete_range":
            d = op.delete_range
            return tx.delete(d.key, self._op_range_end(d), prev_kv=d.prev_kv)
        if which == "txn":
            n = op.txn
            return tx.txn([self._compare(c) for c in n.compares],
                          [self._op(o) for o in n.success],
                          [self._op(o) for o in n.failure])
        raise BadRequest("empty RequestOp")

    def _op_range_end(self, r):
        if r.kind == pb.RANGE_KIND_SINGLE:
            return None
        if r.kind == pb.RANGE_KIND_RANGE:
            return r.range_end
        if r.kind == pb.RANGE_KIND_PREFIX:
            return prefix_end(r.key)
        raise Unimplemented("txn op: etcd3 has no from-key helper")

    def _do_txn(self, c, t):
        compares = [self._compare(x) for x in c.compares]
        success = [self._op(x) for x in c.success]
        failure = [self._op(x) for x in c.failure]
        succeeded, responses = t.call(self.client.transaction, compare=compares,
                                      success=success, failure=failure)
        # transaction() returns (succeeded, responses) and hides the TxnResponse
        # header. Put/delete/txn responses come back raw; range responses are
        # turned into a list of (value, KVMetadata) without header/more/count.
        out = pb.TxnResult(header=convert.header(None), succeeded=succeeded)
        for r in responses:
            if isinstance(r, list):
                kvs = [pb.KeyValue(key=m.key, create_revision=m.create_revision,
                                   mod_revision=m.mod_revision, version=m.version,
                                   value=value, lease=m.lease_id) for value, m in r]
                # No limit can be set on transactions.Get, so etcd's count is len(kvs)
                # and more is false.
                out.responses.append(pb.ResponseOp(range=pb.RangeResult(
                    header=convert.header(None), kvs=kvs, more=False, count=len(kvs))))
            else:
                out.responses.append(convert.response_op_raw(r))
        return out
