"""TLS: an SDK given the run's CA works over https; a wrong CA or a stranger's client certificate
fails within the timeouts; a client certificate's CN acts as that user (etcd's
--client-cert-auth with auth on: a request without a token is the CN's)."""

from __future__ import annotations

import pytest
from security_common import DIAL_MS, REQUEST_MS, SLACK_S, connect, fail, first_failure

from etcdfit.program import delete, get, put, watch_collect, watch_start
from etcdfit.servers.security import ROOT_PASSWORD

pytestmark = pytest.mark.requires("connect.tls", "kv.put", "kv.range")


@pytest.mark.server(tls=True)
def test_operations_work_over_tls(performer, secure_etcd, ns):
    sdk = connect(performer, secure_etcd)
    k = ns.key("a")
    sdk.run(put(k, "1"), get(k).expect(kvs=[{"key": k, "value": "1"}], count=1), delete(k).expect(deleted=1))
    sdk.run(put(k, "2"))
    assert secure_etcd.oracle.value(k) == b"2"


@pytest.mark.server(tls=True)
@pytest.mark.requires("watch")
def test_a_watch_works_over_tls(performer, secure_etcd, ns):
    sdk = connect(performer, secure_etcd)
    sdk.run(watch_start("w", ns.key("a")))
    rev = secure_etcd.oracle.put(ns.key("a"), "1").header.revision
    [r] = sdk.run(watch_collect("w", 1, timeout_ms=5000))
    got = [(e.kv.key, e.kv.mod_revision) for e in r.events]
    if got != [(ns.key("a"), rev)]:
        fail("the watch's events over TLS", f"one put at revision {rev}", str(got))


@pytest.mark.server(tls=True)
def test_the_server_name_can_be_given(performer, secure_etcd, ns):
    """The server's certificate names localhost too: checked against that name instead of 127.0.0.1."""
    sdk = connect(performer, secure_etcd, server_name="localhost")
    sdk.run(put(ns.key("a"), "1"), get(ns.key("a")).expect(count=1))


@pytest.mark.server(tls=True)
def test_a_wrong_ca_fails_within_the_timeouts(performer, secure_etcd, ns):
    """The server's certificate is not signed by the CA the SDK was given: Connect (if it dials)
    or the first call fails, UNAVAILABLE or DEADLINE_EXCEEDED, within its timeout plus slack."""
    code, message, took = first_failure(performer, secure_etcd, ns.key("a"), ca="wrong")
    bound = (DIAL_MS + REQUEST_MS) / 1000 + SLACK_S
    if code not in ("UNAVAILABLE", "DEADLINE_EXCEEDED"):
        fail("Connect and a first get with a CA that did not sign the server's certificate",
             "UNAVAILABLE or DEADLINE_EXCEEDED", f"{code or 'success'}: {message[:300]}")
    if took > bound:
        fail("how long the wrong CA took to fail", f"within {bound:g}s (dial + request timeout + slack)",
             f"{took:.1f}s")


@pytest.mark.server(tls=True, client_cert_auth=True)
@pytest.mark.requires("connect.tls.client_cert")
def test_a_client_certificate_works_and_one_from_another_ca_is_refused(performer, secure_etcd, ns):
    sdk = connect(performer, secure_etcd, client_cert="root")
    sdk.run(put(ns.key("a"), "1"), get(ns.key("a")).expect(count=1))
    code, message, took = first_failure(performer, secure_etcd, ns.key("a"), client_cert="stranger")
    if code is None:
        fail("a client certificate signed by a CA the server does not trust", "refused", "it worked")
    if took > (DIAL_MS + REQUEST_MS) / 1000 + SLACK_S:
        fail("how long the refused certificate took to fail", "within the timeouts plus slack", f"{took:.1f}s")


@pytest.mark.server(tls=True, client_cert_auth=True, auth="simple")
@pytest.mark.requires("connect.tls.client_cert")
def test_a_client_certificate_cn_acts_as_that_user(performer, secure_etcd, ns):
    """alice's certificate, no username: reads under her prefix work, writes and reads outside it
    are denied, exactly as for alice by password."""
    role = secure_etcd.role(f"r-{ns.prefix.hex()[:12]}", read=[ns.key("mine/")])
    secure_etcd.user("alice", ROOT_PASSWORD + "-alice", role)
    secure_etcd.oracle.put(ns.key("mine/a"), "1")
    secure_etcd.oracle.put(ns.key("other"), "2")
    sdk = connect(performer, secure_etcd, client_cert="alice")
    sdk.run(get(ns.key("mine/a")).expect(kvs=[{"key": ns.key("mine/a"), "value": "1"}]),
            put(ns.key("mine/a"), "x").expect_error("PERMISSION_DENIED"),
            get(ns.key("other")).expect_error("PERMISSION_DENIED"))
    assert secure_etcd.oracle.value(ns.key("mine/a")) == b"1"
