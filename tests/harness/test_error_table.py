"""etcd's error table (protos/etcdfit/performer/v1/etcd_errors.tsv): it parses, names only real
codes, every row can match, and every performer's gen/ copy is the original."""

import grpc
import pytest

from etcdfit import errortable, paths
from etcdfit.errors import ConfigError
from etcdfit.gen.etcdfit.performer.v1 import performer_pb2 as pb
from etcdfit.performer.check import PROVOKE

ROWS = errortable.load()
PERFORMERS = sorted(p.parent for p in paths.performers_dir().glob("*/performer.yaml"))


def test_table_parses():
    assert len(ROWS) >= 20
    assert {"COMPACTED", "FUTURE_REVISION", "LEASE_NOT_FOUND", "EMPTY_KEY"} <= {r.code for r in ROWS}


@pytest.mark.parametrize("row", ROWS, ids=lambda r: f"line{r.line}")
def test_row_names_real_codes(row):
    codes = pb.ErrorCode.keys()  # a protobuf enum wrapper is not a mapping: `in` needs its keys()
    assert row.code in codes and row.code != "ERROR_CODE_UNSPECIFIED", \
        f"line {row.line}: {row.code!r} is not an ErrorCode name (performer.proto)"
    assert row.grpc_status in grpc.StatusCode.__members__, \
        f"line {row.line}: {row.grpc_status!r} is not a gRPC status code name (e.g. CANCELLED)"
    assert row.message == row.message.strip() and row.text, f"line {row.line}: message {row.message!r}"


def test_every_row_can_match():
    # The first matching row wins: a row whose text contains an earlier row's text
    # would never be reached, so a longer message must stand first.
    for i, later in enumerate(ROWS):
        for earlier in ROWS[:i]:
            assert earlier.text not in later.message, \
                f"line {later.line} ({later.message!r}) is shadowed by line {earlier.line} ({earlier.message!r})"
        assert errortable.code_for("sdk: " + later.text) == later.code


def test_check_probes_only_codes_of_the_table():
    assert set(PROVOKE) <= {r.code for r in ROWS}


@pytest.mark.parametrize("folder", PERFORMERS, ids=lambda p: p.name)
def test_every_performer_has_a_current_copy(folder):
    copy = folder / "gen" / errortable.COPY_NAME
    assert copy.is_file(), f"{copy} missing: run 'make protos'"
    assert copy.read_bytes() == errortable.table_path().read_bytes(), f"{copy} is stale: run 'make protos'"


@pytest.mark.parametrize("text", ["COMPACTED\tOUT_OF_RANGE", "COMPACTED\t\tx", "# only a comment\n"])
def test_malformed_table_is_refused(text):
    with pytest.raises(ConfigError):
        errortable.parse(text)
