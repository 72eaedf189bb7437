"""Txn compares and operations through an SDK whose `transactions` helpers are etcd3's.

python-etcd3's `client.transactions` and aetcd's (a fork of it) expose the same builders
(value/version/create/mod compares, put/get/delete/txn operations), so turning protocol
messages into those builders is written once here; each performer's sdk/txn.py subclasses
`TxnOps`, names its SDK and gives its own prefix helper, and makes the transaction() call.
"""

from .errors import BadRequest, Unimplemented
from .stubs import pb

_RANGE_OPTIONS = ("limit", "revision", "sort_order", "sort_target", "serializable", "keys_only", "count_only",
                  "min_mod_revision", "max_mod_revision", "min_create_revision", "max_create_revision")


class TxnOps:
    """Session mixin: self.client.transactions builds the SDK's compares and operations."""

    SDK = "the SDK"  # its module name, for messages ("etcd3", "aetcd")

    def _prefix_end(self, key):
        """The SDK's own prefix helper (what its *_prefix methods use)."""
        raise NotImplementedError

    def _range_end(self, r, what):
        if r.kind == pb.RANGE_KIND_SINGLE:
            return None
        if r.kind == pb.RANGE_KIND_RANGE:
            return r.range_end
        if r.kind == pb.RANGE_KIND_PREFIX:
            return self._prefix_end(r.key)
        if r.kind == pb.RANGE_KIND_FROM_KEY:
            raise Unimplemented("%s: %s has no from-key helper" % (what, self.SDK))
        raise BadRequest("unknown range kind %d" % r.kind)

    def _compare(self, c):
        tx = self.client.transactions
        range_end = self._range_end(c, "txn compare")
        if c.target == pb.COMPARE_TARGET_VALUE:
            cmp, operand = tx.value(c.key, range_end), c.value
        elif c.target == pb.COMPARE_TARGET_VERSION:
            cmp, operand = tx.version(c.key, range_end), c.version
        elif c.target == pb.COMPARE_TARGET_CREATE:
            cmp, operand = tx.create(c.key, range_end), c.create_revision
        elif c.target == pb.COMPARE_TARGET_MOD:
            cmp, operand = tx.mod(c.key, range_end), c.mod_revision
        elif c.target == pb.COMPARE_TARGET_LEASE:
            raise Unimplemented("%s.transactions has no Lease compare (only Value, Version, Create, Mod)"
                                % self.SDK)
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
                raise Unimplemented("%s.transactions.Put has no ignore_value/ignore_lease" % self.SDK)
            return tx.put(p.key, p.value, lease=p.lease or None, prev_kv=p.prev_kv)
        if which == "range":
            r = op.range
            if any(getattr(r, name) for name in _RANGE_OPTIONS):
                raise Unimplemented("%s.transactions.Get takes only key and range_end (no range options)"
                                    % self.SDK)
            return tx.get(r.key, self._range_end(r, "txn op"))
        if which == "delete_range":
            d = op.delete_range
            return tx.delete(d.key, self._range_end(d, "txn op"), prev_kv=d.prev_kv)
        if which == "txn":
            n = op.txn
            return tx.txn([self._compare(c) for c in n.compares],
                          [self._op(o) for o in n.success],
                          [self._op(o) for o in n.failure])
        raise BadRequest("empty RequestOp")
