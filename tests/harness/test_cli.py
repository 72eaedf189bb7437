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
