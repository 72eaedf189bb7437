"""The driver's own etcd v3 client, speaking etcd's gRPC API through protos/etcd/v3.

Tests arrange state and verify outcomes with it, independently of the SDK under
test. It is deliberately plain: one call per method, a deadline on every call.
Responses are etcd's own messages (RangeResponse, PutResponse, ...), whose field
names match the performer protocol's results, so the same expectations apply.
"""

from __future__ import annotations

import time

import grpc

from .errors import EtcdfitError, EtcdServerError
from .gen.etcd.v3 import rpc_pb2 as epb
from .gen.etcd.v3 import rpc_pb2_grpc as epbg

DEADLINE = 10.0


class OracleError(EtcdfitError, grpc.RpcError):
    """etcd answered an oracle call with an error (e.g. a compacted revision): the message names
    the call, the endpoint, the gRPC code and etcd's text. Still a grpc.RpcError, so a test can
    expect one with pytest.raises(grpc.RpcError)."""

    def __init__(self, message: str, code: grpc.StatusCode, details: str):
        super().__init__(message)
        self._code, self._details = code, details

    def code(self) -> grpc.StatusCode:
        return self._code

    def details(self) -> str:
        return self._details


class OracleUnavailable(OracleError, EtcdServerError):
    """The oracle could not reach etcd, or etcd did not answer in time: a server fault, not the SDK's."""


_SERVER_DOWN = (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED, grpc.StatusCode.CANCELLED)


class _Checked:
    """A gRPC stub whose calls raise OracleError / OracleUnavailable instead of a raw RpcError."""

    def __init__(self, stub: object, endpoint: str):
        self._stub, self._endpoint = stub, endpoint

    def __getattr__(self, method: str):
        call = getattr(self._stub, method)

        def checked(request, **kw):
            try:
                return call(request, **kw)
            except grpc.RpcError as exc:
                code, details = exc.code(), exc.details() or ""
                cls = OracleUnavailable if code in _SERVER_DOWN else OracleError
                raise cls(f"oracle {method} to etcd at {self._endpoint} failed: {code.name}: {details}",
                          code, details) from None

        return checked


def prefix_end(prefix: bytes) -> bytes:
    """etcd's range_end for 'every key starting with prefix'."""
    b = bytearray(prefix)
    while b:
        if b[-1] < 0xFF:
            b[-1] += 1
            return bytes(b)
        b.pop()
    return b"\0"


def _select(key, prefix: bool, range_end) -> tuple[bytes, bytes]:
    """(key, range_end) in etcd's terms; an empty prefix means every key: (b"\\0", b"\\0")."""
    k = _b(key)
    if prefix:
        return (k or b"\0"), prefix_end(k)
    return k, _b(range_end or b"")


def _b(v: str | bytes) -> bytes:
    return v.encode() if isinstance(v, str) else v


class Oracle:
    def __init__(self, endpoint: str):
        self.endpoint = endpoint
        target = endpoint.split("://", 1)[-1]
        self.channel = grpc.insecure_channel(target)
        self.kv = _Checked(epbg.KVStub(self.channel), endpoint)
        self.lease = _Checked(epbg.LeaseStub(self.channel), endpoint)
        self.maintenance = _Checked(epbg.MaintenanceStub(self.channel), endpoint)
        self.watch_stub = epbg.WatchStub(self.channel)  # streaming: callers handle its errors

    def close(self) -> None:
        self.channel.close()

    def wait_ready(self, timeout: float = 30.0) -> epb.StatusResponse:
        deadline = time.monotonic() + timeout
        while True:
            try:
                return self.status(timeout=2.0)
            except grpc.RpcError as exc:
                if time.monotonic() > deadline:
                    raise EtcdServerError(f"etcd at {self.endpoint} not ready after {timeout:.0f}s: "
                                          f"{exc.code()}") from None
                time.sleep(0.1)

    # ---------------------------------------------------------------- KV
    def put(self, key, value, *, lease: int = 0, prev_kv: bool = False) -> epb.PutResponse:
        return self.kv.Put(epb.PutRequest(key=_b(key), value=_b(value), lease=lease, prev_kv=prev_kv), timeout=DEADLINE)

    def range(self, key, *, prefix: bool = False, range_end=None, revision: int = 0,
              limit: int = 0, serializable: bool = False) -> epb.RangeResponse:
        key, end = _select(key, prefix, range_end)
        req = epb.RangeRequest(key=key, range_end=end, revision=revision, limit=limit, serializable=serializable)
        return self.kv.Range(req, timeout=DEADLINE)

    def get(self, key) -> epb.KeyValue | None:
        """The current key-value, or None."""
        kvs = self.range(key).kvs
        return kvs[0] if kvs else None

    def value(self, key) -> bytes | None:
        kv = self.get(key)
        return kv.value if kv is not None else None

    def keys(self, prefix) -> list[bytes]:
        return [kv.key for kv in self.range(prefix, prefix=True).kvs]

    def delete(self, key, *, prefix: bool = False) -> epb.DeleteRangeResponse:
        key, end = _select(key, prefix, None)
        return self.kv.DeleteRange(epb.DeleteRangeRequest(key=key, range_end=end), timeout=DEADLINE)

    def revision(self) -> int:
        """The store's current revision."""
        return self.kv.Range(epb.RangeRequest(key=b"\0", count_only=True), timeout=DEADLINE).header.revision

    def compact(self, revision: int, *, physical: bool = True) -> epb.CompactionResponse:
        return self.kv.Compact(epb.CompactionRequest(revision=revision, physical=physical), timeout=DEADLINE)

    def txn(self, request: epb.TxnRequest) -> epb.TxnResponse:
        return self.kv.Txn(request, timeout=DEADLINE)

    # ---------------------------------------------------------------- leases
    def lease_grant(self, ttl: int, lease_id: int = 0) -> int:
        return self.lease.LeaseGrant(epb.LeaseGrantRequest(TTL=ttl, ID=lease_id), timeout=DEADLINE).ID

    def lease_ttl(self, lease_id: int, *, keys: bool = False) -> epb.LeaseTimeToLiveResponse:
        return self.lease.LeaseTimeToLive(epb.LeaseTimeToLiveRequest(ID=lease_id, keys=keys), timeout=DEADLINE)

    def lease_revoke(self, lease_id: int) -> None:
        self.lease.LeaseRevoke(epb.LeaseRevokeRequest(ID=lease_id), timeout=DEADLINE)

    def leases(self) -> list[int]:
        return [s.ID for s in self.lease.LeaseLeases(epb.LeaseLeasesRequest(), timeout=DEADLINE).leases]

    # ---------------------------------------------------------------- maintenance
    def status(self, timeout: float = DEADLINE) -> epb.StatusResponse:
        return self.maintenance.Status(epb.StatusRequest(), timeout=timeout)

    def server_version(self) -> str:
        return self.status().version
