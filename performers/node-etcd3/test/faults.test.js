'use strict';
// The connection-fault parts, without etcd: errors.typed, the performer-side deadline,
// watch errors and response numbering, the keep-alive buffer, Connect options.
// Run: ETCDFIT_NODE_DEPS=OUT node --test test/

const test = require('node:test');
const assert = require('node:assert');
const { EventEmitter } = require('events');
const deps = require('../src/deps');
const { mapError } = require('../src/sdk/errors');
const { PerformerDeadline } = require('../src/sdk/outcomes');
const { Watch } = require('../src/sdk/watch');
const { KeepAlive } = require('../src/sdk/keepalive');
const { Performer } = require('../src/server');
const { capabilitiesFor } = require('../src/sdk/capabilities');
const { sdkVersion } = require('../src/sdk/version');

const etcd3 = deps.load('etcd3');

test('typed: etcd3 classes are typed, raw grpc and runtime errors are not', () => {
  const raw = new Error('14 UNAVAILABLE: Connection dropped');
  raw.code = 14;
  assert.strictEqual(mapError(raw).typed, false);
  assert.strictEqual(mapError(raw).code, 'UNAVAILABLE');
  const cast = etcd3.castGrpcError(raw);
  assert.strictEqual(mapError(cast).typed, true);
  assert.strictEqual(mapError(cast).code, 'UNAVAILABLE');
  assert.strictEqual(mapError(new etcd3.EtcdLeaseInvalidError('1')).typed, true);
  assert.strictEqual(mapError(new RangeError('ttl')).typed, false);
  const ended = mapError(new etcd3.EtcdWatchStreamEnded());
  assert.deepStrictEqual([ended.code, ended.typed], ['UNAVAILABLE', true]);
});

test("cockatiel's open circuit is UNAVAILABLE, not typed", () => {
  class BrokenCircuitError extends Error {}
  const m = mapError(new BrokenCircuitError('Execution prevented because the circuit breaker is open'));
  assert.deepStrictEqual([m.code, m.sdk_type, m.typed, m.grpc_code], ['UNAVAILABLE', 'cockatiel.BrokenCircuitError', false, -1]);
});

test('the performer-side deadline is DEADLINE_EXCEEDED, named as the performer', () => {
  const m = mapError(new PerformerDeadline('x did not settle within 2000 ms'));
  assert.deepStrictEqual([m.code, m.sdk_type, m.typed, m.grpc_code], ['DEADLINE_EXCEEDED', 'performer-deadline', false, -1]);
});

test('watch: disconnects are errors of a live watch; events carry their response number', async () => {
  const w = new Watch('h');
  const watcher = new EventEmitter();
  w.attach(watcher);
  const kv = k => ({ key: Buffer.from(k), value: Buffer.from('v'), create_revision: '2', mod_revision: '2', version: '1', lease: '0' });
  watcher.emit('connected', { header: { revision: '1' } });
  watcher.emit('data', { header: { revision: '2' }, events: [{ type: 'Put', kv: kv('a') }, { type: 'Put', kv: kv('b') }] });
  watcher.emit('data', { header: { revision: '3' }, events: [] });
  const raw = new Error('14 UNAVAILABLE: Connection dropped');
  raw.code = 14;
  watcher.emit('disconnected', raw);
  watcher.emit('connected', { header: { revision: '3' } });
  watcher.emit('data', { header: { revision: '4' }, events: [{ type: 'Delete', kv: kv('a') }] });
  const out = await w.collect(3, 100);
  assert.deepStrictEqual(out.events.map(e => e.response), [1, 1, 3]);
  assert.deepStrictEqual(out.progress_revisions, ['3']);
  assert.strictEqual(out.ended, false);
  assert.deepStrictEqual(out.errors.map(e => [e.code, e.typed]), [['UNAVAILABLE', false]]);
  assert.deepStrictEqual((await w.collect(0, 10)).errors, []);
});

test('keep-alive: renewals until lost; lost ends with the SDK error; stop releases', async () => {
  const k = new KeepAlive('k');
  const lease = new EventEmitter();
  let released = 0;
  lease.release = () => {
    released += 1;
  };
  k.attach(lease);
  lease.emit('keepaliveSucceeded', { TTL: '2', ID: '7', header: { revision: '5', cluster_id: '1', member_id: '2', raft_term: '3' } });
  lease.emit('keepaliveFailed', new Error('transient'));
  lease.emit('keepaliveSucceeded', { TTL: '2', ID: '7', header: { revision: '5', cluster_id: '1', member_id: '2', raft_term: '3' } });
  let out = await k.collect(2, 100);
  assert.deepStrictEqual(out.responses.map(r => r.ttl), ['2', '2']);
  assert.ok(out.responses.every(r => /^\d+$/.test(r.received_ns) && r.header.present));
  assert.strictEqual(out.ended, false);
  lease.emit('lost', new etcd3.EtcdLeaseInvalidError('7'));
  out = await k.collect(1, 1000);
  assert.strictEqual(out.ended, true);
  assert.deepStrictEqual([out.end_error.code, out.end_error.typed], ['LEASE_NOT_FOUND', true]);
  k.stop();
  assert.strictEqual(released, 0, 'a lost lease is not released again');
  const k2 = new KeepAlive('k2');
  const lease2 = new EventEmitter();
  lease2.release = () => {
    released += 1;
  };
  k2.attach(lease2);
  k2.stop();
  assert.strictEqual(released, 1);
  assert.deepStrictEqual(await k2.collect(0, 1000), { responses: [], ended: true });
});

test('Connect refuses the options of capabilities not claimed, naming them', () => {
  const caps = capabilitiesFor(sdkVersion());
  const p = new Performer();
  for (const [field, value, cap] of [['block_until_connected', true, 'connect.block'], ['auto_sync_interval_ms', 1000, 'connect.auto_sync']]) {
    assert.ok(!caps.includes(cap));
    assert.throws(() => p.connect({ endpoints: ['http://127.0.0.1:1'], [field]: value }), new RegExp(field));
  }
  assert.ok(caps.includes('connect.keepalive'));
  const res = p.connect({ endpoints: ['http://127.0.0.1:1'], keepalive_time_ms: 1000, keepalive_timeout_ms: 500 });
  assert.ok(res.client_id);
  assert.ok(BigInt(res.return_ns) >= BigInt(res.call_ns));
  const session = p.sessions.get(res.client_id);
  return session.close();
});

test("the SDK's own constructor failure is ConnectResponse.error, not a gRPC error", () => {
  const p = new Performer();
  // etcd3 refuses a mix of secure and insecure hosts in its constructor.
  const res = p.connect({ endpoints: ['https://127.0.0.1:1', 'http://127.0.0.1:2'] });
  assert.strictEqual(res.client_id, '');
  assert.match(res.error.message, /secure/);
  assert.ok(BigInt(res.return_ns) >= BigInt(res.call_ns));
});
