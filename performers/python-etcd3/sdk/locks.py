"""Lock commands through etcd3's own recipe, client.lock(name, ttl) (etcd3.locks.Lock).

etcd3's Lock keeps one key, '/locks/' + name, written by a create_revision == 0 txn
under a fresh lease of `ttl` seconds (locks.py: lock_prefix, _acquire); acquire(timeout)
returns False when it gives up; release() deletes the key if its value is still our uuid
and returns whether it did. The lease is not kept alive. So this performer claims
lock.single_key, not lock (etcd's <name>/<lease> layout). The recipe does not report the
key's create revision: it is read once after acquiring (client.get, outside the timed call).
"""

from etcdfit_kit import convert
from etcdfit_kit.errors import BadRequest, Unimplemented
from etcdfit_kit.stubs import pb

from .capabilities import sdk_version


class LockCommands:
    """Session methods for lock_acquire / lock_release (self.client is an etcd3 client)."""

    def _locks(self):
        return self.__dict__.setdefault("_held_locks", {})

    def _do_lock_acquire(self, c, t):
        locks = self._locks()
        if not c.handle or c.handle in locks:
            raise BadRequest("lock_acquire needs a handle that is not live (got %r)" % c.handle)
        if c.try_only:
            raise Unimplemented("etcd3 %s has no try-lock on etcd's lock layout (lock.try)" % sdk_version())
        lock = self.client.lock(c.name.decode("utf-8"), ttl=c.session_ttl or 60)
        acquired = t.call(lock.acquire, timeout=(c.timeout_ms or 10000) / 1000.0)
        if not acquired:
            return pb.LockAcquireResult(acquired=False)
        locks[c.handle] = lock
        _, meta = self.client.get(lock.key)
        return pb.LockAcquireResult(
            acquired=True, key=lock.key.encode() if isinstance(lock.key, str) else lock.key,
            create_revision=meta.create_revision if meta is not None else 0,
            lease=lock.lease.id if lock.lease is not None else 0, header=convert.header(None))

    def _do_lock_release(self, c, t):
        lock = self._locks().pop(c.handle, None)
        if lock is None:
            raise BadRequest("unknown lock handle %r" % c.handle)
        released = t.call(lock.release)
        return pb.LockReleaseResult(released=bool(released), header=convert.header(None))
