"""Partial matching of expectations against protobuf results."""

import pytest

from etcdfit.gen.etcdfit.performer.v1 import performer_pb2 as pb
from etcdfit.matchers import ANY, ExpectationSyntaxError, gt, match, unordered


def _range():
    return pb.RangeResult(header=pb.ResponseHeader(revision=7, present=True), count=2,
                          kvs=[pb.KeyValue(key=b"a", value=b"1", version=1), pb.KeyValue(key=b"b", value=b"\xff")])


@pytest.mark.parametrize(
    "expected, problems",
    [
        ({"count": 2}, []),
        ({"count": 3}, ["count: expected 3, got 2"]),
        ({"header": {"revision": gt(6)}}, []),
        ({"header": {"revision": gt(7)}}, ["header.revision: expected > 7, got 7"]),
        ({"kvs": [{"key": "a"}, {"key": "b"}]}, []),
        ({"kvs": [{"key": "a"}]}, ["kvs: expected 1 item(s) [{key: 'a'}], got 2: [{key: \"a\" version: 1 value: \"1\"}, {key: \"b\" value: \"\\377\"}]"]),
        ({"kvs": [{"value": "1"}, {"value": b"\xff"}]}, []),
        ({"kvs": [ANY, {"value": "x"}]}, ["kvs[1].value: expected 'x', got b'\\xff'"]),
        ({"more": None}, []),
    ],
)
def test_match(expected, problems):
    assert [str(m) for m in match(expected, _range())] == problems


def test_absent_message_field():
    assert match({"prev_kv": None}, pb.PutResult()) == []
    assert match({"prev_kv": None}, pb.PutResult(prev_kv=pb.KeyValue(key=b"k"))) != []
    assert [str(m) for m in match({"prev_kv": {"key": "k"}}, pb.PutResult())] == \
        ["prev_kv: expected {key: 'k'}, got absent"]


def test_enum_by_short_name():
    ev = pb.WatchEvent(type=pb.EVENT_TYPE_DELETE)
    assert match({"type": "DELETE"}, ev) == []
    assert [str(m) for m in match({"type": "PUT"}, ev)] == ["type: expected PUT, got EVENT_TYPE_DELETE"]


def test_unordered_repeated_scalars():
    r = pb.LeaseTimeToLiveResult(keys=[b"b", b"a"])
    assert match({"keys": unordered(["a", "b"])}, r) == []


def test_unknown_field_is_a_test_bug():
    with pytest.raises(ExpectationSyntaxError, match="RangeResult has no field 'cnt'"):
        match({"cnt": 1}, _range())


def test_mismatch_is_data():
    (m,) = match({"count": 3}, _range())
    assert (m.path, m.expected, m.actual) == ("count", "3", "2")


def test_keys_are_shown_relative_to_the_namespace():
    from etcdfit.matchers import namespace, show

    token = namespace.set(b"etcdfit/abc/test_x/")
    try:
        assert show(b"etcdfit/abc/test_x/a") == "'<ns>/a'"
    finally:
        namespace.reset(token)
    assert show(b"etcdfit/abc/test_x/a") == "'etcdfit/abc/test_x/a'"
