"""Linearizability of a recorded history, checked by porcupine (github.com/anishathalye/porcupine)
in a small Go helper (history/porcupine/), against a key-value model partitioned by key.

What is checked: single-key put, get, delete and compare-and-swap txns (one compare on the
key's value, or version/create revision == 0 for "absent", and one put of that key in the
success branch, nothing in the failure branch). Keys touched by any other write of the
history (a range delete, a lease revoke's keys, a lock recipe's keys, a txn of another
shape) are left out of the check, so it never judges what the model cannot express. A
failed or unanswered write stays open-ended (it may have been applied); a failed read is
dropped. On a violation porcupine's visualization HTML is written next to the results.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import paths
from ..errors import EtcdfitError
from ..gen.etcdfit.performer.v1 import performer_pb2 as pb
from .record import NEVER, History, Operation

HELPER = Path(__file__).resolve().parent / "porcupine"
CHECK_TIMEOUT_S = 60.0


class CheckerError(EtcdfitError):
    """The porcupine helper could not be built or run: the message has its output."""


@dataclass
class Verdict:
    result: str                 # ok | illegal | unknown (porcupine gave up within the timeout)
    operations: int             # how many operations were checked
    excluded_keys: list[bytes]  # keys left out (written by operations the model cannot express)
    visualization: str = ""     # porcupine's HTML, on a violation
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.result == "ok"


def helper_binary() -> Path:
    """The built helper, $ETCDFIT_CACHE/tools/porcupine-<digest of its sources>/porcupine."""
    h = hashlib.sha256()
    for f in sorted(HELPER.glob("*")):
        if f.is_file():
            h.update(f.name.encode() + b"\0" + f.read_bytes())
    out = paths.cache_dir() / "tools" / f"porcupine-{h.hexdigest()[:12]}" / "porcupine"
    if out.is_file():
        return out
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f"porcupine.tmp{os.getpid()}")
    env = {**os.environ, "CGO_ENABLED": "0", "GOFLAGS": "-buildvcs=false"}
    try:
        proc = subprocess.run(["go", "build", "-trimpath", "-o", str(tmp), "."], cwd=HELPER, env=env,
                              capture_output=True, text=True, timeout=300, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise CheckerError(f"building the porcupine helper in {HELPER} failed: {exc}") from None
    if proc.returncode != 0:
        raise CheckerError(f"building the porcupine helper in {HELPER} failed (go build exit {proc.returncode}):\n"
                           f"{proc.stderr[-2000:]}")
    tmp.replace(out)
    return out


def _single_cas(t: pb.TxnCommand) -> tuple[bytes, dict[str, Any]] | None:
    """(key, fields) when the txn is a compare-and-swap on one key, else None."""
    if len(t.compares) != 1 or len(t.success) != 1 or t.failure:
        return None
    c, op = t.compares[0], t.success[0]
    if c.kind != pb.RANGE_KIND_SINGLE or op.WhichOneof("request") != "put" or op.put.key != c.key:
        return None
    if op.put.lease or op.put.ignore_value or op.put.ignore_lease or c.result != pb.COMPARE_RESULT_EQUAL:
        return None
    if c.target == pb.COMPARE_TARGET_VALUE:
        return c.key, {"expect": c.value.decode("latin-1"), "expect_absent": False,
                       "value": op.put.value.decode("latin-1")}
    absent = (c.target == pb.COMPARE_TARGET_VERSION and c.version == 0) or \
        (c.target == pb.COMPARE_TARGET_CREATE and c.create_revision == 0)
    if absent:
        return c.key, {"expect_absent": True, "value": op.put.value.decode("latin-1")}
    return None


def _model_op(o: Operation) -> tuple[bytes | None, dict[str, Any] | None]:
    """(key, porcupine fields) for an operation the model expresses; (key, None) for a write
    it cannot (that key is excluded); (None, None) for anything that writes no KV key."""
    cmd, name = o.command, o.name
    if name == "put":
        p = cmd.put
        if p.ignore_value or p.ignore_lease:
            return p.key, None
        return p.key, {"op": "put", "value": p.value.decode("latin-1")}
    if name == "range":
        r = cmd.range
        plain = r.kind == pb.RANGE_KIND_SINGLE and not (r.revision or r.serializable or r.keys_only or r.count_only
                                                        or r.min_mod_revision or r.max_mod_revision
                                                        or r.min_create_revision or r.max_create_revision)
        return (r.key, {"op": "get"}) if plain else (None, None)
    if name == "delete_range":
        d = cmd.delete_range
        return (d.key, {"op": "delete"}) if d.kind == pb.RANGE_KIND_SINGLE else (d.key, None)
    if name == "stm":
        return (cmd.stm.adds[0].key, None) if cmd.stm.adds else (None, None)
    if name == "txn":
        cas = _single_cas(cmd.txn)
        if cas is not None:
            return cas[0], {"op": "cas", **cas[1]}
        keys = [op.put.key for op in list(cmd.txn.success) + list(cmd.txn.failure) if op.WhichOneof("request") == "put"]
        return (keys[0] if keys else None), None
    return None, None


def _written_keys(o: Operation) -> list[bytes]:
    """Every key an operation the model cannot express may write (all of a multi-put txn's or
    an STM's, not only the first)."""
    cmd, name = o.command, o.name
    if name == "stm":
        return [a.key for a in cmd.stm.adds]
    if name == "txn":
        return [op.put.key for op in list(cmd.txn.success) + list(cmd.txn.failure)
                if op.WhichOneof("request") == "put"]
    key, _ = _model_op(o)
    return [key] if key is not None else []


def _with_output(o: Operation, fields: dict[str, Any]) -> dict[str, Any] | None:
    """Fields plus the outcome; None to drop the operation (a failed read)."""
    r = o.result
    kind = r.WhichOneof("outcome")
    if kind != "ok":
        if fields["op"] == "get" or kind == "harness_error":
            return None   # a read that failed tells nothing; a write the performer never made neither
        return {**fields, "unknown": True, "return": NEVER}
    f = {**fields}
    if f["op"] == "get":
        kvs = r.ok.range.kvs
        f["out_present"] = bool(kvs)
        f["out_value"] = kvs[0].value.decode("latin-1") if kvs else ""
    elif f["op"] == "cas":
        f["succeeded"] = r.ok.txn.succeeded
    elif f["op"] == "delete":
        f["deleted"] = r.ok.delete_range.deleted
    return f


def porcupine_input(history: History) -> tuple[list[dict[str, Any]], list[bytes]]:
    """The operations porcupine checks, and the keys left out."""
    clients = {c: i for i, c in enumerate(history.by_client())}
    excluded: set[bytes] = set()
    ops: list[tuple[bytes, dict[str, Any]]] = []
    for o in history.operations:
        key, fields = _model_op(o)
        if key is None:
            continue
        if fields is None:
            if o.outcome != "harness_error":
                excluded.update(_written_keys(o))
            continue
        if o.return_ns == NEVER:
            if fields["op"] == "get":
                continue
            full: dict[str, Any] | None = {**fields, "unknown": True, "return": NEVER}
        else:
            full = _with_output(o, fields)
        if full is None:
            continue
        full.setdefault("return", o.return_ns)
        full.update(client=clients[o.client], key=key.decode("latin-1"), call=o.call_ns,
                    label=f"{o.client} #{o.index}")
        ops.append((key, full))
    return [f for k, f in ops if k not in excluded], sorted(excluded)


def check(history: History, visualization: Path | None = None, timeout_s: float = CHECK_TIMEOUT_S,
          initial: dict[bytes, bytes] | None = None) -> Verdict:
    """Check the history; on a violation porcupine's HTML goes to `visualization`. `initial`:
    keys the test wrote before the history began (e.g. with the oracle), as puts that
    completed before every recorded operation."""
    ops, excluded = porcupine_input(history)
    setup = len(history.by_client())
    ops = [{"op": "put", "key": k.decode("latin-1"), "value": v.decode("latin-1"), "client": setup,
            "call": 0, "return": 1, "label": "initial state"} for k, v in (initial or {}).items()
           if k not in excluded] + ops
    if not ops:
        return Verdict("ok", 0, excluded)
    binary = helper_binary()
    if visualization is not None:
        visualization.parent.mkdir(parents=True, exist_ok=True)
    request = {"operations": ops, "timeout_s": timeout_s,
               "visualization": str(visualization) if visualization is not None else ""}
    started = time.monotonic()
    try:
        proc = subprocess.run([str(binary)], input=json.dumps(request), capture_output=True, text=True,
                              timeout=timeout_s + 30, check=False)
    except subprocess.TimeoutExpired:
        raise CheckerError(f"the porcupine helper did not finish within {timeout_s + 30:.0f}s") from None
    if proc.returncode != 0:
        raise CheckerError(f"the porcupine helper failed (exit {proc.returncode}): {proc.stderr.strip()[-2000:]}")
    out = json.loads(proc.stdout)
    return Verdict(out["result"], out["operations"], excluded, out.get("visualization", ""),
                   time.monotonic() - started)
