"""Compact and Status through etcd3's compact() and status()."""

from etcdfit_kit import convert
from etcdfit_kit.errors import Unimplemented
from etcdfit_kit.stubs import pb

from .endpoints import parse_endpoint


class MaintenanceCommands:
    """Session methods for Compact and Status (self.client is an etcd3 client)."""

    def _do_compact(self, c, t):
        t.call(self.client.compact, c.revision, physical=c.physical)
        return pb.CompactResult(header=convert.header(None))  # compact() returns None

    def _do_status(self, c, t):
        if c.endpoint:
            host, port = parse_endpoint(c.endpoint)
            if (host, port) != (self.host, self.port):
                raise Unimplemented("etcd3 status() only asks the client's own endpoint "
                                    "%s:%d" % (self.host, self.port))
        st = t.call(self.client.status)
        # Status() hides the header; leader is an etcd3.Member (or None when the
        # leader id is not in the member list).
        return pb.StatusResult(header=convert.header(None), version=st.version,
                               db_size=st.db_size,
                               leader=st.leader.id if st.leader is not None else 0,
                               raft_index=st.raft_index, raft_term=st.raft_term)
