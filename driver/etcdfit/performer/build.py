"""Building performers into the git-ignored cache: one folder per name, SDK version and
source digest (performers/NAME/VERSION/DIGEST); the newest KEEP_BUILDS digests of a
version are kept."""

from __future__ import annotations

import fcntl
import hashlib
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import IO

from ..errors import PerformerBuildError
from .manifest import Manifest

_STAMP = ".etcdfit-build"
KEEP_BUILDS = 3  # builds (source digests) kept per performer version
_SKIP = {"node_modules", "target", ".venv", "venv", "__pycache__", "bin"}  # build outputs, caches


def source_digest(manifest: Manifest) -> str:
    """Hash of every tracked-looking source file of the performer and of its shared
    folders, so an edited performer (or kit it copies in) is rebuilt."""
    h = hashlib.sha256()
    _hash_folder(h, manifest.folder)
    for folder in manifest.shared:  # none: the digest of the performer folder alone
        h.update(b"\0shared\0" + folder.name.encode())
        _hash_folder(h, folder)
    return h.hexdigest()[:16]


def _hash_folder(h: hashlib._Hash, folder: Path) -> None:
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not (_SKIP & set(path.relative_to(folder).parts)):
            h.update(str(path.relative_to(folder)).encode())
            h.update(path.read_bytes())


def is_built(manifest: Manifest, version: str) -> bool:
    return _built(manifest.out_dir(version))


def _built(out: Path) -> bool:
    """A finished build: its folder is named by the source digest, and the stamp written
    last says the build of that digest completed."""
    stamp = out / _STAMP
    return stamp.exists() and stamp.read_text().strip() == out.name


def build(manifest: Manifest, version: str, *, force: bool = False, quiet: bool = False) -> Path:
    """Build NAME@VERSION unless an up-to-date build exists. Returns the output folder.

    Serialized by a lock file: xdist workers (or two shells) asking for the same
    build at once must not build into the same folder concurrently.
    """
    out = manifest.out_dir(version)
    if not force and _built(out):
        return out
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out.parent / f".{version}.lock", "w") as lock:
        _lock_or_wait(lock, manifest, version, out, quiet)
        if not force and _built(out):  # built while we waited
            return out
        return _build_locked(manifest, version, out, quiet)


def _lock_or_wait(lock: IO[str], manifest: Manifest, version: str, out: Path, quiet: bool) -> None:
    """Take the build lock; when another process holds it, say so before blocking."""
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return
    except BlockingIOError:
        pass
    if not quiet:
        print(
            f"[etcdfit] waiting for another build of {manifest.name}@{version} "
            f"(log: {out / 'build.log'}) ...",
            file=sys.stderr,
            flush=True,
        )
    fcntl.flock(lock, fcntl.LOCK_EX)


def _build_locked(manifest: Manifest, version: str, out: Path, quiet: bool) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    argv = [a.format(version=version, out=str(out)) for a in manifest.build]
    log = out / "build.log"
    if not quiet:
        print(f"[etcdfit] building {manifest.name}@{version} -> {out} ...", file=sys.stderr, flush=True)
    started = time.monotonic()
    with log.open("w") as fh:
        proc = subprocess.run(argv, cwd=manifest.folder, stdout=fh, stderr=subprocess.STDOUT, check=False)
    if proc.returncode != 0:
        tail = "\n".join(log.read_text(errors="replace").splitlines()[-30:])
        raise PerformerBuildError(
            f"building {manifest.name}@{version} failed (exit {proc.returncode}); full log: {log}\n{tail}"
        )
    (out / _STAMP).write_text(out.name + "\n")
    _prune(out)
    if not quiet:
        print(
            f"[etcdfit] built {manifest.name}@{version} in {time.monotonic() - started:.1f}s",
            file=sys.stderr,
            flush=True,
        )
    return out


def _prune(out: Path) -> None:
    """Remove all but the newest KEEP_BUILDS builds of this version (by when each was
    built); called under the version's build lock, after a build."""
    builds = [d for d in out.parent.iterdir() if d.is_dir() and (d / _STAMP).exists()]
    builds.sort(key=lambda d: (d / _STAMP).stat().st_mtime, reverse=True)
    for old in builds[KEEP_BUILDS:]:
        if old != out:
            shutil.rmtree(old, ignore_errors=True)
