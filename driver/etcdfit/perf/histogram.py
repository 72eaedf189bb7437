"""The protocol's latency histogram (LatencyHistogram in performer.proto): one bucket scheme
in every performer, so histograms of intervals, repeats and performers merge by adding counts.

A latency is a whole number of microseconds v; its bucket is
``m = max(0, v.bit_length() - 7); index = (m << 6) + (v >> m)``: exact below 128 us, then 64
buckets per power of two, so a percentile read from it is within 1/64 (1.6%) of the true one.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

#: The percentiles every result carries, by name.
PERCENTILES: dict[str, float] = {"p50": 0.50, "p90": 0.90, "p99": 0.99, "p999": 0.999}


def bucket_of(us: int) -> int:
    m = max(0, us.bit_length() - 7)
    return (m << 6) + (us >> m)


def bucket_bounds(index: int) -> tuple[int, int]:
    """[lo, hi) of a bucket, in microseconds."""
    if index < 128:
        return index, index + 1
    m = (index >> 6) - 1
    lo = (index - (m << 6)) << m
    return lo, lo + (1 << m)


@dataclass
class Histogram:
    """A merged latency histogram: sparse bucket counts plus the exact total, sum, min and max."""

    counts: dict[int, int] = field(default_factory=dict)
    total: int = 0
    sum_us: int = 0
    max_us: int = 0
    min_us: int = 0

    @classmethod
    def from_proto(cls, h: Any) -> Histogram:
        """From a LatencyHistogram message (or anything with its fields)."""
        if len(h.bucket) != len(h.count):
            raise ValueError(f"LatencyHistogram has {len(h.bucket)} buckets but {len(h.count)} counts")
        return cls(dict(zip(h.bucket, h.count, strict=True)), h.total, h.sum_us, h.max_us, h.min_us)

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> Histogram:
        return cls({int(b): int(c) for b, c in zip(d["bucket"], d["count"], strict=True)}, int(d["total"]),
                   int(d["sum_us"]), int(d["max_us"]), int(d["min_us"]))

    def to_json(self) -> dict[str, Any]:
        keys = sorted(self.counts)
        return {"bucket": keys, "count": [self.counts[k] for k in keys], "total": self.total,
                "sum_us": self.sum_us, "max_us": self.max_us, "min_us": self.min_us}

    def merge(self, other: Histogram) -> Histogram:
        if other.total == 0:
            return self
        for b, c in other.counts.items():
            self.counts[b] = self.counts.get(b, 0) + c
        self.min_us = other.min_us if self.total == 0 else min(self.min_us, other.min_us)
        self.max_us = max(self.max_us, other.max_us)
        self.total += other.total
        self.sum_us += other.sum_us
        return self

    def percentile(self, q: float) -> float:
        """The latency (us) at or below which a fraction q of the samples lie: the upper edge of
        the bucket holding that sample (like HDR's highest equivalent value), at most the max."""
        if self.total == 0:
            return 0.0
        rank = min(self.total, max(1, math.ceil(q * self.total - 1e-9)))
        seen = 0
        for b in sorted(self.counts):
            seen += self.counts[b]
            if seen >= rank:
                return float(min(bucket_bounds(b)[1] - 1, self.max_us))
        return float(self.max_us)

    def summary(self) -> dict[str, float]:
        """p50/p90/p99/p999, max and mean in microseconds."""
        out = {name: self.percentile(q) for name, q in PERCENTILES.items()}
        out["max"] = float(self.max_us)
        out["mean"] = self.sum_us / self.total if self.total else 0.0
        return out


def merged(hists: Iterable[Histogram]) -> Histogram:
    out = Histogram()
    for h in hists:
        out.merge(h)
    return out
