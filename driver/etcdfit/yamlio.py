"""YAML loading that remembers lines, so every config error names file, line and field."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from .errors import ConfigError


class LDict(dict):
    """A mapping with the line of itself (`line`) and of each key (`key_lines`)."""

    line: int = 0
    key_lines: dict


class _Loader(yaml.SafeLoader):
    pass


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> LDict:
    d = LDict()
    d.line = node.start_mark.line + 1
    d.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in d:
            raise ConfigError(f"duplicate field {key!r}", None, key_node.start_mark.line + 1)
        d[key] = loader.construct_object(value_node, deep=True)
        d.key_lines[key] = key_node.start_mark.line + 1
    return d


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def load(path: Path) -> Any:
    """Parse a YAML file; syntax errors and duplicate fields become ConfigErrors with the line."""
    try:
        return yaml.load(path.read_text(), Loader=_Loader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else None
        raise ConfigError(f"not valid YAML: {exc.problem}", path, line) from None
    except ConfigError as exc:
        raise ConfigError(str(exc).split(": ", 1)[-1], path, exc.line) from None
    except OSError as exc:
        raise ConfigError(f"cannot read: {exc.strerror}", path) from None


def fields(d: Any, allowed: dict[str, bool], what: str, path: Path, line: int) -> LDict:
    """Check `d` is a mapping with only `allowed` keys and every required (True) one."""
    if not isinstance(d, dict):
        raise ConfigError(f"{what} must be a mapping", path, line)
    unknown = [k for k in d if k not in allowed]
    if unknown:
        k = unknown[0]
        raise ConfigError(f"{what} has no field {k!r}; fields: {', '.join(allowed)}", path,
                          getattr(d, "key_lines", {}).get(k, getattr(d, "line", line)))
    missing = [k for k, req in allowed.items() if req and k not in d]
    if missing:
        raise ConfigError(f"{what} is missing the field {missing[0]!r}", path, getattr(d, "line", line))
    return d  # type: ignore[return-value]
