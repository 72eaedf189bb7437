"""Child processes that never outlive the driver, and free loopback ports."""

from __future__ import annotations

import ctypes
import os
import signal
import socket
import subprocess
from collections import deque
from pathlib import Path

_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:  # runs in the child between fork and exec
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except OSError:
        pass  # not Linux: rely on the explicit teardown
    os.setpgrp()  # own process group, so stopping it takes its children too


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def spawn(argv: list[str], *, cwd: Path, log: Path, env: dict[str, str] | None = None) -> subprocess.Popen:
    """Start argv with stdout+stderr appended to `log`; it is killed if the driver dies."""
    log.parent.mkdir(parents=True, exist_ok=True)
    fh = log.open("ab")
    try:
        return subprocess.Popen(
            argv,
            cwd=cwd,
            stdout=fh,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env={**os.environ, **(env or {})},
            preexec_fn=_die_with_parent,
        )
    finally:
        fh.close()


def stop(proc: subprocess.Popen, grace: float = 3.0) -> int | None:
    """SIGTERM the process group, then SIGKILL after `grace` seconds. Returns the exit code."""
    if proc.poll() is None:
        for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 5.0)):
            try:
                os.killpg(proc.pid, sig)
            except ProcessLookupError:
                break
            try:
                proc.wait(wait)
                break
            except subprocess.TimeoutExpired:
                continue
    return proc.poll()


def tail(path: Path, lines: int = 20) -> str:
    try:
        with path.open("r", errors="replace") as fh:
            return "".join(deque(fh, maxlen=lines)).rstrip()
    except OSError:
        return "(no log)"
