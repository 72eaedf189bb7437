"""One rooted exception tree. Each class says what went wrong and what to do next."""

from __future__ import annotations

from typing import Any


class EtcdfitError(Exception):
    """Base of every error etcdfit raises on purpose. The message says what to do."""


class ConfigError(EtcdfitError):
    """A file etcdfit reads (catalog, manifest, spec, known-failure list) is malformed.

    The message names the file, the line and the field; fix the file.
    """

    def __init__(self, message: str, path: object = None, line: int | None = None):
        where = ""
        if path is not None:
            where = f"{path}:{line}: " if line else f"{path}: "
        super().__init__(where + message)
        self.path = path
        self.line = line


class UnknownCapabilityError(ConfigError):
    """A capability id is not in capabilities/catalog.yaml: fix the spelling or add it there."""


class UnknownPerformerError(EtcdfitError):
    """No performers/<name>/performer.yaml exists: see `etcdfit performer list`."""


class PerformerBuildError(EtcdfitError):
    """Building a performer failed; the message holds the build log's tail."""


class PerformerError(EtcdfitError):
    """A performer process misbehaved (crashed, hung, or spoke the wrong protocol)."""

    def __init__(self, message: str, *, exit_code: int | None = None, log_tail: str = ""):
        text = message
        if exit_code is not None and exit_code < 0:
            import signal

            text += f"\nexit code: {exit_code} (killed by signal {signal.Signals(-exit_code).name})"
        elif exit_code is not None:
            text += f"\nexit code: {exit_code}"
        if log_tail:
            text += "\nlast performer log lines:\n" + log_tail
        super().__init__(text)
        self.exit_code = exit_code
        self.log_tail = log_tail


class PerformerCrashed(PerformerError):
    """The performer process exited during a call; the next test gets a fresh one."""


class PerformerHung(PerformerError):
    """The performer did not answer within the deadline; it was killed and will be restarted."""


class ProtocolMismatch(PerformerError):
    """The performer speaks another protocol version: rebuild it (`etcdfit performer build NAME`)."""


class ExpectationFailed(AssertionError):
    """A command's result differs from what the test expected (a conformance failure).

    `problems` holds one `etcdfit.outcomes.Problem` per mismatch and `program` the program
    it happened in (an `outcomes.ProgramRecord`), as data for reports; the message is the
    readable rendering of both.
    """

    def __init__(self, message: str, problems: list[Any] | None = None, program: object = None):
        super().__init__(message)
        self.problems = list(problems or [])
        self.program = program


class EtcdServerError(EtcdfitError):
    """The etcd server could not be started or reached; the message holds its log tail."""
