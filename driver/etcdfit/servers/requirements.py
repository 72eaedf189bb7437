"""Server requirements of a test (like MongoDB's runOnRequirements): version range, topology,
and frequent watch progress notifications."""

from __future__ import annotations

from typing import Protocol

from ..errors import ConfigError


class _Server(Protocol):
    """What a requirement is checked against: an EtcdServer, or anything shaped like one."""

    @property
    def version(self) -> str: ...

    @property
    def endpoints(self) -> list[str]: ...  # one per member; `topology` (single, cluster3), if any, says the shape

TOPOLOGIES = ("single", "cluster")
#: server(...) keys that ask for security: a test with them gets a server of its own with that
#: security (the secure_etcd fixture; servers.security.Security.of), so `unmet` never sees them.
SECURITY_KEYS = frozenset({"tls", "client_cert_auth", "auth", "token_ttl"})
#: The longest progress-notify interval (seconds) a progress_notify test may wait on.
MAX_PROGRESS_NOTIFY_INTERVAL = 2.0


def version_tuple(text: str) -> tuple[int, ...]:
    """'3.5.1' -> (3, 5, 1); '3.6' -> (3, 6). Pre-release suffixes are ignored."""
    parts = []
    for p in text.split("-")[0].split("."):
        if not p.isdigit():
            raise ConfigError(f"{text!r} is not a version like 3.5 or 3.5.1")
        parts.append(int(p))
    return tuple(parts)


def unmet(server: _Server, min_version: str | None = None, max_version: str | None = None,
          topology: str = "single", progress_notify: bool = False) -> list[str]:
    """Reasons the server does not meet the requirements (empty: it does).

    min_version is inclusive; max_version is inclusive of its whole line, so
    max_version="3.5" admits 3.5.35 but not 3.6.0. progress_notify: the test waits for
    watch progress notifications, so the server must send them every few seconds
    (servers etcdfit starts do; an external one may wait etcd's default 10 minutes).
    """
    if topology not in TOPOLOGIES:
        raise ConfigError(f"topology {topology!r}: expected one of {', '.join(TOPOLOGIES)}")
    reasons = []
    have = version_tuple(server.version)
    if min_version and have < version_tuple(min_version):
        reasons.append(f"etcd {server.version} is older than the test's min_version {min_version}")
    if max_version:
        top = version_tuple(max_version)
        if have[: len(top)] > top:
            reasons.append(f"etcd {server.version} is newer than the test's max_version {max_version}")
    members = len(server.endpoints)
    shape = getattr(server, "topology", "single")  # EtcdServer: single (or clusterN outside), Cluster: clusterN
    if topology == "cluster" and (members < 3 or not shape.startswith("cluster")):
        reasons.append(f"the test needs a 3-member cluster (--topology cluster3); this run's etcd has "
                       f"{members} member(s)")
    interval = getattr(server, "progress_notify_interval", None)
    if progress_notify and (interval is None or interval > MAX_PROGRESS_NOTIFY_INTERVAL):
        shown = ("an unknown one (it was not started by etcdfit)" if interval is None
                 else f"{interval:g}s")
        reasons.append(f"the test waits for watch progress notifications, so it needs a progress-notify "
                       f"interval of at most {MAX_PROGRESS_NOTIFY_INTERVAL:g}s; this run's etcd has {shown}")
    return reasons
