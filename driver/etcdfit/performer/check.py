"""`etcdfit performer check NAME`: a protocol self-check for performer authors.

Runs a fixed list of probes against a performer and an embedded etcd, and says
precisely what is wrong: identity and protocol version, capability ids, one
result per command, unknown commands, bad requests, error-code mapping and
timestamps, and hostile input (hostile.py: malformed programs, huge keys, 10,000
commands, nested txns, thousands of watches and leases; never a crash or a hang).
Probes whose capability the performer does not claim are skipped.

The error-mapping probes come from etcd's error table (errortable.py): one per
code of the table that a single healthy member can be made to return (PROVOKE
says how), in the table's order.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .. import capabilities as caps
from .. import errortable
from ..errors import EtcdfitError
from ..gen.etcdfit.performer.v1 import performer_pb2 as pb
from ..program import Cmd, compact, get, lease_grant, lease_revoke, put, txn, watch_collect
from ..servers import embedded
from . import build, hostile, manifest
from .client import PerformerClient

# A Command carrying only field 99, which no protocol version defines: what a
# newer driver's command looks like to an older performer.
UNKNOWN_COMMAND = pb.Command.FromString(b"\x9a\x06\x00")

# Runs one program (its commands) on the probe's client and returns its results.
Run = Callable[..., "list[pb.CommandResult]"]
# Makes etcd return one error: given Run and a key of its own, returns the result that
# must carry the error, or a problem (a setup step failed).
Provocation = Callable[[Run, bytes], "pb.CommandResult | str"]

MIB = 1024 * 1024
NO_SUCH_LEASE = 0x7E7CF17      # never granted
CHECK_LEASE = 0x7E7CF18        # granted (twice) by the LEASE_EXISTS probe


def _command(make: Callable[[bytes], Cmd]) -> Provocation:
    """One command, made for the probe's key, whose result carries the error."""
    return lambda run, key: run(make(key).command)[-1]


def _compacted(run: Run, key: bytes) -> pb.CommandResult | str:
    res = run(put(key, "1").command, put(key, "2").command, get(key).command)
    if [r.WhichOneof("outcome") for r in res] != ["ok"] * 3 or not res[2].ok.range.kvs:
        return f"could not write a history to compact: {'; '.join(_outcome(r) for r in res)}"
    rev = res[2].ok.range.kvs[0].mod_revision
    res = run(compact(rev).command, get(key, revision=rev - 1).command)
    if res[0].WhichOneof("outcome") != "ok":
        return f"compact({rev}) failed: {_outcome(res[0])}"
    return res[1]


def _lease_exists(run: Run, key: bytes) -> pb.CommandResult | str:
    res = run(lease_grant(60, id=CHECK_LEASE).command, lease_grant(60, id=CHECK_LEASE).command)
    if res[0].WhichOneof("outcome") != "ok":
        return f"the first grant of lease {CHECK_LEASE:#x} failed: {_outcome(res[0])}"
    return res[1]


# code -> (what provokes it, capabilities needed, how). Only errors a single healthy
# member returns; the other rows of the table (auth, leader loss, timeouts) need more.
PROVOKE: dict[str, tuple[str, list[str], Provocation]] = {
    "COMPACTED": ("a range below the compaction point",
                  ["kv.put", "kv.range", "kv.range.revision", "compact"], _compacted),
    "FUTURE_REVISION": ("a range at a future revision", ["kv.range.revision"],
                        _command(lambda key: get(key, revision=1 << 40))),
    "LEASE_NOT_FOUND": ("revoking an unknown lease", ["lease.revoke"],
                        _command(lambda key: lease_revoke(NO_SUCH_LEASE))),
    "LEASE_EXISTS": ("granting one lease id twice", ["lease.grant", "lease.grant.id"],
                     _lease_exists),
    "DUPLICATE_KEY": ("a txn putting one key twice", ["txn"],
                      _command(lambda key: txn(success=[put(key, "1"), put(key, "2")]))),
    "TOO_MANY_OPS": ("a txn with 129 ops", ["txn"],
                     _command(lambda key: txn(success=[put(key + b"/%d" % i, "v")
                                                       for i in range(129)]))),
    # etcd's --max-request-bytes is 1.5 MiB; 1.6 MiB still passes gRPC's own limit on the
    # server (+512 KiB), so etcd itself answers (a 2 MiB value would meet gRPC's limit).
    "REQUEST_TOO_LARGE": ("a put of a 1.6 MiB value", ["kv.put"],
                          _command(lambda key: put(key, b"x" * int(1.6 * MIB)))),
    "EMPTY_KEY": ("a put with an empty key", ["kv.put"],
                  _command(lambda key: put(b"", "v"))),
    "KEY_NOT_FOUND": ("a put with ignore_value of a missing key",
                      ["kv.put", "kv.put.ignore_value"],
                      _command(lambda key: put(key, ignore_value=True))),
    "VALUE_PROVIDED": ("a put with ignore_value and a value", ["kv.put", "kv.put.ignore_value"],
                       _command(lambda key: put(key, "v", ignore_value=True))),
    "LEASE_PROVIDED": ("a put with ignore_lease and a lease",
                       ["kv.put", "kv.put.lease", "kv.put.ignore_lease"],
                       _command(lambda key: put(key, "v", lease=NO_SUCH_LEASE, ignore_lease=True))),
}


class Note(str):
    """A probe's finding that is no performer fault: the SDK itself lost what was probed."""


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
        notes = sum(1 for s, _, _ in self.lines if s == "note")
        out.append(f"{ok} ok, {self.failed} failed, {skip} skipped"
                   + (f", {notes} lost by the SDK" if notes else ""))
        return "\n".join(out)


def _one(client: PerformerClient, cid: str, *commands: pb.Command) -> list[pb.CommandResult]:
    return list(client.execute(cid, pb.Program(commands=list(commands)), timeout=30).results)


def _values(r: pb.CommandResult) -> list[bytes]:
    """The keys and values a result carries (what must not depend on the call path)."""
    if r.WhichOneof("outcome") != "ok" or r.ok.WhichOneof("payload") != "range":
        return []
    return [x for kv in r.ok.range.kvs for x in (kv.key, kv.value)]


_outcome = hostile.outcome_text


def check(name: str, version: str | None = None, root: Path | None = None) -> Report:
    m = manifest.load(name, root)
    v = m.resolve_version(version)
    out = build.build(m, v)
    report = Report()
    with tempfile.TemporaryDirectory(prefix="etcdfit-check-") as tmp:
        logs = Path(tmp)
        try:
            client = PerformerClient.launch(m, v, out, logs)
        except EtcdfitError as exc:
            report.add("FAIL", "start-up and Describe handshake", str(exc))
            return report
        try:
            server = embedded.start(embedded.distro_binary(), logs)
        except BaseException:
            client.close()
            raise
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
    for title, good, detail in [
        ("Describe name matches the manifest", ident.name == m.name, f"{ident.name!r} vs {m.name!r}"),
        ("Describe language matches the manifest", ident.language == m.language,
         f"{ident.language!r} vs {m.language!r}"),
        ("Describe sdk_package matches the manifest", ident.sdk_package == m.package_for(version),
         f"{ident.sdk_package!r} vs {m.package_for(version)!r}"),
        ("Describe sdk_version is the version built", ident.sdk_version == version,
         f"reports {ident.sdk_version!r}, built {version!r}: report the version actually linked"),
    ]:
        report.add("ok" if good else "FAIL", title, "" if good else detail)
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
        status = "note" if isinstance(problem, Note) else "FAIL" if problem else "ok"
        report.add(status, title, problem or "")

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
            got = _outcome(res[0]) if res else "no result"
            return f"WatchCollect on an unknown handle must be harness_error BAD_REQUEST, got {got}"
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

    def error_code(row: errortable.Row, provoke: Provocation) -> Callable[[], str | None]:
        def run() -> str | None:
            key = b"etcdfit-check/errors/" + row.code.lower().encode()
            got = provoke(lambda *cmds: _one(client, cid, *cmds), key)
            if isinstance(got, str):
                return got
            if got.WhichOneof("outcome") != "sdk_error":
                return f"expected sdk_error {row.code}, got {_outcome(got)}"
            if pb.ErrorCode.Name(got.sdk_error.code) != row.code:
                if row.text in got.sdk_error.message:
                    return (f"expected {row.code}, got {_outcome(got)}: the SDK's message carries etcd's "
                            f"{row.message!r}: map it with etcd's error table ({errortable.RELATIVE_PATH}, "
                            f"copied into gen/{errortable.COPY_NAME})")
                # Nothing for the performer to map: the SDK dropped etcd's text (a divergence
                # for capabilities/known-failures and docs/findings.md, not a performer bug).
                return Note(f"etcd sent {row.message!r}, the SDK's error does not carry it: "
                            f"got {_outcome(got)}")
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

    def session_answers_as_execute() -> str | None:
        # The same programs over unary Execute and over the ExecuteSession fast path: the
        # same outcomes and values (timestamps and revisions aside), in order, on one stream.
        key = b"etcdfit-check/session"
        programs = [[put(key, "a").command, get(key).command],
                    [pb.Command(), get(key).command],  # an error must not end the stream
                    [get(key).command]]
        for i, commands in enumerate(programs):
            unary = client.stub.Execute(pb.ExecuteRequest(client_id=cid, program=pb.Program(commands=commands)),
                                        timeout=30).results
            session = client.execute(cid, pb.Program(commands=commands), timeout=30).results
            got = [(_outcome(r), _values(r)) for r in session]
            want = [(_outcome(r), _values(r)) for r in unary]
            if got != want:
                return f"program {i}: ExecuteSession answered {got}, Execute answered {want}"
        return None

    probe("an unknown command is a harness_error UNIMPLEMENTED", [], unknown_command)
    probe("ExecuteSession answers each program as Execute does", ["execute.session"], session_answers_as_execute)
    probe("a bad request (unknown watch handle) is a harness_error BAD_REQUEST", ["watch"], bad_request)
    probe("one result per command, even after an error", ["kv.put", "kv.range"], one_result_each)
    seen: set[str] = set()
    for row in errortable.load():  # the first row of each code is the message one member sends
        if row.code in PROVOKE and row.code not in seen:
            seen.add(row.code)
            what, needs, provoke = PROVOKE[row.code]
            probe(f"error mapping: {what} is {row.code}", needs, error_code(row, provoke))
    probe("timestamps: 0 < call_ns <= return_ns, one monotonic clock", ["kv.put", "kv.range"], timestamps)
    for title, needs, fn in hostile.probes(client, endpoints):
        probe(title, needs, fn)
    try:
        client.disconnect(cid)
        report.add("ok", "Disconnect")
    except EtcdfitError as exc:
        report.add("FAIL", "Disconnect", str(exc))
