'use strict';
// ExecuteStream (src/stream.js) without an etcd: a fake call and a fake session; the
// messages go through the protocol's own serializer so their shapes are the wire's.

const test = require('node:test');
const assert = require('node:assert');
const { EventEmitter } = require('events');
const { loadProtocol, Performer } = require('../src/server');
const stream = require('../src/stream');
const { capabilitiesFor, NOT_CLAIMED } = require('../src/sdk/capabilities');

const { grpc, service } = loadProtocol();
const method = service.ExecuteStream;

// A duplex call as grpc-js hands it to the handler; the driver side relays signals back.
function fakeCall() {
  const call = new EventEmitter();
  call.cancelled = false;
  call.sent = [];
  call.ended = new Promise(resolve => {
    call.end = () => resolve();
  });
  call.write = m => {
    const wire = method.responseDeserialize(method.responseSerialize(m));
    call.sent.push(wire);
    if (wire.signalled) call.emit('data', { latch_released: { latch: wire.signalled.latch }, request: 'latch_released' });
  };
  return call;
}

function program(clientId, commands) {
  return method.requestDeserialize(method.requestSerialize({ program: { client_id: clientId, program: { commands } } }));
}

test('signals are relayed, waits see released latches or time out, results come in order, done last', async () => {
  const performer = new Performer();
  performer.sessions.set('c1', { execute: async () => ({ call_ns: '1', return_ns: '2', ok: { put: {} } }) });
  const call = fakeCall();
  stream.serve(performer, call, () => {}, grpc);
  call.emit('data', program('c1', [
    { signal: { latch: 'a' } }, { wait: { latch: 'a', timeout_ms: 5000 } }, { wait: { latch: 'never', timeout_ms: 30 } },
    { put: { key: Buffer.from('k'), value: Buffer.from('v') } },
  ]));
  await call.ended;
  const results = call.sent.filter(m => m.result).map(m => m.result);
  assert.deepStrictEqual(results.map(r => r.index), [0, 1, 2, 3]);
  assert.strictEqual(results[1].result.ok.wait.released, true);
  assert.strictEqual(results[2].result.ok.wait.released, false);
  assert.ok(results[3].result.ok.put);
  assert.strictEqual(call.sent.filter(m => m.signalled).length, 1);
  assert.ok(call.sent[call.sent.length - 1].done, 'done is the last message');
});

test('an unknown client gets BAD_REQUEST per command and done', async () => {
  const call = fakeCall();
  stream.serve(new Performer(), call, () => {}, grpc);
  call.emit('data', program('nope', [{ signal: { latch: 'a' } }]));
  await call.ended;
  assert.strictEqual(call.sent[0].result.result.harness_error.kind, 'BAD_REQUEST');
  assert.ok(call.sent[1].done);
});

test('a wait ends unreleased when the stream ends', async () => {
  const latches = new stream.Latches();
  const w = latches.wait('x', 5000);
  latches.end();
  assert.strictEqual(await w, false);
  latches.release('y');
  assert.strictEqual(await latches.wait('y', 10), true);
});

test('recipe claims: the single-key try-once lock, not etcd\'s lock layout, no election', () => {
  for (const v of ['0.2.13', '1.0.2', '1.1.2']) {
    const caps = capabilitiesFor(v);
    assert.ok(caps.includes('stream.latches') && caps.includes('lock.single_key'), v);
    for (const id of ['lock', 'lock.try', 'election']) {
      assert.ok(!caps.includes(id), `${v} ${id}`);
      assert.ok(NOT_CLAIMED[id].length > 20, id);
    }
  }
});
