"""A multi-member etcd cluster on loopback: every member an embedded.EtcdServer of its own
(ports, data dir, log, process faults), started together with one --initial-cluster.

Members listen on their own client and peer ports. A cluster for fault tests (`proxied=`) puts
proxies in front of each: a toxiproxy link per member for clients (`client_proxies[i]`, whose
URLs the members advertise and SDKs are given) and a peer-link proxy per member
(`peer_links`, etcdfit.faults.peers) that can cut any pair of members apart. The oracle always
talks to a member's own port, never through a proxy.
"""

from __future__ import annotations

import atexit
import os
import shutil
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import proc
from ..errors import EtcdfitError, EtcdServerError
from ..gen.etcd.v3 import rpc_pb2 as epb
from ..oracle import Oracle
from .embedded import EtcdServer, on_new_ports, progress_notify_flag, spawn_member


@dataclass
class Cluster:
    """A running cluster etcdfit started. `members[i]` is an EtcdServer (kill, restart, pause,
    resume, health); `endpoints` lists every member's client URL, member 0's first."""

    members: list[EtcdServer]
    token: str
    version: str = ""
    member_ids: list[int] = field(default_factory=list)   # Status.header.member_id per member
    client_proxies: list[Any] = field(default_factory=list)   # etcdfit.faults.Proxy per member (proxied)
    peer_links: Any = None                                    # etcdfit.faults.peers.PeerLinks (proxied)
    _oracles: dict[int, Oracle] = field(default_factory=dict, repr=False)
    _stopped: bool = field(default=False, repr=False)

    @property
    def endpoints(self) -> list[str]:
        """What an SDK is given: every member's client URL (its proxy's, on a proxied cluster)."""
        if self.client_proxies:
            return [p.endpoint for p in self.client_proxies]
        return [m.endpoints[0] for m in self.members]

    @property
    def member_endpoints(self) -> list[str]:
        """Each member's own client URL (no proxy): for the oracle."""
        return [m.endpoints[0] for m in self.members]

    @property
    def topology(self) -> str:
        return f"cluster{len(self.members)}"

    @property
    def progress_notify_interval(self) -> float | None:
        return self.members[0].progress_notify_interval

    @property
    def managed(self) -> bool:
        return True

    def exited(self) -> bool:
        """True when any member's process has ended."""
        return any(m.exited() for m in self.members)

    def oracle(self, i: int) -> Oracle:
        """An oracle on member i alone (kept until stop())."""
        if i not in self._oracles:
            self._oracles[i] = Oracle(self.members[i].endpoints[0])
        return self._oracles[i]

    def forget_oracles(self) -> None:
        """Close the per-member oracles, so the next ones pick up new credentials (auth turned on)."""
        for o in self._oracles.values():
            o.close()
        self._oracles.clear()

    def leader(self, timeout: float = 2.0) -> int | None:
        """The index of the member the answering members call leader; None when none is known
        (an election is running) or they disagree."""
        seen = set()
        for i, m in enumerate(self.members):
            if not m.alive() or m.paused:
                continue
            try:
                seen.add(self.oracle(i).status(timeout=timeout).leader)
            except EtcdfitError:
                continue
        if len(seen) != 1:
            return None
        lead = seen.pop()
        return self.member_ids.index(lead) if lead in self.member_ids else None

    def wait_leader(self, timeout: float = 15.0) -> int:
        deadline = time.monotonic() + timeout
        while (lead := self.leader()) is None:
            if time.monotonic() > deadline:
                raise EtcdServerError(f"the cluster elected no leader within {timeout:g}s")
            time.sleep(0.1)
        return lead

    def hashkv(self, i: int, revision: int = 0) -> epb.HashKVResponse:
        """Member i's hash of its MVCC keys up to `revision` (0: its current revision)."""
        return self.oracle(i).hashkv(revision)

    def health(self, timeout: float = 2.0) -> str | None:
        """None when every member answers a status call; else what is wrong with each that does not."""
        problems = [f"member {i}: {p}" for i, m in enumerate(self.members) if (p := m.health(timeout)) is not None]
        return "\n".join(problems) or None

    def replace(self, startup_timeout: float = 30.0) -> None:
        """Bring back every member that died or froze: SIGKILL a frozen one, then start it again on
        its own data dir (a member with an empty one would be a stranger to the others), and wait
        until the cluster serves quorum reads through every member again."""
        for m in self.members:
            if m.health() is None:
                continue
            if m.alive():
                m.kill()
            m.restart(startup_timeout)
        self.wait_ready(startup_timeout)

    def disagreement(self, attempts: int = 4, pause_s: float = 0.5) -> str | None:
        """None when every member reports the same revision through a linearizable read and the
        same HashKV at it; else what differs, member by member (a diverged store numbers its
        revisions differently, so the revisions are compared first). Members apply a compaction
        each on its own, so a hash taken while one is still compacting differs for a moment: a
        difference counts only when it is still there after `attempts` looks `pause_s` apart."""
        problem: str | None = None
        for attempt in range(attempts):
            if attempt:
                time.sleep(pause_s)
            problem = self._disagreement_once()
            if problem is None:
                return None
        return problem

    def _disagreement_once(self) -> str | None:
        n = len(self.members)
        for _ in range(3):   # a write between the reads (a lease expiring) moves the revision: read again
            revs = {i: self.oracle(i).revision() for i in range(n)}
            if len(set(revs.values())) == 1:
                break
        else:
            return "the members report different revisions after a quorum read: " + ", ".join(
                f"member {i} ({self.members[i].endpoints[0]}) revision {r}" for i, r in revs.items())
        revision = revs[0]
        hashes = {i: self.hashkv(i, revision) for i in range(n)}
        if len({h.hash for h in hashes.values()}) == 1:
            return None
        return f"the members' stores differ at revision {revision}: " + ", ".join(
            f"member {i} ({self.members[i].endpoints[0]}) hash {h.hash}" for i, h in hashes.items())

    def recreate(self, startup_timeout: float = 30.0) -> None:
        """A fresh cluster on the same ports, token and member ids, with empty data dirs: after
        the members' stores diverged (a server bug), so the next test starts from agreement."""
        for m in self.members:
            if m.alive():
                m.kill()
            assert m.data_dir is not None
            shutil.rmtree(m.data_dir, ignore_errors=True)
            m.data_dir.mkdir(parents=True)
        for m in self.members:   # all at once: each needs the others to elect a leader
            assert m.data_dir is not None
            assert m.log is not None
            m.process = proc.spawn(m.argv, cwd=m.data_dir, log=m.log)
        self.wait_ready(startup_timeout)

    def wait_ready(self, timeout: float = 30.0) -> None:
        """Until a linearizable read succeeds through every member (so a leader exists and each
        member reaches it), or raise naming the members that could not serve one."""
        deadline = time.monotonic() + timeout
        pending = set(range(len(self.members)))
        last: dict[int, str] = {}
        while pending:
            for i in sorted(pending):
                m = self.members[i]
                if m.exited():
                    code = m.process.returncode if m.process else "?"
                    raise EtcdServerError(f"member {i} ({m.endpoints[0]}) exited with {code} during start-up; "
                                          f"log {m.log}:\n{proc.tail(m.log or Path('/nonexistent'))}")
                try:
                    self.oracle(i).revision(timeout=1.0)
                    pending.discard(i)
                except EtcdfitError as exc:
                    last[i] = str(exc)
            if pending and time.monotonic() > deadline:
                lines = "\n".join(f"  member {i} ({self.members[i].endpoints[0]}, log {self.members[i].log}): "
                                  f"{last.get(i)}" for i in sorted(pending))
                raise EtcdServerError(f"the cluster did not serve a quorum read through every member within "
                                      f"{timeout:g}s:\n{lines}")
            if pending:
                time.sleep(0.1)

    def stop(self) -> None:
        """Stop every member and remove its data dir (idempotent)."""
        if self._stopped:
            return
        self._stopped = True
        for o in self._oracles.values():
            o.close()
        self._oracles.clear()
        for m in self.members:
            m.stop()
        for p in self.client_proxies:
            try:
                p.remove()
            except EtcdfitError:
                pass
        if self.peer_links is not None:
            self.peer_links.close()

    def __enter__(self) -> Cluster:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()


@dataclass(frozen=True)
class _Ports:
    """One member's listening ports (the URLs it advertises are the same today; a proxy later)."""

    client: int
    peer: int


def start_cluster(binary: Path, log_dir: Path, members: int = 3, *, startup_timeout: float = 60.0,
                  name: str = "m", proxied: Any = None, extra: tuple[str, ...] = (),
                  credentials: Any = None) -> Cluster:
    """start_cluster_once, again on new ports when a member could not bind one of its own
    (embedded.on_new_ports)."""
    return on_new_ports(lambda: start_cluster_once(binary, log_dir, members, startup_timeout=startup_timeout,
                                                   name=name, proxied=proxied, extra=extra,
                                                   credentials=credentials))


def start_cluster_once(binary: Path, log_dir: Path, members: int = 3, *, startup_timeout: float = 60.0,
                       name: str = "m", proxied: Any = None, extra: tuple[str, ...] = (),
                       credentials: Any = None) -> Cluster:
    """Start `members` members of `binary` on free 127.0.0.1 ports, each with a fresh data dir,
    as one new cluster with a token of its own; return once a quorum read succeeds through every
    member. Flags are those of embedded.start plus the cluster's, identical on 3.4 through 3.7.
    `proxied`: an etcdfit.faults.Toxiproxy; each member then gets a client proxy on it and a
    peer-link proxy, and advertises both. `extra`: more etcd flags for every member;
    `credentials` (oracle.Credentials): members with TLS serve https (see spawn_member)."""
    if members < 1:
        raise EtcdServerError(f"a cluster needs at least one member, not {members}")
    ports = [_Ports(proc.free_port(), proc.free_port()) for _ in range(members)]
    names = [f"{name}{i}" for i in range(members)]
    token = f"etcdfit-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    flag = progress_notify_flag(binary)
    cluster = Cluster([], token)
    atexit.register(cluster.stop)
    try:
        peer_urls = [f"http://127.0.0.1:{p.peer}" for p in ports]
        client_urls: list[str | None] = [None] * members
        if proxied is not None:
            from ..faults.peers import PeerLinks

            cluster.peer_links = PeerLinks([p.peer for p in ports], lambda: [
                m.process.pid if m.process is not None and m.process.poll() is None else None
                for m in cluster.members])
            peer_urls = cluster.peer_links.urls()
            cluster.client_proxies = [proxied.proxy(f"{token}-{i}", f"127.0.0.1:{p.client}")
                                      for i, p in enumerate(ports)]
            client_urls = [p.endpoint for p in cluster.client_proxies]
        initial = ",".join(f"{n}={u}" for n, u in zip(names, peer_urls, strict=True))
        for n, p, purl, curl in zip(names, ports, peer_urls, client_urls, strict=True):
            cluster.members.append(spawn_member(binary, log_dir, name=n, client_port=p.client, peer_port=p.peer,
                                                initial_cluster=initial, token=token, progress_flag=flag,
                                                advertise_peer=purl, advertise_client=curl, extra=extra,
                                                credentials=credentials))
        cluster.wait_ready(startup_timeout)
        statuses = [cluster.oracle(i).status(timeout=5.0) for i in range(members)]
    except BaseException:
        cluster.stop()
        raise
    cluster.member_ids = [s.header.member_id for s in statuses]
    cluster.version = statuses[0].version
    for m, s in zip(cluster.members, statuses, strict=True):
        m.version = s.version
    return cluster


def start_cluster_version(spec: str, log_dir: Path, members: int = 3, *, autobuild: bool = True,
                          **kwargs: Any) -> Cluster:
    """start_cluster with the catalog's etcd for `spec` (see servers.catalog.resolve)."""
    from .catalog import resolve

    return start_cluster(resolve(spec, autobuild=autobuild), log_dir, members, **kwargs)
