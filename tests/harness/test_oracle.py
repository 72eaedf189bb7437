"""The oracle against a real embedded etcd: it is the ground truth, so it is tested too."""

import pytest

from etcdfit.oracle import Oracle, prefix_end
from etcdfit.servers import embedded


@pytest.fixture(scope="module")
def oracle(tmp_path_factory):
    server = embedded.start(embedded.distro_binary(), tmp_path_factory.mktemp("logs"))
    o = Oracle(server.endpoints[0])
    yield o
    o.close()
    server.stop()


@pytest.mark.parametrize("prefix, end", [(b"a", b"b"), (b"a\xff", b"b"), (b"\xff\xff", b"\0"), (b"", b"\0")])
def test_prefix_end(prefix, end):
    assert prefix_end(prefix) == end


def test_put_get_revision(oracle):
    rev = oracle.put("o/k", "v").header.revision
    assert oracle.revision() == rev
    assert oracle.get("o/k").mod_revision == rev and oracle.value("o/k") == b"v"
    assert oracle.value("o/missing") is None


def test_empty_prefix_means_every_key(oracle):
    oracle.put("o/all", "1")
    assert b"o/all" in oracle.keys(b"")
    assert oracle.range(b"", prefix=True).count >= 1


def test_leases(oracle):
    lid = oracle.lease_grant(30)
    oracle.put("o/leased", "v", lease=lid)
    assert lid in oracle.leases()
    assert oracle.lease_ttl(lid, keys=True).keys == [b"o/leased"]
    oracle.lease_revoke(lid)
    assert oracle.value("o/leased") is None
