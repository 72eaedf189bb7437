"""Tokens: a short token TTL (simple tokens, --auth-token-ttl; JWT with ttl=) must not break a
client that sits idle past it, nor a watch or keep-alive stream; a password change ends the
old token (etcd bumps its auth revision, so the old token is refused).

A keep-alive stream carries the token it was opened with. etcd 3.5.31+ and 3.6.9+ check that
token on every renewal (checkLeaseRenew, etcdserver/v3_server.go; 3.5.27 and 3.6.8 do not), so
there a JWT stream is refused once its token expires and the SDK must open a new stream with a
new token; simple tokens are extended while they are used. The keep-alive test probes which
kind of server it has (renewals_check_the_token) and is skipped, saying so, on the others: an
expired token cannot break a stream there.
"""

from __future__ import annotations

import queue
import time

import grpc
import pytest
from security_common import connect, fail

from etcdfit.gen.etcd.v3 import rpc_pb2 as epb
from etcdfit.gen.etcd.v3 import rpc_pb2_grpc as epbg
from etcdfit.program import (
    get,
    lease_keepalive_collect,
    lease_keepalive_start,
    lease_keepalive_stop,
    put,
    watch_collect,
    watch_start,
)
from etcdfit.servers.security import ROOT_PASSWORD

TOKEN_TTL = 2          # seconds a token lives
IDLE_S = TOKEN_TTL + 2.0   # idle longer than that
PASSWORD = "pw-of-the-test"

pytestmark = pytest.mark.requires("auth.basic", "kv.put", "kv.range")
#: Simple tokens over plaintext, JWT over TLS: both token kinds and both transports, in two runs.
KINDS = [pytest.param("simple", marks=pytest.mark.server(auth="simple", token_ttl=TOKEN_TTL), id="simple-plain"),
         pytest.param("jwt", marks=[pytest.mark.server(tls=True, auth="jwt", token_ttl=TOKEN_TTL),
                                    pytest.mark.requires("connect.tls")], id="jwt-tls")]
TRANSPORTS = [pytest.param("plain", marks=pytest.mark.server(auth="simple"), id="plain"),
              pytest.param("tls", marks=[pytest.mark.server(tls=True, auth="simple"),
                                         pytest.mark.requires("connect.tls")], id="tls")]


def _user(secure_etcd, ns) -> str:
    tag = ns.prefix.hex()[-16:]
    role = secure_etcd.role(f"r-{tag}", readwrite=[ns.key("")])
    return secure_etcd.user(f"u-{tag}", PASSWORD, role)


@pytest.mark.parametrize("kind", KINDS)
def test_an_idle_client_works_after_its_token_expired(performer, secure_etcd, ns, kind):
    sdk = connect(performer, secure_etcd, user=_user(secure_etcd, ns), password=PASSWORD)
    sdk.run(put(ns.key("a"), "1"))
    time.sleep(IDLE_S)
    [r] = sdk.run(put(ns.key("a"), "2").allow_error())
    if r.error is not None:
        fail(f"a put {IDLE_S:g}s after the last call (token TTL {TOKEN_TTL}s, {kind} tokens)",
             "success (the SDK authenticates again)", f"{r.code}: {r.error.message[:300]}")
    assert secure_etcd.oracle.value(ns.key("a")) == b"2"


def _events(r) -> list[tuple[bytes, int]]:
    return [(e.kv.key, e.kv.mod_revision) for e in r.events]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.requires("watch")
def test_a_watch_survives_token_expiry(performer, secure_etcd, ns, kind):
    """etcd checks a watch's permission when it is created: the open watch keeps delivering."""
    sdk = connect(performer, secure_etcd, user=_user(secure_etcd, ns), password=PASSWORD)
    sdk.run(watch_start("w", ns.key("a")))
    time.sleep(IDLE_S)
    rev = secure_etcd.oracle.put(ns.key("a"), "1").header.revision
    [r] = sdk.run(watch_collect("w", 1, timeout_ms=5000))
    if _events(r) != [(ns.key("a"), rev)] or r.ended:
        fail(f"the watch opened before its token expired ({kind})", f"the put at revision {rev}, still open",
             f"{len(r.events)} event(s), ended={r.ended}, errors {[e.message[:200] for e in r.errors]}")


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.requires("watch")
def test_a_watch_started_after_token_expiry_works(performer, secure_etcd, ns, kind):
    """A client that watched before its token expired starts another watch after: the SDK must
    authenticate again for it (the server checks the new watch against the stream's token)."""
    sdk = connect(performer, secure_etcd, user=_user(secure_etcd, ns), password=PASSWORD)
    sdk.run(watch_start("w1", ns.key("a")))
    time.sleep(IDLE_S)
    [started] = sdk.run(watch_start("w2", ns.key("b")).allow_error())
    if started.error is not None:
        fail(f"a watch started after the token expired ({kind})", "started",
             f"{started.code}: {started.error.message[:300]}")
    rev = secure_etcd.oracle.put(ns.key("b"), "1").header.revision
    [r] = sdk.run(watch_collect("w2", 1, timeout_ms=5000))
    if _events(r) != [(ns.key("b"), rev)]:
        fail(f"the watch started after the token expired ({kind})", f"the put at revision {rev}",
             f"{len(r.events)} event(s), ended={r.ended}, errors {[e.message[:200] for e in r.errors]}")


def renewals_check_the_token(secure_etcd) -> bool:
    """Whether this server refuses a renewal on a keep-alive stream whose token has expired
    since the stream opened. Probed once per server: a stream opened with a fresh root token
    renews a lease, then again after the token's TTL has passed."""
    known = getattr(secure_etcd, "renewals_check_the_token", None)
    if known is not None:
        return bool(known)
    o = secure_etcd.oracle
    lease = o.lease_grant(60)
    token = o.authenticate("root", ROOT_PASSWORD)
    requests: queue.SimpleQueue[epb.LeaseKeepAliveRequest | None] = queue.SimpleQueue()
    call = epbg.LeaseStub(o.channel).LeaseKeepAlive(iter(requests.get, None), metadata=(("token", token),),
                                                    timeout=TOKEN_TTL + 15)
    try:
        requests.put(epb.LeaseKeepAliveRequest(ID=lease))
        next(call)  # the fresh token is accepted
        time.sleep(TOKEN_TTL + 1.5)
        requests.put(epb.LeaseKeepAliveRequest(ID=lease))
        try:
            next(call)
            checks = False
        except grpc.RpcError as exc:
            if "invalid auth token" not in (exc.details() or ""):
                raise
            checks = True
    finally:
        requests.put(None)
        call.cancel()
        o.lease_revoke(lease)
    secure_etcd.renewals_check_the_token = checks
    return checks


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.requires("lease.keepalive", "lease.ttl")
def test_a_keepalive_stream_survives_token_expiry(performer, secure_etcd, ns, kind):
    if not renewals_check_the_token(secure_etcd):
        pytest.skip(f"etcd {secure_etcd.version} does not check a keep-alive stream's token on renewals "
                    "(3.5.31+ and 3.6.9+ do), so an expired token cannot break the stream here")
    lease_ttl = 2   # etcd's minimum TTL; renewed about every 2/3 s
    sdk = connect(performer, secure_etcd, user=_user(secure_etcd, ns), password=PASSWORD)
    [start] = sdk.run(lease_keepalive_start("ka", ttl=lease_ttl))
    time.sleep(IDLE_S + lease_ttl)
    left = secure_etcd.oracle.lease_remaining(start.id)
    [got] = sdk.run(lease_keepalive_collect("ka", 0, timeout_ms=100))
    sdk.run(lease_keepalive_stop("ka"))
    if left <= 0 or got.ended:
        fail(f"the lease {IDLE_S + lease_ttl:g}s into its keep-alive (token TTL {TOKEN_TTL}s, {kind})",
             "alive, the stream running", f"TTL {left}, ended={got.ended}"
             + (f" ({got.end_error.message[:200]})" if got.ended else ""))


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_after_a_password_change_the_old_token_stops_working(performer, secure_etcd, ns, transport):
    """The SDK still holds the old password: re-authenticating fails, so the call is AUTH_FAILED
    and nothing is written."""
    user = _user(secure_etcd, ns)
    sdk = connect(performer, secure_etcd, user=user, password=PASSWORD)
    sdk.run(put(ns.key("a"), "1"))
    secure_etcd.oracle.user_change_password(user, PASSWORD + "-new")
    [r] = sdk.run(put(ns.key("a"), "2").allow_error())
    if r.code != "AUTH_FAILED":
        fail("a put with the token issued before the password changed", "AUTH_FAILED",
             f"{r.code or 'success'}: {r.error.message[:300] if r.error is not None else ''}")
    assert secure_etcd.oracle.value(ns.key("a")) == b"1"
    fresh = connect(performer, secure_etcd, user=user, password=PASSWORD + "-new")
    fresh.run(get(ns.key("a")).expect(count=1))
