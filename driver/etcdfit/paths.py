"""Where things live. One place, so no module guesses the repository layout."""

from __future__ import annotations

import os
from pathlib import Path


def repo_root() -> Path:
    """The etcdfit checkout (ETCDFIT_ROOT overrides, e.g. for an installed driver)."""
    env = os.environ.get("ETCDFIT_ROOT")
    if env:
        return Path(env).resolve()
    return Path(__file__).resolve().parents[2]


def catalog_path() -> Path:
    return repo_root() / "capabilities" / "catalog.yaml"


def known_failures_dir() -> Path:
    return repo_root() / "capabilities" / "known-failures"


def performers_dir() -> Path:
    return repo_root() / "performers"


def cache_dir() -> Path:
    """Build outputs and scratch state; git-ignored."""
    return Path(os.environ.get("ETCDFIT_CACHE", repo_root() / ".cache")).resolve()
