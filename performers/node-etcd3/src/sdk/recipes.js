'use strict';
// Lock commands through etcd3's own recipe, client.lock(name) (lib/lock.js, the same in
// 0.2.13 (lib/src/lock.js), 1.0.2 and 1.1.2):
//   * one key per lock, the name itself (in the client's namespace; none here), created by a
//     Create == 0 txn under a fresh Lease of ttl() seconds that the SDK keeps alive
//     (Lock.acquire: ComparatorBuilder.and(key, 'Create', '==', 0).then(put(key).lease(id)));
//     so it excludes holders of the same recipe only: capability lock.single_key, not lock;
//   * acquire() tries once: when the key exists it revokes its lease and rejects with
//     EtcdLockFailedError. It never waits for the holder, so a contended acquire answers
//     acquired=false at once whether or not try_only is set (timeout_ms bounds the call
//     only). A blocking acquire with a timeout is not in the SDK;
//   * release() revokes the lease (the key goes with it). 1.x's Lease.revoke swallows
//     EtcdLeaseInvalidError (a lease already gone: released reads true); 0.2.13 rejects with
//     it (released=false);
//   * the key's create revision is not kept by the SDK: read once after acquiring, outside
//     the timed call.
// Election (lib/election.js, 1.x only) is not used: its keys live under
// 'election/<name>/<lease id in decimal>' (Election constructor: namespace(`${Election.prefix}/${name}/`)),
// not etcd's election layout '<name>/<lease id in hex>', so it cannot claim `election`.

const convert = require('./convert');
const { BadRequest, SdkRaised } = require('./outcomes');

const DEFAULT_SESSION_TTL = 60;

function isLockFailed(etcd3, e) {
  return e instanceof SdkRaised && etcd3.EtcdLockFailedError && e.original instanceof etcd3.EtcdLockFailedError;
}

function isLeaseInvalid(etcd3, e) {
  return e instanceof SdkRaised && etcd3.EtcdLeaseInvalidError && e.original instanceof etcd3.EtcdLeaseInvalidError;
}

function install(Session) {
  Session.prototype.heldLocks = function heldLocks() {
    if (!this._locks) this._locks = new Map();
    return this._locks;
  };

  Session.prototype.doLockAcquire = async function doLockAcquire(c, t) {
    const locks = this.heldLocks();
    if (!c.handle || locks.has(c.handle)) {
      throw new BadRequest(`lock_acquire needs a handle that is not live (got ${JSON.stringify(c.handle)})`);
    }
    const ttl = Number(c.session_ttl) || DEFAULT_SESSION_TTL;
    const name = Buffer.from(c.name);
    const lock = this.client.lock(name).ttl(ttl).options(this.co());
    try {
      await t.call(() => lock.acquire());
    } catch (e) {
      if (isLockFailed(this.etcd3, e)) return { acquired: false, key: name, create_revision: '0', lease: '0' };
      // acquire() granted a lease before failing: revoke it (best effort, not timed).
      if (lock.lease) lock.release().catch(() => undefined);
      throw e;
    }
    locks.set(c.handle, lock);
    const lease = await lock.leaseId();
    let created = '0';
    try {
      const got = await this.client.get(name).options(this.co()).exec();
      if (got.kvs && got.kvs.length) created = convert.int64(got.kvs[0].create_revision);
    } catch (e) {
      this.log(`reading the lock key's create revision: ${e && e.message}`);
    }
    return { acquired: true, key: name, create_revision: created, lease: convert.int64(lease) };
  };

  Session.prototype.doLockRelease = async function doLockRelease(c, t) {
    const locks = this.heldLocks();
    const lock = locks.get(c.handle);
    if (!lock) throw new BadRequest(`unknown lock handle ${JSON.stringify(c.handle)}`);
    locks.delete(c.handle);
    lock.options(this.co()); // a deadline from now: the one set at acquire may have passed
    try {
      await t.call(() => lock.release());
    } catch (e) {
      if (isLeaseInvalid(this.etcd3, e)) return { released: false };
      throw e;
    }
    return { released: true };
  };

  // Revokes the leases of the locks still held (at Disconnect); failures ignored.
  Session.prototype.closeRecipes = async function closeRecipes() {
    const locks = [...this.heldLocks().values()];
    this.heldLocks().clear();
    await Promise.all(locks.map(l => l.options(this.co()).release().catch(() => undefined)));
  };
}

module.exports = { install };
