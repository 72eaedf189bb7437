"""The one way to run the conformance suite in a pytest subprocess: `etcdfit run`, `gate`
and `matrix` all call `run_suite`, so they pass the same options and read the same results."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from . import paths
from .report.model import ResultsDoc, ResultsFileError


@dataclass
class SuiteRun:
    """A finished suite run: pytest's exit code and where it wrote its files."""

    exit_code: int
    out: Path
    log: Path | None          # pytest's output, when it was captured to a file

    @property
    def results_path(self) -> Path:
        return self.out / "results.json"

    @property
    def junit_path(self) -> Path:
        return self.out / "junit.xml"

    def results(self) -> ResultsDoc | None:
        """The results document, or None when pytest wrote none (it failed before running)."""
        try:
            return ResultsDoc.load(self.results_path)
        except ResultsFileError:
            return None

    def output_tail(self, lines: int = 15) -> str:
        if self.log is None or not self.log.exists():
            return ""
        return "\n".join(self.log.read_text(errors="replace").rstrip().splitlines()[-lines:])


def pytest_argv(performers: Sequence[str], out: Path, *, etcd: str = "embedded", topology: str = "single",
                jobs: int = 0, no_build: bool = False, extra: Sequence[str] = ()) -> list[str]:
    """The pytest command line for a suite run writing out/results.json and out/junit.xml;
    `topology` is --topology (single, or cluster3: the whole suite on a 3-member cluster)."""
    argv = [sys.executable, "-m", "pytest", str(paths.repo_root() / "tests" / "conformance"), "-q",
            f"--etcd={etcd}", f"--topology={topology}", f"--etcdfit-json={out / 'results.json'}",
            f"--junitxml={out / 'junit.xml'}"]
    argv += ["-n", str(jobs)] if jobs > 0 else ["-p", "no:xdist"]
    if no_build:
        argv.append("--no-build")
    for p in performers:
        argv.append(f"--performer={p}")
    return argv + list(extra)


def run_suite(performers: Sequence[str], out: Path, *, etcd: str = "embedded", topology: str = "single",
              jobs: int = 0, no_build: bool = False, extra: Sequence[str] = (), capture: bool = True,
              echo: bool = False) -> SuiteRun:
    """Run the suite; with `capture` pytest's output goes to out/pytest.log, else to this terminal."""
    out = Path(out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.json").unlink(missing_ok=True)  # never report a previous run's results as this one's
    argv = pytest_argv(performers, out, etcd=etcd, topology=topology, jobs=jobs, no_build=no_build, extra=extra)
    if echo:
        print("[etcdfit] " + " ".join(argv[1:]), flush=True)
    if not capture:
        code = subprocess.call(argv, cwd=paths.repo_root(), stdin=subprocess.DEVNULL)
        return SuiteRun(code, out, None)
    log = out / "pytest.log"
    with log.open("w") as fh:
        code = subprocess.call(argv, cwd=paths.repo_root(), stdout=fh, stderr=subprocess.STDOUT,
                               stdin=subprocess.DEVNULL)
    return SuiteRun(code, out, log)
