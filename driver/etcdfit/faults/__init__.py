"""Faults for servers etcdfit started: process faults (kill, pause, restart) and link faults
through toxiproxy (blackhole, delay, bandwidth, reset, cut), each recorded on a timeline and
undone when its test ends. See docs/faults.md."""

from .lab import FaultEvent, FaultLab, Timeline
from .proxy import FaultError, Proxy, Toxiproxy

__all__ = ["FaultError", "FaultEvent", "FaultLab", "Proxy", "Timeline", "Toxiproxy"]
