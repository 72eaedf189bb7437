"""A cluster fault test's own 3-member etcd, every link proxied, and a timeline.

    def test_x(performer, cluster_lab):
        lab = cluster_lab
        sdk = performer.connect(lab.endpoints, dial_timeout_ms=1000, request_timeout_ms=3000)
        lab.kill(lab.leader())          # or isolate(i), cut_clients(i), move_leader(), pause(i) ...
        ...

Clients reach member i through `lab.endpoints[i]` (a toxiproxy link: cut, blackhole, reset);
members reach each other through peer-link proxies that can cut any pair apart
(etcdfit.faults.peers). The oracle (`lab.oracle(i)`) talks to each member's own port. Every
fault is recorded in `lab.timeline` and undone when the test ends: links healed, paused
members continued, then the whole cluster (this test's alone) stopped and its data removed.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from ..errors import EtcdfitError
from ..oracle import Oracle
from ..servers.cluster import Cluster, start_cluster
from .lab import Timeline
from .proxy import FaultError, Toxiproxy


class ClusterLab:
    """Faults on a proxied cluster; methods name members by index (0..n-1)."""

    def __init__(self, binary: Path, log_dir: Path, toxiproxy: Toxiproxy, members: int = 3, *,
                 snapshot_count: int = 0):
        self.timeline = Timeline()
        self._binary, self._log_dir = binary, log_dir
        self._extra = (f"--snapshot-count={snapshot_count}",) if snapshot_count else ()
        self.removed: set[int] = set()
        self.cluster: Cluster = start_cluster(binary, log_dir, members, name="lab", proxied=toxiproxy,
                                              extra=self._extra)
        self.timeline.add("start", "cluster", f"etcd {self.cluster.version}, {members} members; clients at "
                          + ", ".join(self.endpoints))

    # ---------------------------------------------------------------- where to connect

    @property
    def endpoints(self) -> list[str]:
        """Every member's client URL, through its proxy: what an SDK under test connects to."""
        return self.cluster.endpoints

    @property
    def size(self) -> int:
        return len(self.cluster.members)

    @property
    def member_ids(self) -> list[int]:
        return self.cluster.member_ids

    def oracle(self, i: int) -> Oracle:
        """An oracle on member i's own port (never through a proxy)."""
        return self.cluster.oracle(i)

    def others(self, i: int) -> list[int]:
        return [j for j in range(self.size) if j != i]

    def leader(self, timeout: float = 15.0) -> int:
        """The leader's index, waiting for an election to end."""
        return self.cluster.wait_leader(timeout)

    def follower(self) -> int:
        """A member that is not the leader (the lowest index)."""
        lead = self.leader()
        return min(self.others(lead))

    def healthy_oracle(self) -> Oracle:
        """An oracle on a member that is running, not paused, and reaches a majority of its peers."""
        blocked = self.cluster.peer_links.blocked() if self.cluster.peer_links else set()
        up = [i for i, m in enumerate(self.cluster.members) if m.alive() and not m.paused]
        for i in up:
            reach = sum(1 for j in up if j != i and (i, j) not in blocked)
            if reach + 1 > self.size // 2:
                return self.oracle(i)
        raise FaultError("no member is up and connected to its peers")

    # ---------------------------------------------------------------- member faults

    def kill(self, i: int) -> None:
        self.cluster.members[i].kill()
        self.timeline.add("kill", f"member {i}", "SIGKILL")

    def restart(self, i: int) -> None:
        self.cluster.members[i].restart()
        self.timeline.add("restart", f"member {i}", "same ports and data dir")

    def pause(self, i: int) -> None:
        self.cluster.members[i].pause()
        self.timeline.add("pause", f"member {i}", "SIGSTOP")

    def resume(self, i: int) -> None:
        self.cluster.members[i].resume()
        self.timeline.add("resume", f"member {i}", "SIGCONT")

    def kill_leader(self, *, wait: bool = False, timeout: float = 15.0) -> int:
        """SIGKILL the leader; with `wait`, return only once the others elected a new one.
        Returns the killed member's index."""
        lead = self.leader()
        self.kill(lead)
        if wait:
            deadline = time.monotonic() + timeout
            while (now := self.cluster.leader()) is None or now == lead:
                if time.monotonic() > deadline:
                    raise FaultError(f"no new leader within {timeout:g}s of killing member {lead}")
                time.sleep(0.05)
            self.timeline.add("elected", f"member {now}", "new leader")
        return lead

    def move_leader(self, to: int | None = None, timeout: float = 10.0) -> int:
        """Hand leadership to member `to` (default: the next one) through the maintenance API,
        asked of the current leader; wait until every member agrees. Returns the new leader."""
        lead = self.leader()
        target = (lead + 1) % self.size if to is None else to
        if target == lead:
            return lead
        try:
            self.oracle(lead).move_leader(self.member_ids[target], timeout=timeout)
        except EtcdfitError as exc:
            raise FaultError(f"moving leadership from member {lead} to member {target} failed: {exc}") from None
        deadline = time.monotonic() + timeout
        while self.cluster.leader() != target:
            if time.monotonic() > deadline:
                raise FaultError(f"leadership did not settle on member {target} within {timeout:g}s")
            time.sleep(0.05)
        self.timeline.add("move-leader", f"member {lead} -> member {target}", "MoveLeader")
        return target

    def remove_member(self, i: int, timeout: float = 10.0) -> None:
        """Remove member i from the cluster (MemberRemove, asked of another member); the removed
        etcd stops itself, or is killed after `timeout`."""
        asked = next(j for j in self.others(i) if self.cluster.members[j].alive())
        deadline = time.monotonic() + timeout
        while True:   # etcd refuses while a member has been connected < 5 s ("unhealthy cluster")
            try:
                self.oracle(asked).member_remove(self.member_ids[i])
                break
            except EtcdfitError as exc:
                if "unhealthy cluster" not in str(exc) or time.monotonic() > deadline:
                    raise FaultError(f"removing member {i} failed: {exc}") from None
                time.sleep(0.25)
        m = self.cluster.members[i]
        deadline = time.monotonic() + timeout
        while m.alive() and time.monotonic() < deadline:
            time.sleep(0.1)
        if m.alive():
            m.kill()
        self.removed.add(i)
        self.timeline.add("remove", f"member {i}", "MemberRemove; the member stopped")

    def add_member(self, i: int, timeout: float = 30.0) -> None:
        """Add a new member in removed slot i: MemberAdd with the slot's peer URL (a new member id),
        then an etcd with an empty data dir and --initial-cluster-state existing, on the slot's
        ports and proxies. Returns once it serves quorum reads."""
        from ..servers.embedded import spawn_member

        if i not in self.removed:
            raise FaultError(f"member {i} is still in the cluster: remove it first")
        peer_urls = self.cluster.peer_links.urls()
        asked = next(j for j in self.others(i) if j not in self.removed)
        try:
            member = self.oracle(asked).member_add([peer_urls[i]])
        except EtcdfitError as exc:
            raise FaultError(f"adding a member in slot {i} failed: {exc}") from None
        old = self.cluster.members[i]
        old.stop()
        o = self.cluster._oracles.pop(i, None)
        if o is not None:
            o.close()
        initial = ",".join(f"lab{j}={u}" for j, u in enumerate(peer_urls))
        client_port = int(old.endpoints[0].rsplit(":", 1)[1])
        self.cluster.members[i] = spawn_member(
            self._binary, self._log_dir, name=f"lab{i}", client_port=client_port,
            peer_port=self.cluster.peer_links.upstream_ports[i], initial_cluster=initial, token=self.cluster.token,
            state="existing", advertise_peer=peer_urls[i], advertise_client=self.cluster.client_proxies[i].endpoint,
            extra=self._extra)
        self.cluster.member_ids[i] = member.ID
        self.removed.discard(i)
        self.timeline.add("add", f"member {i}", f"MemberAdd (new id {member.ID:x}), empty data dir")
        self.wait_healthy(timeout)

    # ---------------------------------------------------------------- link faults

    def isolate(self, i: int) -> None:
        """Cut member i off from its peers (both ways); clients still reach it."""
        self.cluster.peer_links.isolate(i)
        self.timeline.add("isolate", f"member {i}", "peer links to every other member cut both ways")

    def partition(self, a: int, b: int) -> None:
        self.cluster.peer_links.block(a, b)
        self.timeline.add("partition", f"members {a} and {b}", "their peer links cut both ways")

    def cut_clients(self, i: int) -> None:
        """Close every client connection to member i and refuse new ones."""
        self.cluster.client_proxies[i].cut()
        self.timeline.add("cut", f"clients of member {i}", "connections closed, new ones refused")

    def blackhole_responses(self, i: int) -> None:
        """Requests still reach member i; nothing it sends back reaches the client."""
        self.cluster.client_proxies[i]._toxic("timeout", {"timeout": 0}, "downstream")
        self.timeline.add("blackhole", f"responses of member {i}", "requests get through, answers are dropped")

    def reset_clients(self, i: int, hold_s: float = 0.2) -> None:
        """Drop every client connection to member i at once (idle ones too), refuse new ones for
        `hold_s`, then let them through again (other faults on the link are removed too)."""
        p = self.cluster.client_proxies[i]
        p.reset()
        p.cut()
        self.timeline.add("reset", f"clients of member {i}", f"connections dropped, refused for {hold_s:g}s")
        time.sleep(hold_s)
        p.heal()
        self.timeline.add("heal", f"clients of member {i}")

    def heal(self) -> None:
        """Undo every link fault: peer links and client links."""
        if self.cluster.peer_links is not None:
            self.cluster.peer_links.heal()
        for p in self.cluster.client_proxies:
            p.heal()
        self.timeline.add("heal", "every link")

    def wait_healthy(self, timeout: float = 30.0) -> None:
        """Until a quorum read succeeds through every member (after restarts and heals)."""
        self.cluster.wait_ready(timeout)

    # ---------------------------------------------------------------- the end

    def settle(self, timeout: float = 30.0) -> None:
        """Undo every fault (heal links, continue paused members, restart killed ones on their
        own data dirs) and wait until every member serves a quorum read."""
        for i, m in enumerate(self.cluster.members):
            if m.paused:
                self.resume(i)
        if (self.cluster.peer_links is not None and self.cluster.peer_links.blocked()) or \
                any(p.faults() for p in self.cluster.client_proxies):
            self.heal()
        for i, m in enumerate(self.cluster.members):
            if i in self.removed:
                self.add_member(i, timeout)
            elif m.exited():
                self.restart(i)
        self.wait_healthy(timeout)

    def disagreement(self) -> str | None:
        return self.cluster.disagreement()

    def close(self) -> None:
        """Undo everything and stop the cluster (it is this test's alone)."""
        problems: list[str] = []
        for i, m in enumerate(self.cluster.members):
            if m.paused:
                try:
                    m.resume()
                except EtcdfitError as exc:
                    problems.append(f"member {i}: {exc}")
        try:
            if self.cluster.peer_links is not None and self.cluster.peer_links.blocked():
                self.cluster.peer_links.heal()
            for p in self.cluster.client_proxies:
                if p.faults():
                    p.heal()
        except FaultError as exc:
            problems.append(str(exc))
        self.cluster.stop()
        self.timeline.add("stop", "cluster", "at test end (this test's own cluster)")
        if problems:
            raise FaultError("a fault could not be undone: " + "; ".join(problems))

    def __enter__(self) -> ClusterLab:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
