"""Error mapping table tests. Run: <venv>/bin/python -m unittest (no etcd needed)."""

import unittest

import etcd3.exceptions as exc
import grpc

import sdk
from sdk import pb


class FakeRpcError(grpc.RpcError):
    def __init__(self, code, details):
        super().__init__()
        self._code, self._details = code, details

    def code(self):
        return self._code

    def details(self):
        return self._details

    def __str__(self):
        return "<FakeRpcError status=%s details=%r>" % (self._code, self._details)


S = grpc.StatusCode

# (exception, canonical code, grpc_code)
CASES = [
    (exc.RevisionCompactedError(42), pb.COMPACTED, -1),
    (exc.ConnectionFailedError(), pb.UNAVAILABLE, -1),
    (exc.ConnectionTimeoutError(), pb.DEADLINE_EXCEEDED, -1),
    (exc.WatchTimedOut(), pb.DEADLINE_EXCEEDED, -1),
    (exc.PreconditionFailedError(), pb.UNKNOWN, -1),  # SDK dropped etcd's message
    (exc.InternalServerError(), pb.UNKNOWN, -1),
    (FakeRpcError(S.OUT_OF_RANGE, "etcdserver: mvcc: required revision has been compacted"),
     pb.COMPACTED, 11),
    (FakeRpcError(S.OUT_OF_RANGE, "etcdserver: mvcc: required revision is a future revision"),
     pb.FUTURE_REVISION, 11),
    (FakeRpcError(S.NOT_FOUND, "etcdserver: requested lease not found"), pb.LEASE_NOT_FOUND, 5),
    (FakeRpcError(S.INVALID_ARGUMENT, "etcdserver: duplicate key given in txn request"),
     pb.DUPLICATE_KEY, 3),
    (FakeRpcError(S.INVALID_ARGUMENT, "etcdserver: too many operations in txn request"),
     pb.TOO_MANY_OPS, 3),
    (FakeRpcError(S.INVALID_ARGUMENT, "etcdserver: request is too large"),
     pb.REQUEST_TOO_LARGE, 3),
    (FakeRpcError(S.INVALID_ARGUMENT, "etcdserver: key is not provided"), pb.EMPTY_KEY, 3),
    (FakeRpcError(S.INVALID_ARGUMENT, "etcdserver: key not found"), pb.KEY_NOT_FOUND, 3),
    (FakeRpcError(S.FAILED_PRECONDITION, "etcdserver: lease already exists"),
     pb.LEASE_EXISTS, 9),
    (FakeRpcError(S.OUT_OF_RANGE, "etcdserver: too large lease TTL"), pb.LEASE_TTL_TOO_LARGE, 11),
    (FakeRpcError(S.INVALID_ARGUMENT, "etcdserver: value is provided"), pb.VALUE_PROVIDED, 3),
    (FakeRpcError(S.INVALID_ARGUMENT, "etcdserver: lease is provided"), pb.LEASE_PROVIDED, 3),
    (FakeRpcError(S.PERMISSION_DENIED, "etcdserver: permission denied"), pb.PERMISSION_DENIED, 7),
    (FakeRpcError(S.INVALID_ARGUMENT,
                  "etcdserver: authentication failed, invalid user ID or password"),
     pb.AUTH_FAILED, 3),
    (FakeRpcError(S.INVALID_ARGUMENT, "etcdserver: something else"), pb.INVALID_ARGUMENT, 3),
    (FakeRpcError(S.UNAVAILABLE, "Socket closed"), pb.UNAVAILABLE, 14),
    (FakeRpcError(S.DEADLINE_EXCEEDED, "Deadline Exceeded"), pb.DEADLINE_EXCEEDED, 4),
    (FakeRpcError(S.CANCELLED, "Channel closed!"), pb.CANCELED, 1),
    (FakeRpcError(S.UNAUTHENTICATED, "etcdserver: invalid auth token"), pb.AUTH_FAILED, 16),
    (FakeRpcError(S.RESOURCE_EXHAUSTED, "etcdserver: mvcc: database space exceeded"),
     pb.UNKNOWN, 8),
    (ValueError("byte must be in range(0, 256)"), pb.UNKNOWN, -1),
]


class ErrorMappingTest(unittest.TestCase):
    def test_table(self):
        for e, code, grpc_code in CASES:
            with self.subTest(exc=repr(e)):
                got = sdk.map_error(e)
                self.assertEqual(pb.ErrorCode.Name(got.code), pb.ErrorCode.Name(code))
                self.assertEqual(got.grpc_code, grpc_code)
                self.assertEqual(got.message, str(e))

    def test_type_wins_over_code(self):
        # An SDK exception type is mapped first, whatever is chained behind it.
        try:
            try:
                raise FakeRpcError(S.FAILED_PRECONDITION, "etcdserver: lease already exists")
            except grpc.RpcError:
                raise exc.PreconditionFailedError  # noqa: B904 - the implicit chain is what this case tests
        except exc.PreconditionFailedError as e:
            got = sdk.map_error(e)
        self.assertEqual(got.code, pb.UNKNOWN)
        self.assertEqual(got.sdk_type, "etcd3.exceptions.PreconditionFailedError")
        self.assertEqual(got.message, "")
        self.assertEqual(got.grpc_code, -1)

    def test_sdk_type_names(self):
        self.assertEqual(sdk.map_error(exc.RevisionCompactedError(1)).sdk_type,
                         "etcd3.exceptions.RevisionCompactedError")
        self.assertEqual(sdk.map_error(ValueError("x")).sdk_type, "ValueError")
        self.assertEqual(sdk.map_error(FakeRpcError(S.UNKNOWN, "x")).sdk_type,
                         "test_error_mapping.FakeRpcError")

    def test_typed(self):
        # errors.typed: etcd3's own exception classes vs a grpc.RpcError let through.
        for e in (exc.ConnectionFailedError(), exc.ConnectionTimeoutError(),
                  exc.RevisionCompactedError(3), exc.WatchTimedOut(),
                  exc.PreconditionFailedError(), exc.InternalServerError()):
            self.assertTrue(sdk.map_error(e).typed, repr(e))
        for e in (FakeRpcError(S.UNAVAILABLE, "Socket closed"),
                  FakeRpcError(S.OUT_OF_RANGE, "etcdserver: mvcc: required revision has been compacted"),
                  ValueError("x")):
            self.assertFalse(sdk.map_error(e).typed, repr(e))

    def test_messages_contained(self):
        # gen/etcd_errors.tsv's rule: the text without "etcdserver: " anywhere in the details.
        got = sdk.map_error(FakeRpcError(S.INVALID_ARGUMENT, "rpc error: key not found (wrapped)"))
        self.assertEqual(got.code, pb.KEY_NOT_FOUND)
        got = sdk.map_error(FakeRpcError(S.INVALID_ARGUMENT, "etcdserver: key was not found"))
        self.assertEqual(got.code, pb.INVALID_ARGUMENT)

    def test_every_table_row_maps(self):
        for text, code in sdk.errors.MESSAGES.rows:
            with self.subTest(text=text):
                got = sdk.map_error(FakeRpcError(S.UNKNOWN, "etcdserver: " + text))
                self.assertEqual(got.code, code)


if __name__ == "__main__":
    unittest.main()
