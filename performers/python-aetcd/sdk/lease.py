"""Lease commands through aetcd's lease(), revoke_lease(), get_lease_info(), refresh_lease()."""

from etcdfit_kit import convert
from etcdfit_kit.errors import Unimplemented
from etcdfit_kit.stubs import pb

from .capabilities import sdk_version

NO_KEEPALIVE = ("aetcd %s has no background lease keep-alive: refresh_lease() and "
                "Lease.refresh() are one-shot")


class LeaseCommands:
    """Session methods for the lease commands (self.client is an aetcd.Client)."""

    async def _do_lease_grant(self, c, t):
        lease = await t.call(self.client.lease, c.ttl, lease_id=c.id or None)
        # aetcd.Lease(id, ttl): the LeaseGrantResponse header is dropped.
        return pb.LeaseGrantResult(header=convert.header(None), id=lease.id, ttl=lease.ttl)

    async def _do_lease_revoke(self, c, t):
        await t.call(self.client.revoke_lease, c.id)
        return pb.LeaseRevokeResult(header=convert.header(None))  # revoke_lease() returns None

    async def _do_lease_time_to_live(self, c, t):
        resp = await t.call(self.client.get_lease_info, c.id, keys=c.keys)
        return pb.LeaseTimeToLiveResult(header=convert.raw_header(resp), id=resp.ID,
                                        ttl=resp.TTL, granted_ttl=resp.grantedTTL,
                                        keys=list(resp.keys))

    async def _do_lease_leases(self, c, t):
        raise Unimplemented("aetcd %s has no API to list leases" % sdk_version())

    async def _do_lease_keep_alive_once(self, c, t):
        r = await t.call(self.client.refresh_lease, c.id)
        if r is None:
            raise RuntimeError("aetcd Client.refresh_lease() returned no response")
        return pb.LeaseKeepAliveOnceResult(header=convert.raw_header(r), id=r.ID, ttl=r.TTL)

    # lease.keepalive is not claimed: aetcd has no keep-alive stream of its own, and a
    # loop of one-shot refresh_lease() calls would be the performer's, not the SDK's.
    async def _do_lease_keep_alive_start(self, c, t):
        raise Unimplemented(NO_KEEPALIVE % sdk_version())

    async def _do_lease_keep_alive_collect(self, c, t):
        raise Unimplemented(NO_KEEPALIVE % sdk_version())

    async def _do_lease_keep_alive_stop(self, c, t):
        raise Unimplemented(NO_KEEPALIVE % sdk_version())
