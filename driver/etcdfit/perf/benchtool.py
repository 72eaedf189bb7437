"""etcd's own benchmark tool (go.etcd.io/etcd/v3/tools/benchmark), built from its Go module, as the
reference each SDK's Workload is measured against.

`go install ...@version` refuses that module (its go.mod has replace directives), so the tool is
built the way a downstream user would: a throwaway main module that requires go.etcd.io/etcd/v3 at
the pinned version and `go build`s the package, into $ETCDFIT_CACHE/tools/ (once; a lock
serializes concurrent builds, like toxiproxy in etcdfit.faults.proxy).

The tool talks to etcd through raw gRPC stubs (not clientv3), with `--clients` goroutines over
`--conns` connections; `step_argv` maps a profile step onto its flags and `parse` reads its
report ("Summary", "Latency distribution", "Error distribution").
"""

from __future__ import annotations

import fcntl
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import paths, proc
from ..errors import EtcdfitError
from .profile import Step

MODULE = "go.etcd.io/etcd/v3"
PACKAGE = f"{MODULE}/tools/benchmark"
VERSION = "v3.6.8"  # the one pin; 3.5.x and 3.6.0 resolve here too
#: The key `range` benchmarks read (the tool reads one fixed key); the runner writes it first.
RANGE_KEY = "etcdfit-perf/benchmark-range-key"


class BenchToolError(EtcdfitError):
    """The benchmark tool could not be built, or a run of it failed or printed no summary."""


def binary_path(version: str = VERSION) -> Path:
    return paths.cache_dir() / "tools" / f"etcd-benchmark-{version}" / "benchmark"


def build(version: str = VERSION, quiet: bool = False) -> Path:
    """Build the tool once into the tool cache (serialized by a lock); the path to it."""
    out = binary_path(version)
    if out.exists():
        return out
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out.parent / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if out.exists():
            return out
        if not quiet:
            print(f"[etcdfit] building etcd's benchmark tool {version} from {PACKAGE} -> {out} ...", flush=True)
        log = out.parent / "build.log"
        src = Path(tempfile.mkdtemp(prefix="src-", dir=out.parent))
        try:
            (src / "go.mod").write_text("module etcdfit.dev/tools/etcd-benchmark\n\ngo 1.24\n")
            (src / "tools.go").write_text(f'//go:build tools\n\npackage tools\n\nimport _ "{PACKAGE}"\n')
            steps = [["go", "get", f"{MODULE}@{version}"], ["go", "mod", "tidy"],
                     ["go", "build", "-trimpath", "-o", str(out) + ".tmp", PACKAGE]]
            with log.open("w") as fh:
                for argv in steps:
                    fh.write("$ " + " ".join(argv) + "\n")
                    fh.flush()
                    code = subprocess.call(argv, cwd=src, env=dict(os.environ), stdout=fh, stderr=subprocess.STDOUT,
                                           stdin=subprocess.DEVNULL, timeout=1200)
                    if code != 0:
                        raise BenchToolError(f"building etcd's benchmark tool failed at `{' '.join(argv)}` "
                                             f"(exit {code}); log {log}:\n{proc.tail(log)}")
            Path(str(out) + ".tmp").rename(out)
        finally:
            shutil.rmtree(src, ignore_errors=True)
    return out


def step_argv(step: Step, endpoint: str) -> tuple[list[str] | None, str]:
    """The tool's arguments for a step (without the binary), or None and why it cannot run it."""
    if not step.benchmark:
        return None, "the step sets benchmark: false"
    if not step.ops:
        return None, "the benchmark tool runs a count of operations (ops) and the step gives only duration_s"
    ops = [op for op, w in step.mix.items() if w > 0]
    if len(ops) != 1 or ops[0] not in ("put", "get", "txn"):
        return None, f"etcd's benchmark tool has no command for the mix {step.mix} (only put, get or txn alone)"
    argv = ["--endpoints", endpoint.removeprefix("http://"), "--clients", str(step.workers),
            "--conns", str(step.clients), "--precise"]
    rate = ["--rate", str(round(step.rate))] if step.rate else []
    keys = ["--key-size", str(step.key_size), "--val-size", str(step.value_size),
            "--key-space-size", str(step.key_space)]
    if ops[0] == "put":
        argv += ["put", "--total", str(step.ops), *keys, *rate]
        if step.key_distribution == "sequential":
            argv.append("--sequential-keys")
    elif ops[0] == "get":
        argv += ["range", RANGE_KEY, "--total", str(step.ops), "--consistency", "l", *rate]
    else:
        argv += ["txn-put", "--total", str(step.ops), "--txn-ops", "1", *keys, *rate]
    return argv, ""


@dataclass
class ToolResult:
    """What the tool's report says: throughput, latency percentiles (us) and errors."""

    throughput: float
    wall_s: float
    ops: int
    latency_us: dict[str, float]
    errors: dict[str, int] = field(default_factory=dict)


_NUMBER = r"([0-9.eE+-]+)"


def parse(text: str) -> ToolResult:
    """Read the tool's report (run with --precise). BenchToolError when it has no summary."""
    def secs(label: str) -> float:
        m = re.search(rf"^\s*{label}:\s*{_NUMBER} secs\.", text, re.M)
        if not m:
            raise BenchToolError(f"the benchmark tool's output has no '{label}:' line:\n{text[-1500:]}")
        return float(m.group(1))

    total = secs("Total")
    m = re.search(rf"^\s*Requests/sec:\s*{_NUMBER}", text, re.M)
    if not m:
        raise BenchToolError(f"the benchmark tool's output has no 'Requests/sec:' line:\n{text[-1500:]}")
    throughput = float(m.group(1))
    lat = {"max": secs("Slowest") * 1e6, "mean": secs("Average") * 1e6}
    for pct, name in (("50", "p50"), ("90", "p90"), ("99", "p99"), ("99.9", "p999")):
        pm = re.search(rf"^\s*{re.escape(pct)}% in {_NUMBER} secs\.", text, re.M)
        lat[name] = float(pm.group(1)) * 1e6 if pm else lat["max"]
    hist = text.split("Response time histogram:", 1)[-1].split("Latency distribution:", 1)[0]
    ops = sum(int(n) for n in re.findall(r"^\s*[0-9.eE+-]+ \[(\d+)\]", hist, re.M))
    errors: dict[str, int] = {}
    if "Error distribution:" in text:
        for n, msg in re.findall(r"^\s*\[(\d+)\]\s+(.*)$", text.split("Error distribution:", 1)[1], re.M):
            errors[msg.strip()[:200]] = errors.get(msg.strip()[:200], 0) + int(n)
    return ToolResult(throughput, total, ops or round(throughput * total), lat, errors)


def run(binary: Path, argv: list[str], timeout: float, log: Path) -> ToolResult:
    """Run the tool (stdout parsed, stderr to `log`), killed after `timeout` seconds."""
    with log.open("w") as err:
        try:
            done = subprocess.run([str(binary), *argv], check=False, stdout=subprocess.PIPE, stderr=err,
                                  stdin=subprocess.DEVNULL, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            raise BenchToolError(f"the benchmark tool did not finish within {timeout:.0f}s (log {log})") from None
    if done.returncode != 0:
        raise BenchToolError(f"the benchmark tool exited {done.returncode} (log {log}):\n{proc.tail(log)}")
    return parse(done.stdout)


def describe(version: str = VERSION) -> dict[str, Any]:
    return {"name": "etcd-benchmark", "version": version.lstrip("v"), "module": PACKAGE}
