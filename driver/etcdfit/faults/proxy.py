"""Link faults through a real network-fault proxy: Shopify's toxiproxy, built from its Go module.

Why toxiproxy rather than etcd's own go.etcd.io/etcd/pkg/v3/proxy: toxiproxy is a server with a
documented HTTP API, so no Go wrapper of ours is needed to drive it from Python, and it has every
fault the suite needs as a "toxic" (latency, bandwidth, timeout with 0 = blackhole, reset_peer),
plus disabling a proxy (refuse and close every connection) to cut a link. etcd's proxy is a
library: using it means writing and maintaining a control server around it.

One toxiproxy server per pytest process (per xdist worker), on a free 127.0.0.1 port; one proxy
per server link, listening on 127.0.0.1 too. `Proxy.heal()` removes every toxic and re-enables
the proxy, so a fault is always undone.
"""

from __future__ import annotations

import fcntl
import json
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import paths, proc
from ..errors import EtcdfitError

TOXIPROXY_MODULE = "github.com/Shopify/toxiproxy/v2"
TOXIPROXY_VERSION = "v2.5.0"  # the one pin; `etcdfit server install toxiproxy` builds it


class FaultError(EtcdfitError):
    """A fault could not be put in place or undone: the test that asked for it fails with this."""


def binary_path() -> Path:
    return paths.cache_dir() / "tools" / f"toxiproxy-{TOXIPROXY_VERSION}" / "toxiproxy-server"


def build(quiet: bool = False) -> Path:
    """Build toxiproxy's server from its Go module into the tool cache (once; serialized by a lock)."""
    out = binary_path()
    if out.exists():
        return out
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out.parent / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if out.exists():
            return out
        if not quiet:
            print(f"[etcdfit] building toxiproxy {TOXIPROXY_VERSION} from {TOXIPROXY_MODULE} -> {out} ...", flush=True)
        gobin = out.parent / "bin"
        log = out.parent / "build.log"
        with log.open("w") as fh:
            code = subprocess.call(["go", "install", f"{TOXIPROXY_MODULE}/cmd/server@{TOXIPROXY_VERSION}"],
                                   env={**_env(), "GOBIN": str(gobin)}, stdout=fh, stderr=subprocess.STDOUT)
        if code != 0 or not (gobin / "server").exists():
            raise FaultError(f"building toxiproxy failed (exit {code}); log {log}:\n{proc.tail(log)}")
        (gobin / "server").rename(out)
    return out


def _env() -> dict[str, str]:
    import os

    return dict(os.environ)


class Toxiproxy:
    """A running toxiproxy server (ours: started on a free loopback port, stopped by its pid)."""

    def __init__(self, log_dir: Path):
        binary = build()
        self.port = proc.free_port()
        self.api = f"http://127.0.0.1:{self.port}"
        self.log = log_dir / f"toxiproxy-{self.port}.log"
        self.process = proc.spawn([str(binary), "-host", "127.0.0.1", "-port", str(self.port)],
                                  cwd=log_dir, log=self.log)
        deadline = time.monotonic() + 15
        while True:
            try:
                self._request("GET", "/version")
                break
            except FaultError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.close()
                    raise FaultError(f"toxiproxy did not start (log {self.log}):\n{proc.tail(self.log)}") from None
                time.sleep(0.05)

    def close(self) -> None:
        proc.stop(self.process, grace=2.0)

    def _request(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.api + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=5) as resp:
                text = resp.read().decode()
        except urllib.error.HTTPError as exc:
            raise FaultError(f"toxiproxy {method} {path}: HTTP {exc.code}: {exc.read().decode(errors='replace')}") \
                from None
        except (urllib.error.URLError, OSError) as exc:
            raise FaultError(f"toxiproxy {method} {path}: {exc}") from None
        try:
            return json.loads(text) if text.strip() else None
        except ValueError:  # /version answers plain text
            return text

    def proxy(self, name: str, upstream: str) -> Proxy:
        """A new proxy on a free 127.0.0.1 port forwarding to `upstream` (host:port)."""
        port = proc.free_port()
        self._request("POST", "/proxies", {"name": name, "listen": f"127.0.0.1:{port}", "upstream": upstream,
                                           "enabled": True})
        return Proxy(self, name, f"127.0.0.1:{port}", upstream)


@dataclass
class Proxy:
    """One proxied link. Every method is one fault; `heal()` undoes them all."""

    server: Toxiproxy
    name: str
    listen: str     # host:port clients connect to
    upstream: str   # host:port of the real server

    @property
    def endpoint(self) -> str:
        return f"http://{self.listen}"

    def _toxic(self, kind: str, attributes: dict[str, int], stream: str = "downstream") -> None:
        self.server._request("POST", f"/proxies/{self.name}/toxics",
                             {"name": f"{kind}_{stream}", "type": kind, "stream": stream, "attributes": attributes})

    def blackhole(self) -> None:
        """Connections stay open and nothing gets through in either direction (a silent network)."""
        self._toxic("timeout", {"timeout": 0}, "upstream")
        self._toxic("timeout", {"timeout": 0}, "downstream")

    def delay(self, ms: int, jitter_ms: int = 0) -> None:
        """Every chunk from the server arrives `ms` later."""
        self._toxic("latency", {"latency": ms, "jitter": jitter_ms})

    def bandwidth(self, kb_per_s: int) -> None:
        """The server's answers trickle at this rate."""
        self._toxic("bandwidth", {"rate": kb_per_s})

    def reset(self) -> None:
        """Reset (TCP RST) every connection, now and while this lasts; heal() lets new ones through."""
        self._toxic("reset_peer", {"timeout": 0}, "upstream")

    def cut(self) -> None:
        """Close every connection and refuse new ones (the port stays bound, connects are reset)."""
        self.server._request("POST", f"/proxies/{self.name}", {"enabled": False})

    def heal(self) -> None:
        """Remove every toxic and re-enable the link."""
        info = self.server._request("GET", f"/proxies/{self.name}")
        for toxic in info.get("toxics") or []:
            self.server._request("DELETE", f"/proxies/{self.name}/toxics/{toxic['name']}")
        if not info.get("enabled", True):
            self.server._request("POST", f"/proxies/{self.name}", {"enabled": True})

    def faults(self) -> list[str]:
        """The faults in place, as toxiproxy reports them (empty when healthy)."""
        info = self.server._request("GET", f"/proxies/{self.name}")
        out = [t["name"] for t in info.get("toxics") or []]
        return out + ([] if info.get("enabled", True) else ["disabled"])

    def remove(self) -> None:
        self.server._request("DELETE", f"/proxies/{self.name}")
