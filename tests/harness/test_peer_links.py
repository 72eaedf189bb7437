"""The peer-link proxy (etcdfit.faults.peers): it tells which member dialed a connection from the
kernel's socket tables, and cuts exactly the pairs it is told to, both ways, until healed."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time

import pytest

from etcdfit.faults.peers import PeerLinks, _owner, _socket_inode


def _echo_server() -> tuple[socket.socket, threading.Thread]:
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen()

    def serve() -> None:
        while True:
            try:
                conn, _ = srv.accept()
            except OSError:
                return
            threading.Thread(target=lambda c=conn: _echo(c), daemon=True).start()

    t = threading.Thread(target=serve, daemon=True)
    t.start()
    return srv, t


def _echo(conn: socket.socket) -> None:
    with conn:
        while data := conn.recv(1024):
            conn.sendall(data)


def _round_trip(port: int) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=2) as c:
        c.sendall(b"ping")
        try:
            return c.recv(4)
        except OSError:
            return b""


@pytest.fixture
def links():
    servers = [_echo_server()[0] for _ in range(3)]
    me = os.getpid()
    links = PeerLinks([s.getsockname()[1] for s in servers], lambda: [me, None, None])  # we are member 0
    yield links
    links.close()
    for s in servers:
        s.close()


def test_a_connection_is_attributed_to_the_process_that_dialed_it():
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen()
    port = srv.getsockname()[1]
    script = (f"import socket,time; s=socket.create_connection(('127.0.0.1',{port})); "
              "print('up', flush=True); time.sleep(30)")
    child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE)
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == b"up"
        conn, (_, their_port) = srv.accept()
        inode = _socket_inode(their_port, port)
        assert inode is not None
        assert _owner(inode, [os.getpid(), child.pid]) == 1
        assert _owner(inode, [os.getpid()]) is None
        conn.close()
    finally:
        child.kill()
        child.wait()
        srv.close()


def test_traffic_passes_until_a_pair_is_cut_and_again_once_healed(links):
    assert _round_trip(links.listen_ports[1]) == b"ping"
    links.block(0, 1)
    assert _round_trip(links.listen_ports[1]) == b""          # member 0 -> member 1: refused
    assert _round_trip(links.listen_ports[2]) == b"ping"      # member 0 -> member 2: untouched
    links.heal()
    assert _round_trip(links.listen_ports[1]) == b"ping"


def test_cutting_a_pair_resets_its_open_connections(links):
    c = socket.create_connection(("127.0.0.1", links.listen_ports[1]), timeout=2)
    c.sendall(b"ping")
    assert c.recv(4) == b"ping"
    links.isolate(0)
    deadline = time.monotonic() + 2
    got = b"?"
    while time.monotonic() < deadline:
        try:
            c.sendall(b"ping")
            got = c.recv(4)
        except OSError:
            got = b""
        if got == b"":
            break
    assert got == b"", "an open connection of a cut pair still carried data"
    c.close()


def test_a_dialer_it_cannot_tell_is_refused_only_where_a_cut_touches_the_target():
    servers = [_echo_server()[0] for _ in range(3)]
    links = PeerLinks([s.getsockname()[1] for s in servers], lambda: [None, None, None])  # nobody known
    try:
        links.block(1, 2)
        assert _round_trip(links.listen_ports[0]) == b"ping"
        assert _round_trip(links.listen_ports[1]) == b""
        assert links.unidentified >= 2
    finally:
        links.close()
        for s in servers:
            s.close()
