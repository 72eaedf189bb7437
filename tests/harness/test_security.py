"""Servers with security: --security words, etcd flags, the per-run certificates, a TLS+auth
server the oracle sets up and reaches, and the rule that a security requirement needs the
secure_etcd fixture."""

from __future__ import annotations

import ipaddress
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.x509.oid import NameOID

from etcdfit.errors import ConfigError
from etcdfit.oracle import Oracle, OracleError
from etcdfit.servers import certs as certs_mod
from etcdfit.servers import embedded, secure
from etcdfit.servers.security import ROOT_PASSWORD, Security

ROOT = Path(__file__).parent / "performers"


@pytest.mark.parametrize(("text", "label", "want"), [
    ("plain", "plain", Security()),
    ("tls", "tls", Security(tls=True)),
    ("mtls", "mtls", Security(tls=True, client_cert_auth=True)),
    ("auth", "auth", Security(auth="simple")),
    ("tls+auth", "tls+auth", Security(tls=True, auth="simple")),
    ("mtls+jwt", "mtls+jwt", Security(tls=True, client_cert_auth=True, auth="jwt")),
])
def test_security_words(text, label, want):
    assert Security.parse(text) == want
    assert want.label == label


def test_bad_security_is_a_config_error_naming_the_word():
    with pytest.raises(ConfigError, match="'ssl' is not one of"):
        Security.parse("tls+ssl")
    with pytest.raises(ConfigError, match="client_cert_auth needs tls"):
        Security(client_cert_auth=True)
    with pytest.raises(ConfigError, match="expected 'simple' or 'jwt'"):
        Security(auth="ldap")


def test_a_marker_without_security_keys_asks_for_none():
    assert Security.of({"min_version": "3.5"}) is None
    assert Security.of({"tls": True, "auth": "jwt", "token_ttl": 2}) == Security(tls=True, auth="jwt", token_ttl=2)


def test_flags(tmp_path):
    c = certs_mod.generate(tmp_path)
    tls = Security(tls=True).flags(c)
    assert "--cert-file" in tls and "--trusted-ca-file" not in tls   # etcd would demand client certs
    mtls = Security(tls=True, client_cert_auth=True).flags(c)
    assert "--client-cert-auth" in mtls and "--trusted-ca-file" in mtls
    assert Security(auth="simple", token_ttl=7).flags(None) == ("--auth-token", "simple", "--auth-token-ttl", "7")
    [_, jwt] = Security(auth="jwt", token_ttl=3).flags(c)
    assert jwt.startswith("jwt,pub-key=") and jwt.endswith("sign-method=RS256,ttl=3s")
    with pytest.raises(ConfigError):
        Security(tls=True).flags(None)


def test_certificates_chain_to_their_cas(tmp_path):
    c = certs_mod.generate(tmp_path)

    def load(p: Path) -> x509.Certificate:
        return x509.load_pem_x509_certificate(p.read_bytes())

    ca, wrong = load(c.ca.cert), load(c.wrong_ca.cert)
    server = load(c.server.cert)
    server.verify_directly_issued_by(ca)
    sans = server.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert ipaddress.ip_address("127.0.0.1") in sans.get_values_for_type(x509.IPAddress)
    assert "localhost" in sans.get_values_for_type(x509.DNSName)
    alice = load(c.client("alice").cert)
    alice.verify_directly_issued_by(ca)
    assert alice.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "alice"
    load(c.stranger.cert).verify_directly_issued_by(wrong)
    with pytest.raises(Exception, match="no client certificate for 'bob'"):
        c.client("bob")


def test_a_tls_and_auth_server_is_set_up_and_reached_by_the_oracle(tmp_path):
    c = certs_mod.generate(tmp_path / "certs")
    server = secure.start(embedded.distro_binary(), tmp_path, Security(tls=True, auth="simple"), c)
    try:
        assert server.endpoints[0].startswith("https://127.0.0.1:")
        o = Oracle(server.endpoints[0])   # credentials registered for the endpoint: root over TLS
        o.put("k", "v")
        assert o.value("k") == b"v"
        o.close()
        anonymous = Oracle(server.endpoints[0], secure.oracle_credentials(Security(tls=True), c))
        with pytest.raises(OracleError, match="user name is empty"):
            anonymous.put("k", "w")
        anonymous.close()
        root = Oracle(server.endpoints[0])
        assert root.authenticate("root", ROOT_PASSWORD)
        root.close()
    finally:
        server.stop()


def test_a_security_requirement_needs_the_secure_etcd_fixture(pytester):
    pytester.makepyfile(test_it="""
import pytest

@pytest.mark.server(tls=True)
def test_x(performer):
    pass
""")
    result = pytester.runpytest_subprocess(f"--performers-root={ROOT}", "--performer=raw-grpc",
                                           "-p", "no:cacheprovider", timeout=120)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*asks for a server with security*secure_etcd*"])


def test_security_and_existing_endpoints_exclude_each_other(pytester):
    pytester.makepyfile(test_it="def test_x():\n    pass\n")
    result = pytester.runpytest_subprocess("--security", "tls", "--etcd-endpoints", "http://127.0.0.1:2379",
                                           "-p", "no:cacheprovider", timeout=60)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--security and --etcd-endpoints exclude each other*"])
