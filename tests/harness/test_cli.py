"""`etcdfit performer list`: every performer of the repo, its versions, default and build state."""

from etcdfit import cli
from etcdfit.performer import manifest


def test_performer_list_shows_every_performer_in_aligned_columns(capsys):
    assert cli.main(["performer", "list"]) == 0
    header, *rows = capsys.readouterr().out.splitlines()
    names = manifest.available()
    assert [r.split()[0] for r in rows] == names
    versions_at = header.index("versions")
    for name, row in zip(names, rows, strict=True):
        m = manifest.load(name)
        assert row.split()[1:3] == [m.language, m.sdk_package]
        shown = row[versions_at:].split()
        assert [v.rstrip("*+") for v in shown] == list(m.versions), row
        assert next(v for v in shown if "*" in v).rstrip("*+") == m.default_version


def test_caps_diff_shows_only_the_capabilities_the_performers_disagree_on(capsys, monkeypatch):
    from etcdfit.performer import build
    from etcdfit.performer.client import Identity, PerformerClient

    claims = {"0.10.0": {"kv.put", "kv.range"}, "0.12.0": {"kv.put", "kv.range", "watch.prefix"}}

    class Fake:
        def __init__(self, version):
            self.identity = Identity("python-etcd3", "python", "etcd3", version, "x", frozenset(claims[version]))

        def close(self):
            pass

    monkeypatch.setattr(build, "build", lambda m, v: None)
    monkeypatch.setattr(PerformerClient, "launch", classmethod(lambda cls, m, v, out, logs: Fake(v)))
    assert cli.main(["caps", "--diff", "python-etcd3@0.10.0", "python-etcd3@0.12.0"]) == 0
    rows = capsys.readouterr().out.splitlines()[1:-1]
    assert [r.split() for r in rows] == [["watch.prefix", "-", "yes"]]
    assert cli.main(["caps", "--diff", "python-etcd3@0.12.0", "python-etcd3@0.12.0"]) == 0
    assert "no differences" in capsys.readouterr().out
