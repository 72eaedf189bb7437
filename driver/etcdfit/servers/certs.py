"""Certificates for servers with TLS, generated per run with the `cryptography` package.

One folder (under the run's log dir) holds, each as CERT.pem / CERT-key.pem:

    ca          the CA every server and client certificate below is signed by
    server      the servers' certificate: 127.0.0.1 (IP SAN) and localhost (DNS SAN)
    root        a client certificate whose CN is `root` (the oracle presents it)
    alice       a client certificate whose CN is the user `alice` (the CN-as-user test)
    wrong-ca    a second CA that signed nothing a server trusts
    stranger    a client certificate signed by wrong-ca (a server refuses it)
    jwt         an RSA key pair for etcd's JWT tokens (jwt.pem public, jwt-key.pem private)

Everything is valid from an hour ago (clock skew) for a day: a run never outlives it.
"""

from __future__ import annotations

import datetime
import ipaddress
from dataclasses import dataclass
from pathlib import Path

from ..errors import EtcdServerError

#: Client certificates made for every run: CN is the etcd user the certificate stands for.
CLIENT_USERS = ("root", "alice")


@dataclass(frozen=True)
class Pair:
    """A certificate and its private key, as files (PEM)."""

    cert: Path
    key: Path

    def cert_pem(self) -> bytes:
        return self.cert.read_bytes()

    def key_pem(self) -> bytes:
        return self.key.read_bytes()


@dataclass(frozen=True)
class Certs:
    """A run's certificates (see the module doc); `client(user)` is the pair whose CN is user."""

    folder: Path
    ca: Pair
    server: Pair
    wrong_ca: Pair
    stranger: Pair
    jwt: Pair

    def client(self, user: str) -> Pair:
        pair = Pair(self.folder / f"{user}.pem", self.folder / f"{user}-key.pem")
        if not pair.cert.exists():
            raise EtcdServerError(f"no client certificate for {user!r} in {self.folder}; made for: "
                                  f"{', '.join(CLIENT_USERS)} (etcdfit.servers.certs.CLIENT_USERS)")
        return pair


def generate(folder: Path) -> Certs:
    """Write a fresh set into `folder` (created; files there are replaced) and return it."""
    try:
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import ec, rsa
        from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
    except ImportError as exc:
        raise EtcdServerError("the cryptography package is missing (servers with TLS need it): "
                              "run `make venv`") from exc

    folder.mkdir(parents=True, exist_ok=True)
    now = datetime.datetime.now(datetime.UTC)

    def name(cn: str) -> x509.Name:
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn),
                          x509.NameAttribute(NameOID.ORGANIZATION_NAME, "etcdfit")])

    def write(stem: str, cert: x509.Certificate, key: ec.EllipticCurvePrivateKey) -> Pair:
        pair = Pair(folder / f"{stem}.pem", folder / f"{stem}-key.pem")
        pair.cert.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        pair.key.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                               serialization.NoEncryption()))
        pair.key.chmod(0o600)
        return pair

    def builder(subject: str, issuer: x509.Name, public: ec.EllipticCurvePublicKey) -> x509.CertificateBuilder:
        return (x509.CertificateBuilder().subject_name(name(subject)).issuer_name(issuer).public_key(public)
                .serial_number(x509.random_serial_number())
                .not_valid_before(now - datetime.timedelta(hours=1))
                .not_valid_after(now + datetime.timedelta(days=1)))

    def ca(stem: str, cn: str) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey, Pair]:
        key = ec.generate_private_key(ec.SECP256R1())
        cert = (builder(cn, name(cn), key.public_key())
                .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
                .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                             content_commitment=False, key_encipherment=False,
                                             data_encipherment=False, key_agreement=False,
                                             encipher_only=False, decipher_only=False), critical=True)
                .sign(key, hashes.SHA256()))
        return cert, key, write(stem, cert, key)

    def leaf(stem: str, cn: str, issuer: tuple[x509.Certificate, ec.EllipticCurvePrivateKey],
             *, server: bool) -> Pair:
        key = ec.generate_private_key(ec.SECP256R1())
        usage = [ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH] if server \
            else [ExtendedKeyUsageOID.CLIENT_AUTH]
        b = (builder(cn, issuer[0].subject, key.public_key())
             .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
             .add_extension(x509.ExtendedKeyUsage(usage), critical=False))
        if server:  # etcd also dials its peers with it, so it is a client certificate as well
            b = b.add_extension(x509.SubjectAlternativeName([
                x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]), critical=False)
        return write(stem, b.sign(issuer[1], hashes.SHA256()), key)

    ca_cert, ca_key, ca_pair = ca("ca", "etcdfit test CA")
    wrong_cert, wrong_key, wrong_pair = ca("wrong-ca", "etcdfit wrong CA")
    server = leaf("server", "etcdfit server", (ca_cert, ca_key), server=True)
    for user in CLIENT_USERS:
        leaf(user, user, (ca_cert, ca_key), server=False)
    stranger = leaf("stranger", "root", (wrong_cert, wrong_key), server=False)

    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwt = Pair(folder / "jwt.pem", folder / "jwt-key.pem")
    jwt.cert.write_bytes(rsa_key.public_key().public_bytes(serialization.Encoding.PEM,
                                                           serialization.PublicFormat.SubjectPublicKeyInfo))
    jwt.key.write_bytes(rsa_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                              serialization.NoEncryption()))
    jwt.key.chmod(0o600)
    return Certs(folder, ca_pair, server, wrong_pair, stranger, jwt)
