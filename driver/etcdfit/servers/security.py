"""What security a server runs with (TLS, client-certificate auth, etcd auth and its tokens),
the etcd flags for it, and turning auth on through the oracle.

A `Security` is data: `Security.parse("tls+auth")` for --security, `Security(tls=True,
auth="simple")` from a test's `server(tls=True, auth="simple")` requirement. etcd's flags are
spelled the same from 3.4 to 3.7 (--cert-file, --key-file, --trusted-ca-file,
--client-cert-auth, --auth-token, --auth-token-ttl).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from ..errors import ConfigError
from .certs import Certs

AUTH_KINDS = ("", "simple", "jwt")
#: Seconds a token lives unless a test asks otherwise (etcd's default is 300).
DEFAULT_TOKEN_TTL = 300
#: The root user's password on every server with auth (the oracle authenticates with it).
ROOT_PASSWORD = "etcdfit-root"
#: --security words: each turns one thing on; joined with '+' (tls+auth).
WORDS: dict[str, dict[str, Any]] = {"plain": {}, "tls": {"tls": True}, "mtls": {"tls": True, "client_cert_auth": True},
         "auth": {"auth": "simple"}, "jwt": {"auth": "jwt"}}


@dataclass(frozen=True)
class Security:
    """tls: the server serves https with the run's CA-signed certificate. client_cert_auth: it
    also demands a client certificate signed by that CA (and, with auth, takes its CN as the
    user). auth: '' (off), 'simple' or 'jwt' tokens, living token_ttl seconds."""

    tls: bool = False
    client_cert_auth: bool = False
    auth: str = ""
    token_ttl: int = DEFAULT_TOKEN_TTL

    def __post_init__(self) -> None:
        if self.auth not in AUTH_KINDS:
            raise ConfigError(f"auth={self.auth!r}: expected 'simple' or 'jwt' (or '' for none)")
        if self.client_cert_auth and not self.tls:
            raise ConfigError("client_cert_auth needs tls=True: client certificates are part of TLS")
        if self.token_ttl < 1:
            raise ConfigError(f"token_ttl={self.token_ttl}: a token lives at least 1 second")

    @classmethod
    def parse(cls, text: str) -> Security:
        """--security: plain, or words joined with '+': tls, mtls (tls with client certificates),
        auth (simple tokens), jwt (JWT tokens); e.g. tls+auth, mtls+jwt."""
        fields: dict[str, Any] = {}
        for word in text.split("+"):
            if word not in WORDS:
                raise ConfigError(f"--security {text!r}: {word!r} is not one of {', '.join(WORDS)} "
                                  "(join several with '+', e.g. tls+auth)")
            fields.update(WORDS[word])
        return cls(**fields)

    @classmethod
    def of(cls, requirement: Mapping[str, Any]) -> Security | None:
        """The security a `server(...)` marker's kwargs ask for; None when it asks for none."""
        keys = {"tls", "client_cert_auth", "auth", "token_ttl"}
        asked = {k: v for k, v in requirement.items() if k in keys}
        if not asked or not (asked.get("tls") or asked.get("auth")):
            return None
        return cls(**asked)

    @property
    def on(self) -> bool:
        return self.tls or bool(self.auth)

    @property
    def label(self) -> str:
        """plain, tls, mtls, auth, tls+auth, mtls+jwt, ... (a cell's security attribute)."""
        parts = ["mtls" if self.client_cert_auth else "tls"] if self.tls else []
        if self.auth:
            parts.append("auth" if self.auth == "simple" else "jwt")
        return "+".join(parts) or "plain"

    def satisfies(self, wanted: Security) -> bool:
        """True when a server with this security serves a test that asks for `wanted`."""
        return self == wanted or (self == replace(wanted, token_ttl=self.token_ttl)
                                  and wanted.token_ttl == DEFAULT_TOKEN_TTL)

    def flags(self, certs: Certs | None) -> tuple[str, ...]:
        out: list[str] = []
        if self.tls:
            if certs is None:
                raise ConfigError("a server with TLS needs the run's certificates")
            out += ["--cert-file", str(certs.server.cert), "--key-file", str(certs.server.key)]
            if self.client_cert_auth:  # etcd demands client certificates whenever it has a trusted CA file
                out += ["--trusted-ca-file", str(certs.ca.cert), "--client-cert-auth"]
        if self.auth == "simple":
            out += ["--auth-token", "simple", "--auth-token-ttl", str(self.token_ttl)]
        elif self.auth == "jwt":
            if certs is None:
                raise ConfigError("a server with JWT tokens needs the run's key pair")
            option = f"jwt,pub-key={certs.jwt.cert},priv-key={certs.jwt.key},sign-method=RS256,ttl={self.token_ttl}s"
            out += ["--auth-token", option]
        return tuple(out)
