"""Known failures of one SDK inside a cross-SDK test (docs/concurrency.md, "Known failures in
cross-SDK tests").

A cross-SDK test takes every selected performer at once (the `performers` fixture, or
`clients` built on it), so it is not parametrized by performer and its id names no SDK: a
per-performer known-failure line (`capabilities/known-failures/<performer>[@VERSION].txt`)
cannot cover it the usual way, by marking the test xfail at collection. Instead:

* at collection, each selected performer's lists are matched against the test id (the
  same globs); a matching line is remembered on the item and counts as matched (so the
  unmatched-pattern check does not call it stale);
* a divergence names the participant that diverged: a `Problem` whose `performer` is that
  performer's spec (run_concurrently sets it on every problem of a failing program;
  `blame(session, ...)` makes one for a test's own check);
* after the test body: when it failed and every problem names a participant whose list has
  a matching line, the test is a known failure (xfail, with each line and reason); a problem
  naming no participant, or one whose list has no line, fails the test as usual. When it
  passed while a strict line matched it, it fails as KNOWN_FAILURE_PASSED, like a listed
  per-performer test that passes (flaky lines never fail a pass).
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass, field
from typing import Any

import pytest

from . import capabilities as caps
from .errors import ExpectationFailed
from .outcomes import Kind, Problem


@dataclass
class Listed:
    """The lines of each participant's lists that match one cross-SDK test."""

    strict: dict[str, caps.KnownFailure] = field(default_factory=dict)  # spec -> line
    flaky: dict[str, caps.KnownFailure] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.strict or self.flaky)


LISTED = pytest.StashKey[Listed]()


def is_cross_sdk(item: pytest.Item) -> bool:
    """A test that takes every selected performer at once (not parametrized by one)."""
    callspec = getattr(item, "callspec", None)
    if callspec is not None and "performer" in callspec.params:
        return False
    return "performers" in getattr(item, "fixturenames", ())


def match(items: list[pytest.Item], known: dict[str, list[caps.KnownFailure]],
          flaky: dict[str, list[caps.KnownFailure]]) -> None:
    """At collection: remember, on each cross-SDK item, every participant's matching line."""
    for item in items:
        if not is_cross_sdk(item):
            continue
        listed = Listed()
        for spec, entries in known.items():
            entry = caps.find_known_failure(entries, item.nodeid, spec)
            if entry is not None:
                entry.matched.append(item.nodeid)
                listed.strict[spec] = entry
                continue
            entry = caps.find_known_failure(flaky.get(spec, []), item.nodeid, spec)
            if entry is not None:
                entry.matched.append(item.nodeid)
                listed.flaky[spec] = entry
        if listed:
            item.stash[LISTED] = listed


def blame(session: Any, message: str, **fields: Any) -> ExpectationFailed:
    """An ExpectationFailed naming `session` (a PerformerSession) as the participant that
    diverged; `raise blame(b, "b's acquire returned before a's release")`."""
    label = f"{session.identity.label}/{session.client_id}"
    problem = Problem(fields.pop("kind", Kind.ASSERTION), message, where=fields.pop("where", label),
                      performer=session.spec, **fields)
    return ExpectationFailed(f"{label}: {message}", [problem])


def _decide(listed: Listed, exc: BaseException) -> str | None:
    """The xfail reason when every problem of `exc` names a listed participant, else None."""
    problems = getattr(exc, "problems", None) if isinstance(exc, ExpectationFailed) else None
    if not problems:
        return None
    blamed = {p.performer for p in problems}
    lines = {**listed.flaky, **listed.strict}
    if "" in blamed or not blamed <= set(lines):
        return None
    parts = [f"{spec}: {lines[spec].reason} ({lines[spec].where})" for spec in sorted(blamed)]
    head = "flaky" if all(spec not in listed.strict for spec in blamed) else "known failure"
    return f"{head} of {', '.join(sorted(blamed))} in a cross-SDK test: " + "; ".join(parts) + \
        (" -- its outcome does not decide the run" if head == "flaky" else
         " -- if this test now passes, remove that line")


class ParticipantKnownFailures:
    """The pytest plugin applying the rules above (registered by etcdfit.plugin)."""

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_call(self, item: pytest.Item) -> Generator[None, None, None]:
        listed = item.stash.get(LISTED, None)
        if not listed:
            return (yield)
        try:
            result = yield
        except ExpectationFailed as exc:
            reason = _decide(listed, exc)
            if reason is None:
                raise
            xfailed = pytest.xfail.Exception(reason)
            xfailed.etcdfit_problems = list(exc.problems)  # type: ignore[attr-defined]
            xfailed.program = exc.program  # type: ignore[attr-defined]
            raise xfailed from exc
        if listed.strict:
            lines = "; ".join(f"{spec}: {e.where}" for spec, e in sorted(listed.strict.items()))
            problems = [Problem(Kind.KNOWN_FAILURE_PASSED, "listed as a known failure of this participant, but the "
                                "cross-SDK test passes: remove its line from the known-failure list",
                                where=e.where, performer=spec) for spec, e in sorted(listed.strict.items())]
            raise ExpectationFailed(f"[XPASS(strict)] listed as a known failure ({lines}), but the cross-SDK test "
                                    "passes: remove that line", problems)
        return result
