"""etcd's error table: protos/etcdfit/performer/v1/etcd_errors.tsv.

The one place etcd's server error messages and their canonical ErrorCode live. Every
performer reads a copy from its gen/ folder (protos/generate.sh makes the copies, `make
protos-check` keeps them current); the driver reads the original, e.g. for the probes of
`etcdfit performer check`. Format (the file's header says it too): '#' comment lines, blank
lines, and rows of three TAB-separated columns: code, grpc_status, message. An SDK error
matches a row when its message contains the row's message without the leading
"etcdserver: "; the first matching row wins.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from . import paths
from .errors import ConfigError

PREFIX = "etcdserver: "
RELATIVE_PATH = Path("protos/etcdfit/performer/v1/etcd_errors.tsv")
COPY_NAME = "etcd_errors.tsv"  # in performers/<name>/gen/


@dataclass(frozen=True)
class Row:
    code: str          # canonical ErrorCode name
    grpc_status: str   # gRPC status code name etcd sends it with (e.g. OUT_OF_RANGE)
    message: str       # the message exactly as etcd sends it
    line: int          # 1-based line in the file

    @property
    def text(self) -> str:
        """What an SDK error's message must contain to match: the message without "etcdserver: "."""
        return self.message.removeprefix(PREFIX)


def table_path() -> Path:
    return paths.repo_root() / RELATIVE_PATH


def parse(text: str, source: str = "etcd_errors.tsv") -> list[Row]:
    rows = []
    for n, raw in enumerate(text.split("\n"), start=1):
        line = raw.removesuffix("\r")
        if not line or line.startswith("#"):
            continue
        cols = line.split("\t")
        if len(cols) != 3 or not all(cols):
            raise ConfigError(f"{source} line {n}: want 3 non-empty TAB-separated columns "
                              f"(code, grpc_status, message), got {line!r}")
        rows.append(Row(cols[0], cols[1], cols[2], n))
    if not rows:
        raise ConfigError(f"{source} has no rows")
    return rows


@lru_cache(maxsize=4)
def _load(path: Path) -> tuple[Row, ...]:
    return tuple(parse(path.read_text(encoding="utf-8"), str(path)))


def load(path: Path | None = None) -> list[Row]:
    """The rows of the table (the original beside the protos unless `path` names a copy)."""
    return list(_load(path or table_path()))


def code_for(message: str, rows: list[Row] | None = None) -> str | None:
    """The canonical code of the first row whose text `message` contains, or None."""
    for row in rows if rows is not None else load():
        if row.text in message:
            return row.code
    return None


def first_row(code: str, rows: list[Row] | None = None) -> Row | None:
    """The first row mapping to `code` (the message a single member sends for it), or None."""
    return next((r for r in (rows if rows is not None else load()) if r.code == code), None)
