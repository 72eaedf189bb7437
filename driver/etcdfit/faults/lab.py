"""A fault test's own etcd and link: the server, a toxiproxy proxy in front of it, and a timeline.

    def test_x(performer, fault):
        sdk = performer.connect(fault.endpoints, dial_timeout_ms=1000, request_timeout_ms=2000)
        fault.pause()                 # SIGSTOP the server
        ...
        fault.resume()

Every fault is recorded in `fault.timeline` (what, when) and undone when the test ends: the
link is healed and the server, which belongs to this test alone, is stopped and its data dir
removed. A fault that cannot be put in place or undone raises FaultError, which fails the test.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..oracle import Oracle
from ..servers import embedded
from .proxy import FaultError, Proxy, Toxiproxy


@dataclass
class FaultEvent:
    """One fault action: seconds since the lab opened, what, on what, and any detail."""

    at_s: float
    action: str
    target: str
    detail: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"at_s": round(self.at_s, 3), "action": self.action, "target": self.target, "detail": self.detail}


@dataclass
class Timeline:
    started: float = field(default_factory=time.monotonic)
    events: list[FaultEvent] = field(default_factory=list)

    def add(self, action: str, target: str, detail: str = "") -> None:
        self.events.append(FaultEvent(time.monotonic() - self.started, action, target, detail))

    def text(self) -> str:
        return "\n".join(f"  +{e.at_s:7.3f}s  {e.action:<16} {e.target}" + (f"  ({e.detail})" if e.detail else "")
                         for e in self.events)


class FaultLab:
    """An etcd of the test's own behind a proxy; methods are faults, each recorded and undoable."""

    def __init__(self, binary: Path, log_dir: Path, toxiproxy: Toxiproxy, name: str):
        self.timeline = Timeline()
        self.server = embedded.start(binary, log_dir, name="fault")
        try:
            upstream = self.server.endpoints[0].split("://", 1)[1]
            self.proxy: Proxy = toxiproxy.proxy(name, upstream)
        except BaseException:
            self.server.stop()
            raise
        self.oracle = Oracle(self.server.endpoints[0])  # straight to the server, never through the proxy
        self.timeline.add("start", "server", f"etcd {self.server.version} at {self.server.endpoints[0]}, "
                                             f"proxy {self.proxy.endpoint}")

    # ---------------------------------------------------------------- where to connect

    @property
    def endpoints(self) -> list[str]:
        """Through the proxy: what an SDK under test connects to."""
        return [self.proxy.endpoint]

    @property
    def server_endpoints(self) -> list[str]:
        return list(self.server.endpoints)

    # ---------------------------------------------------------------- process faults

    def kill(self) -> None:
        self.server.kill()
        self.timeline.add("kill", "server", "SIGKILL")

    def restart(self) -> None:
        self.server.restart()
        self.timeline.add("restart", "server", "same port and data dir")

    def kill_and_restart(self, down_s: float = 0.0) -> None:
        self.kill()
        if down_s:
            time.sleep(down_s)
        self.restart()

    def stop_gracefully(self) -> None:
        code = self.server.stop_gracefully()
        self.timeline.add("stop", "server", f"SIGTERM, exit {code}")

    def pause(self) -> None:
        self.server.pause()
        self.timeline.add("pause", "server", "SIGSTOP")

    def resume(self) -> None:
        self.server.resume()
        self.timeline.add("resume", "server", "SIGCONT")

    # ---------------------------------------------------------------- link faults

    def blackhole(self) -> None:
        self.proxy.blackhole()
        self.timeline.add("blackhole", "link", "nothing gets through; connections stay open")

    def delay(self, ms: int) -> None:
        self.proxy.delay(ms)
        self.timeline.add("delay", "link", f"{ms} ms per chunk from the server")

    def bandwidth(self, kb_per_s: int) -> None:
        self.proxy.bandwidth(kb_per_s)
        self.timeline.add("bandwidth", "link", f"{kb_per_s} KB/s")

    def reset_connections(self, hold_s: float = 0.2) -> None:
        """Drop every open connection at once, idle ones too, and refuse new ones for `hold_s`; then heal.

        A reset_peer toxic alone only resets a connection when data crosses it, so an idle one
        (a keep-alive between renewals) would survive: disabling the proxy closes all of them."""
        self.proxy.reset()
        self.proxy.cut()
        self.timeline.add("reset", "link", f"every connection dropped, new ones refused for {hold_s:g}s")
        time.sleep(hold_s)
        self.proxy.heal()
        self.timeline.add("heal", "link")

    def cut(self) -> None:
        self.proxy.cut()
        self.timeline.add("cut", "link", "connections closed, new ones refused")

    def heal(self) -> None:
        self.proxy.heal()
        self.timeline.add("heal", "link")

    # ---------------------------------------------------------------- the end

    def close(self) -> None:
        """Undo everything: heal the link, stop the server (it is this test's alone) and remove the proxy."""
        problems = []
        try:
            if self.proxy.faults():
                self.proxy.heal()
                self.timeline.add("heal", "link", "at test end")
            self.proxy.remove()
        except FaultError as exc:
            problems.append(str(exc))
        self.oracle.close()
        self.server.stop()
        self.timeline.add("stop", "server", "at test end (server replaced for the next test)")
        if problems:
            raise FaultError("a fault could not be undone: " + "; ".join(problems))
