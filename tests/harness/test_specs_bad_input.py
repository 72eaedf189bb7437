"""Bad YAML specs and DSL misuse: each is a clear error naming the file, the line and the
field (or, at run time, the step, the line and the performer), never a silent wrong result.

Specs run here against an in-process fake performer and fake oracle: no SDK, no etcd."""

import time
from pathlib import Path
from textwrap import dedent
from types import SimpleNamespace

import pytest

from etcdfit import program
from etcdfit.errors import ConfigError, ExpectationFailed
from etcdfit.gen.etcd.v3 import rpc_pb2 as epb
from etcdfit.gen.etcdfit.performer.v1 import performer_pb2 as pb
from etcdfit.outcomes import Kind
from etcdfit.program import compare, get, put, txn, value, version
from etcdfit.specs import collect, loader


def _load(tmp_path: Path, text: str):
    p = tmp_path / "x.spec.yaml"
    p.write_text(dedent(text))
    return loader.load(p)


def _line(text: str, needle: str) -> int:
    """The 1-based line of `needle` in `text` (so tests do not hard-code line numbers)."""
    return dedent(text)[: dedent(text).index(needle)].count("\n") + 1


class FakePerformer:
    """Answers every command from a small dict store; `header=False` drops the txn's header
    the way python-etcd3's performer does (present=false), `lie` corrupts read values."""

    identity = SimpleNamespace(label="fake@1")

    def __init__(self, *, txn_header: str = "present", lie: bool = False):
        self.store: dict[bytes, bytes] = {}
        self.rev = 1
        self.txn_header, self.lie = txn_header, lie
        self.wheres: list[str] = []

    def _header(self) -> pb.ResponseHeader:
        return pb.ResponseHeader(revision=self.rev, present=True)

    def _answer(self, c: pb.Command) -> pb.CommandOk:
        name = c.WhichOneof("command")
        if name == "put":
            self.rev += 1
            self.store[c.put.key] = c.put.value
            return pb.CommandOk(put=pb.PutResult(header=self._header()))
        if name == "range":
            v = self.store.get(c.range.key)
            kvs = [] if v is None else [pb.KeyValue(key=c.range.key, value=b"lie" if self.lie else v)]
            return pb.CommandOk(range=pb.RangeResult(header=self._header(), kvs=kvs, count=len(kvs)))
        if name == "txn":
            self.rev += 1
            res = pb.TxnResult(succeeded=True)
            if self.txn_header == "present":
                res.header.CopyFrom(self._header())
            elif self.txn_header == "not-present":
                res.header.CopyFrom(pb.ResponseHeader(present=False))
            return pb.CommandOk(txn=res)
        raise AssertionError(f"the fake performer does not do {name}")

    def run(self, *cmds, timeout=None, where=""):
        __tracebackhide__ = True
        self.wheres.append(where)
        label = self.identity.label
        response = pb.ExecuteResponse(results=[pb.CommandResult(call_ns=1, return_ns=2, ok=self._answer(c.command))
                                               for c in cmds])
        return program.evaluate(cmds, response, label, f"{label}, {where}" if where else "")


class FakeOracle:
    def __init__(self):
        self.store: dict[bytes, bytes] = {}
        self.calls: list[tuple] = []

    def put(self, key, value, *, lease=0, prev_kv=False):
        self.calls.append(("put", key, value))
        self.store[key] = value.encode() if isinstance(value, str) else value
        return epb.PutResponse(header=epb.ResponseHeader(revision=7))

    def range(self, key, *, prefix=False, range_end=None, revision=0, limit=0, serializable=False):
        v = self.store.get(key)
        kvs = [] if v is None else [epb.KeyValue(key=key, value=v)]
        return epb.RangeResponse(header=epb.ResponseHeader(revision=7), kvs=kvs, count=len(kvs))


def _run(tmp_path, text, performer=None, oracle=None):
    suite = _load(tmp_path, text)
    collect.run_case(suite.cases[0], performer or FakePerformer(), oracle or FakeOracle(), b"ns/")


# ---------------------------------------------------------------- A1: save of an absent field

SAVE_TXN_HEADER = """\
suite: s
cases:
  - name: c
    steps:
      - put: {key: a, value: v1}
      - txn:
          compares: [{key: a, target: value, result: "=", value: v1}]
          success: [{put: {key: a, value: v2}}]
        save: {rev: header.revision}
      - get: {key: a, revision: $rev}
"""


@pytest.mark.parametrize("header", ["absent", "not-present"])
def test_save_of_a_field_the_sdk_did_not_return_fails_naming_step_field_and_performer(tmp_path, header):
    with pytest.raises(ExpectationFailed) as info:
        _run(tmp_path, SAVE_TXN_HEADER, FakePerformer(txn_header=header))
    (p,) = info.value.problems
    line = _line(SAVE_TXN_HEADER, "save: {rev")
    assert (p.kind, p.path, p.expected) == (Kind.VALUE_MISMATCH, "header", "a value to save as $rev")
    assert p.actual == "absent (the performer did not return it)"
    assert p.where == f"fake@1, step 2, line {line}" and p.command == "txn" and p.index == 0
    assert f"fake@1, step 2, line {line}: cannot save $rev" in str(info.value)
    assert info.value.program is not None and "txn" in info.value.program.commands[0]


def test_save_of_a_returned_field_still_works(tmp_path):
    _run(tmp_path, SAVE_TXN_HEADER, FakePerformer(txn_header="present"))


def test_save_past_the_end_of_a_list_is_absent(tmp_path):
    text = SAVE_TXN_HEADER.replace("header.revision", "responses.0.put.header.revision")
    with pytest.raises(ExpectationFailed) as info:
        _run(tmp_path, text)
    assert info.value.problems[0].path == "responses.0"


# ---------------------------------------------------------------- A2: exact line, valid fields

TXN = """\
suite: s
cases:
  - name: c
    steps:
      - put: {key: a, value: v1}
        save: {r: header.revision}
      - txn:
          compares:
            - {key: a, target: value, result: "=", value: v1}
          success:
            - put: {key: a, value: v2}
            - txn:
                success: [{get: {key: a}}]
        expect:
          succeeded: true
          responses: [{put: {}}, {txn: {responses: [{range: {kvs: [{value: v2}]}}]}}]
"""


@pytest.mark.parametrize("old, new, needle, message", [
    ('result: "=", value: v1}', 'result: "=", valeu: v1}', "target: value",
     r"compares\[0\] has no field\(s\) \['valeu'\]; fields: key, target, result, operand, .*mod_revision, lease"),
    ("- put: {key: a, value: v2}", "- put: {key: a, valeu: v2}", "valeu",
     r"success\[0\].put has no field\(s\) \['valeu'\]; fields: key, value, lease"),
    ("[{get: {key: a}}]", "[{get: {key: a, limt: 1}}]", "success: [{get",
     r"success\[1\].txn.success\[0\].get has no field\(s\) \['limt'\]; fields: key, prefix"),
    ("{value: v2}]}}]}}]", "{valeu: v2}]}}]}}]", "responses: [{put",
     r"expect.responses\[1\].txn.responses\[0\].range.kvs\[0\] has no field 'valeu': KeyValue has key, "),
    ("succeeded: true", "suceeded: true", "suceeded", (r"expect has no field 'suceeded': TxnResult has header, "
                                                        r"succeeded, responses")),
    ("target: value,", "target: valu,", "target: valu", r"compares\[0\].target must be one of value, version"),
    ("{key: a, target: value, result", "{key: a, target: version, result", "target: version",
     r"a compare on version takes its operand as `operand` or `version`, not 'value'"),
    ("save: {r: header.revision}", "save: {r: heder.revision}", "save: {r",
     r"save r: 'heder.revision': no field 'heder' here; fields: header, prev_kv"),
    ("- put: {key: a, value: v2}", "- {put: {key: a, value: v2}, expect: {header: {}}}", "expect: {header: {}}",
     r"success\[0\] must be one operation .*expect and save belong on the txn: expect its `responses`"),
])
def test_nested_mistakes_point_at_their_own_line_and_list_the_fields(tmp_path, old, new, needle, message):
    text = TXN.replace(old, new)
    assert text != TXN
    with pytest.raises(ConfigError, match=rf"x.spec.yaml:{_line(text, needle)}: .*{message}"):
        _load(tmp_path, text)


def test_the_nested_spec_itself_is_fine(tmp_path):
    _load(tmp_path, TXN)


# ---------------------------------------------------------------- A3: step and line of a failure

TWO_STEPS = """\
suite: s
cases:
  - name: c
    steps:
      - put: {key: a, value: v1}
      - get: {key: a}
        expect: {kvs: [{value: v1}]}
"""


def test_a_failing_performer_step_names_its_step_and_line(tmp_path):
    performer = FakePerformer(lie=True)
    with pytest.raises(ExpectationFailed) as info:
        _run(tmp_path, TWO_STEPS, performer)
    (p,) = info.value.problems
    assert p.where == f"fake@1, step 2, line {_line(TWO_STEPS, '- get')}"
    assert (p.kind, p.path, p.expected, p.actual) == (Kind.VALUE_MISMATCH, "kvs[0].value", "'v1'", "'lie'")
    assert performer.wheres == ["step 1, line 5", "step 2, line 6"]


ORACLE_CHECK = TWO_STEPS.replace("      - put: {key: a", "      - via: oracle\n        put: {key: a").replace(
    "      - get: {key: a}", "      - via: oracle\n        get: {key: a}")


def test_a_failing_oracle_step_is_problems_with_step_and_line(tmp_path):
    oracle = FakeOracle()
    text = ORACLE_CHECK.replace("{value: v1}", "{value: v9}")
    with pytest.raises(ExpectationFailed) as info:
        _run(tmp_path, text, oracle=oracle)
    (p,) = info.value.problems
    line = _line(text, "- via: oracle\n        get")
    assert p.where == f"oracle, step 2, line {line}"
    assert (p.kind, p.path, p.expected, p.actual) == (Kind.VALUE_MISMATCH, "kvs[0].value", "'v9'", "'v1'")
    assert f"oracle, step 2, line {line}: 1 expectation(s) failed" in str(info.value)
    assert oracle.calls == [("put", b"ns/a", "v1")]


def test_an_oracle_step_that_matches_passes(tmp_path):
    _run(tmp_path, ORACLE_CHECK)


# ---------------------------------------------------------------- A4: oracle steps are strict

ORACLE_PUT = """\
suite: s
cases:
  - name: c
    steps:
      - via: oracle
        put: {key: a, value: v}
"""


@pytest.mark.parametrize("old, new, message", [
    ("value: v}", "valeu: v}", r"6: put has no field\(s\) \['valeu'\]; fields: key, value, lease, prev_kv$"),
    ("value: v}", "value: v, ignore_value: true}", (r"6: the oracle's put does not take 'ignore_value' "
                                                   r"\(it takes: key, value, lease, prev_kv\); run this step on the performer")),
    ("put: {key: a, value: v}", "get: {key: a, sort_order: descend}", r"6: the oracle's get does not take 'sort_order'"),
    ("put: {key: a, value: v}", "put: {value: v}", r"6: put is missing the field 'key'"),
    ("put: {key: a, value: v}", "put: {key: a, value: v}\n        expect: {heder: {}}",
     r"7: expect has no field 'heder': PutResponse has header, prev_kv"),
    ("put: {key: a, value: v}", "get: {key: a, prefix: true, range_end: b}", r"6: choose at most one of prefix"),
])
def test_oracle_steps_have_the_performer_steps_schema(tmp_path, old, new, message):
    with pytest.raises(ConfigError, match=rf"x.spec.yaml:{message}"):
        _load(tmp_path, ORACLE_PUT.replace(old, new))


def test_a_good_oracle_put_writes_its_value(tmp_path):
    oracle = FakeOracle()
    _run(tmp_path, ORACLE_PUT, oracle=oracle)
    assert oracle.calls == [("put", b"ns/a", "v")]


# ---------------------------------------------------------------- A5: no NUL bytes from numbers

PUT = """\
suite: s
cases:
  - name: c
    steps:
      - put: {key: a, value: v}
        save: {r: header.revision}
      - get: {key: a, revision: $r, limit: 1}
        expect: {kvs: [{key: a, value: v}]}
"""


@pytest.mark.parametrize("old, new, message", [
    ("value: v}", "value: 5}", r":5: put.value must be a string, not a number \(5\).*quote it"),
    ("put: {key: a", "put: {key: 7", r":5: put.key must be a string, not a number \(7\)"),
    ("value: v}", "value: true}", r":5: put.value must be a string, not a boolean"),
    ("value: v}", "value: 1.5}", r":5: put.value must be a string, not a number"),
    ("value: v}", "value: }", r":5: put.value must be a string, not empty \(null\)"),
    ("get: {key: a,", "get: {key: a, range_end: 3,", r":7: get.range_end must be a string, not a number"),
    ("limit: 1}", "limit: '1'}", r":7: get.limit must be an integer, not str \('1'\)"),
    ("limit: 1}", "limit: true}", r":7: get.limit must be an integer, not a boolean"),
    ("limit: 1}", "limit: 99999999999999999999999}", r":7: get.limit is out of range"),
    ("limit: 1}", "limit: 1, keys_only: 1}", r":7: get.keys_only must be true or false, not a number"),
    ("{key: a, value: v}]", "{key: a, value: 5}]", r":8: expect.kvs\[0\].value must be a string, not a number"),
])
def test_non_string_scalars_are_refused_where_bytes_belong(tmp_path, old, new, message):
    text = PUT.replace(old, new)
    assert text != PUT
    with pytest.raises(ConfigError, match=rf"x.spec.yaml{message}"):
        _load(tmp_path, text)


def test_ints_stay_ints_where_the_field_is_an_int(tmp_path):
    suite = _load(tmp_path, PUT.replace("$r,", "5,"))
    (_, fields, _), = suite.cases[0].steps[1].commands
    assert fields["revision"] == 5 and program.build("get", loader.resolve(fields, {}, b"")).command.range.revision == 5


def test_compare_operands_are_typed_in_yaml(tmp_path):
    text = TXN.replace('result: "=", value: v1}', 'result: "=", value: 5}')
    with pytest.raises(ConfigError, match=rf":{_line(text, 'target: value')}: .*compares\[0\].value must be a string"):
        _load(tmp_path, text)
    text = TXN.replace('target: value, result: "=", value: v1}', 'target: version, result: "=", version: "1"}')
    with pytest.raises(ConfigError, match=r"compares\[0\].version must be an integer, not str"):
        _load(tmp_path, text)


def test_the_schema_docstring_says_strings_are_required():
    assert "quote it" in loader.__doc__ and "int64" in loader.__doc__


def test_every_builder_parameter_has_a_known_kind():
    for name in program.BUILDERS:
        kinds = {k: kind for k, (kind, _) in loader.command_fields(name).items()}
        assert loader.ANY not in kinds.values(), (name, kinds)


# ---------------------------------------------------------------- A6: unloadable files

BOMB = """\
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
suite: &j [*i,*i,*i,*i,*i,*i,*i,*i,*i]
cases: [*j, *j, *j, *j, *j, *j, *j, *j, *j, *j, *j, *j, *j, *j, *j, *j, *j, *j, *j, *j, *j, *j, *j, *j, *j]
"""

BAD_FILES = {
    "binary": (b"\x00\x01\xff\xfe\x89PNG", r"binary.spec.yaml: is not UTF-8 text \(a binary file\?\)"),
    "nul": (b"suite: s\ncases:\x00 []\n", r"nul.spec.yaml:2: not valid YAML: .*#x0000"),
    "overflow": (b"suite: s\ncases:\n  - name: c\n    steps:\n      - get: {key: a, revision: 99999999999999999999999}\n",
                 r"overflow.spec.yaml:5: get.revision is out of range"),
    "deep": (b"suite: s\ncases: " + b"[" * 5000 + b"]" * 5000 + b"\n", r"deep.spec.yaml:2: nested more than 100 levels"),
    "bomb": (BOMB.encode(), r"bomb.spec.yaml:\d+: more than 100000 values once aliases are expanded"),
    "recursive": (b"suite: &s [1, *s]\ncases: []\n", r"recursive.spec.yaml:1: an alias refers to the mapping"),
    "huge": (b"suite: s\n" + b"# padding\n" * 120_000, r"huge.spec.yaml: is \d+ bytes; .*limited to 1048576 bytes"),
}


@pytest.mark.parametrize("name", list(BAD_FILES))
def test_unloadable_spec_is_a_config_error_naming_the_file(tmp_path, name):
    data, message = BAD_FILES[name]
    p = tmp_path / f"{name}.spec.yaml"
    p.write_bytes(data)
    start = time.monotonic()
    with pytest.raises(ConfigError, match=message):
        loader.load(p)
    assert time.monotonic() - start < 5


def test_the_alias_bomb_is_small():
    assert len(BOMB.encode()) < 700


def test_bad_spec_files_fail_alone_and_the_other_files_still_run(pytester):
    for name, (data, _) in BAD_FILES.items():
        pytester.path.joinpath(f"{name}.spec.yaml").write_bytes(data)
    pytester.path.joinpath("good.spec.yaml").write_text(
        "suite: s\nrequires: [kv.put]\ncases:\n  - name: c\n    steps:\n      - put: {key: a, value: v}\n")
    start = time.monotonic()
    root = Path(__file__).parent / "performers"
    result = pytester.runpytest_subprocess(f"--performers-root={root}", "--performer=raw-grpc", "-p",
                                           "no:cacheprovider", timeout=120)
    assert time.monotonic() - start < 60
    assert "INTERNALERROR" not in result.stdout.str() + result.stderr.str()
    result.assert_outcomes(passed=1, failed=len(BAD_FILES))  # good.spec.yaml ran
    for name in BAD_FILES:
        result.stdout.fnmatch_lines([f"*invalid spec: *{name}.spec.yaml*"])


def test_an_unexpected_loader_failure_names_the_file(pytester, monkeypatch):
    pytester.path.joinpath("a.spec.yaml").write_text("suite: s\n")
    pytester.makeconftest(
        "from etcdfit.specs import loader\n"
        "def boom(path): raise KeyError('surprise')\n"
        "loader.load = boom\n")
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", timeout=120)
    assert "INTERNALERROR" not in result.stdout.str() + result.stderr.str()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*invalid spec: *a.spec.yaml: cannot load this spec (KeyError: 'surprise')*"])


# ---------------------------------------------------------------- B7: ints are not bytes


@pytest.mark.parametrize("make, message", [
    (lambda: put(7, "v"), r"put: key must be str or bytes, not int \(7\)"),
    (lambda: put("k", 5), r"put: value must be str or bytes, not int \(5\)"),
    (lambda: get("k", range_end=3), r"range_end must be str or bytes, not int"),
    (lambda: program.delete(b"k", range_end=1.5), r"range_end must be str or bytes, not float"),
    (lambda: value("k") == 5, r"compare on value: operand must be str or bytes, not int"),
    (lambda: version("k") == "1", r"compare on version: operand must be an int, not str"),
    (lambda: version("k") == True, r"compare on version: operand must be an int, not bool"),  # noqa: E712
    (lambda: program.mod_revision("k") > b"3", r"compare on mod_revision: operand must be an int, not bytes"),
    (lambda: program.lease_of("k") == 1.0, r"compare on lease: operand must be an int, not float"),
    (lambda: compare("k", "value", "=", 5), r"compare on value: operand must be str or bytes"),
    (lambda: compare("k", "flavour", "=", 5), r"'flavour' is not one of"),
    (lambda: value(5) == "v", r"compare: key must be str or bytes, not int"),
])
def test_dsl_keys_values_and_operands_are_typed(make, message):
    with pytest.raises(ConfigError, match=message):
        make()


def test_dsl_accepts_str_and_bytes_and_int_operands():
    assert put("k", b"v").command.put.value == b"v"
    assert (value("k") == b"\x00").value == b"\x00"
    assert (version("k") > 0).version == 0 and (program.create_revision("k") == 5).create_revision == 5


# ---------------------------------------------------------------- B8: no silent txn-op expectations


@pytest.mark.parametrize("op", [
    lambda: put("k", "v").expect(),
    lambda: get("k").expect(kvs=[]),
    lambda: put("k", "v").expect_error("COMPACTED"),
    lambda: get("k").allow_error(),
])
def test_expect_on_a_txn_operation_is_refused_with_a_hint(op):
    with pytest.raises(ConfigError, match=r"a txn operation cannot carry expectations.*txn\(\.\.\.\)\.expect\("
                                          r"succeeded=True, responses=\["):
        txn(success=[op()])
    with pytest.raises(ConfigError, match=r"a txn operation cannot carry expectations"):
        txn(failure=[put("a", "b"), op()])


def test_a_txn_operation_without_expectations_is_fine():
    t = txn([value("k") == "v"], success=[put("k", "w")], failure=[get("k")]).expect(succeeded=True)
    assert len(t.command.txn.success) == 1 and t.expect_ok == {"succeeded": True}
