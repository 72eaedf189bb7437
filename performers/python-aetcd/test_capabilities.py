"""Capability computation, SDK facts and offline behaviour.
Run: <venv>/bin/python -B -m unittest (no etcd needed)."""

import asyncio
import inspect
import os
import re
import unittest

import aetcd
import aetcd.exceptions as exc
import aetcd.transactions
import aetcd.utils
import aetcd.watcher
from aetcd import rpc

import sdk
from sdk import pb
from sdk.kv import NO_API_RANGE_OPTIONS
from sdk.watch import watch_event

CATALOG = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                       "..", "..", "capabilities", "catalog.yaml")


def catalog_ids():
    ids = []
    with open(CATALOG) as f:
        in_caps = False
        for line in f:
            if line.startswith("capabilities:"):
                in_caps = True
                continue
            m = re.match(r"^  ([a-z0-9_.]+):", line)
            if in_caps and m:
                ids.append(m.group(1))
    return ids


class CapabilitiesTest(unittest.TestCase):
    def test_installed_version(self):
        self.assertEqual(sdk.sdk_version(), "1.0.0")

    def test_1_0_0(self):
        caps = sdk.capabilities_for("1.0.0")
        self.assertEqual(caps, sorted(caps))
        for must in ("kv.put", "kv.range.prefix", "kv.delete.range", "txn.nested",
                     "watch.compacted", "watch.filters", "lease.ttl.keys", "status"):
            self.assertIn(must, caps)
        for unclaimed in sdk.UNCLAIMED:
            self.assertNotIn(unclaimed, caps)

    def test_unverified_versions_claim_nothing(self):
        self.assertEqual(sdk.capabilities_for("0.1.0a7"), [])
        self.assertEqual(sdk.capabilities_for("1.0.0rc3"), [])
        self.assertEqual(sdk.capabilities_for("0.9.9"), [])

    @unittest.skipUnless(os.path.exists(CATALOG), "catalog.yaml not beside the performer")
    def test_every_catalog_id_classified(self):
        ids = set(catalog_ids())
        self.assertTrue(ids)
        claimed = set(sdk.capabilities_for("1.0.0"))
        unclaimed = set(sdk.UNCLAIMED)
        self.assertFalse(claimed & unclaimed)
        self.assertEqual(claimed - ids, set(), "claimed ids missing from the catalog")
        self.assertEqual(unclaimed - ids, set(), "unclaimed ids missing from the catalog")
        self.assertEqual(ids - claimed - unclaimed, set(), "catalog ids neither claimed nor explained")


class SdkFactsTest(unittest.TestCase):
    """The SDK behaviours the unclaimed list and known failures rely on (revisit if these fail)."""

    def test_range_options_have_no_api(self):
        for name in ("get", "get_prefix", "get_range", "get_all"):
            params = inspect.signature(getattr(aetcd.Client, name)).parameters
            for opt in NO_API_RANGE_OPTIONS:
                self.assertNotIn(opt, params, "%s(%s=) exists now" % (name, opt))
        req = aetcd.Client._build_get_range_request(
            b"a", range_end=b"b", limit=5, revision=7, count_only=True, min_mod_revision=1,
            max_mod_revision=2, min_create_revision=3, max_create_revision=4)
        for opt in NO_API_RANGE_OPTIONS:
            self.assertFalse(getattr(req, opt), opt)

    def test_put_has_no_ignore_options(self):
        params = inspect.signature(aetcd.Client.put).parameters
        self.assertNotIn("ignore_value", params)
        self.assertNotIn("ignore_lease", params)

    def test_no_lease_compare_no_leases_listing(self):
        self.assertFalse(hasattr(aetcd.Client().transactions, "lease"))
        self.assertFalse(hasattr(aetcd.transactions, "Lease"))
        self.assertFalse(hasattr(aetcd.Client, "leases"))

    def test_prefix_range_end_keeps_trailing_0xff(self):
        # known failure test_prefix_range_with_trailing_0xff_byte: etcd's answer is b"q".
        self.assertEqual(aetcd.utils.prefix_range_end(b"p\xff"), b"q\xff")

    def test_unset_prev_kv_becomes_an_empty_keyvalue(self):
        # known failures test_put_prev_kv_absent_for_new_key_and_present_after / test_watch_prev_kv
        resp = rpc.PutResponse()
        self.assertIsNotNone(aetcd.rtypes.Put(resp.header, resp.prev_kv).prev_kv)
        ev = rpc.Event()
        self.assertIsNotNone(aetcd.rtypes.Event(ev.type, ev.kv, ev.prev_kv).prev_kv)

    def test_connection_fault_capabilities(self):
        caps = set(sdk.capabilities_for("1.0.0"))
        self.assertLessEqual({"errors.typed", "connect.keepalive"}, caps)
        self.assertFalse(caps & {"lease.keepalive", "watch.resume", "watch.response_boundaries",
                                 "connect.block", "connect.auto_sync"})

    def test_channel_options_take_keepalive(self):
        # connect.keepalive: Client(options=...) is handed to the gRPC channel.
        self.assertIn("options", inspect.signature(aetcd.Client).parameters)
        self.assertEqual(sdk.session.channel_options(), {})
        self.assertEqual(sdk.session.channel_options(10000, 3000),
                         {"grpc.keepalive_time_ms": 10000, "grpc.keepalive_timeout_ms": 3000})

    def test_no_keepalive_facility(self):
        # lease.keepalive unclaimed: refresh_lease() returns the first reply of a one-request stream.
        self.assertIn("return reply", inspect.getsource(aetcd.Client.refresh_lease))
        for cls in (aetcd.Client, aetcd.Lease):
            self.assertFalse([n for n in dir(cls) if "keep" in n.lower()], cls)

    def test_stream_error_drops_every_watch(self):
        # watch.resume unclaimed: the error goes to every callback, and the callbacks are gone.
        src = inspect.getsource(aetcd.watcher.Watcher._terminate_stream)
        self.assertIn("self._callbacks = {}", src)
        self.assertIn("_process_callback(callback, error)", src)

    def test_duplicate_lease_error_has_no_message(self):
        self.assertEqual(str(exc.DuplicateLeaseError()), "")


class SessionOfflineTest(unittest.IsolatedAsyncioTestCase):
    """Commands the performer refuses before calling the SDK (no etcd needed)."""

    async def asyncSetUp(self):
        self.s = sdk.Session(["http://127.0.0.1:1"], 1000, 1000)

    async def asyncTearDown(self):
        await self.s.close()

    async def kind(self, **cmd):
        r = await self.s.execute(pb.Command(**cmd))
        self.assertLessEqual(r.call_ns, r.return_ns)
        self.assertEqual(r.WhichOneof("outcome"), "harness_error")
        return pb.HarnessError.Kind.Name(r.harness_error.kind)

    async def test_refusals(self):
        U, B = "UNIMPLEMENTED", "BAD_REQUEST"
        P = pb.RANGE_KIND_PREFIX
        self.assertEqual(await self.kind(range=pb.RangeCommand(key=b"a", kind=P, limit=1)), U)
        self.assertEqual(await self.kind(range=pb.RangeCommand(key=b"a", revision=3)), U)
        self.assertEqual(await self.kind(range=pb.RangeCommand(key=b"a", kind=pb.RANGE_KIND_FROM_KEY)), U)
        self.assertEqual(await self.kind(range=pb.RangeCommand(key=b"a", kind=P, serializable=True)), U)
        self.assertEqual(await self.kind(range=pb.RangeCommand(
            key=b"a", kind=pb.RANGE_KIND_RANGE, range_end=b"b", keys_only=True)), U)
        self.assertEqual(await self.kind(range=pb.RangeCommand(key=b"a", keys_only=True)), U)
        self.assertEqual(await self.kind(put=pb.PutCommand(key=b"a", ignore_value=True)), U)
        self.assertEqual(await self.kind(put=pb.PutCommand(key=b"a", ignore_lease=True)), U)
        self.assertEqual(await self.kind(lease_leases=pb.LeaseLeasesCommand()), U)
        self.assertEqual(await self.kind(delete_range=pb.DeleteRangeCommand(
            key=b"a", kind=pb.RANGE_KIND_FROM_KEY)), U)
        self.assertEqual(await self.kind(txn=pb.TxnCommand(compares=[pb.Compare(
            key=b"a", target=pb.COMPARE_TARGET_LEASE)])), U)
        self.assertEqual(await self.kind(txn=pb.TxnCommand(success=[pb.RequestOp(
            range=pb.RangeCommand(key=b"a", limit=2))])), U)
        self.assertEqual(await self.kind(watch_start=pb.WatchStartCommand(
            handle="w", key=b"a", progress_notify=True)), U)
        self.assertEqual(await self.kind(watch_start=pb.WatchStartCommand(
            handle="w", key=b"a", filters=[pb.WATCH_FILTER_NOPUT, pb.WATCH_FILTER_NODELETE])), U)
        for ka in ({"lease_keep_alive_start": pb.LeaseKeepAliveStartCommand(handle="k", ttl=2)},
                   {"lease_keep_alive_collect": pb.LeaseKeepAliveCollectCommand(handle="k")},
                   {"lease_keep_alive_stop": pb.LeaseKeepAliveStopCommand(handle="k")}):
            self.assertEqual(await self.kind(**ka), U)
        self.assertEqual(await self.kind(watch_collect=pb.WatchCollectCommand(handle="x")), B)
        self.assertEqual(await self.kind(watch_cancel=pb.WatchCancelCommand(handle="x")), B)
        self.assertEqual(await self.kind(), B)

    async def test_closed_session_refuses(self):
        await self.s.close()
        self.assertEqual(await self.kind(put=pb.PutCommand(key=b"a")), "BAD_REQUEST")


class WatchBufferTest(unittest.IsolatedAsyncioTestCase):
    async def test_compacted_ends_watch(self):
        w = sdk.Watch("h")
        await w.end(exc.RevisionCompactedError(17))
        res = await w.collect(5, 0.01)
        self.assertTrue(res.ended)
        self.assertEqual(res.end_error.code, pb.COMPACTED)
        self.assertEqual(res.compact_revision, 17)

    async def test_min_events_zero_waits_the_whole_timeout(self):
        w = sdk.Watch("h")
        await w.add_event(pb.WatchEvent())
        loop = asyncio.get_running_loop()
        t0 = loop.time()
        res = await w.collect(0, 0.2)
        self.assertGreaterEqual(loop.time() - t0, 0.19)
        self.assertEqual(len(res.events), 1)
        self.assertEqual(len((await w.collect(1, 0.01)).events), 0)

    async def test_collect_returns_at_threshold_and_on_end(self):
        w = sdk.Watch("h")

        async def later():
            await asyncio.sleep(0.05)
            await w.add_event(pb.WatchEvent())
            await w.add_event(pb.WatchEvent())
            await asyncio.sleep(0.05)
            await w.end(None)

        task = asyncio.create_task(later())
        res = await w.collect(2, 5)
        self.assertEqual((len(res.events), res.ended), (2, False))
        res = await w.collect(1, 5)
        self.assertEqual((len(res.events), res.ended), (0, True))
        await task

    def test_watch_event_conversion(self):
        kv = rpc.KeyValue(key=b"k", value=b"v", create_revision=2, mod_revision=3, version=1)
        ev = watch_event(aetcd.rtypes.Event(rpc.Event.DELETE, kv, None))
        self.assertEqual(ev.type, pb.EVENT_TYPE_DELETE)
        self.assertFalse(ev.HasField("prev_kv"))
        self.assertEqual((ev.kv.key, ev.kv.mod_revision), (b"k", 3))


class EndpointTest(unittest.TestCase):
    def test_parse_endpoint(self):
        self.assertEqual(sdk.parse_endpoint("http://127.0.0.1:2379"), ("127.0.0.1", 2379))
        self.assertEqual(sdk.parse_endpoint("localhost:23"), ("localhost", 23))
        self.assertEqual(sdk.parse_endpoint("http://[::1]:2379"), ("::1", 2379))
        with self.assertRaises(sdk.Unimplemented):
            sdk.parse_endpoint("https://h:1")
        with self.assertRaises(ValueError):
            sdk.parse_endpoint("http://nohost")


if __name__ == "__main__":
    unittest.main()
