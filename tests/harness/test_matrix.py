"""Matrix files: strict schema with file:line errors, cells, exclusion and sharding."""

from pathlib import Path

import pytest

from etcdfit import matrix
from etcdfit.errors import ConfigError

GOOD = """\
version: 1
groups:
  - performers: [go-clientv3@3.6.16, python-etcd3]
    servers: ["3.5.1", "3.6"]
exclude:
  - {performer: python-etcd3, server: "3.6"}
"""


def _load(tmp_path: Path, text: str) -> matrix.Matrix:
    p = tmp_path / "m.yaml"
    p.write_text(text)
    return matrix.load(p)


def test_cells_are_the_cross_product_minus_exclusions(tmp_path):
    m = _load(tmp_path, GOOD)
    assert [c.id for c in m.cells] == [
        "go-clientv3@3.6.16 | etcd 3.5.1", "go-clientv3@3.6.16 | etcd 3.6", "python-etcd3@0.12.0 | etcd 3.5.1"]
    assert m.jobs == 2


@pytest.mark.parametrize(
    "text, message",
    [
        (GOOD.replace("version: 1", "version: 2"), r"m.yaml:1: version 2 is not supported"),
        (GOOD.replace("servers:", "serverz:"), r"m.yaml:4: a group has no field 'serverz'"),
        (GOOD.replace("python-etcd3]", "pythn-etcd3]"), r"m.yaml:3: performer 'pythn-etcd3': unknown performer"),
        (GOOD.replace("go-clientv3@3.6.16", "go-clientv3@9.9"), r"m.yaml:3: .*has no SDK version '9.9'"),
        (GOOD.replace('"3.6"]', '"3.9"]'), r"m.yaml:4: server '3.9': unknown etcd server version"),
        (GOOD.replace("groups:", "groupz:"), r"m.yaml:2: the matrix has no field 'groupz'"),
        ("version: 1\ngroups: []\n", r"m.yaml:2: groups must be a non-empty list"),
        (GOOD + "  - {performer: go-clientv3@3.6.16, server: '3.5.1'}\n"
              "  - {performer: go-clientv3@3.6.16, server: '3.6'}\n"
              "  - {performer: python-etcd3, server: '3.5.1'}\n", r"m.yaml:1: the matrix has no cells"),
    ],
)
def test_errors_name_file_line_and_field(tmp_path, text, message):
    with pytest.raises(ConfigError, match=message):
        _load(tmp_path, text)


def test_shards_partition_the_cells():
    cells = [matrix.Cell(f"p@{i}", "3.5.1") for i in range(7)]
    parts = [matrix.shard(cells, f"{i}/3") for i in (1, 2, 3)]
    assert sorted([c for p in parts for c in p], key=cells.index) == cells
    assert [len(p) for p in parts] == [3, 2, 2]
    for bad in ("0/3", "4/3", "x", "1/0"):
        with pytest.raises(ConfigError, match="expected i/n"):
            matrix.shard(cells, bad)


def test_repo_matrix_file_is_valid():
    m = matrix.load(Path(__file__).parents[2] / "ci" / "matrix.yaml")
    assert len(m.cells) >= 18


def test_security_is_an_attribute_of_a_cell(tmp_path):
    """A group's `security` (as --security spells it) makes cells of their own: in the id,
    the slug, and the --security the cell's pytest runs with."""
    m = _load(tmp_path, GOOD.replace("exclude:", "  - performers: [go-clientv3@3.6.16]\n    servers: ['3.5.1']\n"
                                                 "    security: auth+tls\nexclude:"))
    secure = [c for c in m.cells if c.security != "plain"]
    assert [c.id for c in secure] == ["go-clientv3@3.6.16 | etcd 3.5.1 | tls+auth"]
    assert secure[0].slug == "go-clientv3@3.6.16__etcd-3.5.1__tls-auth"
    with pytest.raises(ConfigError, match=r"m.yaml:\d+: security 'tls\+oops'"):
        _load(tmp_path, GOOD.replace('servers: ["3.5.1", "3.6"]', 'servers: ["3.5.1"]\n    security: tls+oops'))


def test_the_nightly_matrix_has_tls_auth_cells_for_the_default_versions():
    from etcdfit.performer import manifest

    m = matrix.load(Path(__file__).parents[2] / "ci" / "matrix.yaml")
    secure = {c.performer for c in m.cells if c.security == "tls+auth"}
    for name in ("go-clientv3", "python-etcd3", "python-aetcd", "node-etcd3", "java-jetcd", "rust-etcd-client"):
        assert f"{name}@{manifest.load(name).default_version}" in secure
