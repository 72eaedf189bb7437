"""Put, Range and DeleteRange through aetcd.Client's methods and its rtypes."""

import aetcd.utils

from etcdfit_kit import convert
from etcdfit_kit.errors import BadRequest, Unimplemented, sdk_helper
from etcdfit_kit.stubs import pb

from .capabilities import sdk_version

# Range options no aetcd get*() method accepts.
NO_API_RANGE_OPTIONS = ("limit", "revision", "count_only", "min_mod_revision",
                        "max_mod_revision", "min_create_revision", "max_create_revision")


def prefix_end(key):
    # The SDK's own prefix computation (what get_prefix / delete_prefix / watch_prefix use).
    return sdk_helper(aetcd.utils.prefix_range_end, key)


def check_range_options(r):
    for name in NO_API_RANGE_OPTIONS:
        if getattr(r, name):
            raise Unimplemented(
                "aetcd %s: no get*() method takes %s (Client._build_get_range_request "
                "never sets it: 'TODO: Add missing request parameters')" % (sdk_version(), name))


def range_result(resp):
    """rtypes.GetRange -> RangeResult (kvs are the raw mvccpb.KeyValue list)."""
    return pb.RangeResult(header=convert.header(resp.header),
                          kvs=[convert.kv(kv) for kv in resp.kvs],
                          more=resp.more, count=resp.count)


class KvCommands:
    """Session methods for the key-value commands (self.client is an aetcd.Client)."""

    async def _do_put(self, c, t):
        if c.ignore_value:
            raise Unimplemented("aetcd Client.put() has no ignore_value option")
        if c.ignore_lease:
            raise Unimplemented("aetcd Client.put() has no ignore_lease option")
        put = await t.call(self.client.put, c.key, c.value, lease=c.lease or None,
                           prev_kv=c.prev_kv)
        # rtypes.Put: header and prev_kv (None or rtypes.KeyValue), reported as given.
        res = pb.PutResult(header=convert.header(put.header))
        if put.prev_kv is not None:
            res.prev_kv.CopyFrom(convert.kv(put.prev_kv))
        return res

    async def _do_range(self, c, t):
        check_range_options(c)
        order = convert.SORT_ORDER.get(c.sort_order)
        target = convert.SORT_TARGET.get(c.sort_target)
        if (order is None and c.sort_order != pb.SORT_ORDER_NONE) or target is None:
            raise BadRequest("unknown sort order/target %d/%d" % (c.sort_order, c.sort_target))
        if c.kind == pb.RANGE_KIND_SINGLE:
            if c.keys_only or order is not None or target != "key":
                raise Unimplemented("aetcd Client.get() (single key) takes only serializable; "
                                    "keys_only/sort are not supported")
            got = await t.call(self.client.get, c.key, serializable=c.serializable)
            if got is None:
                # get() returns None when the range is empty: no header, no count.
                return pb.RangeResult(header=convert.header(None), count=0, more=False)
            return pb.RangeResult(header=convert.header(got.header), kvs=[convert.kv(got)],
                                  count=1, more=False)
        if c.kind == pb.RANGE_KIND_PREFIX:
            if c.serializable:
                raise Unimplemented("aetcd Client.get_prefix() has no serializable option")
            resp = await t.call(self.client.get_prefix, c.key, sort_order=order,
                                sort_target=target, keys_only=c.keys_only)
        elif c.kind == pb.RANGE_KIND_RANGE:
            if c.serializable or c.keys_only:
                raise Unimplemented("aetcd Client.get_range() has no serializable / "
                                    "keys_only option")
            resp = await t.call(self.client.get_range, c.key, c.range_end, sort_order=order,
                                sort_target=target)
        elif c.kind == pb.RANGE_KIND_FROM_KEY:
            raise Unimplemented("aetcd has no from-key range helper (get_all() ranges from "
                                "b'\\0' only)")
        else:
            raise BadRequest("unknown range kind %d" % c.kind)
        return range_result(resp)

    async def _do_delete_range(self, c, t):
        if c.kind == pb.RANGE_KIND_SINGLE:
            got = await t.call(self.client.delete, c.key, prev_kv=c.prev_kv)
            if got is None:
                # delete() returns None when nothing was deleted: no header.
                return pb.DeleteRangeResult(header=convert.header(None), deleted=0)
            res = pb.DeleteRangeResult(header=convert.header(got.header), deleted=got.deleted)
            if got.prev_kv is not None:
                res.prev_kvs.append(convert.kv(got.prev_kv))
            return res
        if c.kind == pb.RANGE_KIND_PREFIX:
            resp = await t.call(self.client.delete_prefix, c.key, prev_kv=c.prev_kv)
        elif c.kind == pb.RANGE_KIND_RANGE:
            resp = await t.call(self.client.delete_range, c.key, c.range_end,
                                prev_kv=c.prev_kv)
        elif c.kind == pb.RANGE_KIND_FROM_KEY:
            raise Unimplemented("aetcd has no from-key delete helper")
        else:
            raise BadRequest("unknown range kind %d" % c.kind)
        # rtypes.DeleteRange: header, deleted, raw prev_kvs.
        return pb.DeleteRangeResult(header=convert.header(resp.header), deleted=resp.deleted,
                                    prev_kvs=[convert.kv(kv) for kv in resp.prev_kvs])
