"""Peer links of a cluster, one proxy per member, that can cut any pair of members apart.

Why not toxiproxy here: a partition must stop member A's traffic to member B without touching
C's traffic to B, and etcd's peer links are dialed in both directions (each member opens
streams to every other and posts to it). toxiproxy sees one listener per member and cannot
tell who is on the other end, so it can only take a member off the network as a whole for
inbound connections, while the member's own dials keep raft going. This proxy learns who
dialed each connection from the kernel: the dialing socket's inode in /proc/net/tcp, found
among the file descriptors of the member processes etcdfit started. Blocking a pair closes
its open connections (RST) and refuses new ones until `heal()`.

Each member advertises its proxy's address as its peer URL (`--initial-advertise-peer-urls`),
so every peer connection crosses the proxy. The proxy runs on an asyncio loop in a daemon
thread of the driver; peer traffic in a test (heartbeats, a few hundred writes) is light.
"""

from __future__ import annotations

import asyncio
import functools
import os
import socket
import threading
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

from .. import proc
from .proxy import FaultError

_CHUNK = 64 * 1024
_CONNECT_TIMEOUT_S = 2.0
_CALL_TIMEOUT_S = 5.0


@dataclass
class _Link:
    source: int | None   # the dialing member, None when it could not be told
    target: int
    writers: list[asyncio.StreamWriter] = field(default_factory=list)


def _socket_inode(local_port: int, remote_port: int) -> str | None:
    """The inode of the loopback socket 127.0.0.1:local_port -> 127.0.0.1:remote_port."""
    want_local = f"0100007F:{local_port:04X}"
    want_remote = f"0100007F:{remote_port:04X}"
    try:
        with open("/proc/net/tcp") as fh:
            next(fh)
            for line in fh:
                parts = line.split()
                if parts[1] == want_local and parts[2] == want_remote:
                    return parts[9]
    except OSError:
        return None
    return None


def _owner(inode: str, pids: list[int | None]) -> int | None:
    """The index of the pid among `pids` that holds socket `inode`."""
    target = f"socket:[{inode}]"
    for i, pid in enumerate(pids):
        if pid is None:
            continue
        fd_dir = f"/proc/{pid}/fd"
        try:
            names = os.listdir(fd_dir)
        except OSError:
            continue
        for name in names:
            try:
                if os.readlink(f"{fd_dir}/{name}") == target:
                    return i
            except OSError:
                continue
    return None


class PeerLinks:
    """One proxy per member's peer port. `listen_ports[i]` is what member i advertises;
    `upstream_ports[i]` is where it really listens; `pids()` gives each member's current pid."""

    def __init__(self, upstream_ports: list[int], pids: Callable[[], list[int | None]]):
        self.upstream_ports = list(upstream_ports)
        self.listen_ports = [proc.free_port() for _ in upstream_ports]
        self._pids = pids
        self._blocked: set[tuple[int, int]] = set()
        self._links: list[_Link] = []
        self.unidentified = 0        # connections whose dialer could not be told (counted, for the record)
        self._loop = asyncio.new_event_loop()
        self._servers: list[asyncio.base_events.Server] = []
        self._thread = threading.Thread(target=self._loop.run_forever, name="etcdfit-peer-links", daemon=True)
        self._thread.start()
        try:
            self._call(self._start())
        except BaseException:
            self.close()
            raise

    # ------------------------------------------------------------------ the test-facing API

    def urls(self) -> list[str]:
        return [f"http://127.0.0.1:{p}" for p in self.listen_ports]

    def block(self, a: int, b: int) -> None:
        """Cut members a and b apart, both ways: open connections are reset, new ones refused."""
        self._call(self._set_blocked({(a, b), (b, a)}, add=True))

    def isolate(self, i: int) -> None:
        """Cut member i off from every other member (a minority partition of one)."""
        pairs = set()
        for j in range(len(self.listen_ports)):
            if j != i:
                pairs |= {(i, j), (j, i)}
        self._call(self._set_blocked(pairs, add=True))

    def heal(self) -> None:
        """Let every pair talk again (members redial on their own)."""
        self._call(self._set_blocked(set(), add=False))

    def blocked(self) -> set[tuple[int, int]]:
        return set(self._blocked)

    def close(self) -> None:
        if self._loop.is_closed():
            return
        try:
            if self._thread.is_alive():
                self._call(self._stop())
        except FaultError:
            pass
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=_CALL_TIMEOUT_S)
        if not self._thread.is_alive():
            self._loop.close()

    # ------------------------------------------------------------------ the loop side

    def _call(self, coro: Coroutine[Any, Any, None]) -> None:
        fut = asyncio.run_coroutine_threadsafe(coro, self._loop)
        try:
            fut.result(timeout=_CALL_TIMEOUT_S)
        except TimeoutError:
            fut.cancel()
            raise FaultError(f"the peer-link proxy did not answer within {_CALL_TIMEOUT_S:g}s") from None

    async def _start(self) -> None:
        for target, port in enumerate(self.listen_ports):
            server = await asyncio.start_server(functools.partial(self._accept, target=target), "127.0.0.1", port,
                                                reuse_address=True)
            self._servers.append(server)

    async def _stop(self) -> None:
        for s in self._servers:
            s.close()
        for link in self._links:
            for w in link.writers:
                w.transport.abort()
        self._links.clear()
        tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def _set_blocked(self, pairs: set[tuple[int, int]], *, add: bool) -> None:
        if add:
            self._blocked |= pairs
        else:
            self._blocked.clear()
        for link in list(self._links):
            if not self._allowed(link.source, link.target):
                for w in link.writers:
                    w.transport.abort()

    def _allowed(self, source: int | None, target: int) -> bool:
        if source is None:   # unknown dialer: refused while any cut touches the target
            return not any(target in pair for pair in self._blocked)
        return (source, target) not in self._blocked

    def _identify(self, writer: asyncio.StreamWriter, target: int) -> int | None:
        peer = writer.get_extra_info("peername")
        if not peer:
            return None
        inode = _socket_inode(peer[1], self.listen_ports[target])
        return _owner(inode, self._pids()) if inode else None

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, target: int) -> None:
        try:
            await self._serve(reader, writer, target)
        except asyncio.CancelledError:
            writer.transport.abort()   # close(): a cancelled accept task would be logged by asyncio

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, target: int) -> None:
        source = self._identify(writer, target)
        if source is None:
            self.unidentified += 1
        if not self._allowed(source, target):
            writer.transport.abort()
            return
        try:
            up_reader, up_writer = await asyncio.wait_for(
                asyncio.open_connection("127.0.0.1", self.upstream_ports[target]), _CONNECT_TIMEOUT_S)
        except (OSError, TimeoutError):
            writer.transport.abort()
            return
        link = _Link(source, target, [writer, up_writer])
        self._links.append(link)
        try:
            await asyncio.gather(self._pipe(reader, up_writer), self._pipe(up_reader, writer))
        finally:
            for w in link.writers:
                w.transport.abort()
            if link in self._links:
                self._links.remove(link)

    @staticmethod
    async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(_CHUNK):
                writer.write(data)
                await writer.drain()
        except (OSError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.transport.abort()


def _selftest() -> None:  # pragma: no cover - a manual check: python -m etcdfit.faults.peers
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen()
    links = PeerLinks([s.getsockname()[1]], lambda: [os.getpid()])
    c = socket.create_connection(("127.0.0.1", links.listen_ports[0]))
    conn, _ = s.accept()
    c.sendall(b"ping")
    print(conn.recv(4), "unidentified:", links.unidentified)
    links.close()


if __name__ == "__main__":  # pragma: no cover
    _selftest()
