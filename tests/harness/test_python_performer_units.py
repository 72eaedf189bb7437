"""The Python performers' own unit tests and the shared kit's, with each built performer's
venv (protobuf 3.20 for python-etcd3, a current one for python-aetcd). No etcd needed."""

import os
import subprocess

import pytest

from etcdfit.performer import build, manifest

PERFORMERS = ["python-etcd3", "python-aetcd"]


def built_python(name):
    m = manifest.load(name)
    if not build.is_built(m, m.default_version):
        pytest.skip(f"{name} is not built: etcdfit performer build {name}")
    return m, m.out_dir(m.default_version) / "venv" / "bin" / "python"


def unittest_in(folder, python, env=None):
    proc = subprocess.run([str(python), "-B", "-m", "unittest"], cwd=folder, env=env,
                          capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "OK" in proc.stderr


@pytest.mark.parametrize("name", PERFORMERS)
def test_performer_unit_tests(name):
    m, python = built_python(name)
    unittest_in(m.folder, python)


@pytest.mark.parametrize("name", PERFORMERS)
def test_kit_unit_tests_on_the_performers_runtime(name):
    m, python = built_python(name)
    kit = m.folder.parent / "python-kit"
    unittest_in(kit, python, env={**os.environ, "PYTHONPATH": str(m.folder / "gen")})
