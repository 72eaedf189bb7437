"""etcd3's exceptions -> canonical SdkError: its types first, then etcd's message (the
shared table gen/etcd_errors.tsv), then the gRPC status code."""

import paths

import etcd3.exceptions as exc

from etcdfit_kit import errors as kit
from etcdfit_kit.stubs import pb

# By exception type, checked first (most specific class first). etcd3 replaces the
# gRPC error of these codes by its own exception, without etcd's message.
ERROR_BY_TYPE = (
    (exc.RevisionCompactedError, pb.COMPACTED),
    (exc.ConnectionFailedError, pb.UNAVAILABLE),      # SDK's UNAVAILABLE
    (exc.ConnectionTimeoutError, pb.DEADLINE_EXCEEDED),  # SDK's DEADLINE_EXCEEDED
    (exc.WatchTimedOut, pb.DEADLINE_EXCEEDED),
    # FAILED_PRECONDITION: the SDK drops etcd's message (lease exists, auth not
    # enabled, ...), so the canonical code cannot be known.
    (exc.PreconditionFailedError, pb.UNKNOWN),
    (exc.InternalServerError, pb.UNKNOWN),
)

# etcd's error texts, for the gRPC errors the SDK lets through (their details).
MESSAGES = kit.MessageTable.load(paths.ERRORS_TSV)


def map_error(e):
    """Map an exception the SDK raised (or delivered) to a canonical SdkError."""
    status, details = kit.grpc_status(e)
    code = kit.by_type(e, ERROR_BY_TYPE)
    if code is None:
        code = MESSAGES.lookup(details)
    if code is None:
        code = kit.by_grpc_status(status)
    if code is None:
        code = pb.UNKNOWN
    # typed (errors.typed): etcd3 turns a gRPC error of INTERNAL, UNAVAILABLE,
    # DEADLINE_EXCEEDED and FAILED_PRECONDITION into its own Etcd3Exception subclass;
    # other codes, and every error of the watch stream, reach the caller as grpc.RpcError.
    return kit.sdk_error(e, code, status, typed=isinstance(e, exc.Etcd3Exception))
