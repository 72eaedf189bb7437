"""YAML spec validation: every error names the file, the line and the field."""

from pathlib import Path
from textwrap import dedent

import pytest

from etcdfit.errors import ConfigError
from etcdfit.specs import loader

GOOD = """\
suite: s
cases:
  - name: c
    steps:
      - put: {key: a, value: v}
        save: {rev: header.revision}
      - get: {key: a, revision: $rev}
        expect: {kvs: [{value: v}]}
"""


def _load(tmp_path: Path, text: str):
    p = tmp_path / "x.spec.yaml"
    p.write_text(dedent(text))
    return loader.load(p)


def test_good_spec_loads(tmp_path):
    suite = _load(tmp_path, GOOD)
    assert [c.name for c in suite.cases] == ["c"] and len(suite.cases[0].steps) == 2


@pytest.mark.parametrize(
    "text, message",
    [
        (GOOD.replace("cases:", "casez:"), r"x.spec.yaml:2: the suite has no field 'casez'"),
        (GOOD.replace("value: v}\n", "valeu: v}\n", 1), r"x.spec.yaml:5: put has no field\(s\) \['valeu'\]"),
        (GOOD.replace("- put:", "- putt:"), r"x.spec.yaml:5: unknown command 'putt'"),
        (GOOD.replace("$rev", "$revv"), r"x.spec.yaml:7: .*\$revv, which no earlier step saves"),
        (GOOD.replace("    steps:", "    stepz:"), r"x.spec.yaml:4: a case has no field 'stepz'"),
        (GOOD.replace("name: c", "name: Bad-Name"), r"x.spec.yaml:3: case name 'Bad-Name' must be snake_case"),
        ("suite: s\ncases: []\n", r"x.spec.yaml:2: suite 's' has no cases"),
        (GOOD.replace("expect: {kvs: [{value: v}]}", "expect_error: COMPACTD"),
         r"x.spec.yaml:8: expect_error 'COMPACTD' is not an error code"),
        (GOOD.replace("cases:", "requires: [kv.puts]\ncases:"), r"x.spec.yaml:2: .*'kv.puts'"),
        ("suite: s\ncases:\n  - name: c\n    steps: [{put: {key: a}}\n", r"x.spec.yaml:\d+: not valid YAML"),
        (GOOD + GOOD.split("cases:\n")[1], r"x.spec.yaml:9: case name 'c' is used twice"),
        (GOOD.replace("cases:", "server: {topology: ring}\ncases:"), r"x.spec.yaml:2: server.topology must be one of"),
        (GOOD.replace("cases:", "server: {min_versoin: '3.5'}\ncases:"), r"x.spec.yaml:2: server has no field 'min_versoin'"),
    ],
)
def test_errors_name_file_line_and_field(tmp_path, text, message):
    with pytest.raises(ConfigError, match=message):
        _load(tmp_path, text)


def test_server_requirements_reach_the_case(tmp_path):
    suite = _load(tmp_path, GOOD.replace("cases:", "server: {min_version: '3.5'}\ncases:"))
    assert suite.cases[0].server == {"min_version": "3.5"}


def test_keys_are_namespaced_and_refs_resolved():
    fields = {"key": "a", "range_end": "z", "value": "$r+1"}
    assert loader.resolve(fields, {"r": 4}, b"ns/") == {"key": b"ns/a", "range_end": b"ns/z", "value": 5}
