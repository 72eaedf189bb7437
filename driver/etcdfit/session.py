"""Per-run state behind the pytest plugin: etcd, oracle, performers, known failures, results.

plugin.py holds options, fixtures and markers and hands everything else to a `Session`;
this module imports nothing from the plugin.
"""

from __future__ import annotations

import fnmatch
import os
import time
from collections.abc import Generator
from pathlib import Path
from typing import Any

import pytest

from . import capabilities as caps
from .errors import EtcdfitError, EtcdServerError, ExpectationFailed, PerformerError
from .outcomes import Kind, Problem
from .performer.client import CONNECT_TIMEOUT, SdkConnectError
from .performer.pool import PerformerPool, PerformerSession, PerformerSpec
from .report import recording
from .report.model import ResultsDoc, TestRecord
from .servers.cluster import Cluster
from .servers.embedded import EtcdServer

#: The ClusterLab of the running test, if it asked for one (checked after its body).
CLUSTER_LAB = pytest.StashKey[Any]()

#: The session's server: one member (or an external cluster) or a cluster etcdfit started.
Server = EtcdServer | Cluster

NO_PERFORMER = "no-performer"   # the parameter of performer tests in a run that chose none


class Session:
    """Everything one pytest process needs across tests (one per xdist worker)."""

    def __init__(self, config: pytest.Config):
        self.config = config
        opt = config.option
        root = self.root = Path(opt.performers_root).resolve() if opt.performers_root else None
        kf_dir = Path(opt.known_failures_dir) if opt.known_failures_dir else None
        self.specs: list[PerformerSpec] = []
        for text in opt.performer:
            try:
                self.specs.append(PerformerSpec.parse(text, root))
            except EtcdfitError as exc:
                raise pytest.UsageError(f"--performer {text}: {exc}") from None
        for address in opt.performer_address:
            try:
                self.specs.append(PerformerSpec.at(address))
            except EtcdfitError as exc:
                raise pytest.UsageError(f"--performer-address {address}: {exc}") from None
        self.spec_keys = [s.text for s in self.specs]
        if len(set(self.spec_keys)) != len(self.spec_keys):
            raise pytest.UsageError(f"a performer is given twice: {', '.join(self.spec_keys)}")
        self.catalog = caps.load_catalog()
        self.capability_filter: list[str] = list(opt.capability or [])
        for pattern in self.capability_filter:
            if not any(fnmatch.fnmatchcase(cid, pattern) for cid in self.catalog.meanings):
                try:
                    self.catalog.check([pattern], "--capability")
                except EtcdfitError as exc:
                    raise pytest.UsageError(str(exc)) from None
        self.known: dict[str, list[caps.KnownFailure]] = {}
        self.flaky: dict[str, list[caps.KnownFailure]] = {}
        for spec in self.specs:
            try:  # the identity an address performer reported picks its lists, as a name does
                self.known[spec.text] = caps.load_known_failures(spec.sdk_name, kf_dir, spec.version)
                self.flaky[spec.text] = caps.load_known_failures(spec.sdk_name, kf_dir, spec.version, flaky=True)
                if opt.topology != "single":  # what only that topology shows: <performer>@<topology>.txt
                    self.known[spec.text] += caps.load_known_failures(spec.sdk_name, kf_dir, opt.topology,
                                                                      versioned_only=True)
            except EtcdfitError as exc:
                raise pytest.UsageError(str(exc)) from None
        self.server_version = self._server_version()
        self.server_known: list[caps.KnownFailure] = []
        self.server_flaky: list[caps.KnownFailure] = []
        if self.server_version:
            # the server's own bugs, for every performer: capabilities/known-failures/etcd@VERSION.txt,
            # and those only a topology shows: etcd@VERSION.TOPOLOGY.txt (e.g. etcd@3.6.16.cluster3.txt)
            releases = [self.server_version]
            if opt.topology != "single":
                releases.append(f"{self.server_version}.{opt.topology}")
            try:
                for release in releases:
                    self.server_known += caps.load_known_failures("etcd", kf_dir, release, versioned_only=True)
                    self.server_flaky += caps.load_known_failures("etcd", kf_dir, release, flaky=True,
                                                                  versioned_only=True)
            except EtcdfitError as exc:
                raise pytest.UsageError(str(exc)) from None
        self.log_dir = log_dir(config)
        from .servers.security import Security

        self.security: Security = opt.security or Security()   # of the session's etcd (--security)
        self._certs: Any = None   # etcdfit.servers.certs.Certs, made on first use
        self.pool = PerformerPool(self.specs, self.log_dir, root, autobuild=not opt.no_build)
        self._etcd: Server | None = None
        self._oracle: Any = None
        self._toxiproxy: Any = None   # etcdfit.faults.Toxiproxy, started by the first fault test
        self._replacements = 0        # times the session's etcd died or froze and was replaced
        self._server_broken: str | None = None  # set when it keeps dying: the rest fail at once
        self._labs = 0
        self._checked_identities: set[str] = set()
        self.records: list[TestRecord] = []
        self.performers: dict[str, dict[str, Any]] = {}
        self.started = time.time()

    def _server_version(self) -> str:
        """The exact release of the server this run will use, known before collection: read from
        the binary (`etcd --version`), or asked of an existing cluster. '' when it cannot be told."""
        from .servers import catalog

        opt = self.config.option
        try:
            if opt.etcd_endpoints:
                from .oracle import Oracle

                o = Oracle(opt.etcd_endpoints.split(",")[0])
                try:
                    return str(o.status(timeout=5).version)
                finally:
                    o.close()
            binary = catalog.resolve(opt.etcd, autobuild=not opt.no_build, quiet=True)
            return catalog.binary_version(binary)
        except EtcdfitError:
            return ""  # reported where the server is started

    # ---------------------------------------------------------------- collection

    def on_collected(self, items: list[pytest.Item]) -> list[pytest.Item]:
        """Check capability ids, apply --capability and the known-failure lists. Returns deselected items."""
        for item in items:
            for mark in item.iter_markers("requires"):
                if any(not isinstance(a, str) for a in mark.args):
                    raise pytest.UsageError(f"test {item.nodeid}: requires(...) takes capability ids as separate "
                                            f"strings, e.g. @pytest.mark.requires(\"kv.put\", \"txn\"); "
                                            f"got {mark.args!r}")
                try:
                    self.catalog.check(mark.args, f"test {item.nodeid}")
                except EtcdfitError as exc:
                    raise pytest.UsageError(str(exc)) from None
        from .servers.requirements import SECURITY_KEYS

        for item in items:  # a security requirement is met only by the test's own server
            asks = any(SECURITY_KEYS & set(m.kwargs) for m in item.iter_markers("server"))
            if asks and "secure_etcd" not in getattr(item, "fixturenames", ()):
                raise pytest.UsageError(f"test {item.nodeid} asks for a server with security (server(tls=..., "
                                        "auth=...)) but does not use the secure_etcd fixture, which gives it one")
        deselected = []
        if self.capability_filter:
            keep = []
            for item in items:
                needs = [i for m in item.iter_markers("requires") for i in m.args]
                if any(fnmatch.fnmatchcase(n, p) for n in needs for p in self.capability_filter):
                    keep.append(item)
                else:
                    deselected.append(item)
            items[:] = keep
        if self.specs or not items:
            pass
        elif any(performer_param(i) == NO_PERFORMER for i in items):
            from .performer import manifest

            raise pytest.UsageError(
                "no performer selected: these tests run against an SDK performer. Choose one with "
                f"--performer NAME[@VERSION] (available: {', '.join(manifest.available(self.root))}) "
                "or --performer-address HOST:PORT; `etcdfit performer list` shows versions")
        for item in items:
            spec = performer_param(item)
            entry = caps.find_known_failure(self.known.get(spec, []), item.nodeid, spec) if spec else None
            if entry is None and spec:
                entry = caps.find_known_failure(self.server_known, item.nodeid, spec)
                if entry is not None:
                    entry.matched.append(item.nodeid)
                    item.add_marker(pytest.mark.xfail(
                        reason=f"known server failure of etcd {self.server_version} ({entry.where}): "
                        f"{entry.reason} -- if this test now passes, remove that line", strict=True))
                    continue
            if entry is not None:
                entry.matched.append(item.nodeid)
                # a server entry for the same test is in use too (other performers of a cell may need it)
                covered = caps.find_known_failure(self.server_known, item.nodeid, spec) if spec else None
                if covered is not None:
                    covered.matched.append(item.nodeid)
                item.add_marker(pytest.mark.xfail(
                    reason=f"known failure ({entry.where}): {entry.reason} "
                    "-- if this test now passes, remove that line", strict=True))
                continue
            flaky = caps.find_known_failure(self.flaky.get(spec, []) + self.server_flaky, item.nodeid, spec) \
                if spec else None
            if flaky is not None:  # a failure is reported as flaky; a pass is a pass
                flaky.matched.append(item.nodeid)
                item.add_marker(pytest.mark.xfail(
                    reason=f"flaky ({flaky.where}): {flaky.reason} -- its outcome does not decide the run",
                    strict=False))
        from . import participants

        participants.match(items, self.known, self.flaky)  # cross-SDK tests: decided after the body
        self._check_unmatched(items)
        return deselected

    def _check_unmatched(self, items: list[pytest.Item]) -> None:
        """A known-failure pattern that matches nothing fails a run that collected its whole folder.

        A pattern is in scope when the folders given on the command line contain its file (a run
        of tests/conformance/specs cannot tell about a pattern for tests/conformance/test_kv.py);
        a run narrowed by -k, -m, --lf or --capability cannot tell at all."""
        opt = self.config.option
        narrowed = self.capability_filter or opt.keyword or opt.markexpr or getattr(opt, "lf", False) \
            or getattr(opt, "last_failed", False)
        args = [Path(a.split("::")[0]) for a in self.config.args]
        if narrowed or not all(a.is_dir() for a in args):
            return
        root = self.config.rootpath
        folders = [a.resolve() for a in args]

        def in_scope(entry: caps.KnownFailure) -> bool:
            file = entry.pattern.split("::")[0]
            if any(c in file for c in "*?["):  # a glob: judged by its fixed leading folders
                fixed = [p for p in Path(file).parts if not any(c in p for c in "*?[")]
                target = (root / Path(*fixed)).resolve() if fixed else root.resolve()
                return any(target == f or f in target.parents or target in f.parents for f in folders)
            target = (root / file).resolve()
            if not target.parent.is_dir():  # a folder this checkout does not have
                return False
            return any(target == f or f in target.parents for f in folders)

        groups = [(f"known-failure patterns for {spec}", self.known[spec] + self.flaky.get(spec, []))
                  for spec in self.known if any(performer_param(i) == spec or is_cross_sdk(i) for i in items)]
        if self.specs and any(performer_param(i) for i in items):
            groups.append((f"known server failures of etcd {self.server_version}",
                           self.server_known + self.server_flaky))
        for title, entries in groups:
            stale = [e for e in entries if not e.matched and in_scope(e)]
            if stale:
                lines = "\n".join(f"  {e.where}: {e.pattern}" for e in stale)
                raise pytest.UsageError(f"{title} match no test:\n{lines}\n"
                                        "Fix the pattern, or delete the line if the test was renamed or removed.")

    # ---------------------------------------------------------------- servers

    def etcd(self) -> Server:
        """The session's server, started on first use: --etcd as one member, or as a 3-member
        cluster under --topology cluster3, or the --etcd-endpoints cluster."""
        if self._etcd is None:
            from .oracle import Oracle
            from .servers import cluster, embedded

            opt = self.config.option
            try:
                if opt.etcd_endpoints:
                    eps = opt.etcd_endpoints.split(",")  # checked and normalised by the plugin
                    o = Oracle(eps[0])
                    self._etcd = EtcdServer(eps, version=o.wait_ready(15).version,
                                            topology=f"cluster{len(eps)}" if len(eps) > 1 else "single")
                    o.close()
                elif self.security.on:
                    from .servers import catalog, secure

                    binary = catalog.resolve(opt.etcd, autobuild=not opt.no_build)
                    self._etcd = secure.start(binary, self.log_dir, self.security, self.certs(),
                                              members=3 if opt.topology == "cluster3" else 1)
                elif opt.topology == "cluster3":
                    self._etcd = cluster.start_cluster_version(opt.etcd, self.log_dir, 3,
                                                               autobuild=not opt.no_build)
                else:
                    self._etcd = embedded.start_version(opt.etcd, self.log_dir, autobuild=not opt.no_build)
            except EtcdfitError as exc:
                pytest.exit(f"etcdfit: cannot get an etcd server: {exc}", returncode=3)
        return self._etcd

    def cluster(self, node: pytest.Item) -> Cluster:
        """The session's cluster (--topology cluster3); skips the test in any other run, with the
        test's unmet server requirement as the reason when it has one."""
        server = self.etcd()
        self._check_server(node)
        if not isinstance(server, Cluster):
            how = ("an existing cluster (--etcd-endpoints) is not one etcdfit can inspect member by member"
                   if self.config.option.etcd_endpoints else "this run's etcd is a single member")
            pytest.skip(f"the test needs a cluster etcdfit started (--topology cluster3); {how}")
        return server

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_call(self, item: pytest.Item) -> Generator[None, None, None]:
        """Right after every test body (YAML spec cases too): the cluster check below, in the call
        phase so a known failure of the run's server and topology can cover a divergence. When the
        body itself failed, the cluster is still checked and recreated, and the body's failure stands."""
        failed = False
        try:
            return (yield)
        except BaseException:
            failed = True
            raise
        finally:
            try:
                self.check_members_agree(item)
            except ExpectationFailed:
                if not failed:
                    raise

    def check_members_agree(self, node: pytest.Item) -> None:
        """After a test on the session's cluster: its members' HashKV must agree. When they do
        not (a server bug let the stores diverge), the cluster is recreated empty, so later tests
        start from agreement, and the test fails naming each member and its hash."""
        lab = node.stash.get(CLUSTER_LAB, None)
        if lab is not None:
            self._check_lab_agrees(lab)
        server = self._etcd
        if not isinstance(server, Cluster) or server.exited():
            return
        try:
            problem = server.disagreement()
        except EtcdfitError:
            return   # a member is down or frozen: the server-fault check names it
        if problem is None:
            return
        try:
            server.recreate()
        except EtcdfitError as exc:
            self._server_broken = f"{problem}\nrecreating the cluster failed: {exc}"
        raise ExpectationFailed(problem, [Problem(Kind.SERVER_FAULT, problem, command="hashkv",
                                                  expected="the same HashKV on every member", where="etcd")])

    @staticmethod
    def _check_lab_agrees(lab: Any) -> None:
        """A cluster fault test's own cluster, once its faults are undone (links healed, paused
        members continued, killed ones restarted): every member must serve a quorum read and
        report the same revision and HashKV. Runs while the test's known failures still apply."""
        try:
            lab.settle()
            problem = lab.disagreement()
        except EtcdfitError as exc:
            problem = f"the cluster did not recover once its faults were undone: {exc}"
        if problem is not None:
            raise ExpectationFailed(problem, [Problem(Kind.SERVER_FAULT, problem, command="hashkv",
                                                      expected="the same HashKV on every member", where="etcd")])

    def cluster_lab(self, node: pytest.Item) -> Any:
        """A ClusterLab for this test: its own 3-member cluster of the session's etcd version, every
        client and peer link behind a proxy. Runs under --topology cluster3 only (like every test
        of tests/conformance/cluster), so a single-member run stays as fast as it was."""
        from .faults import Toxiproxy
        from .faults.cluster_lab import ClusterLab
        from .servers import catalog

        opt = self.config.option
        self.cluster(node)   # skips outside --topology cluster3, names why
        self._check_server(node)
        try:
            if self._toxiproxy is None:
                self._toxiproxy = Toxiproxy(self.log_dir)
            binary = Path(opt.etcd) if Path(opt.etcd).is_file() else catalog.resolve(opt.etcd,
                                                                                      autobuild=not opt.no_build)
            options: dict[str, Any] = {}
            for m in node.iter_markers("cluster_lab"):
                options.update(m.kwargs)
            lab = ClusterLab(binary, self.log_dir, self._toxiproxy, **options)
        except EtcdfitError as exc:
            pytest.fail(f"could not set up the test's own cluster and proxies: {exc}", pytrace=False)
        node.stash[recording.TIMELINE] = lab.timeline
        node.stash[CLUSTER_LAB] = lab
        return lab

    def oracle(self) -> Any:
        """The session's oracle; on a cluster it talks to member 0 (the first endpoint) and, after
        each write, waits until the other members have applied it (Oracle, settle_on)."""
        if self._oracle is None:
            from .oracle import Oracle

            eps = self.etcd().endpoints
            self._oracle = Oracle(eps[0], settle_on=tuple(eps[1:]))
        return self._oracle

    # ---------------------------------------------------------------- performers

    def open_session(self, key: str, node: pytest.Item) -> PerformerSession:
        if key == NO_PERFORMER:
            pytest.skip("no performer chosen: pass --performer NAME")
        try:
            client = self.pool.get(key)
        except EtcdfitError as exc:
            pytest.fail(f"performer {key} is not usable: {exc}", pytrace=False)
        ident = client.identity
        assert ident is not None
        if ident.label not in self._checked_identities:
            try:
                self.catalog.check(ident.capabilities, f"performer {ident.label} (Describe)")
            except EtcdfitError as exc:
                pytest.fail(str(exc), pytrace=False)
            self._checked_identities.add(ident.label)
        info = {"spec": key, "name": ident.name, "sdk_version": ident.sdk_version,
                "language": ident.language, "capabilities": sorted(ident.capabilities),
                "etcd_version": self.etcd().version, "topology": self.etcd().topology,
                "security": self.security.label}
        node.stash[recording.IDENTITY] = info
        self._check_server(node)
        required = [i for m in node.iter_markers("requires") for i in m.args]
        required += [c for c in self._security_capabilities() if c not in required]
        lacking = caps.missing(required, ident.capabilities)
        if lacking:
            pytest.skip(caps.skip_reason(ident.name, ident.sdk_version, lacking))
        try:
            # --program-timeout bounds Connect too (never above the usual 30 s): a stalled one ends
            client_id = client.connect(self.etcd().endpoints,
                                       timeout=min(CONNECT_TIMEOUT, self.config.option.program_timeout),
                                       **self._session_connect_options())
        except PerformerError as exc:  # the performer broke (crashed, stalled), not the SDK's dial
            pytest.fail(f"performer {key} failed during Connect: {exc}", pytrace=False)
        except SdkConnectError as exc:  # the SDK itself could not connect to a healthy etcd
            problem = Problem(Kind.UNEXPECTED_ERROR, "the SDK could not connect to the session's etcd",
                              command="connect", expected="a client", actual=str(exc), where=ident.label)
            raise ExpectationFailed(f"{ident.label}: {exc}", [problem]) from None
        except EtcdfitError as exc:
            pytest.fail(f"performer {key} could not connect to etcd: {exc}", pytrace=False)
        secure = self._session_connect_options()
        session = PerformerSession(client, client_id, key, self.config.option.program_timeout,
                                   history=self.oracle().history,
                                   secure_defaults=(frozenset(self.etcd().endpoints), secure) if secure else None)
        node.stash[recording.PROGRAMS] = session.programs
        node.stash[recording.LOG_TAIL] = lambda: client.log_tail(30)
        return session

    # ---------------------------------------------------------------- a server that dies by itself

    MAX_REPLACEMENTS = 3

    def pytest_runtest_setup(self, item: pytest.Item) -> None:
        """Before a test: a session etcd that died since the last test is replaced, or, once it
        has died too often, the test fails at once as a server fault."""
        if self._server_broken is not None and "etcd" in getattr(item, "fixturenames", ()):
            raise EtcdServerError(f"the session's etcd keeps failing; not started again: {self._server_broken}")
        s = self._etcd
        if s is not None and s.exited():
            self.replace_server(s.health() or "it exited")

    def server_fault(self, item: pytest.Item) -> str | None:
        """After a failed test that used the session's etcd: what is wrong with the server, if
        anything (dead, or no answer within 2 s); the server is then replaced for the next test."""
        s = self._etcd
        if s is None or "etcd" not in getattr(item, "fixturenames", ()):
            return None
        problem = s.health()
        if problem is not None and s.managed:
            self.replace_server(problem)
        return problem

    def replace_server(self, reason: str) -> None:
        s = self._etcd
        assert s is not None
        self._replacements += 1
        if self._replacements > self.MAX_REPLACEMENTS:
            self._server_broken = reason
            return
        try:
            s.replace()
        except EtcdfitError as exc:
            self._server_broken = f"{reason}\nreplacing it failed: {exc}"

    def fault_lab(self, node: pytest.Item) -> Any:
        """A FaultLab for this test: its own etcd (the session's version) behind a toxiproxy link."""
        from .faults import FaultLab, Toxiproxy
        from .servers import catalog

        opt = self.config.option
        if opt.etcd_endpoints:
            pytest.skip("fault tests need an etcd that etcdfit starts, kills and restarts; "
                        "not available with --etcd-endpoints")
        self.etcd()  # the session's server first: a test's server requirements are checked against it
        self._check_server(node)
        try:
            if self._toxiproxy is None:
                self._toxiproxy = Toxiproxy(self.log_dir)
            binary = Path(opt.etcd) if Path(opt.etcd).is_file() else catalog.resolve(opt.etcd,
                                                                                      autobuild=not opt.no_build)
            self._labs += 1
            lab = FaultLab(binary, self.log_dir, self._toxiproxy, f"lab{os.getpid()}-{self._labs}")
        except EtcdfitError as exc:
            pytest.fail(f"could not set up the fault test's own server and proxy: {exc}", pytrace=False)
        node.stash[recording.TIMELINE] = lab.timeline
        return lab

    # ---------------------------------------------------------------- security (docs/security.md)

    def certs(self) -> Any:
        """The run's certificates (this worker's), made on first use under the log dir."""
        if self._certs is None:
            from .servers import certs

            self._certs = certs.generate(self.log_dir / "certs")
        return self._certs

    def _security_capabilities(self) -> list[str]:
        """What a performer needs to reach the session's etcd under --security."""
        sec = self.security
        return (["connect.tls"] if sec.tls else []) + (["connect.tls.client_cert"] if sec.client_cert_auth
                                                        else []) + (["auth.basic"] if sec.auth else [])

    def _session_connect_options(self) -> dict[str, Any]:
        """Connect fields for the session's etcd: TLS with the run's CA, and root under auth."""
        from .servers.secure import connect_options
        from .servers.security import ROOT_PASSWORD

        sec = self.security
        if not sec.on:
            return {}
        return connect_options(sec, self.certs() if sec.tls else None, user="root" if sec.auth else "",
                               password=ROOT_PASSWORD if sec.auth else "",
                               client_cert="root" if sec.client_cert_auth else None)

    def secure_etcd(self, node: pytest.Item) -> Any:
        """A SecureEtcd for this test (see the secure_etcd fixture)."""
        from .servers import catalog, secure
        from .servers.security import Security

        opt = self.config.option
        wanted = None
        for m in node.iter_markers("server"):
            try:
                wanted = Security.of(m.kwargs) or wanted
            except EtcdfitError as exc:
                raise pytest.UsageError(f"test {node.nodeid}: {exc}") from None
        if wanted is None:
            raise pytest.UsageError(f"test {node.nodeid} uses secure_etcd but asks for no security: mark it "
                                    "@pytest.mark.server(tls=True) and/or server(auth='simple'|'jwt')")
        if opt.etcd_endpoints:
            pytest.skip("tests of servers with security need an etcd that etcdfit starts; "
                        "not available with --etcd-endpoints")
        server = self.etcd()
        self._check_server(node)
        if self.security.satisfies(wanted):
            return secure.SecureEtcd(server, self.security, self._certs, own=False)
        try:
            binary = Path(opt.etcd) if Path(opt.etcd).is_file() else catalog.resolve(opt.etcd,
                                                                                      autobuild=not opt.no_build)
            certs = self.certs() if wanted.tls or wanted.auth == "jwt" else None
            own = secure.start(binary, self.log_dir, wanted, certs)
        except EtcdfitError as exc:
            pytest.fail(f"could not start the test's own server with security {wanted.label}: {exc}",
                        pytrace=False)
        return secure.SecureEtcd(own, wanted, certs, own=True)

    def _check_server(self, node: pytest.Item) -> None:
        """Skip when the session's etcd does not meet the test's `server(...)` requirements.
        Security requirements are met by a server of the test's own (secure_etcd), not checked here."""
        from .servers.requirements import SECURITY_KEYS, unmet

        reasons = [r for m in node.iter_markers("server")
                   for r in unmet(self.etcd(), **{k: v for k, v in m.kwargs.items() if k not in SECURITY_KEYS})]
        if reasons:
            pytest.skip("; ".join(reasons))

    # ---------------------------------------------------------------- results

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        rec = recording.record(report)
        if rec is not None:
            self.records.append(rec)
            info = recording.performer_of(report)
            if info is not None:
                self.performers.setdefault(info["spec"], info)

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        self.write_results()

    def write_results(self) -> None:
        path = self.config.option.etcdfit_json
        if not path or hasattr(self.config, "workerinput"):
            return
        topology = next((p["topology"] for p in self.performers.values() if p.get("topology")), "single")
        ResultsDoc.from_records(self.records, self.performers, started=self.started,
                                etcd=self._etcd_info(), topology=topology).write(Path(path))

    def _etcd_info(self) -> dict[str, Any]:
        if self._etcd is not None:
            return {"endpoints": self._etcd.endpoints, "version": self._etcd.version,
                    "topology": self._etcd.topology, "security": self.security.label}
        # Under xdist each worker has its own etcd; the performer identities carry its version.
        versions = sorted({p.get("etcd_version", "") for p in self.performers.values()} - {""})
        shapes = sorted({p.get("topology", "") for p in self.performers.values()} - {""})
        return {"endpoints": [], "version": ", ".join(versions), "topology": ", ".join(shapes) or "single",
                "security": self.security.label}

    def close(self) -> None:
        self.pool.close()
        if self._toxiproxy is not None:
            self._toxiproxy.close()
        if self._oracle is not None:
            self._oracle.close()
        if self._etcd is not None:
            self._etcd.stop()


def is_cross_sdk(item: pytest.Item) -> bool:
    from .participants import is_cross_sdk as cross

    return cross(item)


def performer_param(item: pytest.Item) -> str | None:
    callspec = getattr(item, "callspec", None)
    return callspec.params.get("performer") if callspec is not None else None


def log_dir(config: pytest.Config) -> Path:
    """Where performer and server logs go: $ETCDFIT_LOG_DIR, or .etcdfit/logs/<run> (old runs pruned)."""
    env = os.environ.get("ETCDFIT_LOG_DIR")
    if env:
        path = Path(env)
        path.mkdir(parents=True, exist_ok=True)
        return path
    from . import paths

    base = paths.repo_root() / ".etcdfit" / "logs"
    base.mkdir(parents=True, exist_ok=True)
    worker = getattr(config, "workerinput", {}).get("workerid", "main")
    path = base / f"{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}-{worker}"
    path.mkdir(parents=True, exist_ok=True)
    keep = 20
    runs = sorted(p for p in base.iterdir() if p.is_dir())
    for old in runs[:-keep]:
        import shutil

        shutil.rmtree(old, ignore_errors=True)
    return path
