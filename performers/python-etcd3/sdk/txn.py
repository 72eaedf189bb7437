"""Txn through etcd3's transaction() and client.transactions (compares, ops, nesting)."""

from etcdfit_kit import convert
from etcdfit_kit.stubs import pb
from etcdfit_kit.txn import TxnOps

from .kv import prefix_end


class TxnCommands(TxnOps):
    """Session methods for Txn (self.client is an etcd3 client); compares
    and operations are built by the kit's TxnOps (the two SDKs share etcd3's transactions helpers)."""

    SDK = "etcd3"

    def _prefix_end(self, key):
        return prefix_end(key)

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
