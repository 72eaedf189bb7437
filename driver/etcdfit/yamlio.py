"""YAML loading that remembers lines, so every config error names file, line and field."""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeGuard

import yaml

from .errors import ConfigError


class LDict(dict[Any, Any]):
    """A mapping with the line of itself (`line`) and of each key (`key_lines`)."""

    line: int = 0
    key_lines: dict[Any, int]


def is_mapping(v: object) -> TypeGuard[LDict]:
    """Whether a loaded value is a mapping: every mapping `load` returns is an LDict."""
    return isinstance(v, dict)


#: Largest YAML file etcdfit reads (a spec, catalog or matrix is a few KiB).
MAX_BYTES = 1 << 20
#: Most nodes a document may hold once its aliases are expanded, and deepest nesting:
#: an alias bomb (a few hundred bytes that expand to 10^9 nodes) or 5000 nested `[`
#: is refused while parsing instead of stalling or overflowing the stack.
MAX_NODES = 100_000
MAX_DEPTH = 100


class _Refused(Exception):
    def __init__(self, message: str, line: int | None):
        super().__init__(message)
        self.message, self.line = message, line


class _Loader(yaml.SafeLoader):
    """SafeLoader that counts each node's size with its aliases expanded, and its depth."""

    def __init__(self, stream: str):
        super().__init__(stream)
        self._sizes: dict[int, int] = {}
        self._depth = 0

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        mark = self.peek_event().start_mark  # type: ignore[no-untyped-call]  # types-PyYAML: Parser is unannotated
        if self.check_event(yaml.AliasEvent):
            node = super().compose_node(parent, index)
            if id(node) not in self._sizes:
                raise _Refused("an alias refers to the mapping or list it is in (a recursive alias)", mark.line + 1)
            return node
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise _Refused(f"nested more than {MAX_DEPTH} levels deep", mark.line + 1)
        node = super().compose_node(parent, index)
        self._depth -= 1
        if isinstance(node, yaml.SequenceNode):
            size = 1 + sum(self._sizes[id(c)] for c in node.value)
        elif isinstance(node, yaml.MappingNode):
            size = 1 + sum(self._sizes[id(k)] + self._sizes[id(v)] for k, v in node.value)
        else:
            size = 1
        if size > MAX_NODES:
            raise _Refused(f"more than {MAX_NODES} values once aliases are expanded (an alias bomb?)", mark.line + 1)
        self._sizes[id(node)] = size
        return node


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


def load(path: Path, max_bytes: int = MAX_BYTES) -> Any:
    """Parse a YAML file. Every way it can be unreadable (too big, binary, bad syntax, a
    duplicate field, an alias bomb, too deep) is a ConfigError naming the file and the line."""
    try:
        if path.stat().st_size > max_bytes:
            raise ConfigError(f"is {path.stat().st_size} bytes; YAML files etcdfit reads are limited to "
                              f"{max_bytes} bytes", path)
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"is not UTF-8 text (a binary file?): byte {exc.start}", path) from None
    except OSError as exc:
        raise ConfigError(f"cannot read: {exc.strerror}", path) from None
    try:
        return yaml.load(text, Loader=_Loader)  # safe: _Loader is a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else None
        raise ConfigError(f"not valid YAML: {exc.problem}", path, line) from None
    except yaml.reader.ReaderError as exc:  # e.g. a NUL or other control character
        line = text[: exc.position].count("\n") + 1
        raise ConfigError(f"not valid YAML: {exc.reason} (character #x{exc.character:04x})", path, line) from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"not valid YAML: {exc}", path) from None
    except _Refused as exc:
        raise ConfigError(exc.message, path, exc.line) from None
    except ConfigError as exc:
        raise ConfigError(str(exc).split(": ", 1)[-1], path, exc.line) from None
    except RecursionError:
        raise ConfigError("nested too deeply", path) from None


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
