"""Child processes that never outlive the driver, and free loopback ports."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
from collections import deque
from pathlib import Path

# No preexec_fn: running Python between fork and exec in a process that holds live
# grpcio channels can abort the child inside grpc's poller (seen as SIGABRT before
# exec). Both jobs are done without it: start_new_session=True gives the child its
# own process group (so stopping it takes its children too), and util-linux's
# setpriv sets the parent-death signal, so nothing outlives a killed driver.
_SETPRIV = shutil.which("setpriv")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def spawn(argv: list[str], *, cwd: Path, log: Path, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    """Start argv with stdout+stderr appended to `log`; it is killed if the driver dies."""
    log.parent.mkdir(parents=True, exist_ok=True)
    fh = log.open("ab")
    try:
        prefix = [_SETPRIV, "--pdeathsig", "KILL", "--"] if _SETPRIV else []
        return subprocess.Popen(
            prefix + argv,
            cwd=cwd,
            stdout=fh,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env={**os.environ, **(env or {})},
            start_new_session=True,
        )
    finally:
        fh.close()


def stop(proc: subprocess.Popen[bytes], grace: float = 3.0) -> int | None:
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
