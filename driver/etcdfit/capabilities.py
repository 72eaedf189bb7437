"""Capability catalog, requirement evaluation, skip reasons and known-failure lists."""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from . import paths
from .errors import ConfigError, UnknownCapabilityError

_ID = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$")


@dataclass(frozen=True)
class Catalog:
    """Every known capability id with its one-line meaning."""

    path: Path
    meanings: dict[str, str]

    def check(self, ids: Iterable[str], where: str) -> None:
        """Raise UnknownCapabilityError naming `where` for any id not in the catalog."""
        unknown = sorted(set(ids) - self.meanings.keys())
        if unknown:
            close = {u: difflib_close(u, self.meanings) for u in unknown}
            hints = "; ".join(f"{u!r}" + (f" (did you mean {c!r}?)" if c else "") for u, c in close.items())
            raise UnknownCapabilityError(
                f"{where} uses capability ids not in {self.path}: {hints}. "
                "Fix the spelling, or add the id with its meaning to the catalog."
            )


def difflib_close(word: str, choices: Iterable[str]) -> str | None:
    import difflib

    match = difflib.get_close_matches(word, list(choices), n=1)
    return match[0] if match else None


def load_catalog(path: Path | None = None) -> Catalog:
    return _load_catalog(path or paths.catalog_path())


@lru_cache(maxsize=4)
def _load_catalog(path: Path) -> Catalog:
    try:
        data = yaml.safe_load(path.read_text())
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"cannot read the capability catalog: {exc}", path) from exc
    if not isinstance(data, dict) or set(data) != {"version", "capabilities"}:
        raise ConfigError("the catalog must have exactly the keys 'version' and 'capabilities'", path)
    caps = data["capabilities"]
    if not isinstance(caps, dict) or not caps:
        raise ConfigError("'capabilities' must be a non-empty mapping of id: meaning", path)
    for cid, meaning in caps.items():
        if not isinstance(cid, str) or not _ID.match(cid):
            raise ConfigError(f"capability id {cid!r} is not dotted lower-case words", path)
        if not isinstance(meaning, str) or not meaning.strip():
            raise ConfigError(f"capability {cid!r} needs a one-line meaning", path)
    return Catalog(path, dict(caps))


def missing(required: Iterable[str], offered: Iterable[str]) -> list[str]:
    """The required ids the performer does not offer, sorted."""
    return sorted(set(required) - set(offered))


def skip_reason(performer: str, sdk_version: str, missing_ids: list[str]) -> str:
    return f"{performer} (SDK {sdk_version}) lacks capability: {', '.join(missing_ids)}"


# ------------------------------------------------------------------ known failures


@dataclass
class KnownFailure:
    """One line of capabilities/known-failures/<performer>.txt."""

    pattern: str
    reason: str
    path: Path
    line: int
    matched: list[str] = field(default_factory=list)

    def matches(self, test_id: str) -> bool:
        return fnmatch.fnmatchcase(test_id, self.pattern) or fnmatch.fnmatchcase(
            test_id, "*" + self.pattern if not self.pattern.startswith("*") else self.pattern
        )

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}"


def load_known_failures(performer: str, directory: Path | None = None, version: str | None = None,
                        *, flaky: bool = False, versioned_only: bool = False) -> list[KnownFailure]:
    """Entries of `<performer>.txt` (every SDK version) and `<performer>@<version>.txt` (that one).

    flaky=True reads the flaky lists instead (`<performer>[@<version>].flaky.txt`): tests whose
    outcome is not decided by one run, because the SDK fails them only sometimes.
    versioned_only=True reads only the versioned file: the server lists `etcd@<release>.txt`.
    """
    directory = directory or paths.known_failures_dir()
    ext = ".flaky.txt" if flaky else ".txt"
    names = ([] if versioned_only else [f"{performer}{ext}"]) + ([f"{performer}@{version}{ext}"] if version else [])
    return [e for n in names for e in _parse_known_failures(directory / n)]


def _parse_known_failures(path: Path) -> list[KnownFailure]:
    """Parse `<glob> -- <reason>` lines; '#' starts a comment. Missing file: no known failures."""
    if not path.exists():
        return []
    entries: list[KnownFailure] = []
    data = path.read_bytes()
    try:
        content = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ConfigError("not a known-failure list (binary, not UTF-8 text); each line is "
                          "'<test-id glob> -- <reason>'", path) from None
    if "\0" in content:
        raise ConfigError("not a known-failure list (it holds NUL bytes)", path)
    for number, raw in enumerate(content.splitlines(), start=1):
        text = raw.strip()
        if not text or text.startswith("#"):
            continue
        pattern, sep, reason = text.partition(" -- ")
        pattern, reason = pattern.strip(), reason.strip()
        if not sep or not reason:
            raise ConfigError(
                "a known failure needs a reason: write '<test-id glob> -- <why it fails, with a link>'",
                path,
                number,
            )
        if "::" not in pattern:
            raise ConfigError(
                f"pattern {pattern!r} does not look like a test id (expected 'file::test', globs allowed)",
                path,
                number,
            )
        entries.append(KnownFailure(pattern, reason, path, number))
    return entries


def base_test_id(nodeid: str, spec: str) -> str:
    """The test id without the performer parameter, keeping the test's own parameters:
    'f.py::t[go-clientv3]' -> 'f.py::t'; 'f.py::t[go-clientv3-key-ascend]' -> 'f.py::t[key-ascend]'.
    """
    if not nodeid.endswith("]") or "[" not in nodeid:
        return nodeid
    head, params = nodeid[:-1].split("[", 1)
    if params == spec:
        return head
    for before, after in ((f"{spec}-", ""), ("", f"-{spec}")):
        if before and params.startswith(before):
            return f"{head}[{params[len(before):]}]"
        if after and params.endswith(after):
            return f"{head}[{params[: -len(after)]}]"
    if f"-{spec}-" in params:
        return f"{head}[{params.replace(f'-{spec}-', '-', 1)}]"
    return nodeid


def find_known_failure(entries: list[KnownFailure], nodeid: str, spec: str) -> KnownFailure | None:
    base = base_test_id(nodeid, spec)
    for entry in entries:
        if entry.matches(base) or entry.matches(nodeid):
            return entry
    return None
