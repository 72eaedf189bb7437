"""The driver's own etcd v3 client, speaking etcd's gRPC API through protos/etcd/v3.

Tests arrange state and verify outcomes with it, independently of the SDK under
test. It is deliberately plain: one call per method, a deadline on every call.
Responses are etcd's own messages (RangeResponse, PutResponse, ...), whose field
names match the performer protocol's results, so the same expectations apply.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import grpc
from google.protobuf.message import Message

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


@dataclass(frozen=True)
class Credentials:
    """How the oracle reaches a server with security: TLS (the CA that signed the server's
    certificate, and a client certificate for servers that demand one) and, with auth on, a
    user and password it authenticates with (root), sending the token on every call."""

    ca_pem: bytes = b""
    cert_pem: bytes = b""
    key_pem: bytes = b""
    user: str = ""
    password: str = ""


#: Credentials by endpoint (https://127.0.0.1:PORT), registered when etcdfit starts a server
#: with security, so every oracle opened on it (start-up wait, health checks, a cluster's
#: per-member oracles, restarts) gets them without each caller carrying them.
CREDENTIALS: dict[str, Credentials] = {}

#: etcd's answers that mean "authenticate again" (an expired or superseded token).
_STALE_TOKEN = ("invalid auth token", "revision of auth store is old")


class _Token:
    """The oracle's current token (empty: none, or not authenticated yet) and how to renew it."""

    def __init__(self, creds: Credentials, auth_stub: Any, endpoint: str):
        self.creds, self._stub, self._endpoint = creds, auth_stub, endpoint
        self.value = ""

    def metadata(self) -> tuple[tuple[str, str], ...] | None:
        if not self.creds.user:
            return None
        if not self.value:
            self.renew()
        return (("token", self.value),)

    def renew(self) -> None:
        try:
            resp = self._stub.Authenticate(epb.AuthenticateRequest(name=self.creds.user,
                                                                   password=self.creds.password),
                                           timeout=DEADLINE)
        except grpc.RpcError as exc:
            code, details = exc.code(), exc.details() or ""
            cls = OracleUnavailable if code in _SERVER_DOWN else OracleError
            raise cls(f"oracle Authenticate as {self.creds.user!r} to etcd at {self._endpoint} failed: "
                      f"{code.name}: {details}", code, details) from None
        self.value = resp.token


class _Checked:
    """A gRPC stub whose calls raise OracleError / OracleUnavailable instead of a raw RpcError,
    carrying the oracle's token when it has credentials (renewed once when etcd says it is stale)."""

    def __init__(self, stub: object, endpoint: str, token: _Token | None = None,
                 after: Callable[[str], None] | None = None):
        self._stub, self._endpoint, self._token, self._after = stub, endpoint, token, after

    def __getattr__(self, method: str) -> Callable[..., Any]:
        call = getattr(self._stub, method)

        def checked(request: Message, **kw: Any) -> Any:
            try:
                if self._token is not None and self._token.creds.user:
                    try:
                        resp = call(request, metadata=self._token.metadata(), **kw)
                    except grpc.RpcError as exc:
                        if not any(s in (exc.details() or "") for s in _STALE_TOKEN):
                            raise
                        self._token.renew()
                        resp = call(request, metadata=self._token.metadata(), **kw)
                else:
                    resp = call(request, **kw)
            except grpc.RpcError as exc:
                code, details = exc.code(), exc.details() or ""
                cls = OracleUnavailable if code in _SERVER_DOWN else OracleError
                raise cls(f"oracle {method} to etcd at {self._endpoint} failed: {code.name}: {details}",
                          code, details) from None
            if self._after is not None:
                self._after(method)
            return resp

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


def _select(key: str | bytes, prefix: bool, range_end: str | bytes | None) -> tuple[bytes, bytes]:
    """(key, range_end) in etcd's terms; an empty prefix means every key: (b"\\0", b"\\0")."""
    k = _b(key)
    if prefix:
        return (k or b"\0"), prefix_end(k)
    return k, _b(range_end or b"")


def _b(v: str | bytes) -> bytes:
    return v.encode() if isinstance(v, str) else v


#: The calls that change etcd's state (KV, Lease, Auth), after which a settling oracle waits
#: for the other members; every other call reads.
_READS = frozenset({"Range", "LeaseTimeToLive", "LeaseLeases", "Authenticate", "AuthStatus", "UserGet",
                    "UserList", "RoleGet", "RoleList"})
#: How long a settling oracle waits, after one write, for the other members to apply it.
SETTLE_BOUND_S = 5.0


class Oracle:
    def __init__(self, endpoint: str, credentials: Credentials | None = None, *,
                 settle_on: tuple[str, ...] = ()):
        """An oracle on `endpoint`; `credentials` default to those registered for it (CREDENTIALS).

        `settle_on`: the other members of its cluster. After each write (a KV, Lease or Auth call
        that is not a read), the oracle then waits, at most SETTLE_BOUND_S, until each of them has
        applied what this member had applied when the write returned. etcd answers a write once
        the member serving it has applied it; the others apply it moments later, and until then a
        watch opened without a start revision, a serializable read or a LeaseLeases (the member's
        own lessor, no read barrier, in etcd 3.5 and 3.6) through them does not see it. The session
        oracle of a cluster settles, so a test's setup is in place whichever member the SDK reaches.
        A member that does not answer is not waited for."""
        self.endpoint = endpoint
        target = endpoint.split("://", 1)[-1]
        creds = credentials if credentials is not None else CREDENTIALS.get(endpoint, Credentials())
        self.credentials = creds
        if creds.ca_pem:
            tls = grpc.ssl_channel_credentials(creds.ca_pem, creds.key_pem or None, creds.cert_pem or None)
            self.channel = grpc.secure_channel(target, tls)
        else:
            self.channel = grpc.insecure_channel(target)
        self.token = _Token(creds, epbg.AuthStub(self.channel), endpoint)
        self.peers = [Oracle(ep) for ep in settle_on]
        after = self._settle if self.peers else None
        self.kv = _Checked(epbg.KVStub(self.channel), endpoint, self.token, after)
        self.lease = _Checked(epbg.LeaseStub(self.channel), endpoint, self.token, after)
        self.maintenance = _Checked(epbg.MaintenanceStub(self.channel), endpoint, self.token)
        self.cluster = _Checked(epbg.ClusterStub(self.channel), endpoint, self.token)
        self.auth = _Checked(epbg.AuthStub(self.channel), endpoint, self.token, after)
        self.watch_stub = epbg.WatchStub(self.channel)  # streaming: callers handle its errors

    def close(self) -> None:
        for peer in self.peers:
            peer.close()
        self.channel.close()

    def _settle(self, method: str) -> None:
        if method in _READS:
            return
        target = self.status(timeout=2.0).raftAppliedIndex
        if not target:
            return  # a server before 3.4 does not report its applied index
        deadline = time.monotonic() + SETTLE_BOUND_S
        for peer in self.peers:
            while time.monotonic() < deadline:
                try:
                    if peer.status(timeout=1.0).raftAppliedIndex >= target:
                        break
                except EtcdfitError:
                    break  # down or cut off: not ours to wait for
                time.sleep(0.002)

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
    # The stubs are wrapped by _Checked, whose calls are untyped: each result is typed where it is read.
    def put(self, key: str | bytes, value: str | bytes, *, lease: int = 0, prev_kv: bool = False) -> epb.PutResponse:
        req = epb.PutRequest(key=_b(key), value=_b(value), lease=lease, prev_kv=prev_kv)
        resp: epb.PutResponse = self.kv.Put(req, timeout=DEADLINE)
        return resp

    def range(self, key: str | bytes, *, prefix: bool = False, range_end: str | bytes | None = None,
              revision: int = 0, limit: int = 0, serializable: bool = False) -> epb.RangeResponse:
        k, end = _select(key, prefix, range_end)
        req = epb.RangeRequest(key=k, range_end=end, revision=revision, limit=limit, serializable=serializable)
        resp: epb.RangeResponse = self.kv.Range(req, timeout=DEADLINE)
        return resp

    def get(self, key: str | bytes) -> epb.KeyValue | None:
        """The current key-value, or None."""
        kvs = self.range(key).kvs
        return kvs[0] if kvs else None

    def value(self, key: str | bytes) -> bytes | None:
        kv = self.get(key)
        return kv.value if kv is not None else None

    def keys(self, prefix: str | bytes) -> list[bytes]:
        return [kv.key for kv in self.range(prefix, prefix=True).kvs]

    def delete(self, key: str | bytes, *, prefix: bool = False) -> epb.DeleteRangeResponse:
        k, end = _select(key, prefix, None)
        resp: epb.DeleteRangeResponse = self.kv.DeleteRange(epb.DeleteRangeRequest(key=k, range_end=end),
                                                            timeout=DEADLINE)
        return resp

    def revision(self, timeout: float = DEADLINE) -> int:
        """The store's current revision (a linearizable read: on a cluster it needs a quorum)."""
        resp: epb.RangeResponse = self.kv.Range(epb.RangeRequest(key=b"\0", count_only=True), timeout=timeout)
        return resp.header.revision

    def compact(self, revision: int, *, physical: bool = True) -> epb.CompactionResponse:
        resp: epb.CompactionResponse = self.kv.Compact(epb.CompactionRequest(revision=revision, physical=physical),
                                                       timeout=DEADLINE)
        return resp

    def txn(self, request: epb.TxnRequest) -> epb.TxnResponse:
        resp: epb.TxnResponse = self.kv.Txn(request, timeout=DEADLINE)
        return resp

    # ---------------------------------------------------------------- leases
    def lease_grant(self, ttl: int, lease_id: int = 0) -> int:
        resp: epb.LeaseGrantResponse = self.lease.LeaseGrant(epb.LeaseGrantRequest(TTL=ttl, ID=lease_id),
                                                             timeout=DEADLINE)
        return resp.ID

    def lease_ttl(self, lease_id: int, *, keys: bool = False) -> epb.LeaseTimeToLiveResponse:
        resp: epb.LeaseTimeToLiveResponse = self.lease.LeaseTimeToLive(
            epb.LeaseTimeToLiveRequest(ID=lease_id, keys=keys), timeout=DEADLINE)
        return resp

    def lease_remaining(self, lease_id: int, bound_s: float = 3.0) -> int:
        """The lease's remaining TTL in whole seconds, or -1 when etcd no longer has it. etcd
        truncates the remaining time, so 0 says less than a second is left (a kept-alive lease
        between two renewals, or one just past its expiry that etcd has not revoked yet): while it
        says 0, ask again, at most `bound_s`, until the lease is renewed (>= 1) or gone (-1)."""
        deadline = time.monotonic() + bound_s
        while True:
            left = int(self.lease_ttl(lease_id).TTL)
            if left != 0 or time.monotonic() >= deadline:
                return max(left, -1)
            time.sleep(0.1)

    def lease_revoke(self, lease_id: int) -> None:
        self.lease.LeaseRevoke(epb.LeaseRevokeRequest(ID=lease_id), timeout=DEADLINE)

    def leases(self) -> list[int]:
        return [s.ID for s in self.lease.LeaseLeases(epb.LeaseLeasesRequest(), timeout=DEADLINE).leases]

    # ---------------------------------------------------------------- maintenance
    def history(self, key: bytes, range_end: bytes, since: int, until: int,
                timeout: float = 5.0) -> list[tuple[int, bytes, int]] | None:
        """The server's events for [key, range_end) with revisions in (since, until], as
        (type, key, revision), replayed by a watch from since + 1. It ends at the first event at
        or past `until`, or after a quiet 0.3 s (progress notifications are not ordered with a
        replay on older servers, so they cannot end it). None when the history is compacted
        away or cannot be read within `timeout`."""
        import queue
        import time as _time

        requests: queue.Queue[epb.WatchRequest | None] = queue.Queue()
        requests.put(epb.WatchRequest(create_request=epb.WatchCreateRequest(
            key=key, range_end=range_end, start_revision=since + 1)))

        def feed() -> Iterator[epb.WatchRequest]:
            while (r := requests.get()) is not None:
                yield r

        call = self.watch_stub.Watch(feed(), timeout=timeout, metadata=self.token.metadata())
        responses: queue.Queue[epb.WatchResponse | None] = queue.Queue()

        def read() -> None:
            try:
                for resp in call:
                    responses.put(resp)
            except grpc.RpcError:
                pass
            responses.put(None)

        import threading

        threading.Thread(target=read, daemon=True).start()
        events: list[tuple[int, bytes, int]] = []
        deadline = _time.monotonic() + timeout
        ok = False
        try:
            while _time.monotonic() < deadline:
                try:
                    resp = responses.get(timeout=0.3)
                except queue.Empty:
                    ok = True  # quiet: the replay is over
                    break
                if resp is None or resp.compact_revision or resp.canceled:
                    break
                events.extend((e.type, e.kv.key, e.kv.mod_revision) for e in resp.events)
                if events and events[-1][2] >= until:
                    ok = True
                    break
        finally:
            requests.put(None)
            call.cancel()
        return [e for e in events if since < e[2] <= until] if ok else None

    def status(self, timeout: float = DEADLINE) -> epb.StatusResponse:
        resp: epb.StatusResponse = self.maintenance.Status(epb.StatusRequest(), timeout=timeout)
        return resp

    def server_version(self) -> str:
        return self.status().version

    def hashkv(self, revision: int = 0, timeout: float = DEADLINE) -> epb.HashKVResponse:
        """This member's hash of the MVCC keys up to `revision` (0: its current revision)."""
        resp: epb.HashKVResponse = self.maintenance.HashKV(epb.HashKVRequest(revision=revision), timeout=timeout)
        return resp

    def move_leader(self, target_id: int, timeout: float = DEADLINE) -> epb.MoveLeaderResponse:
        """Hand leadership to member `target_id`; etcd accepts it only when this oracle talks to the leader."""
        resp: epb.MoveLeaderResponse = self.maintenance.MoveLeader(epb.MoveLeaderRequest(targetID=target_id),
                                                                   timeout=timeout)
        return resp

    # ---------------------------------------------------------------- membership

    def member_list(self, timeout: float = DEADLINE) -> list[epb.Member]:
        resp: epb.MemberListResponse = self.cluster.MemberList(epb.MemberListRequest(linearizable=True),
                                                               timeout=timeout)
        return list(resp.members)

    def member_remove(self, member_id: int, timeout: float = DEADLINE) -> None:
        self.cluster.MemberRemove(epb.MemberRemoveRequest(ID=member_id), timeout=timeout)

    def member_add(self, peer_urls: list[str], timeout: float = DEADLINE) -> epb.Member:
        """Announce a new member at `peer_urls`; it must then start with --initial-cluster-state existing."""
        resp: epb.MemberAddResponse = self.cluster.MemberAdd(epb.MemberAddRequest(peerURLs=peer_urls),
                                                             timeout=timeout)
        return resp.member

    # ---------------------------------------------------------------- auth (as root, servers with auth)

    def auth_enable(self) -> None:
        self.auth.AuthEnable(epb.AuthEnableRequest(), timeout=DEADLINE)

    def auth_disable(self) -> None:
        self.auth.AuthDisable(epb.AuthDisableRequest(), timeout=DEADLINE)

    def authenticate(self, user: str, password: str) -> str:
        """A token for user/password (a fresh one each time)."""
        resp: epb.AuthenticateResponse = self.auth.Authenticate(
            epb.AuthenticateRequest(name=user, password=password), timeout=DEADLINE)
        return resp.token

    def user_add(self, name: str, password: str = "", *, no_password: bool = False) -> None:
        self.auth.UserAdd(epb.AuthUserAddRequest(name=name, password=password,
                                                 options=epb.UserAddOptions(no_password=no_password)),
                          timeout=DEADLINE)

    def user_delete(self, name: str) -> None:
        self.auth.UserDelete(epb.AuthUserDeleteRequest(name=name), timeout=DEADLINE)

    def user_roles(self, name: str) -> list[str]:
        resp: epb.AuthUserGetResponse = self.auth.UserGet(epb.AuthUserGetRequest(name=name), timeout=DEADLINE)
        return list(resp.roles)

    def user_change_password(self, name: str, password: str) -> None:
        self.auth.UserChangePassword(epb.AuthUserChangePasswordRequest(name=name, password=password),
                                     timeout=DEADLINE)

    def user_grant_role(self, user: str, role: str) -> None:
        self.auth.UserGrantRole(epb.AuthUserGrantRoleRequest(user=user, role=role), timeout=DEADLINE)

    def user_revoke_role(self, user: str, role: str) -> None:
        self.auth.UserRevokeRole(epb.AuthUserRevokeRoleRequest(name=user, role=role), timeout=DEADLINE)

    def role_add(self, name: str) -> None:
        self.auth.RoleAdd(epb.AuthRoleAddRequest(name=name), timeout=DEADLINE)

    def role_delete(self, name: str) -> None:
        self.auth.RoleDelete(epb.AuthRoleDeleteRequest(role=name), timeout=DEADLINE)

    def role_permissions(self, name: str) -> list[epb.Permission]:
        resp: epb.AuthRoleGetResponse = self.auth.RoleGet(epb.AuthRoleGetRequest(role=name), timeout=DEADLINE)
        return list(resp.perm)

    def role_grant(self, role: str, key: str | bytes, *, prefix: bool = False, range_end: str | bytes | None = None,
                   perm: str = "read") -> None:
        """Grant `role` perm ('read', 'write', 'readwrite') on a key, a prefix or [key, range_end)."""
        k, end = _select(key, prefix, range_end)
        kind = {"read": epb.Permission.READ, "write": epb.Permission.WRITE,
                "readwrite": epb.Permission.READWRITE}[perm]
        self.auth.RoleGrantPermission(epb.AuthRoleGrantPermissionRequest(
            name=role, perm=epb.Permission(permType=kind, key=k, range_end=end)), timeout=DEADLINE)

    def role_revoke(self, role: str, key: str | bytes, *, prefix: bool = False,
                    range_end: str | bytes | None = None) -> None:
        k, end = _select(key, prefix, range_end)
        self.auth.RoleRevokePermission(epb.AuthRoleRevokePermissionRequest(role=role, key=k, range_end=end),
                                       timeout=DEADLINE)
