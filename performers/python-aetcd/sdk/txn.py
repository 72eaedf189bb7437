"""Txn through aetcd's Client.transaction() and client.transactions (compares, ops, nesting)."""

from etcdfit_kit import convert
from etcdfit_kit.errors import BadRequest, Unimplemented
from etcdfit_kit.stubs import pb

from .kv import prefix_end


class TxnCommands:
    """Session methods for Txn (self.client is an aetcd.Client)."""

    def _compare(self, c):
        tx = self.client.transactions
        if c.kind == pb.RANGE_KIND_SINGLE:
            range_end = None
        elif c.kind == pb.RANGE_KIND_RANGE:
            range_end = c.range_end
        elif c.kind == pb.RANGE_KIND_PREFIX:
            range_end = prefix_end(c.key)
        elif c.kind == pb.RANGE_KIND_FROM_KEY:
            raise Unimplemented("txn compare: aetcd has no from-key helper")
        else:
            raise BadRequest("unknown compare range kind %d" % c.kind)
        if c.target == pb.COMPARE_TARGET_VALUE:
            cmp, operand = tx.value(c.key, range_end), c.value
        elif c.target == pb.COMPARE_TARGET_VERSION:
            cmp, operand = tx.version(c.key, range_end), c.version
        elif c.target == pb.COMPARE_TARGET_CREATE:
            cmp, operand = tx.create(c.key, range_end), c.create_revision
        elif c.target == pb.COMPARE_TARGET_MOD:
            cmp, operand = tx.mod(c.key, range_end), c.mod_revision
        elif c.target == pb.COMPARE_TARGET_LEASE:
            raise Unimplemented("aetcd.transactions has no Lease compare "
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
                raise Unimplemented("aetcd.transactions.Put has no ignore_value/ignore_lease")
            return tx.put(p.key, p.value, lease=p.lease or None, prev_kv=p.prev_kv)
        if which == "range":
            r = op.range
            if (r.limit or r.revision or r.sort_order or r.sort_target or r.serializable
                    or r.keys_only or r.count_only or r.min_mod_revision
                    or r.max_mod_revision or r.min_create_revision
                    or r.max_create_revision):
                raise Unimplemented("aetcd.transactions.Get takes only key and range_end "
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
        if r.kind == pb.RANGE_KIND_FROM_KEY:
            raise Unimplemented("txn op: aetcd has no from-key helper")
        raise BadRequest("unknown range kind %d" % r.kind)

    async def _do_txn(self, c, t):
        compares = [self._compare(x) for x in c.compares]
        success = [self._op(x) for x in c.success]
        failure = [self._op(x) for x in c.failure]
        succeeded, responses = await t.call(self.client.transaction, compare=compares,
                                            success=success, failure=failure)
        # transaction() returns (succeeded, responses) and hides the TxnResponse
        # header. Put/delete/txn responses come back as raw ResponseOps; range
        # responses become a list of (value, rtypes.Get) without header/more/count.
        out = pb.TxnResult(header=convert.header(None), succeeded=succeeded)
        for r in responses:
            if isinstance(r, list):
                kvs = [convert.kv(g) for _value, g in r]
                # transactions.Get cannot take a limit, so etcd's count is len(kvs)
                # and more is false.
                out.responses.append(pb.ResponseOp(range=pb.RangeResult(
                    header=convert.header(None), kvs=kvs, more=False, count=len(kvs))))
            else:
                out.responses.append(convert.response_op_raw(r))
        return out
