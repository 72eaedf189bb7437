"""Txn through aetcd's Client.transaction() and client.transactions (compares, ops, nesting)."""

from etcdfit_kit import convert
from etcdfit_kit.stubs import pb
from etcdfit_kit.txn import TxnOps

from .kv import prefix_end


class TxnCommands(TxnOps):
    """Session methods for Txn (self.client is an aetcd.Client); compares
    and operations are built by the kit's TxnOps (the two SDKs share etcd3's transactions helpers)."""

    SDK = "aetcd"

    def _prefix_end(self, key):
        return prefix_end(key)

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
