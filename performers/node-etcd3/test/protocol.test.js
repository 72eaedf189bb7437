'use strict';
// The protocol as the performer loads it (proto-loader, longs as strings): 64-bit
// values survive a round trip through the performer's own serializer exactly.

const test = require('node:test');
const assert = require('node:assert');
const { loadProtocol } = require('../src/server');
const convert = require('../src/sdk/convert');

const { service } = loadProtocol();
const execute = service.Execute;

test('int64 lease ids and revisions round-trip exactly', () => {
  const big = '9223372036854775807'; // 2^63-1: far past Number.MAX_SAFE_INTEGER
  const res = {
    results: [{
      call_ns: '1', return_ns: '2',
      ok: { lease_grant: { header: convert.header({ revision: '9007199254740993', cluster_id: '18446744073709551615', member_id: '1', raft_term: '2' }), id: big, ttl: '60' } },
    }],
  };
  const back = execute.responseDeserialize(execute.responseSerialize(res));
  const ok = back.results[0].ok.lease_grant;
  assert.strictEqual(ok.id, big);
  assert.strictEqual(ok.header.revision, '9007199254740993');
  assert.strictEqual(ok.header.cluster_id, '18446744073709551615');
  assert.strictEqual(back.results[0].outcome, 'ok');
});

test('requests decode int64 as strings and the command oneof by name', () => {
  const req = { client_id: 'c1', program: { commands: [{ put: { key: Buffer.from('k'), value: Buffer.from('v'), lease: '7587883237411397123' } }] } };
  const back = execute.requestDeserialize(execute.requestSerialize(req));
  const cmd = back.program.commands[0];
  assert.strictEqual(cmd.command, 'put');
  assert.strictEqual(cmd.put.lease, '7587883237411397123');
  assert.strictEqual(cmd.put.kind, undefined);
});

test('int64() refuses a JS number that already lost precision', () => {
  assert.strictEqual(convert.int64(42), '42');
  assert.strictEqual(convert.int64(null), '0');
  assert.throws(() => convert.int64(2 ** 60));
});

test('an SDK kv converts field by field; getPrevious() of a missing key is absent', () => {
  const kv = { key: Buffer.from('k'), create_revision: '5', mod_revision: '6', version: '2', value: Buffer.from('v'), lease: '0' };
  assert.deepStrictEqual(convert.kv(kv), { ...kv });
  assert.strictEqual(convert.hasKv({ header: {} }), false);
  assert.deepStrictEqual(convert.putResult({ header: null, prev_kv: null }), { header: { present: false } });
});
