"""Servers with security: started with TLS and/or auth, root set up by the oracle, and what a
test needs to reach one (Connect options for a user, a client certificate, the wrong CA).

    @pytest.mark.server(tls=True, auth="simple")
    def test_x(performer, secure_etcd, ns):
        secure_etcd.role("reader", read=[ns.key("")])
        secure_etcd.user("alice", "pw", "reader")
        sdk = performer.connect(secure_etcd.endpoints, **secure_etcd.connect_options(user="alice", password="pw"))

Auth is turned on the way etcd's documentation says: a root user with the root role, then
AuthEnable; from then on the oracle authenticates as root (oracle.CREDENTIALS).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from ..errors import ConfigError
from ..oracle import CREDENTIALS, Credentials, Oracle
from .certs import Certs
from .security import ROOT_PASSWORD, Security


def oracle_credentials(security: Security, certs: Certs | None) -> Credentials:
    """The oracle's TLS settings for a server with `security` (root's client certificate, which
    a server that does not ask for one ignores); the user is added once auth is on."""
    if not security.tls:
        return Credentials()
    assert certs is not None
    root = certs.client("root")
    return Credentials(ca_pem=certs.ca.cert_pem(), cert_pem=root.cert_pem(), key_pem=root.key_pem())


def start(binary: Path, log_dir: Path, security: Security, certs: Certs | None, *, members: int = 1,
          name: str = "secure") -> Any:
    """A server (members=1: an EtcdServer; 3: a Cluster) of `binary` with `security`, auth on."""
    from . import cluster, embedded

    creds = oracle_credentials(security, certs)
    flags = security.flags(certs)
    server: Any
    if members == 1:
        server = embedded.start(binary, log_dir, name=name, extra=flags, credentials=creds)
    else:
        server = cluster.start_cluster(binary, log_dir, members, extra=flags, credentials=creds)
    server.security = security
    try:
        if security.auth:
            enable_auth(server, creds)
    except BaseException:
        server.stop()
        raise
    return server


def enable_auth(server: Any, creds: Credentials) -> None:
    """Create root with the root role and enable auth; every oracle opened on the server from
    now on authenticates as root."""
    oracle = Oracle(server.endpoints[0], creds)
    try:
        oracle.user_add("root", ROOT_PASSWORD)
        oracle.user_grant_role("root", "root")
        oracle.auth_enable()
    finally:
        oracle.close()
    full = replace(creds, user="root", password=ROOT_PASSWORD)
    for endpoint in getattr(server, "member_endpoints", server.endpoints):
        CREDENTIALS[endpoint] = full
    forget = getattr(server, "forget_oracles", None)
    if forget is not None:   # a cluster's cached per-member oracles predate auth
        forget()


def connect_options(security: Security, certs: Certs | None, *, user: str = "", password: str = "",
                    client_cert: str | None = None, ca: str = "ca", server_name: str = "") -> dict[str, Any]:
    """ConnectRequest fields: TLS with the run's CA (ca="wrong": the second CA, which signed
    nothing the server has), the client certificate whose CN is `client_cert` ("stranger": one
    signed by the wrong CA), and a user/password. Under mtls a client certificate is required,
    so root's is given when neither a certificate nor a user is named."""
    options: dict[str, Any] = {}
    if user:
        options.update(username=user, password=password)
    if not security.tls:
        if client_cert or ca != "ca" or server_name:
            raise ConfigError("TLS options asked of a server without TLS: mark the test server(tls=True, ...)")
        return options
    assert certs is not None
    if ca not in ("ca", "wrong"):
        raise ConfigError(f"ca={ca!r}: expected 'ca' (the run's CA) or 'wrong' (a CA that signed nothing)")
    options["tls_ca_pem"] = (certs.ca if ca == "ca" else certs.wrong_ca).cert_pem()
    if client_cert is None and security.client_cert_auth and not user:
        client_cert = "root"
    if client_cert:
        pair = certs.stranger if client_cert == "stranger" else certs.client(client_cert)
        options.update(tls_cert_pem=pair.cert_pem(), tls_key_pem=pair.key_pem())
    if server_name:
        options["tls_server_name"] = server_name
    return options


class SecureEtcd:
    """A server with security for one test (its own, or the session's under --security): the
    `secure_etcd` fixture. Users and roles made through it are removed at the end when the
    server is the session's."""

    def __init__(self, server: Any, security: Security, certs: Certs | None, *, own: bool):
        self.server, self.security, self.certs, self.own = server, security, certs, own
        self.oracle = Oracle(server.endpoints[0])
        self._users: list[str] = []
        self._roles: list[str] = []

    @property
    def endpoints(self) -> list[str]:
        return list(self.server.endpoints)

    @property
    def version(self) -> str:
        return str(self.server.version)

    # ---------------------------------------------------------------- how to connect

    def connect_options(self, *, user: str = "", password: str = "", client_cert: str | None = None,
                        ca: str = "ca", server_name: str = "") -> dict[str, Any]:
        """ConnectRequest fields for this server (see connect_options)."""
        return connect_options(self.security, self.certs, user=user, password=password, client_cert=client_cert,
                               ca=ca, server_name=server_name)

    # ---------------------------------------------------------------- users and roles (as root)

    def role(self, name: str, *, read: tuple[bytes, ...] | list[bytes] = (),
             write: tuple[bytes, ...] | list[bytes] = (), readwrite: tuple[bytes, ...] | list[bytes] = ()) -> str:
        """Add role `name` with permissions on every key under each prefix given."""
        self._need_auth()
        self.oracle.role_add(name)
        self._roles.append(name)
        for perm, prefixes in (("read", read), ("write", write), ("readwrite", readwrite)):
            for prefix in prefixes:
                self.oracle.role_grant(name, prefix, prefix=True, perm=perm)
        return name

    def user(self, name: str, password: str, *roles: str) -> str:
        """Add user `name` with `password` and grant it `roles`."""
        self._need_auth()
        self.oracle.user_add(name, password)
        self._users.append(name)
        for r in roles:
            self.oracle.user_grant_role(name, r)
        return name

    def _need_auth(self) -> None:
        if not self.security.auth:
            raise ConfigError("users and roles need a server with auth: mark the test server(auth='simple')")

    def close(self) -> None:
        try:
            if not self.own and self.security.auth:   # the session's server: leave it as found
                for u in self._users:
                    self.oracle.user_delete(u)
                for r in self._roles:
                    self.oracle.role_delete(r)
        finally:
            self.oracle.close()
            if self.own:
                self.server.stop()
