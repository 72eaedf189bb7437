"""The etcd server catalog: resolution and errors (fast, nothing built), and one start-up
test per catalog version that runs only when that server is already built or installed."""

import stat

import pytest

from etcdfit.errors import EtcdServerError
from etcdfit.oracle import Oracle
from etcdfit.servers import catalog, embedded
from etcdfit.servers.catalog import ServerNotInstalled, UnknownServerVersion


@pytest.fixture
def empty_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("ETCDFIT_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache"


@pytest.mark.parametrize(
    "spec, key, kind, version",
    [
        ("embedded", "3.5.1", "distro", "3.5.1"),
        ("distro", "3.5.1", "distro", "3.5.1"),
        ("3.5.1", "3.5.1", "distro", "3.5.1"),
        ("3.4", "3.4", "apt", "3.4.23"),
        ("debian", "3.4", "apt", "3.4.23"),
        ("3.5", "3.5", "go", "3.5.35"),
        ("3.5.x", "3.5", "go", "3.5.35"),
        ("3.6", "3.6", "go", "3.6.16"),
        ("3.6.16", "3.6", "go", "3.6.16"),
        ("3.7.x", "3.7", "go", "3.7.3"),
        ("3.6.12", "3.6.12", "go", "3.6.12"),  # an exact release of a Go line: an ad-hoc build
        ("v3.7.0-rc.0", "3.7.0-rc.0", "go", "3.7.0-rc.0"),
    ],
)
def test_lookup(spec, key, kind, version):
    entry = catalog.lookup(spec)
    assert (entry.key, entry.kind, entry.version) == (key, kind, version)


@pytest.mark.parametrize("spec", ["3.9", "3.8.0", "3.3.25", "4", "latest", ""])
def test_unknown_version_lists_known_ones(spec):
    with pytest.raises(UnknownServerVersion) as exc:
        catalog.lookup(spec)
    msg = str(exc.value)
    assert msg.startswith(f"unknown etcd server version {spec!r}; known: 3.5.1, 3.4, 3.5, 3.6, 3.7")
    assert "embedded" in msg and "path to an etcd binary" in msg
    with pytest.raises(UnknownServerVersion):
        catalog.resolve(spec)


def test_catalog_keys_and_aliases_are_unique():
    names = [n for e in catalog.CATALOG for n in e.names]
    assert len(names) == len(set(names))
    assert catalog.lookup(catalog.DEFAULT).kind == "distro"


def test_embedded_resolves_to_the_wheel():
    assert catalog.resolve("embedded") == embedded.distro_binary()
    assert catalog.is_available("embedded")


def test_path_resolves_to_itself(tmp_path):
    fake = tmp_path / "etcd"
    fake.write_text("#!/bin/sh\necho 'etcd Version: 3.9.9'\necho 'Git SHA: x'\n")
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    assert catalog.resolve(str(fake)) == fake
    assert catalog.binary_version(fake) == "3.9.9"
    with pytest.raises(EtcdServerError, match="does not exist"):
        catalog.resolve(str(tmp_path / "missing"))


def test_debian_is_never_installed_implicitly(tmp_path, monkeypatch):
    monkeypatch.setattr(catalog, "APT_BINARY", tmp_path / "no-etcd")
    monkeypatch.setattr(catalog, "_apt_install", lambda **_: pytest.fail("resolve must not install"))
    with pytest.raises(ServerNotInstalled) as exc:
        catalog.resolve("3.4")
    assert str(exc.value).startswith("etcd 3.4 is not installed: run `etcdfit server install 3.4`")
    assert "apt-get install etcd-server" in str(exc.value)
    assert not catalog.is_available("3.4")


def test_debian_binary_of_another_line_is_not_3_4(tmp_path, monkeypatch):
    fake = tmp_path / "etcd"
    fake.write_text("#!/bin/sh\necho 'etcd Version: 3.5.9'\n")
    fake.chmod(0o755)
    monkeypatch.setattr(catalog, "APT_BINARY", fake)
    with pytest.raises(ServerNotInstalled, match=r"reports etcd 3\.5\.9, not 3\.4\.x"):
        catalog.resolve("3.4")


def test_go_server_not_built_without_autobuild(empty_cache):
    assert not catalog.is_available("3.6")
    with pytest.raises(EtcdServerError, match=r"etcd 3\.6\.16 is not built: run `etcdfit server build 3\.6`"):
        catalog.resolve("3.6", autobuild=False)
    assert catalog.lookup("3.6").out_dir() == empty_cache.resolve() / "servers" / "etcd-3.6.16"


def test_build_refuses_non_go_entries():
    for spec in ("3.4", "embedded"):
        with pytest.raises(EtcdServerError, match="not built from Go"):
            catalog.build(spec)


def test_list_command(capsys):
    assert catalog.main(["list"]) == 0
    out = capsys.readouterr().out
    assert [line.split()[0] for line in out.splitlines()] == catalog.known()
    assert catalog.main(["path", "3.9"]) == 1
    assert "unknown etcd server version '3.9'" in capsys.readouterr().err


# ------------------------------------------------------------------ real servers


@pytest.mark.parametrize("entry", catalog.CATALOG, ids=lambda e: e.key)
def test_version_starts_and_reports_its_version(entry, tmp_path):
    if not catalog.is_available(entry):
        how = "install" if entry.kind == "apt" else "build"
        pytest.skip(f"etcd {entry.key} ({entry.kind}) is not built/installed: "
                    f"run `python -m etcdfit.servers {how} {entry.key}`")
    binary = catalog.resolve(entry.key, autobuild=False)
    server = embedded.start(binary, tmp_path)
    try:
        oracle = Oracle(server.endpoints[0])
        try:
            version = oracle.wait_ready().version
            assert version == server.version == catalog.binary_version(binary)
            if entry.kind == "apt":
                assert version.startswith("3.4.")
            else:
                assert version == entry.version
            rev = oracle.put("servers/k", "v").header.revision
            assert oracle.get("servers/k").mod_revision == rev
            # every catalog version takes a progress-notify interval flag (spelt two ways)
            assert server.progress_notify_interval == embedded.PROGRESS_NOTIFY_INTERVAL
        finally:
            oracle.close()
    finally:
        server.stop()


def test_a_single_server_that_loses_its_port_starts_again_on_new_ports(tmp_path, monkeypatch):
    """A free port is found by bind-and-close, so another process can take it before etcd binds
    it: the start is tried again on new ports (CI saw a TLS test's server lose its port)."""
    import socket

    from etcdfit import proc
    from etcdfit.servers import embedded

    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    real, handed = proc.free_port, []

    def first_one_taken() -> int:
        port = taken.getsockname()[1] if not handed else real()
        handed.append(port)
        return port

    monkeypatch.setattr(proc, "free_port", first_one_taken)
    try:
        server = embedded.start(embedded.distro_binary(), tmp_path)
    finally:
        taken.close()
    try:
        assert server.version == "3.5.1"  # ready: it answered Status
        assert handed[0] not in {int(ep.rsplit(":", 1)[1]) for ep in server.endpoints}
        assert len(handed) == 4  # client and peer, twice
    finally:
        server.stop()
