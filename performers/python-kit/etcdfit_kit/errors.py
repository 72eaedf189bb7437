"""Error classes of a performer and the mechanics of mapping SDK errors to SdkError.

Each performer keeps its own order of checks (SDK exception types differ); what they
share is here: etcd's messages from the one table gen/etcd_errors.tsv, the gRPC status
fallback, and how an SdkError is filled in.
"""

import grpc

from .stubs import pb


class Unimplemented(Exception):
    """The SDK (or this performer) cannot express the command or option."""


class BadRequest(Exception):
    """The request is malformed (e.g. unknown watch handle)."""


class SdkRaised(Exception):
    """Wraps an exception raised by SDK code."""

    def __init__(self, original):
        super().__init__(str(original))
        self.original = original


class ErrorTableError(Exception):
    """gen/etcd_errors.tsv is missing or malformed: rerun protos/generate.sh."""


def sdk_helper(fn, *args, **kwargs):
    """An SDK helper or constructor called outside a command's timed call (building a
    request, making the client): its failure is the SDK's."""
    try:
        return fn(*args, **kwargs)
    except Exception as e:
        raise SdkRaised(e) from e


# By gRPC status code, after everything the SDK's types and etcd's message tell.
CODE_BY_GRPC_STATUS = {
    grpc.StatusCode.INVALID_ARGUMENT: pb.INVALID_ARGUMENT,
    grpc.StatusCode.UNAVAILABLE: pb.UNAVAILABLE,
    grpc.StatusCode.DEADLINE_EXCEEDED: pb.DEADLINE_EXCEEDED,
    grpc.StatusCode.CANCELLED: pb.CANCELED,
    grpc.StatusCode.PERMISSION_DENIED: pb.PERMISSION_DENIED,
    grpc.StatusCode.UNAUTHENTICATED: pb.AUTH_FAILED,
}


def type_name(cls):
    """'module.Class' of an exception class ('ValueError' for builtins)."""
    if cls.__module__ == "builtins":
        return cls.__qualname__
    return "%s.%s" % (cls.__module__, cls.__qualname__)


def by_type(e, table):
    """The code of the first (class, code) pair of table that e is an instance of."""
    for cls, code in table:
        if isinstance(e, cls):
            return code
    return None


def grpc_status(e):
    """(StatusCode, details) of a grpc.RpcError, else (None, None)."""
    if not isinstance(e, grpc.RpcError):
        return None, None
    try:
        code = e.code()
    except Exception:
        code = None
    try:
        details = e.details()
    except Exception:
        details = None
    return code, details


def by_grpc_status(status):
    return CODE_BY_GRPC_STATUS.get(status) if status is not None else None


def sdk_error(e, code, status, message=None, typed=False):
    """The SdkError of exception e: its type, its message verbatim, its gRPC code or -1,
    and whether e is one of the SDK's own error types (typed, capability errors.typed)."""
    grpc_code = status.value[0] if isinstance(status, grpc.StatusCode) else -1
    return pb.SdkError(code=code, sdk_type=type_name(type(e)),
                       message=str(e) if message is None else message, grpc_code=grpc_code,
                       typed=bool(typed))


class MessageTable:
    """etcd's error messages -> canonical codes, read from gen/etcd_errors.tsv.

    Matching rule (the table's header): a text matches a row when it contains the row's
    message without its leading "etcdserver: "; the first matching row wins.
    """

    PREFIX = "etcdserver: "
    COLUMNS = ("code", "grpc_status", "message")

    def __init__(self, rows):
        self.rows = [(m[len(self.PREFIX):] if m.startswith(self.PREFIX) else m, code)
                     for m, code in rows]

    @classmethod
    def load(cls, path):
        try:
            with open(path, encoding="utf-8") as f:
                lines = f.read().splitlines()
        except OSError as e:
            raise ErrorTableError("cannot read the etcd error table %s (%s): run "
                                  "protos/generate.sh, which copies it into gen/" % (path, e)) from e
        rows = []
        for lineno, line in enumerate(lines, 1):
            if not line.strip() or line.startswith("#"):
                continue
            cols = line.split("\t")
            if len(cols) != len(cls.COLUMNS) or not all(cols):
                raise ErrorTableError("%s:%d: want %d TAB-separated columns %s, got %r"
                                      % (path, lineno, len(cls.COLUMNS), "/".join(cls.COLUMNS), line))
            name, _status, message = cols
            try:
                code = pb.ErrorCode.Value(name)
            except ValueError:
                raise ErrorTableError("%s:%d: %r is not an ErrorCode of performer.proto"
                                      % (path, lineno, name)) from None
            rows.append((message, code))
        if not rows:
            raise ErrorTableError("%s has no rows" % path)
        return cls(rows)

    def lookup(self, *texts):
        """The code of the first row contained in the first text that matches one, or None."""
        for text in texts:
            if not text:
                continue
            for fragment, code in self.rows:
                if fragment in text:
                    return code
        return None
