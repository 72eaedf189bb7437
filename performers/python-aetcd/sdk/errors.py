"""aetcd's exceptions -> canonical SdkError: its one-meaning types first, then etcd's
message (the shared table gen/etcd_errors.tsv), its per-gRPC-code classes, asyncio's
timeouts, then the gRPC status code."""

import asyncio

import paths

import aetcd.exceptions as exc
import grpc

from etcdfit_kit import errors as kit
from etcdfit_kit.stubs import pb

# SDK exception types that carry exactly one canonical meaning, checked first.
ERROR_BY_TYPE = (
    (exc.RevisionCompactedError, pb.COMPACTED),
    (exc.DuplicateLeaseError, pb.LEASE_EXISTS),  # raised without etcd's message
    (exc.WatchTimeoutError, pb.DEADLINE_EXCEEDED),
)

# etcd's error texts. aetcd keeps them as the exception message (error.details()).
MESSAGES = kit.MessageTable.load(paths.ERRORS_TSV)

# aetcd's per-gRPC-code exception classes (exceptions._EXCEPTIONS_BY_CODE), after the
# message table. Most specific class first. PreconditionFailedError and InternalError
# stay UNKNOWN: their meaning depends on etcd's message, handled above.
ERROR_BY_GENERIC_TYPE = (
    (exc.InvalidArgumentError, pb.INVALID_ARGUMENT),
    (exc.ConnectionFailedError, pb.UNAVAILABLE),      # gRPC UNAVAILABLE
    (exc.ConnectionTimeoutError, pb.DEADLINE_EXCEEDED),  # gRPC DEADLINE_EXCEEDED
    (exc.UnauthenticatedError, pb.AUTH_FAILED),       # gRPC UNAUTHENTICATED
    (asyncio.TimeoutError, pb.DEADLINE_EXCEEDED),
    (asyncio.CancelledError, pb.CANCELED),
)


def map_error(e):
    """Map an exception the SDK raised (or delivered) to a canonical SdkError.

    aetcd.exceptions._handle_exception turns a grpc.aio.AioRpcError into one of its
    ClientError classes with the gRPC details as the message and chains the original
    with `raise ... from error`; the gRPC code is read from that __cause__ when present.
    """
    raw = e if isinstance(e, grpc.RpcError) else None
    if raw is None and isinstance(e.__cause__, grpc.RpcError):
        raw = e.__cause__
    status, details = kit.grpc_status(raw)
    message = str(e)
    code = kit.by_type(e, ERROR_BY_TYPE)
    if code is None:
        code = MESSAGES.lookup(message, details)
    if code is None:
        code = kit.by_type(e, ERROR_BY_GENERIC_TYPE)
    if code is None:
        code = kit.by_grpc_status(status)
    if code is None:
        code = pb.UNKNOWN
    # typed (errors.typed): aetcd's own ClientError family, or a raw error let through.
    return kit.sdk_error(e, code, status, message, typed=isinstance(e, exc.ClientError))
