"""Error mapping table tests. Run: <venv>/bin/python -B -m unittest (no etcd needed)."""

import asyncio
import unittest

import aetcd.exceptions as exc
import grpc
from grpc.aio import AioRpcError, Metadata

import sdk
from sdk import pb

S = grpc.StatusCode


def aio_error(code, details):
    return AioRpcError(code, Metadata(), Metadata(), details=details)


def through_sdk(code, details):
    """What aetcd raises for an AioRpcError (exceptions._handle_exception)."""
    try:
        exc._handle_exception(aio_error(code, details))
    except Exception as e:  # any exception: that is the point
        return e
    raise AssertionError("_handle_exception did not raise")


# (exception, canonical code, grpc_code, sdk_type)
CASES = [
    (exc.RevisionCompactedError(42), pb.COMPACTED, -1, "RevisionCompactedError"),
    (exc.WatchTimeoutError(), pb.DEADLINE_EXCEEDED, -1, "WatchTimeoutError"),
    (through_sdk(S.OUT_OF_RANGE, "etcdserver: mvcc: required revision has been compacted"),
     pb.COMPACTED, 11, "ClientError"),
    (through_sdk(S.OUT_OF_RANGE, "etcdserver: mvcc: required revision is a future revision"),
     pb.FUTURE_REVISION, 11, "ClientError"),
    (through_sdk(S.NOT_FOUND, "etcdserver: requested lease not found"), pb.LEASE_NOT_FOUND, 5,
     "ClientError"),
    (through_sdk(S.INVALID_ARGUMENT, "etcdserver: duplicate key given in txn request"),
     pb.DUPLICATE_KEY, 3, "InvalidArgumentError"),
    (through_sdk(S.INVALID_ARGUMENT, "etcdserver: too many operations in txn request"),
     pb.TOO_MANY_OPS, 3, "InvalidArgumentError"),
    (through_sdk(S.INVALID_ARGUMENT, "etcdserver: request is too large"),
     pb.REQUEST_TOO_LARGE, 3, "InvalidArgumentError"),
    (through_sdk(S.INVALID_ARGUMENT, "etcdserver: key is not provided"), pb.EMPTY_KEY, 3,
     "InvalidArgumentError"),
    (through_sdk(S.INVALID_ARGUMENT, "etcdserver: key not found"), pb.KEY_NOT_FOUND, 3,
     "InvalidArgumentError"),
    (through_sdk(S.INVALID_ARGUMENT, "etcdserver: value is provided"), pb.VALUE_PROVIDED, 3,
     "InvalidArgumentError"),
    (through_sdk(S.INVALID_ARGUMENT, "etcdserver: lease is provided"), pb.LEASE_PROVIDED, 3,
     "InvalidArgumentError"),
    # aetcd replaces etcd's 'lease already exists' by a bare DuplicateLeaseError
    # (implicit __context__ only, no __cause__): mapped by type, no message, no code.
    (through_sdk(S.FAILED_PRECONDITION, "etcdserver: lease already exists"),
     pb.LEASE_EXISTS, -1, "DuplicateLeaseError"),
    (through_sdk(S.FAILED_PRECONDITION, "etcdserver: authentication is not enabled"),
     pb.UNKNOWN, 9, "PreconditionFailedError"),
    (through_sdk(S.OUT_OF_RANGE, "etcdserver: too large lease TTL"), pb.LEASE_TTL_TOO_LARGE, 11,
     "ClientError"),
    (through_sdk(S.PERMISSION_DENIED, "etcdserver: permission denied"), pb.PERMISSION_DENIED, 7,
     "ClientError"),
    (through_sdk(S.INVALID_ARGUMENT,
                 "etcdserver: authentication failed, invalid user ID or password"),
     pb.AUTH_FAILED, 3, "InvalidArgumentError"),
    (through_sdk(S.INVALID_ARGUMENT, "etcdserver: something else"), pb.INVALID_ARGUMENT, 3,
     "InvalidArgumentError"),
    (through_sdk(S.UNAVAILABLE, "failed to connect to all addresses"), pb.UNAVAILABLE, 14,
     "ConnectionFailedError"),
    (through_sdk(S.DEADLINE_EXCEEDED, "Deadline Exceeded"), pb.DEADLINE_EXCEEDED, 4,
     "ConnectionTimeoutError"),
    (through_sdk(S.CANCELLED, "Channel closed!"), pb.CANCELED, 1, "ClientError"),
    (through_sdk(S.UNAUTHENTICATED, "etcdserver: invalid auth token"), pb.AUTH_FAILED, 16,
     "UnauthenticatedError"),
    (through_sdk(S.RESOURCE_EXHAUSTED, "etcdserver: mvcc: database space exceeded"),
     pb.UNKNOWN, 8, "ClientError"),
    (through_sdk(S.INTERNAL, "boom"), pb.UNKNOWN, 13, "InternalError"),
    (asyncio.TimeoutError(), pb.DEADLINE_EXCEEDED, -1, "TimeoutError"),
    (ValueError("unknown sort order: 'x'"), pb.UNKNOWN, -1, "ValueError"),
]


class ErrorMappingTest(unittest.TestCase):
    def test_table(self):
        for e, code, grpc_code, type_name in CASES:
            with self.subTest(exc=repr(e)):
                got = sdk.map_error(e)
                self.assertEqual(pb.ErrorCode.Name(got.code), pb.ErrorCode.Name(code))
                self.assertEqual(got.grpc_code, grpc_code)
                self.assertEqual(got.message, str(e))
                self.assertEqual(got.sdk_type.rsplit(".", 1)[-1], type_name)

    def test_raw_grpc_error(self):
        got = sdk.map_error(aio_error(S.NOT_FOUND, "etcdserver: requested lease not found"))
        self.assertEqual(got.code, pb.LEASE_NOT_FOUND)
        self.assertEqual(got.grpc_code, 5)
        self.assertEqual(got.sdk_type, "grpc.aio._call.AioRpcError")

    def test_typed(self):
        # errors.typed: aetcd turns every gRPC error of a Client method into a ClientError.
        for code in (S.UNAVAILABLE, S.DEADLINE_EXCEEDED, S.NOT_FOUND, S.OUT_OF_RANGE,
                     S.FAILED_PRECONDITION, S.UNKNOWN):
            self.assertTrue(sdk.map_error(through_sdk(code, "x")).typed, code)
        self.assertTrue(sdk.map_error(exc.WatchTimeoutError()).typed)
        for raw in (aio_error(S.UNAVAILABLE, "down"), asyncio.TimeoutError(), ValueError("v")):
            self.assertFalse(sdk.map_error(raw).typed, repr(raw))

    def test_sdk_type_names(self):
        self.assertEqual(sdk.map_error(exc.RevisionCompactedError(1)).sdk_type,
                         "aetcd.exceptions.RevisionCompactedError")
        self.assertEqual(sdk.map_error(ValueError("x")).sdk_type, "ValueError")

    def test_messages_contained(self):
        # gen/etcd_errors.tsv's rule: the text without "etcdserver: " anywhere in the message.
        got = sdk.map_error(through_sdk(S.INVALID_ARGUMENT, "rpc error: key not found (wrapped)"))
        self.assertEqual(got.code, pb.KEY_NOT_FOUND)
        got = sdk.map_error(through_sdk(S.INVALID_ARGUMENT, "etcdserver: key was not found"))
        self.assertEqual(got.code, pb.INVALID_ARGUMENT)

    def test_every_table_row_maps(self):
        for text, code in sdk.errors.MESSAGES.rows:
            with self.subTest(text=text):
                got = sdk.map_error(through_sdk(S.UNKNOWN, "etcdserver: " + text))
                self.assertEqual(got.code, code)


if __name__ == "__main__":
    unittest.main()
