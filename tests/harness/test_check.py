"""`etcdfit performer check`: passes a correct performer, names the fault in a wrong one."""

import subprocess
import sys
from pathlib import Path

from etcdfit.performer.check import check

ROOT = Path(__file__).parent / "performers"


def test_correct_performer_passes():
    report = check("raw-grpc", root=ROOT)
    assert report.failed == 0, report.render()
    assert ("ok", "an unknown command is a harness_error UNIMPLEMENTED", "") in report.lines


def test_wrong_answer_to_unknown_command_fails_with_a_clear_message(monkeypatch):
    monkeypatch.setenv("RAW_WRONG_UNKNOWN", "1")
    report = check("raw-grpc", root=ROOT)
    assert report.failed == 1, report.render()
    [(status, probe, detail)] = [line for line in report.lines if line[0] == "FAIL"]
    assert probe == "an unknown command is a harness_error UNIMPLEMENTED"
    assert detail == "an unknown command must be answered with harness_error UNIMPLEMENTED (or BAD_REQUEST), got ok"


def test_cli_exit_code(monkeypatch):
    monkeypatch.setenv("RAW_WRONG_UNKNOWN", "1")
    proc = subprocess.run([sys.executable, "-m", "etcdfit.cli", "performer", "check", "raw-grpc",
                           f"--performers-root={ROOT}"], capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "FAIL  an unknown command is a harness_error UNIMPLEMENTED" in proc.stdout
    assert "1 failed" in proc.stdout
