"""Which keys a command selects, in etcd's own terms (key, range_end).

A performer turns a RangeKind into etcd's range_end with its SDK's helpers; the model
follows the reference SDK (clientv3), so a test that runs on it means what etcd means:
- SINGLE: (key, b"") - just the key;
- RANGE: (key, range_end) - and an empty range_end is again just the key;
- PREFIX: (key, prefix_end(key)); the empty prefix is every key, (b"\\0", b"\\0") for an
  operation (clientv3's WithPrefix), but (b"", b"\\0") for a compare (Cmp.WithPrefix keeps
  the empty key, which etcd refuses: EMPTY_KEY);
- FROM_KEY: (key or b"\\0", b"\\0") - every key at or after key.
"""

from __future__ import annotations

from ..gen.etcdfit.performer.v1 import performer_pb2 as pb

FROM_KEY_END = b"\0"


def prefix_end(prefix: bytes) -> bytes:
    """etcd's range_end for every key starting with prefix (b"\\0" when there is no bound)."""
    b = bytearray(prefix)
    while b:
        if b[-1] < 0xFF:
            b[-1] += 1
            return bytes(b)
        b.pop()
    return FROM_KEY_END


def select(key: bytes, kind: int, range_end: bytes, *, compare: bool = False) -> tuple[bytes, bytes]:
    """(key, range_end) as clientv3 sends them for this RangeKind."""
    if kind == pb.RANGE_KIND_PREFIX:
        if not key and not compare:
            return FROM_KEY_END, FROM_KEY_END
        return key, prefix_end(key)
    if kind == pb.RANGE_KIND_FROM_KEY:
        return (key or FROM_KEY_END), FROM_KEY_END
    if kind == pb.RANGE_KIND_RANGE:
        return key, range_end
    return key, b""


def in_range(k: bytes, key: bytes, end: bytes) -> bool:
    """Whether etcd's range [key, end) holds k: an empty end is the one key, b"\\0" no upper bound."""
    if not end:
        return k == key
    if end == FROM_KEY_END:
        return k >= key
    return key <= k < end
