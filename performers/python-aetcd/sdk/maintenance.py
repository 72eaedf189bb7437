"""Compact and Status through aetcd's Client.compact() and Client.status()."""

from etcdfit_kit import convert
from etcdfit_kit.errors import Unimplemented
from etcdfit_kit.stubs import pb

from .endpoints import parse_endpoint


class MaintenanceCommands:
    """Session methods for Compact and Status (self.client is an aetcd.Client)."""

    async def _do_compact(self, c, t):
        await t.call(self.client.compact, c.revision, physical=c.physical)
        return pb.CompactResult(header=convert.header(None))  # compact() returns None

    async def _do_status(self, c, t):
        if c.endpoint:
            host, port = parse_endpoint(c.endpoint)
            if (host, port) != (self.host, self.port):
                raise Unimplemented("aetcd Client.status() only asks the client's own "
                                    "endpoint %s:%d" % (self.host, self.port))
        st = await t.call(self.client.status)
        # aetcd.Status hides the header; leader is an aetcd.Member (None when the
        # leader id is not in the member list).
        return pb.StatusResult(header=convert.header(None), version=st.version,
                               db_size=st.db_size,
                               leader=st.leader.id if st.leader is not None else 0,
                               raft_index=st.raft_index, raft_term=st.raft_term)
