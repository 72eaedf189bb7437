"""Workload profiles: YAML files, loaded strictly (an unknown field or a wrong type is an
error naming the file, the line and the field), like ci/matrix.yaml.

A profile (driver/etcdfit/perf/profiles/NAME.yaml, or any path):

  version: 1                  # the file format; must be 1
  description: text           # optional
  defaults: {STEP FIELDS}     # optional: fields every step starts from
  steps:                      # non-empty; run in order, each on the same server
    - name: put-c10           # required, unique: [A-Za-z0-9_.-]+
      mix: {put: 1}           # op -> weight; ops: put, get, range, txn, delete (default {put: 1})
      clients: 10             # SDK clients = connections (default 1)
      concurrency: 10         # workers in all, spread over the clients (default: clients)
      ops: 20000              # operations in all (the benchmark tool needs a count)
      duration_s: 60          # or/and a time limit (at least one of ops, duration_s)
      key_space: 1000         # distinct keys (default 1000)
      key_distribution: uniform   # or sequential
      key_size: 8             # bytes per key (default 8; the namespace may make keys longer)
      value_size: 256         # bytes per value (default 256)
      rate: 0                 # open loop: operations per second (default 0: closed loop)
      prefill: false          # write the key space once before the clock starts
      range_limit: 10         # keys read by one range op (default 10)
      report_interval_ms: 1000
      timeout_s: 600          # give up on the step after this long (default: duration_s + 120, or 600)
      benchmark: true         # also run etcd's benchmark tool (default true; only single-op
                              # put, get or txn mixes map onto its commands)
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from .. import yamlio
from ..errors import ConfigError

PROFILES_DIR = Path(__file__).resolve().parent / "profiles"
OPS = ("put", "get", "range", "txn", "delete")
DISTRIBUTIONS = ("uniform", "sequential")


@dataclass(frozen=True)
class Step:
    """One step of a profile: one Workload per performer (and one benchmark tool run)."""

    name: str = ""
    mix: dict[str, int] = field(default_factory=lambda: {"put": 1})
    clients: int = 1
    concurrency: int = 0          # 0: clients
    ops: int = 0                  # 0: none (duration_s decides)
    duration_s: float = 0.0       # 0: none (ops decides)
    key_space: int = 1000
    key_distribution: str = "uniform"
    key_size: int = 8
    value_size: int = 256
    rate: float = 0.0
    prefill: bool = False
    range_limit: int = 10
    report_interval_ms: int = 1000
    timeout_s: float = 0.0        # 0: duration_s + 120, or 600
    benchmark: bool = True

    @property
    def workers(self) -> int:
        return self.concurrency or self.clients

    @property
    def deadline_s(self) -> float:
        """How long the step may take in all (connections and prefill included)."""
        if self.timeout_s:
            return self.timeout_s
        return self.duration_s + 120 if self.duration_s else 600.0

    def to_json(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True)
class Profile:
    name: str
    path: Path
    description: str
    steps: tuple[Step, ...]


# field -> (python types accepted, check, what it must be)
_INT = (int,)
_NUM = (int, float)
_CHECKS: dict[str, tuple[tuple[type, ...], Any, str]] = {
    "name": ((str,), lambda v: re.fullmatch(r"[A-Za-z0-9_.-]+", v), "a name of letters, digits, _ . -"),
    "mix": ((dict,), None, "a mapping of op to weight"),
    "clients": (_INT, lambda v: 1 <= v <= 10000, "a whole number from 1 to 10000"),
    "concurrency": (_INT, lambda v: 0 <= v <= 100000, "a whole number from 0 (= clients) to 100000"),
    "ops": (_INT, lambda v: v >= 0, "a whole number >= 0"),
    "duration_s": (_NUM, lambda v: 0 <= v <= 7 * 86400, "seconds from 0 to 604800"),
    "key_space": (_INT, lambda v: 1 <= v <= 10_000_000, "a whole number from 1 to 10000000"),
    "key_distribution": ((str,), lambda v: v in DISTRIBUTIONS, "one of " + ", ".join(DISTRIBUTIONS)),
    "key_size": (_INT, lambda v: 1 <= v <= 4096, "a whole number from 1 to 4096"),
    "value_size": (_INT, lambda v: 1 <= v <= 1 << 20, "a whole number from 1 to 1048576"),
    "rate": (_NUM, lambda v: v >= 0, "operations per second >= 0 (0: closed loop)"),
    "prefill": ((bool,), None, "true or false"),
    "range_limit": (_INT, lambda v: 1 <= v <= 100000, "a whole number from 1 to 100000"),
    "report_interval_ms": (_INT, lambda v: 100 <= v <= 600000, "milliseconds from 100 to 600000"),
    "timeout_s": (_NUM, lambda v: v >= 0, "seconds >= 0"),
    "benchmark": ((bool,), None, "true or false"),
}


def resolve(name_or_path: str) -> Path:
    """A profile name (smoke, standard, ramp, soak) or a path to a YAML file."""
    p = Path(name_or_path)
    if p.suffix in (".yaml", ".yml") or "/" in name_or_path:
        return p
    path = PROFILES_DIR / f"{name_or_path}.yaml"
    if not path.exists():
        known = ", ".join(sorted(f.stem for f in PROFILES_DIR.glob("*.yaml")))
        raise ConfigError(f"no profile named {name_or_path!r}; profiles: {known} (or give a path to a YAML file)")
    return path


def load(name_or_path: str) -> Profile:
    path = resolve(name_or_path)
    doc = yamlio.load(path)
    d = yamlio.fields(doc, {"version": True, "description": False, "defaults": False, "steps": True},
                      "the profile", path, 1)
    if d["version"] != 1:
        raise ConfigError(f"version {d['version']!r} is not supported; this etcdfit reads version 1", path,
                          d.key_lines["version"])
    description = d.get("description", "")
    if not isinstance(description, str):
        raise ConfigError("description must be text", path, d.key_lines.get("description"))
    base = Step()
    if "defaults" in d:
        base = _step(d["defaults"], base, "defaults", path, d.key_lines["defaults"], named=False)
    steps_doc = d["steps"]
    if not isinstance(steps_doc, list) or not steps_doc:
        raise ConfigError("steps must be a non-empty list", path, d.key_lines["steps"])
    steps: list[Step] = []
    for i, entry in enumerate(steps_doc):
        line = getattr(entry, "line", d.key_lines["steps"])
        step = _step(entry, base, f"step {i + 1}", path, line, named=True)
        if any(s.name == step.name for s in steps):
            raise ConfigError(f"step {i + 1}: the name {step.name!r} is used twice", path, line)
        steps.append(step)
    return Profile(path.stem, path, description, tuple(steps))


def _step(entry: Any, base: Step, what: str, path: Path, line: int, *, named: bool) -> Step:
    allowed = {k: (k == "name" and named) for k in _CHECKS if named or k != "name"}
    d = yamlio.fields(entry, allowed, what, path, line)
    values: dict[str, Any] = {}
    for key, raw in d.items():
        value: Any = raw  # YAML: checked below
        kline = d.key_lines.get(key, line)
        types, check, must = _CHECKS[key]
        if (isinstance(value, bool) and bool not in types) or not isinstance(value, types) or \
                (check is not None and not check(value)):
            raise ConfigError(f"{what}: {key} is {value!r}; it must be {must}", path, kline)
        values[key] = _mix(raw, what, path, kline) if key == "mix" else _typed(raw, types)
    step = replace(base, **values)
    if named and not step.ops and not step.duration_s:
        raise ConfigError(f"{what} ({step.name}): give ops or duration_s (or both): a step must end", path, line)
    return step


def _typed(value: Any, types: tuple[type, ...]) -> Any:
    return float(value) if types is _NUM else value


def _mix(value: dict[Any, Any], what: str, path: Path, line: int) -> dict[str, int]:
    out: dict[str, int] = {}
    for op, weight in value.items():
        if op not in OPS:
            raise ConfigError(f"{what}: mix has no op {op!r}; ops: {', '.join(OPS)}", path, line)
        if isinstance(weight, bool) or not isinstance(weight, int) or not 0 <= weight <= 1000:
            raise ConfigError(f"{what}: mix weight of {op} is {weight!r}; it must be a whole number from 0 to 1000",
                              path, line)
        out[op] = weight
    if not any(out.values()):
        raise ConfigError(f"{what}: mix has no op with a weight above 0", path, line)
    return out


def cap_duration(prof: Profile, max_s: float) -> Profile:
    """A dry run of `prof`: every step's duration_s capped at max_s (steps with a count only
    keep it), its timeout_s left to the default for the new duration. The description says so."""
    if max_s <= 0:
        return prof
    steps = tuple(replace(s, duration_s=min(s.duration_s, max_s), timeout_s=0.0)
                  if s.duration_s > max_s else s for s in prof.steps)
    note = f"(dry run: step durations capped at {max_s:g} s)"
    return replace(prof, steps=steps, description=f"{prof.description} {note}".strip())
