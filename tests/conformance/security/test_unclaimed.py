"""A performer that does not claim a TLS capability refuses a Connect that sets its options with
INVALID_ARGUMENT naming the option (ConnectRequest's rule for SDK options), never ignores it."""

from __future__ import annotations

import pytest

from etcdfit.errors import PerformerError

OPTIONS = [("tls_ca_pem", b"-----BEGIN CERTIFICATE-----\n", "connect.tls"),
           ("tls_server_name", "localhost", "connect.tls"),
           ("tls_cert_pem", b"-----BEGIN CERTIFICATE-----\n", "connect.tls.client_cert"),
           ("tls_key_pem", b"-----BEGIN PRIVATE KEY-----\n", "connect.tls.client_cert")]


@pytest.mark.parametrize(("field", "value", "capability"), OPTIONS, ids=[o[0] for o in OPTIONS])
def test_an_unclaimed_tls_option_is_refused_naming_it(performer, etcd, field, value, capability):
    if capability in performer.capabilities:
        pytest.skip(f"{performer.identity.label} claims {capability}: the TLS tests cover it")
    with pytest.raises(PerformerError, match=rf"INVALID_ARGUMENT: .*{field}"):
        performer.connect(etcd.endpoints, **{field: value})
