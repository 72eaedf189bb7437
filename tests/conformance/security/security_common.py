"""What the security tests share: timeouts, failing with a problem record, SDK connects that
may fail at Connect or at the first call (SDKs differ in when they dial and authenticate)."""

from __future__ import annotations

import time

from etcdfit.errors import ExpectationFailed
from etcdfit.outcomes import Kind, Problem
from etcdfit.performer.pool import PerformerSession
from etcdfit.program import get

DIAL_MS, REQUEST_MS = 2000, 3000
#: Slack on top of a timeout before "ended within its timeout" fails: CI machines are slow.
SLACK_S = 5.0


def fail(what: str, expected: str, actual: str, kind: Kind = Kind.VALUE_MISMATCH) -> None:
    raise ExpectationFailed(f"{what}: expected {expected}, got {actual}",
                            [Problem(kind, what, expected=expected, actual=actual)])


def connect(performer, secure_etcd, **options) -> PerformerSession:
    """A client of the performer on the test's server with `options` (connect_options' keywords)."""
    return performer.connect(secure_etcd.endpoints, dial_timeout_ms=DIAL_MS, request_timeout_ms=REQUEST_MS,
                             **secure_etcd.connect_options(**options))


def first_failure(performer, secure_etcd, key: bytes, **options) -> tuple[str | None, str, float]:
    """Connect with `options` and, if the SDK built a client, read `key` once: (the canonical
    code of the first failure or None when both worked, its message, seconds from Connect)."""
    started = time.monotonic()
    outcome = performer.try_connect(secure_etcd.endpoints, dial_timeout_ms=DIAL_MS, request_timeout_ms=REQUEST_MS,
                                    **secure_etcd.connect_options(**options))
    if not isinstance(outcome, PerformerSession):
        from etcdfit.gen.etcdfit.performer.v1 import performer_pb2 as pb

        return pb.ErrorCode.Name(outcome.error.code), outcome.error.message, time.monotonic() - started
    [r] = outcome.run(get(key).allow_error())
    return r.code, (r.error.message if r.error is not None else ""), time.monotonic() - started
