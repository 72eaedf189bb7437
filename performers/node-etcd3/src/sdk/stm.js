'use strict';
// StmCommand through etcd3's software transactional memory, client.stm({isolation,
// retries}).transact(fn) (lib/stm.js in 1.0.2 / 1.1.2, lib/src/stm.js in 0.2.13, the same
// code): fn's reads go through the transaction (tx.get(key)), its writes are buffered
// (tx.put(key)) and committed in one txn guarded by the isolation level's compares; on a
// failed commit (STMConflictError) transact runs fn again, at most `retries` more times
// (default 3), then rejects with STMConflictError. Notes from the source:
//   * transact() resolves to fn's value: the commit's TxnResponse (its header) is dropped
//     (SoftwareTransaction.commit: `.then(result => { if (!result.succeeded) throw ... })`);
//   * reads inside the transaction go through a Proxy of the KV client that drops the
//     builder's call options (`range: (req) => this.tx.range(target, req)`), so they have no
//     deadline; callOptions (a deadline) reach the commit only. The performer bounds the
//     whole transact() by timeout_ms on its side (PerformerDeadline);
//   * SerializableSnapshot's write check compares written keys' mod revision with the
//     earliest *mod revision* of the keys read (ReadSet.earliestModRevision), where clientv3
//     uses the first read's *header revision* (readSet.first()).

const { BadRequest, Unimplemented, PerformerDeadline, SdkRaised, isPerformerError } = require('./outcomes');

const DEFAULT_ATTEMPTS = 100;
const DEFAULT_TIMEOUT_MS = 10000;
const BACKSTOP_MS = 500;

// StmIsolation -> etcd3's const enum Isolation (lib/stm.d.ts: SerializableSnapshot = 0,
// Serializable = 1, RepeatableReads = 2, ReadCommitted = 3).
const ISOLATION = {
  STM_ISOLATION_DEFAULT: undefined, // the SDK's default (SerializableSnapshot)
  STM_ISOLATION_SERIALIZABLE_SNAPSHOT: 0,
  STM_ISOLATION_SERIALIZABLE: 1,
  STM_ISOLATION_REPEATABLE_READS: 2,
  STM_ISOLATION_READ_COMMITTED: 3,
};

function validate(c, latches) {
  const adds = c.adds || [];
  if (!adds.length) throw new BadRequest('stm needs at least one add');
  const seen = new Set();
  for (const a of adds) {
    const k = Buffer.from(a.key || []).toString('latin1');
    if (!k.length || seen.has(k)) throw new BadRequest(`stm adds need distinct, non-empty keys (got ${JSON.stringify(k)})`);
    seen.add(k);
  }
  if (!latches && (c.read_signal || c.write_wait)) {
    throw new BadRequest('stm latches (read_signal, write_wait) run only in ExecuteStream programs');
  }
  const iso = c.isolation || 'STM_ISOLATION_DEFAULT';
  if (!(iso in ISOLATION)) throw new Unimplemented(`stm isolation ${iso} is not one of etcd3's`);
  return ISOLATION[iso];
}

function install(Session) {
  // `latches` ({signal(name), wait(name, ms)}) is set under ExecuteStream only.
  Session.prototype.doStm = async function doStm(c, t, latches) {
    const isolation = validate(c, latches);
    const maxAttempts = c.max_attempts || DEFAULT_ATTEMPTS;
    const timeoutMs = c.timeout_ms || DEFAULT_TIMEOUT_MS;
    const options = { retries: maxAttempts - 1, callOptions: { deadline: new Date(Date.now() + timeoutMs) } };
    if (isolation !== undefined) options.isolation = isolation;
    let attempts = 0;
    let reads = [];
    let writes = [];
    let released = false;
    const fn = async tx => {
      attempts++;
      reads = [];
      writes = [];
      const sums = [];
      for (const a of c.adds) {
        const key = Buffer.from(a.key);
        const raw = await tx.get(key).buffer();
        const present = raw !== null;
        const text = present ? raw.toString() : '';
        if (present && !/^-?[0-9]+$/.test(text)) {
          throw new BadRequest(`stm: the value at ${JSON.stringify(key.toString())} is not a decimal integer: ${JSON.stringify(text)}`);
        }
        reads.push({ key, value: present ? raw : Buffer.alloc(0), present });
        sums.push((present ? BigInt(text) : 0n) + BigInt(a.delta || 0));
      }
      if (attempts === 1 && latches) {
        if (c.read_signal) latches.signal(c.read_signal);
        if (c.write_wait) released = await latches.wait(c.write_wait, c.write_wait_timeout_ms || DEFAULT_TIMEOUT_MS);
      }
      for (let i = 0; i < c.adds.length; i++) {
        // A PutBuilder sends nothing until exec() (or then): in the STM, exec() buffers the put.
        const key = Buffer.from(c.adds[i].key);
        const value = Buffer.from(sums[i].toString());
        await tx.put(key).value(value).exec();
        writes.push({ key, value, present: true });
      }
    };
    t.mark();
    let timer;
    try {
      const run = this.client.stm(options).transact(fn);
      const deadline = new Promise((_, reject) => {
        timer = setTimeout(() => reject(new PerformerDeadline(`stm transact() did not settle within ${timeoutMs} ms`)),
          timeoutMs + BACKSTOP_MS);
      });
      await Promise.race([run, deadline]);
    } catch (e) {
      if (isPerformerError(e)) throw e;
      throw new SdkRaised(e);
    } finally {
      clearTimeout(timer);
      t.done();
    }
    return { attempts, reads, writes, wait_released: released };
  };
}

module.exports = { install, ISOLATION };
