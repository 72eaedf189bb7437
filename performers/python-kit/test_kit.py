"""The kit on its own (no SDK, no etcd). Run it with a performer's venv and gen/:
  cd performers/python-kit
  PYTHONPATH=../python-aetcd/gen <OUT>/venv/bin/python -B -m unittest
(both Python performers' runtimes, protobuf 3.20 and current, must pass)."""

import asyncio
import os
import tempfile
import unittest

import grpc

from etcdfit_kit import convert, dispatch, errors, protocol, timing, watches
from etcdfit_kit.stubs import pb

S = grpc.StatusCode


class FakeRpcError(grpc.RpcError):
    def __init__(self, code, details):
        super().__init__()
        self._code, self._details = code, details

    def code(self):
        return self._code

    def details(self):
        return self._details


def write(text):
    fd, path = tempfile.mkstemp(suffix=".tsv")
    with os.fdopen(fd, "w") as f:
        f.write(text)
    return path


class MessageTableTest(unittest.TestCase):
    def test_contains_without_prefix_first_row_wins(self):
        t = errors.MessageTable.load(write(
            "# comment\n\nUNAVAILABLE\tUNAVAILABLE\tetcdserver: request timed out, lost\n"
            "CANCELED\tCANCELED\tetcdserver: request timed out\n"))
        self.assertEqual(t.lookup("etcdserver: request timed out, lost"), pb.UNAVAILABLE)
        self.assertEqual(t.lookup("rpc error: request timed out"), pb.CANCELED)
        self.assertIsNone(t.lookup(None, "", "something else"))
        self.assertEqual(t.lookup(None, "x request timed out"), pb.CANCELED)

    def test_malformed_tables_name_the_line(self):
        for text, want in [("COMPACTED\tOUT_OF_RANGE\n", ":1: want 3"),
                           ("NOPE\tX\tetcdserver: x\n", "not an ErrorCode"),
                           ("# only comments\n", "has no rows")]:
            with self.subTest(text=text), self.assertRaisesRegex(errors.ErrorTableError, want):
                errors.MessageTable.load(write(text))
        with self.assertRaisesRegex(errors.ErrorTableError, "protos/generate.sh"):
            errors.MessageTable.load("/nonexistent/etcd_errors.tsv")

    def test_sdk_error_fields(self):
        e = FakeRpcError(S.NOT_FOUND, "x")
        status, _details = errors.grpc_status(e)
        got = errors.sdk_error(e, pb.UNKNOWN, status)
        self.assertEqual((got.grpc_code, got.sdk_type.rsplit(".", 1)[-1]), (5, "FakeRpcError"))
        self.assertEqual(errors.sdk_error(ValueError("v"), pb.UNKNOWN, None).sdk_type, "ValueError")
        self.assertEqual(errors.by_grpc_status(S.CANCELLED), pb.CANCELED)
        self.assertIsNone(errors.by_grpc_status(S.NOT_FOUND))
        self.assertEqual(errors.by_type(KeyError(), [(LookupError, 7)]), 7)
        self.assertFalse(errors.sdk_error(ValueError("v"), pb.UNKNOWN, None).typed)
        self.assertTrue(errors.sdk_error(ValueError("v"), pb.UNKNOWN, None, typed=True).typed)
        self.assertEqual(errors.sdk_helper(dict, a=1), {"a": 1})
        with self.assertRaises(errors.SdkRaised):
            errors.sdk_helper(int, "x")


class ConvertTest(unittest.TestCase):
    def test_header_presence(self):
        self.assertFalse(convert.header(None).present)
        h = convert.header(pb.ResponseHeader(revision=5))
        self.assertEqual((h.revision, h.present), (5, True))

    def test_vtuple_and_endpoints(self):
        self.assertEqual(convert.vtuple("0.12.0"), (0, 12, 0))
        self.assertEqual(convert.vtuple("1.0.0rc3"), (1, 0, 0))
        self.assertEqual(convert.parse_endpoint("http://[::1]:2379", "r"), ("::1", 2379))
        with self.assertRaisesRegex(errors.Unimplemented, "'https': no TLS here"):
            convert.parse_endpoint("https://h:1", "no TLS here")
        with self.assertRaises(ValueError):
            convert.parse_endpoint("http://nohost", "r")


class Session:
    def _do_put(self, c, t):
        return t.call(lambda: pb.PutResult(header=convert.header(None)))

    def _do_compact(self, c, t):
        return t.call(self._raise)

    def _do_status(self, c, t):
        raise KeyError("bug")

    def _raise(self):
        raise FakeRpcError(S.UNAVAILABLE, "down")


class AsyncSession:
    async def _do_put(self, c, t):
        async def put():
            return pb.PutResult()
        return await t.call(put)


def map_error(e):
    return errors.sdk_error(e, pb.UNAVAILABLE, errors.grpc_status(e)[0])


class DispatchTest(unittest.TestCase):
    def outcome(self, **cmd):
        r = dispatch.execute(Session(), pb.Command(**cmd), map_error)
        self.assertLessEqual(r.call_ns, r.return_ns)
        return r

    def test_outcomes(self):
        self.assertEqual(self.outcome(put=pb.PutCommand()).WhichOneof("outcome"), "ok")
        self.assertEqual(self.outcome(compact=pb.CompactCommand()).sdk_error.grpc_code, 14)
        bug = self.outcome(status=pb.StatusCommand()).harness_error
        self.assertEqual((bug.kind, bug.message), (pb.HarnessError.INTERNAL, "KeyError: 'bug'"))
        self.assertEqual(self.outcome(txn=pb.TxnCommand()).harness_error.kind,
                         pb.HarnessError.UNIMPLEMENTED)
        self.assertEqual(self.outcome().harness_error.kind, pb.HarnessError.BAD_REQUEST)

    def test_guard_and_async(self):
        def closed():
            raise errors.BadRequest("closed")
        r = asyncio.run(dispatch.execute_async(AsyncSession(), pb.Command(put=pb.PutCommand()),
                                               map_error, guard=closed))
        self.assertEqual(r.harness_error.message, "closed")
        r = asyncio.run(dispatch.execute_async(AsyncSession(), pb.Command(put=pb.PutCommand()),
                                               map_error))
        self.assertEqual(r.WhichOneof("outcome"), "ok")
        self.assertGreater(r.call_ns, 0)

    def test_timer_wraps_sdk_failures(self):
        t = timing.Timer()
        with self.assertRaises(errors.SdkRaised):
            t.call(int, "x")
        self.assertLessEqual(t.call_ns, t.return_ns)


class WatchesTest(unittest.TestCase):
    def test_buffer_and_registry(self):
        reg = watches.WatchRegistry()
        w = watches.WatchBuffer("h")
        reg.reserve("h", w)
        with self.assertRaises(errors.BadRequest):
            reg.reserve("h", watches.WatchBuffer("h"))
        with self.assertRaises(errors.BadRequest):
            reg.require("nope")
        self.assertFalse(w.done(0))
        w.events.append(pb.WatchEvent())
        self.assertTrue(w.done(1))
        w.record_end(pb.SdkError(code=pb.COMPACTED), 9)
        res = w.take()
        self.assertEqual((len(res.events), res.ended, res.compact_revision), (1, True, 9))
        self.assertEqual(res.end_error.code, pb.COMPACTED)
        self.assertEqual(len(w.take().events), 0)
        reg.reserve("h", watches.WatchBuffer("h"))  # an ended handle can be reused
        self.assertEqual(len(reg.drain()), 1)

    def test_errors_and_response_numbers(self):
        w = watches.WatchBuffer("h")
        self.assertEqual((w.next_response(), w.next_response()), (1, 2))
        w.record_error(pb.SdkError(code=pb.UNAVAILABLE))
        res = w.take()
        self.assertEqual(([e.code for e in res.errors], res.ended), ([pb.UNAVAILABLE], False))
        self.assertEqual(len(w.take().errors), 0)
        w.record_end(pb.SdkError(code=pb.CANCELED))
        w.record_error(pb.SdkError(code=pb.UNAVAILABLE))  # after the end: not an error "while it went on"
        self.assertEqual(len(w.take().errors), 0)
        self.assertEqual(w.next_response(), 3)


class FakeContext:
    def abort(self, code, details):
        raise AssertionError("abort %s %s" % (code, details))


class FakeSession:
    host, port, timeout = "h", 1, 1.0

    def close(self):
        pass


def backend(new_session, caps=()):
    return protocol.Backend(name="fake", version="0", sdk_package="fake-sdk", client_call="fake.client",
                            sdk_version=lambda: "1.0", capabilities_for=lambda v: sorted(caps),
                            map_error=map_error, new_session=new_session)


class ConnectTest(unittest.TestCase):
    def aborted(self, performer, request):
        with self.assertRaisesRegex(AssertionError, "abort") as cm:
            performer.Connect(request, FakeContext())
        return str(cm.exception)

    def test_unclaimed_options_are_refused_by_name(self):
        p = protocol.ThreadedPerformer(backend(lambda r: FakeSession(), caps=["connect.keepalive"]))
        ok = p.Connect(pb.ConnectRequest(endpoints=["e"], keepalive_time_ms=5), FakeContext())
        self.assertTrue(ok.client_id)
        self.assertLessEqual(ok.call_ns, ok.return_ns)
        for field, cap in [("block_until_connected", "connect.block"),
                           ("auto_sync_interval_ms", "connect.auto_sync")]:
            msg = self.aborted(p, pb.ConnectRequest(endpoints=["e"], **{field: 1}))
            self.assertIn("INVALID_ARGUMENT", msg)
            self.assertIn(field, msg)
            self.assertIn(cap, msg)
        msg = self.aborted(protocol.ThreadedPerformer(backend(lambda r: FakeSession())),
                           pb.ConnectRequest(endpoints=["e"], keepalive_timeout_ms=5))
        self.assertIn("keepalive_timeout_ms", msg)

    def test_sdk_constructor_failure_is_data(self):
        def sdk_fails(r):
            raise errors.SdkRaised(FakeRpcError(S.UNAVAILABLE, "refused"))
        resp = protocol.ThreadedPerformer(backend(sdk_fails)).Connect(
            pb.ConnectRequest(endpoints=["e"]), FakeContext())
        self.assertEqual((resp.client_id, resp.error.code, resp.error.grpc_code), ("", pb.UNAVAILABLE, 14))
        self.assertLessEqual(resp.call_ns, resp.return_ns)
        self.assertGreater(resp.call_ns, 0)

    def test_performer_bug_is_internal(self):
        def bug(r):
            raise KeyError("oops")
        self.assertIn("INTERNAL", self.aborted(protocol.ThreadedPerformer(backend(bug)),
                                               pb.ConnectRequest(endpoints=["e"])))


if __name__ == "__main__":
    unittest.main()


# The bucket edges of go-clientv3's histogram_test.go (sharedBucketEdges), the reference.
SHARED_BUCKET_EDGES = [
    (0, 0), (1, 1), (127, 127), (128, 128), (129, 128), (130, 129), (255, 191), (256, 192),
    (1000, 317), (1023, 319), (1024, 320), (4095, 447), (4096, 448), (65535, 703), (65536, 704),
    (1000000, 954), (2147483647, 1663), (2147483648, 1664), (4294967295, 1727),
    (4294967296, 1728), (1099511627776, 2047),
]


class WorkloadTest(unittest.TestCase):
    def test_bucket_edges_match_go(self):
        from etcdfit_kit import workload
        for us, idx in SHARED_BUCKET_EDGES:
            self.assertEqual(workload.bucket_of(us), idx, us)

    def test_hist_merge_and_proto(self):
        from etcdfit_kit import workload
        a, b = workload.Hist(), workload.Hist()
        a.record(5)
        a.record(300)
        b.record(5)
        a.merge(b)
        p = a.proto()
        self.assertEqual((p.total, p.sum_us, p.max_us, p.min_us, list(p.count)), (3, 310, 300, 5, [2, 1]))

    def test_spec_refuses_endless_and_unknown(self):
        from etcdfit_kit import workload
        with self.assertRaises(ValueError):
            workload.Spec(pb.WorkloadRequest(endpoints=["x"], key_prefix=b"p/"))
        with self.assertRaises(ValueError):
            workload.Spec(pb.WorkloadRequest(endpoints=["x"], key_prefix=b"p/", total_ops=1,
                                             mix=[pb.OpWeight(op=99, weight=1)]))
        s = workload.Spec(pb.WorkloadRequest(endpoints=["x"], key_prefix=b"p/", total_ops=1, key_size=8))
        self.assertEqual(s.key(42), b"p/000042")
        self.assertEqual(s.ops, [pb.WORKLOAD_OP_PUT])
