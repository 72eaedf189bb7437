'use strict';
// The Workload's latency buckets against go-clientv3's (the reference: sharedBucketEdges
// in internal/workload/histogram_test.go), the histogram's wire form, the request checks.
// Run: ETCDFIT_NODE_DEPS=OUT node --test test/

const test = require('node:test');
const assert = require('node:assert');
const { bucketOf, Hist, parseSpec, keyOf } = require('../src/sdk/workload');

const SHARED_BUCKET_EDGES = [
  [0, 0], [1, 1], [127, 127], [128, 128], [129, 128], [130, 129], [255, 191], [256, 192],
  [1000, 317], [1023, 319], [1024, 320], [4095, 447], [4096, 448], [65535, 703], [65536, 704],
  [1000000, 954], [2147483647, 1663], [2147483648, 1664], [4294967295, 1727], [4294967296, 1728],
  [1099511627776, 2047],
];

test('bucket edges match go-clientv3', () => {
  for (const [us, idx] of SHARED_BUCKET_EDGES) assert.strictEqual(bucketOf(us), idx, `bucketOf(${us})`);
});

test('buckets are contiguous and within 1/64 below 2^20 us', () => {
  let prev = 0;
  for (let us = 0; us < 1 << 20; us += 1) {
    const idx = bucketOf(us);
    assert.ok(idx === prev || idx === prev + 1, `bucketOf(${us}) jumps`);
    prev = idx;
  }
});

test('histogram merge and wire form', () => {
  const a = new Hist();
  const b = new Hist();
  a.record(5);
  a.record(300);
  b.record(5);
  a.merge(b);
  assert.deepStrictEqual(a.proto(), { bucket: [5, 203], count: ['2', '1'], total: '3', sum_us: '310', max_us: '300', min_us: '5' });
});

test('a workload must end, ops must be known; keys are padded', () => {
  const base = { endpoints: ['127.0.0.1:1'], key_prefix: Buffer.from('p/') };
  assert.throws(() => parseSpec(base), /must end/);
  assert.throws(() => parseSpec({ ...base, total_ops: '1', mix: [{ op: 'NOPE', weight: 1 }] }), /unknown op/);
  const s = parseSpec({ ...base, total_ops: '1', key_size: 8 });
  assert.strictEqual(keyOf(s, 42).toString(), 'p/000042');
  assert.deepStrictEqual(s.ops, ['WORKLOAD_OP_PUT']);
});
