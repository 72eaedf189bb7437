"""Capability computation and SDK-fact tests. Run: <venv>/bin/python -m unittest (no etcd)."""

import inspect
import os
import re
import types
import unittest

import etcd3
import etcd3.events
import etcd3.exceptions as exc
import etcd3.watch
import grpc

try:  # etcd3 0.11+; 0.10 calls watch callbacks once per event
    from etcd3.watch import WatchResponse
except ImportError:
    WatchResponse = None

from test_error_mapping import FakeRpcError

import sdk
from sdk import pb
from sdk.kv import DROPPED_RANGE_OPTIONS

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
        self.assertEqual(sdk.sdk_version(), etcd3.__version__)

    def test_0_12_0(self):
        caps = sdk.capabilities_for("0.12.0")
        self.assertEqual(caps, sorted(caps))
        for must in ("kv.put", "kv.range.prefix", "txn.nested", "watch.compacted",
                     "lease.keepalive_once", "status"):
            self.assertIn(must, caps)
        for unclaimed in sdk.UNCLAIMED:
            self.assertNotIn(unclaimed, caps)

    def test_older_versions(self):
        # 0.10 has no add_watch_prefix_callback(), no progress notifications, and calls
        # back once per event (response boundaries hidden).
        self.assertEqual(set(sdk.capabilities_for("0.12.0")) - set(sdk.capabilities_for("0.11.1")),
                         set())
        self.assertEqual(set(sdk.capabilities_for("0.11.1")) - set(sdk.capabilities_for("0.10.0")),
                         {"watch.prefix", "watch.progress_notify", "watch.response_boundaries"})

    def test_connection_fault_capabilities(self):
        for v in ("0.10.0", "0.11.1", "0.12.0"):
            caps = set(sdk.capabilities_for(v))
            self.assertLessEqual({"errors.typed", "connect.keepalive"}, caps, v)
            self.assertFalse(caps & {"lease.keepalive", "watch.resume", "connect.block",
                                     "connect.auto_sync"}, v)

    @unittest.skipUnless(os.path.exists(CATALOG), "catalog.yaml not beside the performer")
    def test_every_catalog_id_classified(self):
        ids = set(catalog_ids())
        self.assertTrue(ids)
        claimed = set(sdk.capabilities_for("0.12.0"))
        unclaimed = set(sdk.UNCLAIMED)
        self.assertFalse(claimed & unclaimed)
        self.assertEqual(claimed - ids, set(), "claimed ids missing from the catalog")
        self.assertEqual(unclaimed - ids, set(), "unclaimed ids missing from the catalog")
        self.assertEqual(ids - claimed - unclaimed, set(), "catalog ids neither claimed nor explained")


class SdkFactsTest(unittest.TestCase):
    """The SDK behaviours the unclaimed list relies on (revisit if these fail)."""

    def setUp(self):
        self.client = etcd3.client("127.0.0.1", 1, timeout=1)  # lazy channel, no traffic

    def tearDown(self):
        self.client.close()

    def test_range_kwargs_are_dropped(self):
        req = self.client._build_get_range_request(
            b"a", range_end=b"b", limit=5, revision=7, count_only=True, min_mod_revision=1,
            max_mod_revision=2, min_create_revision=3, max_create_revision=4)
        for name in DROPPED_RANGE_OPTIONS:
            self.assertFalse(getattr(req, name), name)

    def test_watch_filters_broken(self):
        with self.assertRaises(AttributeError):
            self.client.watcher._create_watch_request(b"k", filters=[0])

    def test_grpc_options_reach_the_channel(self):
        # connect.keepalive: etcd3.client(grpc_options=...) takes the channel options.
        params = inspect.signature(etcd3.client).parameters
        self.assertIn("grpc_options", params)
        self.assertIsNone(sdk.session.grpc_options())
        self.assertEqual(sdk.session.grpc_options(10000, 3000),
                         [("grpc.keepalive_time_ms", 10000), ("grpc.keepalive_timeout_ms", 3000)])
        s = sdk.Session(["http://127.0.0.1:1"], 1000, keepalive_time_ms=10000)
        s.close()

    def test_no_keepalive_facility(self):
        # lease.keepalive unclaimed: no background keep-alive anywhere in the SDK.
        self.assertTrue(inspect.isgeneratorfunction(
            inspect.unwrap(etcd3.Etcd3Client.refresh_lease)))
        for name in dir(etcd3.Etcd3Client):
            self.assertNotIn("keep", name.lower())
        self.assertFalse([n for n in dir(etcd3.Lease) if "keep" in n.lower()])

    def test_watch_error_drops_callbacks(self):
        # watch.resume unclaimed: a stream error reaches each callback once, then the
        # callbacks are gone (Watcher._run); the watch ends with that error.
        src = inspect.getsource(etcd3.watch.Watcher._run)
        self.assertIn("self._callbacks = {}", src)
        self.assertIn("_safe_callback(callback, err)", src)

    def test_no_lease_compare_no_leases_listing(self):
        self.assertFalse(hasattr(self.client.transactions, "lease"))
        self.assertFalse(hasattr(self.client, "leases"))


class SessionOfflineTest(unittest.TestCase):
    """Commands the performer refuses before calling the SDK (no etcd needed)."""

    def setUp(self):
        self.s = sdk.Session(["http://127.0.0.1:1"], 1000)

    def tearDown(self):
        self.s.close()

    def kind(self, **cmd):
        r = self.s.execute(pb.Command(**cmd))
        self.assertLessEqual(r.call_ns, r.return_ns)
        self.assertEqual(r.WhichOneof("outcome"), "harness_error")
        return pb.HarnessError.Kind.Name(r.harness_error.kind)

    def test_refusals(self):
        U, B = "UNIMPLEMENTED", "BAD_REQUEST"
        self.assertEqual(self.kind(range=pb.RangeCommand(key=b"a", kind=pb.RANGE_KIND_PREFIX, limit=1)), U)
        self.assertEqual(self.kind(range=pb.RangeCommand(key=b"a", revision=3)), U)
        self.assertEqual(self.kind(range=pb.RangeCommand(key=b"a", kind=pb.RANGE_KIND_FROM_KEY)), U)
        self.assertEqual(self.kind(put=pb.PutCommand(key=b"a", ignore_value=True)), U)
        self.assertEqual(self.kind(lease_leases=pb.LeaseLeasesCommand()), U)
        self.assertEqual(self.kind(delete_range=pb.DeleteRangeCommand(
            key=b"a", kind=pb.RANGE_KIND_RANGE, range_end=b"b")), U)
        self.assertEqual(self.kind(txn=pb.TxnCommand(compares=[pb.Compare(
            key=b"a", target=pb.COMPARE_TARGET_LEASE)])), U)
        self.assertEqual(self.kind(lease_keep_alive_start=pb.LeaseKeepAliveStartCommand(
            handle="k", ttl=2)), U)
        self.assertEqual(self.kind(lease_keep_alive_collect=pb.LeaseKeepAliveCollectCommand(
            handle="k")), U)
        self.assertEqual(self.kind(lease_keep_alive_stop=pb.LeaseKeepAliveStopCommand(
            handle="k")), U)
        self.assertEqual(self.kind(watch_collect=pb.WatchCollectCommand(handle="x")), B)
        self.assertEqual(self.kind(watch_cancel=pb.WatchCancelCommand(handle="x")), B)
        self.assertEqual(self.kind(), B)


class WatchBufferTest(unittest.TestCase):
    def test_compacted_ends_watch(self):
        w = sdk.Watch("h")
        w.callback(exc.RevisionCompactedError(17))
        res = w.collect(5, 0.01)
        self.assertTrue(res.ended)
        self.assertEqual(res.end_error.code, pb.COMPACTED)
        self.assertEqual(res.compact_revision, 17)

    @unittest.skipIf(WatchResponse is None, "etcd3 < 0.11 has no WatchResponse")
    def test_progress_and_clear(self):
        w = sdk.Watch("h")
        w.callback(WatchResponse(pb.ResponseHeader(revision=9), []))
        res = w.collect(0, 0.01)
        self.assertEqual(list(res.progress_revisions), [9])
        self.assertFalse(res.ended)
        self.assertEqual(list(w.collect(0, 0.01).progress_revisions), [])

    @unittest.skipIf(WatchResponse is None, "etcd3 < 0.11 has no WatchResponse")
    def test_response_numbers_count_every_response(self):
        def put(rev):
            raw = types.SimpleNamespace(kv=pb.KeyValue(key=b"k", mod_revision=rev),
                                        prev_kv=pb.KeyValue())
            return etcd3.events.PutEvent(raw)
        w = sdk.Watch("h")
        w.callback(WatchResponse(pb.ResponseHeader(revision=2), [put(2), put(2)]))
        w.callback(WatchResponse(pb.ResponseHeader(revision=2), []))  # progress notify
        w.callback(WatchResponse(pb.ResponseHeader(revision=3), [put(3)]))
        res = w.collect(3, 0.01)
        self.assertEqual([e.response for e in res.events], [1, 1, 3])
        w.callback(put(4))  # etcd3 0.10: one callback per event, no response
        self.assertEqual([e.response for e in w.collect(1, 0.01).events], [0])

    def test_stream_error_ends_the_watch(self):
        w = sdk.Watch("h")
        w.callback(FakeRpcError(grpc.StatusCode.UNAVAILABLE, "Socket closed"))
        res = w.collect(0, 5)  # returns at once: the watch ended
        self.assertTrue(res.ended)
        self.assertEqual((res.end_error.code, res.end_error.typed), (pb.UNAVAILABLE, False))
        self.assertEqual(len(res.errors), 0)


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
