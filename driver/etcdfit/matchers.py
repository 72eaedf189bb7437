"""Partial matching of expected values against protobuf results.

An expectation is a plain structure: dicts name fields (only the named ones are
checked), lists must match element by element and in length, `None` means "absent
or zero", strings match bytes fields as UTF-8 and enum fields by name (with or
without the enum's prefix), and Matcher objects (ANY, gt, ...) test a value.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeAlias

from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.protobuf.message import Message

from .errors import EtcdfitError

if TYPE_CHECKING:
    from google._upb._message import Descriptor as _UpbDescriptor
    from google._upb._message import FieldDescriptor as _UpbFieldDescriptor

    #: Descriptors as protobuf hands them out: the Python classes or upb's (the same API).
    AnyDescriptor: TypeAlias = Descriptor | _UpbDescriptor
    AnyField: TypeAlias = FieldDescriptor | _UpbFieldDescriptor


@dataclass(frozen=True)
class Matcher:
    describe: str
    test: Callable[[Any], bool]

    def __repr__(self) -> str:
        return self.describe


ANY = Matcher("<any>", lambda v: True)


def gt(n: int) -> Matcher:
    return Matcher(f"> {n}", lambda v: v > n)


def ge(n: int) -> Matcher:
    return Matcher(f">= {n}", lambda v: v >= n)


def lt(n: int) -> Matcher:
    return Matcher(f"< {n}", lambda v: v < n)


def le(n: int) -> Matcher:
    return Matcher(f"<= {n}", lambda v: v <= n)


def between(lo: int, hi: int) -> Matcher:
    return Matcher(f"in [{lo}, {hi}]", lambda v: lo <= v <= hi)


def length(n: int) -> Matcher:
    return Matcher(f"length {n}", lambda v: len(v) == n)


def unordered(items: list[Any]) -> Matcher:
    """A repeated field holding these scalars in any order."""
    want = sorted(to_bytes_if_str(i) for i in items)
    return Matcher(f"unordered {items!r}", lambda v: sorted(v) == want)


class ExpectationSyntaxError(EtcdfitError):
    """An expectation names a field the result does not have: fix the test."""


@dataclass(frozen=True)
class Mismatch:
    """One field that differs: where, and both sides as shown in failure output."""

    path: str
    expected: str
    actual: str

    def __str__(self) -> str:
        return f"{self.path}: expected {self.expected}, got {self.actual}"


def to_bytes_if_str(v: Any) -> Any:
    return v.encode() if isinstance(v, str) else v


#: The running test's key prefix (set by the `ns` fixture): failure output shows keys
#: relative to it, as `<ns>/name`, so a reader sees the names the test wrote.
namespace: contextvars.ContextVar[bytes] = contextvars.ContextVar("etcdfit_namespace", default=b"")


def relative(text: str) -> str:
    """`text` with the running test's key prefix written as `<ns>/`."""
    prefix = namespace.get()
    return text.replace(prefix.decode(errors="replace"), "<ns>/") if prefix else text


def show(v: Any) -> str:
    if isinstance(v, Message):
        from google.protobuf import text_format

        return relative("{" + text_format.MessageToString(v, as_one_line=True, as_utf8=True) + "}")
    if isinstance(v, (bytes, bytearray)):
        try:
            return relative(repr(bytes(v).decode()))
        except UnicodeDecodeError:
            return repr(bytes(v))
    if isinstance(v, str):
        return relative(repr(v))
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(show(i) for i in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{k}: {show(i)}" for k, i in v.items()) + "}"
    return repr(v)


def match(expected: Any, actual: Any, path: str = "", field: AnyField | None = None) -> list[Mismatch]:
    """Mismatches of `actual` against `expected` (str() of each: 'path: expected X, got Y')."""
    if isinstance(expected, Matcher):
        ok = False
        try:
            container = _is_repeated(field) and not isinstance(actual, (Message, bytes, str, int, float))
            ok = bool(expected.test(list(actual) if container else actual))
        except Exception:  # a matcher that cannot apply is a mismatch, not a crash
            ok = False
        return [] if ok else [Mismatch(path or ".", repr(expected), show(actual))]
    if isinstance(expected, dict):
        if not isinstance(actual, Message):
            return [Mismatch(path or ".", f"a message {show(expected)}", show(actual))]
        return _match_message(expected, actual, path)
    if isinstance(expected, list):
        items = list(actual)
        if len(items) != len(expected):
            return [Mismatch(path or ".", f"{len(expected)} item(s) {show(expected)}",
                             f"{len(items)}: " + "[" + ", ".join(show(i) for i in items) + "]")]
        out: list[Mismatch] = []
        for i, (e, a) in enumerate(zip(expected, items, strict=True)):
            out += match(e, a, f"{path}[{i}]", None if field is None else _element(field))
        return out
    if field is not None and field.type == FieldDescriptor.TYPE_ENUM and isinstance(expected, str):
        assert field.enum_type is not None  # an enum field always has its enum type
        by_number = field.enum_type.values_by_number
        name = by_number[actual].name if actual in by_number else str(actual)
        ok = name == expected or name.endswith("_" + expected)
        return [] if ok else [Mismatch(path, expected, name)]
    exp = to_bytes_if_str(expected) if isinstance(actual, (bytes, bytearray)) else expected
    return [] if exp == actual else [Mismatch(path, show(exp), show(actual))]


def _is_repeated(field: AnyField | None) -> bool:
    if field is None:
        return False
    rep = getattr(field, "is_repeated", None)  # protobuf >= 6; `label` is gone in 7
    return bool(rep) if rep is not None else field.label == FieldDescriptor.LABEL_REPEATED  # type: ignore[union-attr]  # protobuf < 6 only


def _element(field: AnyField) -> AnyField:
    return field  # element checks look at the same descriptor's type


def _match_message(expected: dict[str, Any], msg: Message, path: str) -> list[Mismatch]:
    fields = msg.DESCRIPTOR.fields_by_name
    out: list[Mismatch] = []
    for name, exp in expected.items():
        if name not in fields:
            raise ExpectationSyntaxError(
                f"{path or msg.DESCRIPTOR.name}: {msg.DESCRIPTOR.name} has no field {name!r}; "
                f"fields: {', '.join(fields)}"
            )
        fd = fields[name]
        sub = f"{path}.{name}" if path else name
        if exp is None:
            if fd.message_type is not None and not _is_repeated(fd):
                if msg.HasField(name):
                    out.append(Mismatch(sub, "absent", show(getattr(msg, name))))
            elif _is_repeated(fd):
                if len(getattr(msg, name)):
                    out.append(Mismatch(sub, "none", f"{len(getattr(msg, name))} item(s)"))
            elif getattr(msg, name):
                out.append(Mismatch(sub, "zero/empty", show(getattr(msg, name))))
            continue
        if fd.message_type is not None and not _is_repeated(fd) and isinstance(exp, dict) and not msg.HasField(name):
            out.append(Mismatch(sub, show(exp), "absent"))
            continue
        out += match(exp, getattr(msg, name), sub, fd)
    return out
