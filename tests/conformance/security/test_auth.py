"""Auth: who may do what. Users and roles are set up by the oracle (as root) before the SDK
connects; the SDK authenticates with its own username/password support (auth.basic)."""

from __future__ import annotations

import pytest
from security_common import REQUEST_MS, SLACK_S, connect, fail, first_failure

from etcdfit.program import delete, get, put, txn
from etcdfit.program import value as value_of

pytestmark = pytest.mark.requires("auth.basic", "kv.put", "kv.range")
#: Auth over plaintext and over TLS: SDKs differ in whether they send a token on a plaintext
#: channel at all (gRPC refuses call credentials there).
TRANSPORTS = [pytest.param("plain", marks=pytest.mark.server(auth="simple"), id="plain"),
              pytest.param("tls", marks=[pytest.mark.server(tls=True, auth="simple"),
                                         pytest.mark.requires("connect.tls")], id="tls")]

PASSWORD = "pw-of-the-test"


def _name(ns, what: str) -> str:
    return f"{what}-{ns.prefix.hex()[-16:]}"


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_a_wrong_password_gives_auth_failed(performer, secure_etcd, ns, transport):
    """AUTH_FAILED, at Connect (an SDK that authenticates there) or at the first call."""
    user = secure_etcd.user(_name(ns, "u"), PASSWORD)
    code, message, took = first_failure(performer, secure_etcd, ns.key("a"), user=user, password="not-it")
    if code != "AUTH_FAILED":
        fail("Connect and a first get with a wrong password", "AUTH_FAILED", f"{code or 'success'}: {message[:300]}")
    if took > 2 * REQUEST_MS / 1000 + SLACK_S:
        fail("how long the wrong password took to fail", "within the timeouts plus slack", f"{took:.1f}s")


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_a_call_without_credentials_is_refused(performer, secure_etcd, ns, transport):
    """No token and no client certificate: etcd answers `user name is empty`, AUTH_FAILED
    (etcd_errors.tsv); nothing is written."""
    secure_etcd.oracle.put(ns.key("a"), "1")
    sdk = connect(performer, secure_etcd)
    sdk.run(get(ns.key("a")).expect_error("AUTH_FAILED"), put(ns.key("a"), "2").expect_error("AUTH_FAILED"))
    assert secure_etcd.oracle.value(ns.key("a")) == b"1"


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_a_read_only_role_on_a_prefix(performer, secure_etcd, ns, transport):
    role = secure_etcd.role(_name(ns, "r"), read=[ns.key("ro/")])
    user = secure_etcd.user(_name(ns, "u"), PASSWORD, role)
    secure_etcd.oracle.put(ns.key("ro/a"), "1")
    secure_etcd.oracle.put(ns.key("elsewhere"), "2")
    sdk = connect(performer, secure_etcd, user=user, password=PASSWORD)
    sdk.run(get(ns.key("ro/a")).expect(kvs=[{"key": ns.key("ro/a"), "value": "1"}]),
            get(ns.key("ro/"), prefix=True).expect(count=1),
            put(ns.key("ro/a"), "x").expect_error("PERMISSION_DENIED"),
            delete(ns.key("ro/a")).expect_error("PERMISSION_DENIED"),
            get(ns.key("elsewhere")).expect_error("PERMISSION_DENIED"),
            put(ns.key("elsewhere"), "x").expect_error("PERMISSION_DENIED"))
    assert secure_etcd.oracle.value(ns.key("ro/a")) == b"1"
    assert secure_etcd.oracle.value(ns.key("elsewhere")) == b"2"


@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.requires("txn")
def test_a_txn_touching_one_forbidden_key_is_denied_as_a_whole(performer, secure_etcd, ns, transport):
    role = secure_etcd.role(_name(ns, "r"), readwrite=[ns.key("rw/")])
    user = secure_etcd.user(_name(ns, "u"), PASSWORD, role)
    sdk = connect(performer, secure_etcd, user=user, password=PASSWORD)
    sdk.run(put(ns.key("rw/a"), "0"))
    sdk.run(txn([value_of(ns.key("rw/a")) == "0"],
                success=[put(ns.key("rw/a"), "1"), put(ns.key("forbidden"), "1")],
                failure=[put(ns.key("rw/a"), "2")]).expect_error("PERMISSION_DENIED"))
    assert secure_etcd.oracle.value(ns.key("rw/a")) == b"0"
    assert secure_etcd.oracle.value(ns.key("forbidden")) is None


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_revoking_a_role_takes_effect_on_the_next_call(performer, secure_etcd, ns, transport):
    """The SDK's token predates the revocation (its auth revision is old): the next call is denied,
    PERMISSION_DENIED once the SDK re-authenticated, never allowed."""
    role = secure_etcd.role(_name(ns, "r"), readwrite=[ns.key("")])
    user = secure_etcd.user(_name(ns, "u"), PASSWORD, role)
    sdk = connect(performer, secure_etcd, user=user, password=PASSWORD)
    sdk.run(put(ns.key("a"), "1"))
    secure_etcd.oracle.user_revoke_role(user, role)
    [r] = sdk.run(put(ns.key("a"), "2").allow_error())
    if r.code != "PERMISSION_DENIED":
        fail("a put right after the user's role was revoked", "PERMISSION_DENIED",
             f"{r.code or 'success'}: {r.error.message[:300] if r.error is not None else ''}")
    assert secure_etcd.oracle.value(ns.key("a")) == b"1"
