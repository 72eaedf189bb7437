"""Lock commands through aetcd's own recipe, client.lock(key, ttl) (aetcd.locks.Lock).

aetcd's Lock keeps one key, the name itself, written by a create_revision == 0 txn under
a fresh lease of `ttl` seconds (locks.py: _try_acquire); acquire(timeout) waits for the
key's DELETE event between tries and returns False when it gives up; release() deletes
the key if its value is still our uuid. The lease is not kept alive. It records the put's
revision (Lock.revision), the key's create revision. So this performer claims
lock.single_key, not lock (etcd's <name>/<lease> layout).
"""

from etcdfit_kit import convert
from etcdfit_kit.errors import BadRequest, Unimplemented
from etcdfit_kit.stubs import pb

from .capabilities import sdk_version


class LockCommands:
    """Session methods for lock_acquire / lock_release (self.client is an aetcd.Client)."""

    def _locks(self):
        return self.__dict__.setdefault("_held_locks", {})

    async def _do_lock_acquire(self, c, t):
        locks = self._locks()
        if not c.handle or c.handle in locks:
            raise BadRequest("lock_acquire needs a handle that is not live (got %r)" % c.handle)
        if c.try_only:
            raise Unimplemented("aetcd %s has no try-lock on etcd's lock layout (lock.try)" % sdk_version())
        lock = self.client.lock(c.name, ttl=c.session_ttl or 60)
        acquired = await t.call(lock.acquire, timeout=(c.timeout_ms or 10000) / 1000.0)
        if not acquired:
            return pb.LockAcquireResult(acquired=False)
        locks[c.handle] = lock
        return pb.LockAcquireResult(acquired=True, key=lock.key, create_revision=lock.revision,
                                    lease=lock.lease.id if lock.lease is not None else 0,
                                    header=convert.header(None))

    async def _do_lock_release(self, c, t):
        lock = self._locks().pop(c.handle, None)
        if lock is None:
            raise BadRequest("unknown lock handle %r" % c.handle)
        released = await t.call(lock.release)
        return pb.LockReleaseResult(released=bool(released), header=convert.header(None))
