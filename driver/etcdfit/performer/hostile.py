"""Hostile-input probes for `etcdfit performer check` (issue 15, item 4).

Each probe sends a performer something a well-behaved driver never would: malformed
programs (an empty command, commands missing required fields, an unknown enum value),
keys beyond etcd's limits, 10,000 commands in one program, deeply nested txns, and
thousands of watches, leases and keep-alives on one client. Every command must come
back with an outcome (a harness_error or an sdk_error where the input is wrong), within
the probe's deadline, and the performer must still answer afterwards: never a crash,
never a hang. A performer may also refuse a whole program with a gRPC status (e.g.
INVALID_ARGUMENT for one it cannot decode) as long as it stays up.

Each probe runs on a client of its own (Connect, the programs, Disconnect), so a probe
that leaves watches or leases behind does not disturb the next.
"""

from __future__ import annotations

from collections.abc import Callable

from ..errors import EtcdfitError, PerformerCrashed, PerformerError, PerformerHung
from ..gen.etcdfit.performer.v1 import performer_pb2 as pb
from ..program import (
    Cmd,
    get,
    lease_grant,
    lease_keepalive_start,
    lease_keepalive_stop,
    lease_revoke,
    put,
    txn,
    watch_cancel,
    watch_start,
)
from .client import PerformerClient

MIB = 1024 * 1024
MANY_COMMANDS = 10_000
NESTED_TXN_DEPTH = 40      # ~80 protobuf levels each way: under the usual decoder limit of 100
MANY_WATCHES = 2_000
MANY_LEASES = 2_000
MANY_KEEPALIVES = 1_000
PREFIX = b"etcdfit-check/hostile/"

# (title, capabilities needed, probe): the probe returns a problem or None.
Probe = tuple[str, list[str], Callable[[], "str | None"]]


def outcome_text(r: pb.CommandResult, limit: int | None = None) -> str:
    """One result as a check report shows it (messages cut at `limit` characters)."""
    kind = r.WhichOneof("outcome")
    if kind == "sdk_error":
        e = r.sdk_error
        return f"sdk_error {pb.ErrorCode.Name(e.code)} ({e.sdk_type}: {e.message[:limit]})"
    if kind == "harness_error":
        return f"harness_error {pb.HarnessError.Kind.Name(r.harness_error.kind)}: {r.harness_error.message[:limit]}"
    return kind or "no outcome set"


def _outcome(r: pb.CommandResult) -> str:
    return outcome_text(r, 300)


def _disconnect(client: PerformerClient, cid: str) -> None:
    """End a probe's client; a crash or hang counts, any other refusal does not."""
    try:
        client.disconnect(cid, timeout=60)
    except (PerformerCrashed, PerformerHung):
        raise
    except EtcdfitError:
        pass


def probes(client: PerformerClient, endpoints: list[str]) -> list[Probe]:
    """The hostile-input probes for `client`, a performer connected to `endpoints`."""

    def run(programs: list[list[pb.Command]], timeout: float,
            refusable: bool = False) -> list[list[pb.CommandResult]] | str:
        """Runs each program on a fresh client; a problem (str) when the performer failed."""
        cid = client.connect(endpoints)
        out: list[list[pb.CommandResult]] = []
        try:
            for commands in programs:
                try:
                    resp = client.execute(cid, pb.Program(commands=commands), timeout=timeout)
                except (PerformerCrashed, PerformerHung):
                    raise
                except PerformerError as exc:
                    if not refusable:
                        raise
                    # A refusal of the whole program by gRPC status: fine if the performer lives.
                    return _alive(client) or _refused(exc)
                out.append(list(resp.results))
        finally:
            _disconnect(client, cid)
        return _alive(client) or out

    def each_answered(results: list[pb.CommandResult], n: int, what: str) -> str | None:
        if len(results) != n:
            return f"{what}: {n} commands, {len(results)} results"
        missing = [i for i, r in enumerate(results) if r.WhichOneof("outcome") is None]
        if missing:
            return f"{what}: {len(missing)} results without an outcome (first: #{missing[0]})"
        return None

    def refused(command: pb.Command, what: str) -> Callable[[], str | None]:
        """One malformed command: a harness_error or an sdk_error, never ok."""
        def probe() -> str | None:
            got = run([[command]], timeout=30)
            if isinstance(got, str):
                return got
            res = got[0]
            if len(res) != 1:
                return f"{what}: 1 command, {len(res)} results"
            if res[0].WhichOneof("outcome") not in ("harness_error", "sdk_error"):
                return f"{what} must be a harness_error (BAD_REQUEST) or an sdk_error, got {_outcome(res[0])}"
            return None
        return probe

    def huge_key() -> str | None:
        key = PREFIX + b"k" * (2 * MIB)   # etcd: 1.5 MiB per request; its gRPC server: 2 MiB
        # one program each: together they would pass gRPC's default 4 MiB message limit
        got = run([[put(key, "v").command], [get(key).command], [get(PREFIX + b"after").command]], timeout=60)
        if isinstance(got, str):
            return got
        res = [r for program in got for r in program]
        problem = each_answered(res, 3, "a 2 MiB key")
        if problem:
            return problem
        bad = [f"#{i} {_outcome(r)}" for i, r in enumerate(res[:2]) if r.WhichOneof("outcome") != "sdk_error"]
        if bad:
            return f"a put and a get of a 2 MiB key must be sdk_errors (etcd refuses them), got {', '.join(bad)}"
        if res[2].WhichOneof("outcome") != "ok":
            from .check import Note  # the SDK's own doing (e.g. a circuit breaker), not the performer's

            return Note(f"a get after the refused 2 MiB key failed: {_outcome(res[2])}")
        return None

    def many_commands() -> str | None:
        commands = [get(PREFIX + b"many").command] * MANY_COMMANDS
        got = run([commands], timeout=300, refusable=True)
        if isinstance(got, str):
            return None if got.startswith("refused:") else got
        return each_answered(got[0], MANY_COMMANDS, f"a program of {MANY_COMMANDS} commands")

    def nested_txn() -> str | None:
        t: Cmd = txn(success=[put(PREFIX + b"nested", "v")])
        for _ in range(NESTED_TXN_DEPTH - 1):
            t = txn(success=[t])
        got = run([[t.command, get(PREFIX + b"nested").command]], timeout=60, refusable=True)
        if isinstance(got, str):
            return None if got.startswith("refused:") else got
        return each_answered(got[0], 2, f"a txn nested {NESTED_TXN_DEPTH} deep")

    def many_watches() -> str | None:
        starts = [watch_start(f"w{i}", PREFIX + b"watch/%d" % i).command for i in range(MANY_WATCHES)]
        cancels = [watch_cancel(f"w{i}").command for i in range(MANY_WATCHES)]
        got = run([starts, cancels], timeout=300)
        if isinstance(got, str):
            return got
        return (each_answered(got[0], MANY_WATCHES, f"{MANY_WATCHES} watch starts")
                or each_answered(got[1], MANY_WATCHES, f"{MANY_WATCHES} watch cancels"))

    def many_leases() -> str | None:
        cid = client.connect(endpoints)
        try:
            grants = client.execute(cid, pb.Program(commands=[lease_grant(60).command] * MANY_LEASES),
                                    timeout=300).results
            problem = each_answered(list(grants), MANY_LEASES, f"{MANY_LEASES} lease grants")
            ids = [r.ok.lease_grant.id for r in grants if r.WhichOneof("outcome") == "ok"]
            keep = ids[:MANY_KEEPALIVES]
            starts = [lease_keepalive_start(f"k{i}", id=lease).command for i, lease in enumerate(keep)]
            stops = [lease_keepalive_stop(f"k{i}").command for i in range(len(keep))]
            revokes = [lease_revoke(lease).command for lease in ids]
            for what, commands in [("keep-alive starts", starts), ("keep-alive stops", stops),
                                   ("lease revokes", revokes)]:
                if not commands:
                    continue
                res = client.execute(cid, pb.Program(commands=commands), timeout=300).results
                problem = problem or each_answered(list(res), len(commands), f"{len(commands)} {what}")
        finally:
            _disconnect(client, cid)
        return _alive(client) or problem

    return [
        ("hostile: an empty command (no oneof set) is an error", [],
         refused(pb.Command(), "an empty command")),
        ("hostile: a watch start without a handle is an error", ["watch"],
         refused(pb.Command(watch_start=pb.WatchStartCommand(key=PREFIX + b"w")), "a watch start without a handle")),
        ("hostile: a keep-alive start without a handle is an error", ["lease.keepalive"],
         refused(pb.Command(lease_keep_alive_start=pb.LeaseKeepAliveStartCommand(ttl=5)),
                 "a keep-alive start without a handle")),
        ("hostile: a txn op with no request set is an error", ["txn"],
         refused(pb.Command(txn=pb.TxnCommand(success=[pb.RequestOp()])), "a txn op with no request")),
        ("hostile: a range with an unknown kind is an error", ["kv.range"],
         refused(pb.Command(range=pb.RangeCommand(key=PREFIX + b"r", kind=99)),  # type: ignore[arg-type]
                 "a range of kind 99")),
        ("hostile: a 2 MiB key (beyond etcd's limits) is an sdk_error", ["kv.put", "kv.range"], huge_key),
        (f"hostile: {MANY_COMMANDS} commands in one program", ["kv.range"], many_commands),
        (f"hostile: a txn nested {NESTED_TXN_DEPTH} deep", ["txn", "txn.nested"], nested_txn),
        (f"hostile: {MANY_WATCHES} watches on one client", ["watch", "watch.cancel"], many_watches),
        (f"hostile: {MANY_LEASES} leases and {MANY_KEEPALIVES} keep-alives on one client",
         ["lease.grant", "lease.revoke", "lease.keepalive"], many_leases),
    ]


def _alive(client: PerformerClient) -> str | None:
    """None when the performer still answers Describe; the problem otherwise."""
    try:
        client.describe(timeout=30)
    except EtcdfitError as exc:
        return f"the performer no longer answers Describe: {exc}"
    return None


def _refused(exc: PerformerError) -> str:
    return f"refused: {str(exc).splitlines()[0]}"
