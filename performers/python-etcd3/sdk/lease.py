"""Lease commands through etcd3's lease(), revoke_lease(), get_lease_info(), refresh_lease()."""

from etcdfit_kit import convert
from etcdfit_kit.errors import Unimplemented
from etcdfit_kit.stubs import pb

from .capabilities import sdk_version

NO_KEEPALIVE = ("etcd3 %s has no background lease keep-alive: refresh_lease() and "
                "Lease.refresh() are one-shot")


class LeaseCommands:
    """Session methods for the lease commands (self.client is an etcd3 client)."""

    def _do_lease_grant(self, c, t):
        lease = t.call(self.client.lease, c.ttl, lease_id=c.id or None)
        return pb.LeaseGrantResult(header=convert.header(None), id=lease.id, ttl=lease.ttl)

    def _do_lease_revoke(self, c, t):
        t.call(self.client.revoke_lease, c.id)
        return pb.LeaseRevokeResult(header=convert.header(None))

    def _do_lease_time_to_live(self, c, t):
        # get_lease_info() always sends keys=True; the keys are reported as given.
        resp = t.call(self.client.get_lease_info, c.id)
        return pb.LeaseTimeToLiveResult(header=convert.raw_header(resp), id=resp.ID,
                                        ttl=resp.TTL, granted_ttl=resp.grantedTTL,
                                        keys=list(resp.keys))

    def _do_lease_leases(self, c, t):
        raise Unimplemented("etcd3 %s has no API to list leases" % sdk_version())

    def _do_lease_keep_alive_once(self, c, t):
        resps = t.call(lambda: list(self.client.refresh_lease(c.id)))
        if not resps:
            raise RuntimeError("refresh_lease() returned no response")
        r = resps[0]
        return pb.LeaseKeepAliveOnceResult(header=convert.raw_header(r), id=r.ID, ttl=r.TTL)

    # lease.keepalive is not claimed: etcd3 has no keep-alive stream of its own, and a
    # loop of one-shot refresh_lease() calls would be the performer's, not the SDK's.
    def _do_lease_keep_alive_start(self, c, t):
        raise Unimplemented(NO_KEEPALIVE % sdk_version())

    def _do_lease_keep_alive_collect(self, c, t):
        raise Unimplemented(NO_KEEPALIVE % sdk_version())

    def _do_lease_keep_alive_stop(self, c, t):
        raise Unimplemented(NO_KEEPALIVE % sdk_version())
