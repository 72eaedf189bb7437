"""Put, Range and DeleteRange through etcd3's client methods."""

import etcd3.utils

from etcdfit_kit import convert
from etcdfit_kit.errors import BadRequest, Unimplemented, sdk_helper
from etcdfit_kit.stubs import pb

from .capabilities import sdk_version

# Range options the SDK accepts as kwargs but never puts in the request.
DROPPED_RANGE_OPTIONS = ("limit", "revision", "count_only", "min_mod_revision",
                         "max_mod_revision", "min_create_revision", "max_create_revision")


def prefix_end(key):
    # The SDK's own prefix computation (what get_prefix_response & co use).
    return sdk_helper(etcd3.utils.increment_last_byte, etcd3.utils.to_bytes(key))


def check_range_options(r):
    for name in DROPPED_RANGE_OPTIONS:
        if getattr(r, name):
            raise Unimplemented(
                "etcd3 %s: range option %s is not supported (get_*_response accept it as a "
                "kwarg but _build_get_range_request never sets it in the RangeRequest)"
                % (sdk_version(), name))


class KvCommands:
    """Session methods for the key-value commands (self.client is an etcd3 client)."""

    def _do_put(self, c, t):
        if c.ignore_value:
            raise Unimplemented("etcd3 put() has no ignore_value option")
        if c.ignore_lease:
            raise Unimplemented("etcd3 put() has no ignore_lease option")
        resp = t.call(self.client.put, c.key, c.value, lease=c.lease or None,
                      prev_kv=c.prev_kv)
        return convert.put_result_raw(resp)

    def _do_range(self, c, t):
        check_range_options(c)
        if not hasattr(self.client, "get_response"):  # etcd3 < 0.11
            return self._do_range_tuples(c, t)
        order = convert.SORT_ORDER[c.sort_order]
        target = convert.SORT_TARGET[c.sort_target]
        if c.kind == pb.RANGE_KIND_SINGLE:
            if c.keys_only or order is not None or target != "key":
                raise Unimplemented("etcd3 get_response() (single key) takes only "
                                    "serializable; keys_only/sort are not supported")
            resp = t.call(self.client.get_response, c.key, serializable=c.serializable)
        elif c.kind == pb.RANGE_KIND_PREFIX:
            resp = t.call(self.client.get_prefix_response, c.key, sort_order=order,
                          sort_target=target, serializable=c.serializable,
                          keys_only=c.keys_only)
        elif c.kind == pb.RANGE_KIND_RANGE:
            resp = t.call(self.client.get_range_response, c.key, c.range_end,
                          sort_order=order, sort_target=target,
                          serializable=c.serializable, keys_only=c.keys_only)
        elif c.kind == pb.RANGE_KIND_FROM_KEY:
            raise Unimplemented("etcd3 has no from-key range helper")
        else:
            raise BadRequest("unknown range kind %d" % c.kind)
        return convert.range_result_raw(resp)

    def _do_range_tuples(self, c, t):
        """etcd3 0.10: get()/get_prefix()/get_range() return (value, KVMetadata) tuples;
        the response header is only reachable through the metadata of a returned key."""
        order = convert.SORT_ORDER[c.sort_order]
        target = convert.SORT_TARGET[c.sort_target]
        if c.kind == pb.RANGE_KIND_SINGLE:
            if c.keys_only or order is not None or target != "key":
                raise Unimplemented("etcd3 0.10 get() takes only serializable")
            value, meta = t.call(self.client.get, c.key, serializable=c.serializable)
            pairs = [] if meta is None else [(value, meta)]
        else:
            if c.serializable:
                raise Unimplemented("etcd3 0.10 get_prefix()/get_range() have no serializable option")
            if c.kind == pb.RANGE_KIND_PREFIX:
                fn, args = self.client.get_prefix, (c.key,)
            elif c.kind == pb.RANGE_KIND_RANGE:
                fn, args = self.client.get_range, (c.key, c.range_end)
            elif c.kind == pb.RANGE_KIND_FROM_KEY:
                raise Unimplemented("etcd3 has no from-key range helper")
            else:
                raise BadRequest("unknown range kind %d" % c.kind)
            pairs = t.call(lambda *a, **k: list(fn(*a, **k)), *args, sort_order=order,
                           sort_target=target, keys_only=c.keys_only)
        out = pb.RangeResult(count=len(pairs))
        for value, meta in pairs:
            out.kvs.append(metadata_kv(value, meta))
        out.header.CopyFrom(convert.header(pairs[0][1].response_header) if pairs
                            else convert.header(None))
        return out

    def _do_delete_range(self, c, t):
        if c.kind == pb.RANGE_KIND_SINGLE:
            resp = t.call(self.client.delete, c.key, prev_kv=c.prev_kv,
                          return_response=True)
        elif c.kind == pb.RANGE_KIND_PREFIX:
            if c.prev_kv:
                raise Unimplemented("etcd3 delete_prefix() has no prev_kv option")
            resp = t.call(self.client.delete_prefix, c.key)
        elif c.kind == pb.RANGE_KIND_RANGE:
            raise Unimplemented("etcd3 has no delete over an interval [key, range_end) "
                                "(only delete() and delete_prefix())")
        elif c.kind == pb.RANGE_KIND_FROM_KEY:
            raise Unimplemented("etcd3 has no from-key delete helper")
        else:
            raise BadRequest("unknown range kind %d" % c.kind)
        return convert.delete_result_raw(resp)


def metadata_kv(value, meta):
    """A (value, etcd3.client.KVMetadata) pair -> KeyValue."""
    return pb.KeyValue(key=meta.key, create_revision=meta.create_revision,
                       mod_revision=meta.mod_revision, version=meta.version,
                       value=value or b"", lease=meta.lease_id)
