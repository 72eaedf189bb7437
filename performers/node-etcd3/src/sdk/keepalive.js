'use strict';
// One keep-alive handle (capability lease.keepalive): an etcd3 Lease made by
// client.lease(ttl), which grants the lease and then keeps it alive by itself, plus a
// buffer filled from its events. In etcd3, granting and keeping alive are one facility:
// there is no public way to keep alive a lease the Lease object did not grant
// (Lease.keepalive() is private), so LeaseKeepAliveStart takes the ttl form only.
//
// Lease events (etcd3 lease.ts):
//   keepaliveSucceeded  one LeaseKeepAliveResponse {header, ID, TTL}: a renewal
//   keepaliveFailed     an error in the keep-alive loop; the SDK retries after 100 ms
//                       (the lease is not lost until 'lost'). Logged only: the
//                       protocol's keep-alive collect has no list for it.
//   lost                the lease is gone: a renewal answered TTL 0 (revoked or expired
//                       elsewhere: EtcdLeaseInvalidError), no renewal for 2 x TTL, or
//                       the grant failed. Ends the stream, with that error.
// Lease.release() stops the keep-alive without revoking (LeaseKeepAliveStop,
// Disconnect); it emits nothing.

const convert = require('./convert');
const { mapError } = require('./errors');

function nowNs() {
  return process.hrtime.bigint();
}

class KeepAlive {
  constructor(handle, log) {
    this.handle = handle;
    this.log = log || (() => {});
    this.lease = null;
    this.responses = [];
    this.ended = false;
    this.endError = null;
    this.failures = 0;
    this.waiters = new Set();
  }

  // Listeners go on before the event loop runs again: the SDK fires the first
  // keep-alive as soon as the grant resolves.
  attach(lease) {
    this.lease = lease;
    lease.on('keepaliveSucceeded', res => this.onResponse(res));
    lease.on('keepaliveFailed', err => {
      this.failures += 1;
      this.log(`keep-alive ${this.handle}: keepaliveFailed (the SDK retries): ${err && err.message}`);
    });
    lease.on('lost', err => this.onEnd(err || null));
  }

  onResponse(res) {
    if (this.ended) return;
    this.responses.push({
      ttl: convert.int64(res && res.TTL),
      received_ns: nowNs().toString(),
      header: res && res.header ? convert.header(res.header) : convert.absentHeader(),
    });
    this.notify();
  }

  onEnd(err) {
    if (this.ended) return;
    this.ended = true;
    if (err) this.endError = err;
    this.notify();
  }

  // LeaseKeepAliveStop / Disconnect: Lease.release() stops the keep-alive loop and
  // leaves the lease to expire by itself.
  stop() {
    if (this.lease && !this.ended) {
      try {
        this.lease.release();
      } catch (e) {
        this.log(`keep-alive ${this.handle}: release() threw: ${e && e.message}`);
      }
    }
    this.onEnd(null);
  }

  notify() {
    const waiters = [...this.waiters];
    this.waiters.clear();
    for (const w of waiters) w();
  }

  changed(timeoutMs) {
    return new Promise(resolve => {
      const timer = setTimeout(() => {
        this.waiters.delete(done);
        resolve();
      }, Math.max(0, timeoutMs));
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      this.waiters.add(done);
    });
  }

  // Responses since the last collect: returns at min_responses (0: wait the whole
  // timeout), at the stream's end, or at the timeout.
  async collect(minResponses, timeoutMs) {
    const deadline = Date.now() + timeoutMs;
    while ((minResponses === 0 || this.responses.length < minResponses) && !this.ended) {
      const left = deadline - Date.now();
      if (left <= 0) break;
      await this.changed(left);
    }
    const out = { responses: this.responses, ended: this.ended };
    if (this.endError) out.end_error = mapError(this.endError);
    this.responses = [];
    return out;
  }
}

module.exports = { KeepAlive };
