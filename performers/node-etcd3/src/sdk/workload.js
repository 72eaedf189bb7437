'use strict';
// The Workload command (capability perf.workload): SDK clients and workers in this
// process, no RPC to the driver per operation, one report per interval.
//
// The reference is go-clientv3's internal/workload (docs/perf.md): the same defaults,
// bounds, key naming, latency buckets and report fields. Node runs one thread: each
// worker is an async loop on the event loop, each client one `new Etcd3({hosts})` (one
// gRPC channel). Every operation carries an absolute deadline of request_timeout_ms
// (.options({deadline})), so the retry policy cannot stretch it. The driver's cancel or
// the stream's deadline ('cancelled' on the call) stops the workers before their next
// operation and closes the clients, which fails the calls in flight.

const deps = require('../deps');
const { mapError } = require('./errors');

const MAX_CLIENTS = 10000;
const MAX_WORKERS = 100000;
const MAX_KEY_SPACE = 10000000;
const MAX_VALUE = 1 << 20;
// The protocol's latency buckets (LatencyHistogram in performer.proto): exact below
// 128 us, then 64 buckets per power of two; indexes capped like go-clientv3's.
const MAX_BUCKET = 2047;
const OPS = ['WORKLOAD_OP_PUT', 'WORKLOAD_OP_GET', 'WORKLOAD_OP_RANGE', 'WORKLOAD_OP_TXN', 'WORKLOAD_OP_DELETE'];

class InvalidWorkload extends Error {}

// The bucket index of a latency in whole microseconds (a Number below 2^53).
function bucketOf(us) {
  let bits = 0;
  for (let v = us; v >= 1; v = Math.floor(v / 2)) bits += 1;
  const m = Math.max(0, bits - 7);
  const idx = m * 64 + Math.floor(us / 2 ** m);
  return Math.min(idx, MAX_BUCKET);
}

class Hist {
  constructor() {
    this.counts = new Map();
    this.total = 0;
    this.sum = 0;
    this.max = 0;
    this.min = 0;
  }

  record(us) {
    const b = bucketOf(us);
    this.counts.set(b, (this.counts.get(b) || 0) + 1);
    if (this.total === 0 || us < this.min) this.min = us;
    if (us > this.max) this.max = us;
    this.total += 1;
    this.sum += us;
  }

  merge(o) {
    if (o.total === 0) return;
    for (const [b, c] of o.counts) this.counts.set(b, (this.counts.get(b) || 0) + c);
    if (this.total === 0 || o.min < this.min) this.min = o.min;
    if (o.max > this.max) this.max = o.max;
    this.total += o.total;
    this.sum += o.sum;
  }

  proto() {
    const keys = [...this.counts.keys()].sort((a, b) => a - b);
    return {
      bucket: keys,
      count: keys.map(k => String(this.counts.get(k))),
      total: String(this.total),
      sum_us: String(this.sum),
      max_us: String(this.max),
      min_us: String(this.min),
    };
  }
}

function cpuSeconds() {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

function rssBytes() {
  return String(process.memoryUsage().rss);
}

// A validated WorkloadRequest (proto-loader form: uint64 as strings, enums as names)
// with the protocol's defaults applied; throws InvalidWorkload naming the field.
function parseSpec(req) {
  const bad = msg => new InvalidWorkload(`Workload: ${msg}`);
  const num = v => Number(v || 0);
  const s = {
    endpoints: req.endpoints || [],
    clients: num(req.clients) || 1,
    keySpace: num(req.key_space) || 1,
    sequential: req.key_distribution === 'KEY_DISTRIBUTION_SEQUENTIAL',
    keySize: num(req.key_size),
    prefix: Buffer.from(req.key_prefix || []).toString('latin1'),
    durationMs: num(req.duration_ms),
    total: num(req.total_ops),
    rate: Number(req.target_rate || 0),
    intervalMs: num(req.report_interval_ms) || 1000,
    dialTimeoutMs: num(req.dial_timeout_ms) || 5000,
    requestTimeoutMs: num(req.request_timeout_ms) || 10000,
    rangeLimit: num(req.range_limit) || 10,
    prefill: Boolean(req.prefill),
    ops: [],
  };
  s.workers = num(req.concurrency) || s.clients;
  if (s.endpoints.length === 0) throw bad('endpoints: at least one is needed');
  if (!s.prefix) throw bad("key_prefix: required (the run's namespace)");
  if (!s.durationMs && !s.total) throw bad('give duration_ms or total_ops (or both): a workload must end');
  if (s.clients > MAX_CLIENTS || s.workers > MAX_WORKERS) {
    throw bad(`clients ${s.clients} / concurrency ${s.workers}: at most ${MAX_CLIENTS} / ${MAX_WORKERS}`);
  }
  if (s.keySpace > MAX_KEY_SPACE) throw bad(`key_space ${s.keySpace}: at most ${MAX_KEY_SPACE}`);
  const size = num(req.value_size) || 8;
  if (size > MAX_VALUE) throw bad(`value_size ${size}: at most ${MAX_VALUE}`);
  s.value = Buffer.alloc(size);
  for (let i = 0; i < size; i++) s.value[i] = 97 + (i % 26);
  if (s.rate < 0) throw bad(`target_rate ${s.rate}: must be >= 0 (0: closed loop)`);
  for (const w of req.mix || []) {
    if (!OPS.includes(w.op)) throw bad(`mix: unknown op ${w.op}`);
    if (w.weight > 1000) throw bad(`mix: weight ${w.weight} of ${w.op}: at most 1000`);
    for (let i = 0; i < w.weight; i++) s.ops.push(w.op);
  }
  if (!req.mix || req.mix.length === 0) s.ops = ['WORKLOAD_OP_PUT'];
  if (s.ops.length === 0) throw bad('mix: every weight is 0');
  return s;
}

// Key i of the key space: the prefix, then i zero-padded to keySize bytes in all.
function keyOf(s, i) {
  const digits = String(i);
  const pad = s.keySize - s.prefix.length - digits.length;
  return Buffer.from(s.prefix + (pad > 0 ? '0'.repeat(pad) : '') + digits, 'latin1');
}

function prefixEnd(prefix) {
  const b = Buffer.from(prefix, 'latin1');
  for (let i = b.length - 1; i >= 0; i--) {
    if (b[i] < 0xff) {
      b[i] += 1;
      return b.subarray(0, i + 1);
    }
  }
  return Buffer.from([0]);
}

const nowUs = () => Number(process.hrtime.bigint() / 1000n);
const sleep = ms => new Promise(resolve => setTimeout(resolve, ms));

// One operation through etcd3's fluent builders (txn: the SDK's KVClient, since a
// ComparatorBuilder needs at least one compare and etcd's txn-put has none).
function runOp(c, s, op, key, rangeEnd) {
  const co = { deadline: Date.now() + s.requestTimeoutMs };
  switch (op) {
    case 'WORKLOAD_OP_PUT':
      return c.put(key).value(s.value).options(co).exec();
    case 'WORKLOAD_OP_GET':
      return c.get(key).options(co).exec();
    case 'WORKLOAD_OP_RANGE':
      return c.getAll().inRange({ start: key, end: rangeEnd }).limit(s.rangeLimit).options(co).exec();
    case 'WORKLOAD_OP_TXN':
      return c.kv.txn({ compare: [], success: [{ request_put: { key, value: s.value } }], failure: [] }, co);
    case 'WORKLOAD_OP_DELETE':
      return c.delete().key(key).options(co).exec();
    default:
      return Promise.reject(new Error(`unknown op ${op}`));
  }
}

// Runs a workload on a server-streaming call: call.write per report, then call.end.
async function runWorkload(call, log) {
  const etcd3 = deps.load('etcd3');
  const s = parseSpec(call.request); // InvalidWorkload: the caller answers INVALID_ARGUMENT
  log(`Workload clients=${s.clients} workers=${s.workers} ops=${s.ops.length} keys=${s.keySpace} ` +
    `duration=${s.durationMs}ms total=${s.total} rate=${s.rate}`);
  let stopped = false; // the RPC ended: the driver's cancel or the stream's deadline
  const clients = [];
  let closed = false;
  const closeAll = () => {
    if (closed) return;
    closed = true;
    for (const c of clients) {
      try {
        c.close();
      } catch (e) {
        log(`Workload: closing a client: ${e && e.message}`);
      }
    }
  };
  call.on('cancelled', () => {
    stopped = true;
    closeAll(); // fails the calls in flight at once
  });
  const connectUs = [];
  let failures = 0;
  const base = () => ({
    connections: clients.length,
    connect_failures: failures,
    cpu_seconds: cpuSeconds(),
    rss_bytes: rssBytes(),
  });
  const send = r => {
    if (!stopped) call.write(r);
  };
  try {
    for (let i = 0; i < s.clients && !stopped; i++) {
      const t0 = nowUs();
      let c = null;
      try {
        c = new etcd3.Etcd3({ hosts: s.endpoints[0], dialTimeout: s.dialTimeoutMs });
        await runOp(c, { ...s, requestTimeoutMs: s.dialTimeoutMs + s.requestTimeoutMs }, 'WORKLOAD_OP_GET', Buffer.from(s.prefix, 'latin1'));
      } catch (e) {
        failures += 1;
        log(`Workload: client ${i} could not connect: ${e && e.message}`);
        if (c) c.close();
        continue;
      }
      connectUs.push(String(nowUs() - t0));
      clients.push(c);
    }
    if (stopped) return;
    if (clients.length === 0) {
      send({ ...base(), final: true, connect_us: connectUs,
        harness_error: `no client could connect to ${JSON.stringify(s.endpoints)} (${failures} tried); see the performer log` });
      return;
    }
    let prefillMs = 0;
    if (s.prefill) {
      const t0 = Date.now();
      let next = 0;
      let first = null;
      const fill = async c => {
        while (!first && !stopped && next < s.keySpace) {
          const i = next++;
          try {
            await runOp(c, s, 'WORKLOAD_OP_PUT', keyOf(s, i));
          } catch (e) {
            first = first || e;
          }
        }
      };
      await Promise.all(Array.from({ length: Math.min(s.workers, 64) }, (_, w) => fill(clients[w % clients.length])));
      if (stopped) return;
      if (first) {
        send({ ...base(), final: true, connect_us: connectUs, harness_error: `prefill failed: ${first.message}` });
        return;
      }
      prefillMs = Date.now() - t0;
      log(`Workload: prefill of ${s.keySpace} keys took ${prefillMs} ms`);
    }

    let hist = new Hist();
    const total = new Hist();
    let errs = new Map();
    const totalErrs = new Map();
    const samples = new Map();
    let ops = 0;
    let totalOps = 0;
    let claimed = 0;
    let seq = 0;
    const rangeEnd = prefixEnd(s.prefix);
    const start = nowUs();
    const deadline = s.durationMs ? start + s.durationMs * 1000 : Infinity;
    const record = (us, e) => {
      if (!e) {
        hist.record(us);
        ops += 1;
        return;
      }
      const m = mapError(e);
      errs.set(m.code, (errs.get(m.code) || 0) + 1);
      if (!samples.has(m.code)) samples.set(m.code, `${m.sdk_type}: ${m.message}`);
    };
    const work = async w => {
      const c = clients[w % clients.length];
      while (!stopped && nowUs() < deadline) {
        claimed += 1;
        const n = claimed;
        if (s.total && n > s.total) return;
        let began = nowUs();
        if (s.rate > 0) {
          began = start + Math.floor(((n - 1) / s.rate) * 1e6);
          const wait = began - nowUs();
          if (wait > 0) await sleep(wait / 1000);
          if (stopped || nowUs() >= deadline) return;
        }
        const i = s.sequential ? (seq++) % s.keySpace : Math.floor(Math.random() * s.keySpace);
        const op = s.ops.length === 1 ? s.ops[0] : s.ops[Math.floor(Math.random() * s.ops.length)];
        try {
          await runOp(c, s, op, keyOf(s, i), rangeEnd);
          record(nowUs() - began, null);
        } catch (e) {
          if (stopped) return; // the run ended under this call: not an SDK error
          record(nowUs() - began, e);
        }
      }
    };
    const errList = m => [...m.entries()].map(([code, count]) => ({ code, count: String(count), sample: samples.get(code) || '' }));
    const collect = () => {
      const out = { hist, errs, ops };
      total.merge(hist);
      for (const [code, n] of errs) totalErrs.set(code, (totalErrs.get(code) || 0) + n);
      totalOps += ops;
      hist = new Hist();
      errs = new Map();
      ops = 0;
      return out;
    };
    let seqNo = 0;
    let last = start;
    const interval = (now, force) => {
      const got = collect();
      if (force && got.ops === 0 && got.errs.size === 0) return;
      const r = { ...base(), seq: seqNo, elapsed_ms: String(Math.floor((now - start) / 1000)),
        interval_ms: String(Math.floor((now - last) / 1000)), ops: String(got.ops),
        errors: errList(got.errs), latency: got.hist.proto() };
      if (seqNo === 0) {
        r.connect_us = connectUs;
        r.prefill_ms = String(prefillMs);
      }
      send(r);
      seqNo += 1;
      last = now;
    };
    let done = false;
    const all = Promise.all(Array.from({ length: s.workers }, (_, w) => work(w))).then(() => {
      done = true;
    });
    const ticker = setInterval(() => {
      if (!done && !stopped) interval(nowUs(), false);
    }, s.intervalMs);
    try {
      await all;
    } finally {
      clearInterval(ticker);
    }
    if (stopped) return;
    const end = nowUs();
    interval(end, true);
    const elapsed = String(Math.floor((end - start) / 1000));
    send({ ...base(), seq: seqNo, final: true, elapsed_ms: elapsed, interval_ms: elapsed, ops: String(totalOps),
      errors: errList(totalErrs), latency: total.proto(), connect_us: connectUs, prefill_ms: String(prefillMs) });
  } finally {
    closeAll();
  }
}

module.exports = { runWorkload, InvalidWorkload, bucketOf, Hist, parseSpec, keyOf, MAX_BUCKET };
