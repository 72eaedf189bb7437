"""Performer builds: folders shared between performers (`shared:` in performer.yaml) count
in the source digest, and a build waiting for another one's lock says so."""

import fcntl
import sys
import threading
import time

import pytest

from etcdfit.errors import ConfigError
from etcdfit.performer import build, manifest

MANIFEST = """\
name: perf
language: python
sdk_package: sdk
default_version: "1.0"
versions: ["1.0"]
build: ["{python}", "-c", "pass"]
run: ["true"]
"""


@pytest.fixture
def root(tmp_path, monkeypatch):
    monkeypatch.setenv("ETCDFIT_CACHE", str(tmp_path / "cache"))
    (tmp_path / "performers" / "perf").mkdir(parents=True)
    (tmp_path / "performers" / "kit" / "pkg").mkdir(parents=True)
    (tmp_path / "performers" / "perf" / "main.py").write_text("print('hi')\n")
    (tmp_path / "performers" / "kit" / "pkg" / "shell.py").write_text("X = 1\n")
    return tmp_path / "performers"


def write_manifest(root, extra=""):
    text = MANIFEST.replace("{python}", sys.executable) + extra
    (root / "perf" / "performer.yaml").write_text(text)
    return manifest.load("perf", root)


def test_editing_a_shared_folder_changes_the_digest(root):
    alone = build.source_digest(write_manifest(root))
    m = write_manifest(root, "shared: [../kit]\n")
    assert m.shared == ((root / "kit").resolve(),)
    before = build.source_digest(m)
    assert before != alone
    (root / "kit" / "pkg" / "shell.py").write_text("X = 2\n")
    assert build.source_digest(m) != before
    (root / "kit" / "pkg" / "__pycache__").mkdir()
    (root / "kit" / "pkg" / "__pycache__" / "shell.pyc").write_bytes(b"x")
    after = build.source_digest(m)
    (root / "kit" / "pkg" / "__pycache__" / "shell.pyc").write_bytes(b"y")
    assert build.source_digest(m) == after  # caches never count


def test_a_performer_without_shared_folders_keeps_its_digest(root):
    m = write_manifest(root)
    assert m.shared == ()
    (root / "kit" / "pkg" / "shell.py").write_text("X = 2\n")
    assert build.source_digest(m) == build.source_digest(write_manifest(root))


@pytest.mark.parametrize("value, message", [
    ("../kit", "must be a list"),
    ("[../nowhere]", "does not exist"),
    ("[.]", "inside the performer's own folder"),
    ("[42]", "must be a list"),
])
def test_shared_is_parsed_strictly(root, value, message):
    with pytest.raises(ConfigError, match=message) as info:
        write_manifest(root, f"shared: {value}\n")
    assert "performer.yaml" in str(info.value)


def test_the_manifests_of_the_repo_declare_the_python_kit():
    for name in ("python-etcd3", "python-aetcd"):
        m = manifest.load(name)
        assert [p.name for p in m.shared] == ["python-kit"]
    assert "python-kit" not in manifest.available()  # a kit is not a performer


def test_sdk_packages_name_the_package_of_a_version_that_lives_elsewhere(root):
    assert write_manifest(root).package_for("1.0") == "sdk"
    m = write_manifest(root, 'sdk_packages: {"1.0": old/sdk}\n')
    assert m.package_for("1.0") == "old/sdk"
    go = manifest.load("go-clientv3")
    assert go.package_for("3.4.25") == "go.etcd.io/etcd/clientv3"
    assert go.package_for("3.6.16") == go.sdk_package == "go.etcd.io/etcd/client/v3"


@pytest.mark.parametrize("value, message", [
    ('{"2.0": x}', "not in versions"),
    ("[x]", "must map versions"),
    ('{"1.0": ""}', "must map versions"),
])
def test_sdk_packages_is_parsed_strictly(root, value, message):
    with pytest.raises(ConfigError, match=message):
        write_manifest(root, f"sdk_packages: {value}\n")


def test_a_build_waiting_for_the_lock_says_so_and_names_the_log(root, capsys):
    m = write_manifest(root)
    out = m.out_dir("1.0")
    out.parent.mkdir(parents=True)
    done = []
    with open(out.parent / ".1.0.lock", "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        worker = threading.Thread(target=lambda: done.append(build.build(m, "1.0")))
        worker.start()
        err, deadline = "", time.monotonic() + 10
        while "waiting" not in err and time.monotonic() < deadline:
            time.sleep(0.05)
            err += capsys.readouterr().err
        assert f"waiting for another build of perf@1.0 (log: {out / 'build.log'})" in err
        assert not done, "the build went ahead while another held the lock"
    worker.join(30)
    assert done == [out]
    assert build.is_built(m, "1.0")


def test_a_build_with_the_lock_free_does_not_wait(root, capsys):
    m = write_manifest(root)
    build.build(m, "1.0")
    err = capsys.readouterr().err
    assert "waiting" not in err and "building perf@1.0" in err


def test_an_edit_builds_into_a_folder_of_its_own_and_old_builds_are_pruned(root):
    m = write_manifest(root)
    first = build.build(m, "1.0", quiet=True)
    assert first.parent.name == "1.0" and first.name == build.source_digest(m)
    outs = [first]
    for i in range(build.KEEP_BUILDS + 1):
        (root / "perf" / "main.py").write_text(f"print({i})\n")  # another checkout's sources, say
        outs.append(build.build(m, "1.0", quiet=True))
        time.sleep(0.01)  # distinct build times
    assert len(set(outs)) == len(outs)  # every source digest built into its own folder
    kept = sorted(d for d in first.parent.iterdir() if d.is_dir())
    assert kept == sorted(outs[-build.KEEP_BUILDS:])  # the oldest were pruned, the newest kept
    assert build.is_built(m, "1.0")
