"""Performers for a test session: launched lazily, relaunched after a crash or hang."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import EtcdfitError, ExpectationFailed, PerformerError
from ..gen.etcdfit.performer.v1 import performer_pb2 as pb
from ..history.watch import WatchChecker, WatchRequest, check_reliable
from ..outcomes import Problem, ProgramRecord
from ..program import Cmd, Results, evaluate, failure_text, program_lines
from . import build as builder
from . import manifest as manifests
from .client import Identity, PerformerClient, SdkConnectError

ADDRESS_DESCRIBE_TIMEOUT = 10.0


@dataclass
class PerformerSpec:
    """A performer selected for a run, parsed and resolved once.

    `text` is its test parameter (the spec as given, e.g. 'go-clientv3' or 'go-clientv3@3.6.16';
    for a --performer-address performer the NAME@VERSION it reports, so test ids do not change
    with the port). `version` is always the resolved SDK version."""

    text: str
    name: str | None = None            # manifest name (None for an address performer)
    version: str | None = None
    address: str | None = None
    manifest: manifests.Manifest | None = None
    identity: Identity | None = None   # known up front only for an address performer

    @property
    def sdk_name(self) -> str:
        """The performer's name: its manifest's, or the one an address performer reports."""
        return self.name or (self.identity.name if self.identity else self.text)

    @classmethod
    def parse(cls, text: str, root: Path | None = None) -> PerformerSpec:
        name, version = manifests.parse_spec(text)
        m = manifests.load(name, root)
        return cls(text, name, m.resolve_version(version), manifest=m)

    @classmethod
    def at(cls, address: str) -> PerformerSpec:
        """Describe the running performer now: its identity names it and picks its known failures."""
        client = PerformerClient(address)
        try:
            ident = client.wait_ready(ADDRESS_DESCRIBE_TIMEOUT)
        finally:
            client.close()
        return cls(ident.label, version=ident.sdk_version, address=address, identity=ident)


@dataclass
class Slot:
    spec: PerformerSpec
    client: PerformerClient | None = None
    restarts: int = 0
    failure: EtcdfitError | None = None  # start-up failure, reported by every test that needs it


class PerformerPool:
    def __init__(self, specs: list[PerformerSpec], log_dir: Path, root: Path | None = None, autobuild: bool = True):
        self.slots = {s.text: Slot(s) for s in specs}
        self.log_dir, self.root, self.autobuild = log_dir, root, autobuild

    def get(self, key: str) -> PerformerClient:
        """The live performer for `key`, (re)launching it if needed."""
        slot = self.slots[key]
        if slot.client is not None and slot.client.alive():
            return slot.client
        if slot.client is not None and slot.spec.address is not None:
            # Not ours to restart: every later test fails fast with the first failure.
            slot.failure = slot.client.failure or PerformerError(
                f"performer at {slot.spec.address} stopped answering; restart it and run again")
            slot.client.close()
            slot.client = None
        if slot.client is not None:  # it died: start a fresh one
            slot.client.close()
            slot.client = None
            slot.restarts += 1
            slot.failure = None
        if slot.failure is not None:
            raise slot.failure
        try:
            slot.client = self._launch(slot)
        except EtcdfitError as exc:
            slot.failure = exc
            raise
        return slot.client

    def _launch(self, slot: Slot) -> PerformerClient:
        spec = slot.spec
        if spec.address is not None:
            client = PerformerClient(spec.address)
            client.wait_ready(10.0)
            return client
        assert spec.manifest is not None
        assert spec.version is not None
        m, version = spec.manifest, spec.version
        if not builder.is_built(m, version):
            if not self.autobuild:
                raise PerformerError(f"{m.name}@{version} is not built: "
                                     f"run `etcdfit performer build {m.name}@{version}`")
            builder.build(m, version)
        return PerformerClient.launch(m, version, m.out_dir(version), self.log_dir)

    def close(self) -> None:
        for slot in self.slots.values():
            if slot.client is not None:
                slot.client.close()
                slot.client = None


#: ConnectRequest fields that say how a client proves who it is (docs/security.md).
SECURITY_FIELDS = frozenset({"tls_ca_pem", "tls_cert_pem", "tls_key_pem", "tls_server_name", "username", "password"})


@dataclass
class PerformerSession:
    """A performer with an SDK client connected to the session's etcd, for one test."""

    client: PerformerClient = field(repr=False)
    client_id: str
    spec: str
    timeout: float
    programs: list[ProgramRecord] = field(default_factory=list, repr=False)  # sent, in order
    children: list[PerformerSession] = field(default_factory=list, repr=False)  # closed with this one
    # The server's event history (Oracle.history) for checking that watches are reliable; None: not checked
    history: Callable[[bytes, bytes, int, int], list[tuple[int, bytes, int]] | None] | None = \
        field(default=None, repr=False)
    watches: dict[str, WatchChecker] = field(default_factory=dict, repr=False)
    # Under --security with TLS: (the session's etcd endpoints, the Connect fields that reach it:
    # the CA, root). Another client connected to those endpoints with no TLS or auth field of its
    # own gets them (a test that sets any of them, e.g. a security test, chose its own). Without
    # TLS a test's {} may mean "no credentials" on purpose, so an auth-only run adds nothing.
    secure_defaults: tuple[frozenset[str], dict[str, Any]] | None = field(default=None, repr=False)

    @property
    def identity(self) -> Identity:
        assert self.client.identity is not None
        return self.client.identity

    @property
    def name(self) -> str:
        return self.identity.name

    @property
    def capabilities(self) -> frozenset[str]:
        return self.identity.capabilities

    def run(self, *cmds: Cmd, timeout: float | None = None, where: str = "") -> Results:
        """Send the commands as one program, check every expectation, return the outcomes.

        `where` names the place in a spec (e.g. 'step 3, line 12') for failure records."""
        __tracebackhide__ = True
        label = self.identity.label
        self.programs.append(ProgramRecord(label, render=lambda: program_lines(cmds)))
        program = pb.Program(commands=[c.command for c in cmds])
        response = self.client.execute(self.client_id, program, timeout or self.timeout)
        outs = evaluate(cmds, response, label, f"{label}, {where}" if where else "")
        problems = self._check_watches(outs)
        if problems:
            for p in problems:
                p.where = f"{label}, {where}" if where else label
            record = ProgramRecord(label, program_lines(cmds), [f"[{i}] {o.describe()}" for i, o in enumerate(outs)])
            raise ExpectationFailed(failure_text(label, problems, record), problems, record)
        return outs

    def _check_watches(self, outs: Results) -> list[Problem]:
        """Every watch's events against etcd's watch guarantees (etcdfit.history.watch)."""
        problems: list[Problem] = []
        for i, o in enumerate(outs):
            name = o.cmd.name
            if name == "watch_start" and o.kind == "ok":
                start = o.cmd.command.watch_start
                self.watches[start.handle] = WatchChecker(start.handle, WatchRequest.of(start))
            elif name == "watch_collect" and o.kind == "ok":
                checker = self.watches.get(o.cmd.command.watch_collect.handle)
                if checker is None or not o.result.ok.watch_collect.events:
                    continue
                found = checker.feed(o.result.ok.watch_collect.events) + self._check_reliable(checker)
                for p in found:
                    p.index, p.command = i, name
                problems += found
        return problems

    def _check_reliable(self, checker: WatchChecker) -> list[Problem]:
        if self.history is None or not checker.delivered:
            return []
        req = checker.request
        until = max(e.kv.mod_revision for e in checker.delivered)
        since = checker.checked_up_to or ((req.start_revision - 1) if req.start_revision
                                          else checker.delivered[0].kv.mod_revision - 1)
        if until <= since:
            return []
        events = self.history(req.key, req.range_end, since, until)
        if events is None:  # compacted away, or not readable: nothing to compare with
            return []
        events = [e for e in events if not ((req.no_put and e[0] == pb.EVENT_TYPE_PUT)
                                            or (req.no_delete and e[0] == pb.EVENT_TYPE_DELETE))]
        checker.checked_up_to = until
        return check_reliable(checker.handle, checker.delivered, events, since, until)

    def connect(self, endpoints: list[str], **options: Any) -> PerformerSession:
        """Another SDK client on this performer, e.g. to a fault test's own server. `options` are
        ConnectRequest fields (dial_timeout_ms, request_timeout_ms, keepalive_time_ms, ...).
        Closed when this session closes; raises SdkConnectError when the SDK cannot connect."""
        outcome = self.try_connect(endpoints, **options)
        if isinstance(outcome, PerformerSession):
            return outcome
        raise SdkConnectError(outcome)

    def try_connect(self, endpoints: list[str], **options: Any) -> PerformerSession | pb.ConnectResponse:
        """Like connect, but the SDK's connect failure comes back as the ConnectResponse
        (its error and the call/return times) instead of an exception."""
        options.setdefault("request_timeout_ms", 10_000)
        if (self.secure_defaults is not None and set(endpoints) <= self.secure_defaults[0]
                and "tls_ca_pem" in self.secure_defaults[1] and not SECURITY_FIELDS & options.keys()):
            options.update(self.secure_defaults[1])
        resp = self.client.connect_response(endpoints, timeout=self.timeout, **options)
        if resp.HasField("error") or not resp.client_id:
            return resp
        child = PerformerSession(self.client, resp.client_id, self.spec, self.timeout, self.programs,
                                 secure_defaults=self.secure_defaults)
        self.children.append(child)
        return child

    def close(self) -> None:
        for child in self.children:
            child.close()
        if self.client.alive():
            try:
                # Short deadline: a performer may hold Disconnect behind a still-running
                # Execute (e.g. after Ctrl-C); teardown must not wait for it.
                self.client.disconnect(self.client_id, timeout=2.0)
            except PerformerError as exc:  # a failed disconnect must not hide the test's result
                print(f"[etcdfit] warning: {exc}", file=sys.stderr)
