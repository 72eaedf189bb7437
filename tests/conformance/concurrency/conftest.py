"""Fixtures of the concurrency suite: clients across every selected performer."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from etcdfit.performer.pool import PerformerSession


@pytest.fixture
def clients(request: pytest.FixtureRequest, performers: list[PerformerSession],
            etcd: object) -> Callable[..., list[PerformerSession]]:
    """clients(n, *capabilities): n SDK clients, round-robin over the performers that claim
    every capability (more clients of one performer when fewer claim them; n=0: one per such
    performer, at least 2). clients(n, *caps, same=True): n clients of each such performer,
    as a list of lists. Performers that lack one are named in the test's report; none
    claiming them skips the test."""

    def pick(n: int, *needs: str, same: bool = False) -> list[PerformerSession]:
        able = [s for s in performers if all(c in s.capabilities for c in ("stream.latches", *needs))]
        lacking = [f"{s.identity.label} lacks {', '.join(c for c in ('stream.latches', *needs) if c not in s.capabilities)}"
                   for s in performers if s not in able]
        if lacking:
            request.node.add_report_section("call", "not taking part", "\n".join(lacking))
        if not able:
            pytest.skip("no selected performer claims " + " and ".join(("stream.latches", *needs))
                        + ": " + "; ".join(lacking))
        if same:
            return [[s] + [s.connect(etcd.endpoints) for _ in range(n - 1)] for s in able]  # type: ignore[attr-defined]
        n = n or max(2, len(able))
        out = []
        for i in range(n):
            base = able[i % len(able)]
            out.append(base if i < len(able) else base.connect(etcd.endpoints))  # type: ignore[attr-defined]
        return out

    return pick


@pytest.fixture
def artifacts(request: pytest.FixtureRequest) -> Path:
    """Where this test's history and porcupine visualization go on a violation."""
    from etcdfit.plugin import STATE

    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)[:80]
    return request.config.stash[STATE].log_dir / "histories" / name
