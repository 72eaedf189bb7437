"""Problem records: what went wrong in a test, as data.

Every failure a test can have is a list of `Problem`s, each with a `kind`. Reports, the
gate and the terminal summary read these fields; nothing re-parses a failure's text.
The failure class of a test (one word in the report) is computed from the kinds.

    Problem(Kind.VALUE_MISMATCH, index=1, command="range", path="kvs[0].value",
            expected="'v2'", actual="'v1'")
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any


class Kind(str, enum.Enum):  # noqa: UP042 - a StrEnum's str() is its value: messages would change
    """What kind of problem one record describes."""

    VALUE_MISMATCH = "value_mismatch"          # a result field differs from the expectation
    WRONG_ERROR = "wrong_error"                # expected error X, the SDK reported error Y
    UNEXPECTED_ERROR = "unexpected_error"      # expected success, the SDK reported an error
    UNEXPECTED_SUCCESS = "unexpected_success"  # expected an error, the command succeeded
    MISSING_RESULT = "missing_result"          # fewer results than commands
    HARNESS_ERROR = "harness_error"            # the performer could not run a command, or a harness bug
    PROTOCOL_VIOLATION = "protocol_violation"  # the performer broke the protocol (e.g. timestamps)
    PERFORMER_CRASHED = "performer_crashed"    # the performer process exited during the test
    PERFORMER_HUNG = "performer_hung"          # the performer did not answer within its deadline
    SERVER_FAULT = "server_fault"              # the etcd server died, froze or could not be reached
    ASSERTION = "assertion"                    # a plain `assert` in the test body failed
    TEST_ERROR = "test_error"                  # the test itself raised (a bug in the test or harness)
    KNOWN_FAILURE_PASSED = "known_failure_passed"  # a listed known failure passed: remove its line
    HISTORY_VIOLATION = "history_violation"    # reserved: a recorded history broke a guarantee


# Failure classes, most decisive first: a test with a crash and a mismatch is a crash.
# A server fault comes before the performer's: a performer that hung on a frozen server is a consequence.
CLASS_OF_KIND: dict[Kind, str] = {
    Kind.KNOWN_FAILURE_PASSED: "known_failure_passed",
    Kind.SERVER_FAULT: "server_fault",
    Kind.PERFORMER_CRASHED: "performer_crash",
    Kind.PERFORMER_HUNG: "timeout",
    Kind.HARNESS_ERROR: "harness_error",
    Kind.MISSING_RESULT: "harness_error",
    Kind.PROTOCOL_VIOLATION: "harness_error",
    Kind.TEST_ERROR: "harness_error",
    Kind.HISTORY_VIOLATION: "history_violation",
    Kind.WRONG_ERROR: "wrong_error",
    Kind.UNEXPECTED_ERROR: "wrong_error",
    Kind.UNEXPECTED_SUCCESS: "wrong_error",
    Kind.VALUE_MISMATCH: "value_mismatch",
    Kind.ASSERTION: "value_mismatch",
}
CLASSES: tuple[str, ...] = tuple(dict.fromkeys(CLASS_OF_KIND.values()))


@dataclass
class Problem:
    """One thing that went wrong. Only `kind` and `message` are always set."""

    kind: Kind
    message: str = ""
    index: int | None = None   # the command's index in its program
    command: str = ""          # the command's name (put, range, txn, ...)
    path: str = ""             # the result field, e.g. kvs[0].value
    expected: str = ""         # shown values, as the failure text prints them
    actual: str = ""
    where: str = ""            # the performer, or "oracle", plus a spec step and line when known
    performer: str = ""        # in a cross-SDK test: the spec of the participant that diverged

    def to_json(self) -> dict[str, Any]:
        d = asdict(self)
        d["kind"] = self.kind.value
        return {k: v for k, v in d.items() if v not in ("", None)}

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Problem:
        known = set(cls.__dataclass_fields__)
        args = {k: v for k, v in d.items() if k in known}
        try:
            args["kind"] = Kind(d["kind"])
        except (KeyError, ValueError):
            args["kind"] = Kind.TEST_ERROR
        return cls(**args)

    def line(self) -> str:
        """One line for the terminal: '[1] range: kvs[0].value: expected 'v2', got 'v1''."""
        head = f"[{self.index}] {self.command}: " if self.index is not None else ""
        if self.expected or self.actual:
            body = (f"{self.path}: " if self.path else "") + f"expected {self.expected}, got {self.actual}"
            if self.message:
                body += f" ({self.message})"
        else:
            body = self.message
        return head + body


def failure_class(problems: list[Problem]) -> str:
    """The failure class of a test, from its problems' kinds (most decisive wins)."""
    kinds = {p.kind for p in problems}
    for kind, cls in CLASS_OF_KIND.items():
        if kind in kinds:
            return cls
    return "harness_error"


@dataclass
class ProgramRecord:
    """The program a failure happened in: one line per command and per result."""

    performer: str = ""
    commands: list[str] = field(default_factory=list)   # '[0] put {key: "a" value: "1"}'
    results: list[str] = field(default_factory=list)    # '[0] ok {header {revision: 5}}'
    # Renders `commands` when first needed: every program a test sends is recorded, but only
    # a failing test's last one is ever shown, and rendering each command's text cost about
    # a tenth of a lockstep property run (profiled).
    render: Callable[[], list[str]] | None = field(default=None, repr=False, compare=False)

    def resolved(self) -> ProgramRecord:
        if self.render is not None:
            self.commands, self.render = self.render(), None
        return self

    def to_json(self) -> dict[str, Any]:
        self.resolved()
        return {"performer": self.performer, "commands": self.commands, "results": self.results}

    @classmethod
    def from_json(cls, d: dict[str, Any] | None) -> ProgramRecord | None:
        if not d:
            return None
        return cls(str(d.get("performer", "")), list(d.get("commands") or []), list(d.get("results") or []))

    def text(self) -> str:
        return "\n".join("  " + c for c in self.resolved().commands)


def problems_of(exc: BaseException) -> list[Problem]:
    """The problems an exception raised by a test stands for."""
    from .errors import EtcdfitError, EtcdServerError, ExpectationFailed, PerformerCrashed, PerformerHung

    if isinstance(exc, ExpectationFailed) and exc.problems:
        return list(exc.problems)
    carried = getattr(exc, "etcdfit_problems", None)  # a cross-SDK known failure (etcdfit.participants)
    if carried:
        return list(carried)
    text = str(exc).strip()
    first = text.splitlines()[0] if text else type(exc).__name__
    if isinstance(exc, PerformerCrashed):
        return [Problem(Kind.PERFORMER_CRASHED, first)]
    if isinstance(exc, PerformerHung):
        return [Problem(Kind.PERFORMER_HUNG, first)]
    if isinstance(exc, EtcdServerError):
        return [Problem(Kind.SERVER_FAULT, first)]
    if isinstance(exc, AssertionError):
        return [Problem(Kind.ASSERTION, first)]
    if isinstance(exc, EtcdfitError):
        return [Problem(Kind.HARNESS_ERROR, first)]
    return [Problem(Kind.TEST_ERROR, f"{type(exc).__name__}: {first}")]
