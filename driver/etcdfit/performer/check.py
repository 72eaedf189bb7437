"""`etcdfit performer check NAME`: a protocol self-check for performer authors.

Runs a fixed list of probes against a performer and an embedded etcd, and says
precisely what is wrong: identity and protocol version, capability ids, one
result per command, unknown commands, bad requests, error-code mapping and
timestamps. Probes whose capability the performer does not claim are skipped.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .. import capabilities as caps
from ..errors import EtcdfitError
from ..gen.etcdfit.performer.v1 import performer_pb2 as pb
from ..program import Cmd, get, lease_revoke, put, txn, watch_collect
from ..servers import embedded
from . import build, manifest
from .client import PerformerClient

# A Command carrying only field 99, which no protocol version defines: what a
# newer driver's command looks like to an older performer.
UNKNOWN_COMMAND = pb.Command.FromString(b"\x9a\x06\x00")


@dataclass
class Report:
    lines: list[tuple[str, str, str]] = field(default_factory=list)  # (status, probe, detail)

    def add(self, status: str, probe: str, detail: str = "") -> None:
        self.lines.append((status, probe, detail))

    @property
    def failed(self) -> int:
        return sum(1 for s, _, _ in self.lines if s == "FAIL")

    def render(self) -> str:
        out = [f"  {s:<4}  {p}" + (f"\n        {d}" if d else "") for s, p, d in self.lines]
        ok = sum(1 for s, _, _ in self.lines if s == "ok")
        skip = sum(1 for s, _, _ in self.lines if s == "skip")
        out.append(f"{ok} ok, {self.failed} failed, {skip} skipped")
        return "\n".join(out)


def _one(client: PerformerClient, cid: str, *commands: pb.Command) -> list[pb.CommandResult]:
    return list(client.execute(cid, pb.Program(commands=list(commands)), timeout=30).results)


def _outcome(r: pb.CommandResult) -> str:
    kind = r.WhichOneof("outcome")
    if kind == "sdk_error":
        return f"sdk_error {pb.ErrorCode.Name(r.sdk_error.code)} ({r.sdk_error.sdk_type}: {r.sdk_error.message})"
    if kind == "harness_error":
        return f"harness_error {pb.HarnessError.Kind.Name(r.harness_error.kind)}: {r.harness_error.message}"
    return kind or "no outcome set"


def check(name: str, version: str | None = None, root: Path | None = None) -> Report:
    m = manifest.load(name, root)
    v = m.resolve_version(version)
    out = build.build(m, v)
    logs = Path(tempfile.mkdtemp(prefix="etcdfit-check-"))
    report = Report()
    try:
        client = PerformerClient.launch(m, v, out, logs)
    except EtcdfitError as exc:
        report.add("FAIL", "start-up and Describe handshake", str(exc))
        return report
    server = embedded.start(embedded.distro_binary(), logs)
    try:
        _probes(client, m, v, server.endpoints, report)
    finally:
        client.close()
        server.stop()
    return report


def _probes(client: PerformerClient, m: manifest.Manifest, version: str, endpoints: list[str], report: Report) -> None:
    ident = client.identity
    assert ident is not None
    report.add("ok", f"Describe answers, protocol version 1 ({ident.label})")
    for probe, good, detail in [
        ("Describe name matches the manifest", ident.name == m.name, f"{ident.name!r} vs {m.name!r}"),
        ("Describe language matches the manifest", ident.language == m.language, f"{ident.language!r} vs {m.language!r}"),
        ("Describe sdk_package matches the manifest", ident.sdk_package == m.sdk_package,
         f"{ident.sdk_package!r} vs {m.sdk_package!r}"),
        ("Describe sdk_version is the version built", ident.sdk_version == version,
         f"reports {ident.sdk_version!r}, built {version!r}: report the version actually linked"),
    ]:
        report.add("ok" if good else "FAIL", probe, "" if good else detail)
    unknown = caps.missing(ident.capabilities, caps.load_catalog().meanings)
    report.add("FAIL" if unknown else "ok", "every capability id is in the catalog",
               f"unknown ids: {', '.join(unknown)}" if unknown else "")
    try:
        cid = client.connect(endpoints)
    except EtcdfitError as exc:
        report.add("FAIL", "Connect returns a client id", str(exc))
        return
    report.add("ok" if cid else "FAIL", "Connect returns a client id", "" if cid else "empty client_id")
    have = ident.capabilities

    def probe(title: str, needs: list[str], fn: Callable[[], str | None]) -> None:
        lacking = caps.missing(needs, have)
        if lacking:
            report.add("skip", title, f"not claimed: {', '.join(lacking)}")
            return
        try:
            problem = fn()
        except EtcdfitError as exc:
            problem = f"the call itself failed: {exc}"
        report.add("FAIL" if problem else "ok", title, problem or "")

    def unknown_command() -> str | None:
        res = _one(client, cid, UNKNOWN_COMMAND)
        if len(res) != 1:
            return f"expected 1 result, got {len(res)}"
        if res[0].WhichOneof("outcome") != "harness_error" or res[0].harness_error.kind not in (
                pb.HarnessError.UNIMPLEMENTED, pb.HarnessError.BAD_REQUEST):
            return (f"an unknown command must be answered with harness_error UNIMPLEMENTED (or BAD_REQUEST), "
                    f"got {_outcome(res[0])}")
        return None

    def bad_request() -> str | None:
        res = _one(client, cid, watch_collect("no-such-handle", 1, timeout_ms=100).command)
        if len(res) != 1 or res[0].WhichOneof("outcome") != "harness_error" \
                or res[0].harness_error.kind != pb.HarnessError.BAD_REQUEST:
            return f"WatchCollect on an unknown handle must be harness_error BAD_REQUEST, got {_outcome(res[0]) if res else 'no result'}"
        return None

    def one_result_each() -> str | None:
        key = b"etcdfit-check/one-result-each"
        res = _one(client, cid, put(key, "a").command, put(b"", "empty key").command, get(key).command)
        if len(res) != 3:
            return f"3 commands, {len(res)} results: an error must not stop the program"
        kinds = [r.WhichOneof("outcome") for r in res]
        if kinds[0] != "ok" or kinds[2] != "ok":
            return f"outcomes {kinds}: commands around a failing one must still run"
        return None

    def error_code(cmd: Cmd, code: str) -> Callable[[], str | None]:
        def run() -> str | None:
            res = _one(client, cid, cmd.command)
            got = res[0] if res else None
            if got is None or got.WhichOneof("outcome") != "sdk_error":
                return f"expected sdk_error {code}, got {_outcome(got) if got else 'no result'}"
            if pb.ErrorCode.Name(got.sdk_error.code) != code:
                return f"expected {code}, got {_outcome(got)}: map the SDK's error onto the canonical code"
            if got.sdk_error.grpc_code == 0:
                return "grpc_code is 0 (OK) on an error: set the gRPC code, or -1 when the SDK hides it"
            return None
        return run

    def timestamps() -> str | None:
        res = _one(client, cid, put(b"etcdfit-check/ts", "1").command, get(b"etcdfit-check/ts").command)
        for i, r in enumerate(res):
            if r.call_ns <= 0 or r.return_ns < r.call_ns:
                return f"result {i}: call_ns={r.call_ns} return_ns={r.return_ns}: need 0 < call_ns <= return_ns"
        if len(res) == 2 and res[1].call_ns < res[0].return_ns:
            return "the second command's call_ns is before the first's return_ns: use one monotonic clock"
        return None

    probe("an unknown command is a harness_error UNIMPLEMENTED", [], unknown_command)
    probe("a bad request (unknown watch handle) is a harness_error BAD_REQUEST", ["watch"], bad_request)
    probe("one result per command, even after an error", ["kv.put", "kv.range"], one_result_each)
    probe("error mapping: put with an empty key is EMPTY_KEY", ["kv.put"], error_code(put(b"", "v"), "EMPTY_KEY"))
    probe("error mapping: revoking an unknown lease is LEASE_NOT_FOUND", ["lease.revoke"],
          error_code(lease_revoke(0x7E7CF17), "LEASE_NOT_FOUND"))
    probe("error mapping: a range at a future revision is FUTURE_REVISION", ["kv.range.revision"],
          error_code(get(b"etcdfit-check/k", revision=1 << 40), "FUTURE_REVISION"))
    probe("error mapping: a txn with 129 ops is TOO_MANY_OPS", ["txn"],
          error_code(txn([], success=[put(f"etcdfit-check/op{i}", "v") for i in range(129)]), "TOO_MANY_OPS"))
    probe("timestamps: 0 < call_ns <= return_ns, one monotonic clock", ["kv.put", "kv.range"], timestamps)
    try:
        client.disconnect(cid)
        report.add("ok", "Disconnect")
    except EtcdfitError as exc:
        report.add("FAIL", "Disconnect", str(exc))
