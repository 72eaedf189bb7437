"""Per-run state behind the pytest plugin: etcd, oracle, performers, known failures, results."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from . import capabilities as caps
from .errors import EtcdfitError
from .performer.pool import PerformerPool, PerformerSession, PerformerSpec
from .servers.embedded import EtcdServer


class Run:
    def __init__(self, config: pytest.Config):
        from .plugin import default_log_dir

        self.config = config
        opt = config.option
        self.specs = [PerformerSpec.parse(s) for s in opt.performer] + [
            PerformerSpec.at(a) for a in opt.performer_address
        ]
        self.spec_keys = [s.text for s in self.specs]
        if len(set(self.spec_keys)) != len(self.spec_keys):
            raise pytest.UsageError(f"a performer is given twice: {self.spec_keys}")
        root = Path(opt.performers_root).resolve() if opt.performers_root else None
        self.log_dir = default_log_dir()
        self.pool = PerformerPool(self.specs, self.log_dir, root, autobuild=not opt.no_build)
        self.catalog = caps.load_catalog()
        self._etcd: EtcdServer | None = None
        self._oracle = None
        self._checked_identities: set[str] = set()
        self.known: dict[str, list[caps.KnownFailure]] = {}
        self.flaky: dict[str, list[caps.KnownFailure]] = {}
        self.records: list[dict] = []
        self.started = time.time()
        self._validate_specs(root)

    def _validate_specs(self, root: Path | None) -> None:
        from .performer import manifest

        for spec in self.specs:
            if spec.name is None:
                continue
            try:
                m = manifest.load(spec.name, root)
                m.resolve_version(spec.version)
            except EtcdfitError as exc:
                raise pytest.UsageError(f"--performer {spec.text}: {exc}") from None
            kf_dir = Path(self.config.option.known_failures_dir) if self.config.option.known_failures_dir else None
            try:
                version = m.resolve_version(spec.version)
                self.known[spec.text] = caps.load_known_failures(spec.name, kf_dir, version)
                self.flaky[spec.text] = caps.load_known_failures(spec.name, kf_dir, version, flaky=True)
            except EtcdfitError as exc:
                raise pytest.UsageError(str(exc)) from None

    # ---------------------------------------------------------------- collection

    def on_collected(self, items: list[pytest.Item]) -> None:
        for item in items:
            for mark in item.iter_markers("requires"):
                try:
                    self.catalog.check(mark.args, f"test {item.nodeid}")
                except EtcdfitError as exc:
                    raise pytest.UsageError(str(exc)) from None
        for item in items:
            spec = _performer_param(item)
            entry = caps.find_known_failure(self.known.get(spec, []), item.nodeid, spec) if spec else None
            if entry is not None:
                entry.matched.append(item.nodeid)
                item.add_marker(pytest.mark.xfail(
                    reason=f"known failure ({entry.where}): {entry.reason} "
                    "-- if this test now passes, remove that line", strict=True))
                continue
            flaky = caps.find_known_failure(self.flaky.get(spec, []), item.nodeid, spec) if spec else None
            if flaky is not None:  # a failure is reported as flaky; a pass is a pass
                flaky.matched.append(item.nodeid)
                item.add_marker(pytest.mark.xfail(
                    reason=f"flaky ({flaky.where}): {flaky.reason} -- its outcome does not decide the run",
                    strict=False))
        self._check_unmatched(items)

    def _check_unmatched(self, items: list[pytest.Item]) -> None:
        full_run = all(Path(a.split("::")[0]).is_dir() for a in self.config.args)
        if not full_run:
            return
        for spec in self.known:
            entries = self.known[spec] + self.flaky.get(spec, [])
            if not any(_performer_param(i) == spec for i in items):
                continue
            stale = [e for e in entries if not e.matched]
            if stale:
                lines = "\n".join(f"  {e.where}: {e.pattern}" for e in stale)
                raise pytest.UsageError(
                    f"known-failure patterns for {spec} match no test:\n{lines}\n"
                    "Fix the pattern, or delete the line if the test was renamed or removed."
                )

    # ---------------------------------------------------------------- servers

    def etcd(self) -> EtcdServer:
        if self._etcd is None:
            from .oracle import Oracle
            from .servers import embedded

            opt = self.config.option
            try:
                if opt.etcd_endpoints:
                    eps = [e.strip() for e in opt.etcd_endpoints.split(",") if e.strip()]
                    o = Oracle(eps[0])
                    self._etcd = EtcdServer(eps, version=o.wait_ready(15).version)
                    o.close()
                else:
                    self._etcd = embedded.start_version(opt.etcd, self.log_dir, autobuild=not opt.no_build)
            except EtcdfitError as exc:
                pytest.exit(f"etcdfit: cannot get an etcd server: {exc}", returncode=3)
        return self._etcd

    def oracle(self):
        if self._oracle is None:
            from .oracle import Oracle

            self._oracle = Oracle(self.etcd().endpoints[0])
        return self._oracle

    # ---------------------------------------------------------------- performers

    def open_session(self, key: str, node: pytest.Item) -> PerformerSession:
        from .plugin import _LOG_TAIL, _PROGRAMS, _SESSION_INFO, NONE_SPEC

        if key == NONE_SPEC:
            from .performer import manifest

            pytest.skip(f"no performer chosen: pass --performer NAME (available: {', '.join(manifest.available())})")
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
                "etcd_version": self.etcd().version}
        node.stash[_SESSION_INFO] = info
        self._check_server(node)
        required = [i for m in node.iter_markers("requires") for i in m.args]
        lacking = caps.missing(required, ident.capabilities)
        if lacking:
            pytest.skip(caps.skip_reason(ident.name, ident.sdk_version, lacking))
        try:
            client_id = client.connect(self.etcd().endpoints)
        except EtcdfitError as exc:
            pytest.fail(f"performer {key} could not connect to etcd: {exc}", pytrace=False)
        session = PerformerSession(client, client_id, key, self.config.option.program_timeout)
        node.stash[_PROGRAMS] = session.programs
        node.stash[_LOG_TAIL] = lambda: client.log_tail(30)
        return session

    def _check_server(self, node: pytest.Item) -> None:
        """Skip when the session's etcd does not meet the test's `server(...)` requirements."""
        from .servers.requirements import unmet

        reasons = [r for m in node.iter_markers("server") for r in unmet(self.etcd(), **m.kwargs)]
        if reasons:
            pytest.skip("; ".join(reasons))

    # ---------------------------------------------------------------- results

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        rec = _record(report)
        if rec is not None:
            self.records.append(rec)

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        path = self.config.option.etcdfit_json
        if not path or hasattr(self.config, "workerinput"):
            return
        from .report.results import write_results

        write_results(Path(path), self.records, started=self.started,
                      etcd=self._etcd_info())

    def _etcd_info(self) -> dict:
        if self._etcd is not None:
            return {"endpoints": self._etcd.endpoints, "version": self._etcd.version}
        # Under xdist each worker has its own etcd; the records carry its version.
        versions = sorted({(r["performer"] or {}).get("etcd_version", "") for r in self.records} - {""})
        return {"endpoints": [], "version": ", ".join(versions)}

    def close(self) -> None:
        self.pool.close()
        if self._oracle is not None:
            self._oracle.close()
        if self._etcd is not None:
            self._etcd.stop()


def _performer_param(item: pytest.Item) -> str | None:
    callspec = getattr(item, "callspec", None)
    return callspec.params.get("performer") if callspec is not None else None


def _record(report: pytest.TestReport) -> dict | None:
    """One JSON record per test, from its decisive phase."""
    props = dict(report.user_properties)
    xfail = getattr(report, "wasxfail", None)
    flaky = xfail is not None and str(xfail).startswith("flaky")
    if report.when == "call":
        if report.passed:
            outcome = "passed"
        elif report.skipped and xfail is not None:
            outcome = "flaky" if flaky else "known_failure"
        elif report.failed and "XPASS(strict)" in str(report.longrepr):
            outcome = "failed"
            props.setdefault("etcdfit_class", "known_failure_passed")
        else:
            outcome = "failed" if report.failed else "skipped"
    elif report.when == "setup" and not report.passed:
        outcome = "skipped" if report.skipped else "error"
        if report.skipped and xfail is not None:
            outcome = "flaky" if flaky else "known_failure"
    elif report.when == "teardown" and report.failed:
        outcome = "error"
    else:
        return None
    message = ""
    if report.skipped and isinstance(report.longrepr, tuple):
        message = str(report.longrepr[2])
    elif xfail is not None:
        message = str(xfail)
    elif report.failed:
        message = str(report.longreprtext)[-4000:]
    performer = json.loads(props["etcdfit_performer"]) if "etcdfit_performer" in props else None
    cell = f"{performer['name']}@{performer['sdk_version']} | etcd {performer.get('etcd_version', '?')}" if performer else None
    return {
        "cell": cell,
        "nodeid": report.nodeid,
        "test": caps.base_test_id(report.nodeid, performer["spec"]) if performer else report.nodeid,
        "performer": performer,
        "phase": report.when,
        "outcome": outcome,
        "duration_s": round(report.duration, 4),
        "classification": props.get("etcdfit_class") if outcome in ("failed", "error") else None,
        "program": props.get("etcdfit_program", ""),
        "message": message,
        "log_tail": props.get("etcdfit_log_tail", "") if outcome in ("failed", "error") else "",
    }
