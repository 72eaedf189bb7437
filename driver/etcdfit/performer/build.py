"""Building performers into the git-ignored cache, one folder per name and SDK version."""

from __future__ import annotations

import fcntl
import hashlib
import subprocess
import sys
import time
from pathlib import Path

from ..errors import PerformerBuildError
from .manifest import Manifest

_STAMP = ".etcdfit-build"


def source_digest(manifest: Manifest) -> str:
    """Hash of every tracked-looking source file, so an edited performer is rebuilt."""
    h = hashlib.sha256()
    skip = {"node_modules", "target", ".venv", "venv", "__pycache__", "bin"}
    for path in sorted(manifest.folder.rglob("*")):
        if path.is_file() and not (skip & set(path.relative_to(manifest.folder).parts)):
            h.update(str(path.relative_to(manifest.folder)).encode())
            h.update(path.read_bytes())
    return h.hexdigest()[:16]


def is_built(manifest: Manifest, version: str) -> bool:
    stamp = manifest.out_dir(version) / _STAMP
    return stamp.exists() and stamp.read_text().strip() == source_digest(manifest)


def build(manifest: Manifest, version: str, *, force: bool = False, quiet: bool = False) -> Path:
    """Build NAME@VERSION unless an up-to-date build exists. Returns the output folder.

    Serialized by a lock file: xdist workers (or two shells) asking for the same
    build at once must not build into the same folder concurrently.
    """
    out = manifest.out_dir(version)
    if not force and is_built(manifest, version):
        return out
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out.parent / f".{version}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not force and is_built(manifest, version):  # built while we waited
            return out
        return _build_locked(manifest, version, out, quiet)


def _build_locked(manifest: Manifest, version: str, out: Path, quiet: bool) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    argv = [a.format(version=version, out=str(out)) for a in manifest.build]
    log = out / "build.log"
    if not quiet:
        print(f"[etcdfit] building {manifest.name}@{version} -> {out} ...", file=sys.stderr, flush=True)
    started = time.monotonic()
    with log.open("w") as fh:
        proc = subprocess.run(argv, cwd=manifest.folder, stdout=fh, stderr=subprocess.STDOUT)
    if proc.returncode != 0:
        tail = "\n".join(log.read_text(errors="replace").splitlines()[-30:])
        raise PerformerBuildError(
            f"building {manifest.name}@{version} failed (exit {proc.returncode}); full log: {log}\n{tail}"
        )
    (out / _STAMP).write_text(source_digest(manifest) + "\n")
    if not quiet:
        print(
            f"[etcdfit] built {manifest.name}@{version} in {time.monotonic() - started:.1f}s",
            file=sys.stderr,
            flush=True,
        )
    return out
