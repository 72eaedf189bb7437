'use strict';
// Error mapping, table-driven, on errors made the way the SDK makes them: a gRPC
// error ({message: "N NAME: details", code}) passed through etcd3's own castGrpcError.
// Run: ETCDFIT_NODE_DEPS=OUT node --test test/   (OUT: a folder build.sh installed into)

const test = require('node:test');
const assert = require('node:assert');
const deps = require('../src/deps');
const fs = require('fs');
const { mapError, parseErrorTable, ERROR_TABLE, ETCD_MESSAGES } = require('../src/sdk/errors');

const etcd3 = deps.load('etcd3');
const GRPC_NAMES = ['OK', 'CANCELLED', 'UNKNOWN', 'INVALID_ARGUMENT', 'DEADLINE_EXCEEDED', 'NOT_FOUND',
  'ALREADY_EXISTS', 'PERMISSION_DENIED', 'RESOURCE_EXHAUSTED', 'FAILED_PRECONDITION', 'ABORTED',
  'OUT_OF_RANGE', 'UNIMPLEMENTED', 'INTERNAL', 'UNAVAILABLE', 'DATA_LOSS', 'UNAUTHENTICATED'];

function sdkError(code, details) {
  const raw = new Error(`${code} ${GRPC_NAMES[code]}: ${details}`);
  raw.code = code;
  return etcd3.castGrpcError(raw);
}

// [gRPC code, etcd's details, canonical code]
const CASES = [
  [11, 'etcdserver: mvcc: required revision has been compacted', 'COMPACTED'],
  [11, 'etcdserver: mvcc: required revision is a future revision', 'FUTURE_REVISION'],
  [5, 'etcdserver: requested lease not found', 'LEASE_NOT_FOUND'],
  [3, 'etcdserver: duplicate key given in txn request', 'DUPLICATE_KEY'],
  [3, 'etcdserver: too many operations in txn request', 'TOO_MANY_OPS'],
  [3, 'etcdserver: request is too large', 'REQUEST_TOO_LARGE'],
  [3, 'etcdserver: key is not provided', 'EMPTY_KEY'],
  [3, 'etcdserver: key not found', 'KEY_NOT_FOUND'],
  [9, 'etcdserver: lease already exists', 'LEASE_EXISTS'],
  [11, 'etcdserver: too large lease TTL', 'LEASE_TTL_TOO_LARGE'],
  [3, 'etcdserver: value is provided', 'VALUE_PROVIDED'],
  [3, 'etcdserver: lease is provided', 'LEASE_PROVIDED'],
  [7, 'etcdserver: permission denied', 'PERMISSION_DENIED'],
  [3, 'etcdserver: authentication failed, invalid user ID or password', 'AUTH_FAILED'],
  [16, 'etcdserver: invalid auth token', 'AUTH_FAILED'],
  [8, 'Received message larger than max (1700000 vs. 1572864)', 'REQUEST_TOO_LARGE'],
  [3, 'etcdserver: some new invalid argument', 'INVALID_ARGUMENT'],
  [4, 'Deadline exceeded', 'DEADLINE_EXCEEDED'],
  [14, 'No connection established', 'UNAVAILABLE'],
  [1, 'Cancelled on client', 'CANCELED'],
  [9, 'etcdserver: some other precondition', 'UNKNOWN'],
  [13, 'something internal', 'UNKNOWN'],
];

for (const [grpcCode, details, want] of CASES) {
  test(`${details} (gRPC ${grpcCode}) -> ${want}`, () => {
    const err = sdkError(grpcCode, details);
    const got = mapError(err);
    assert.strictEqual(got.code, want, `${got.sdk_type}: ${got.message}`);
    assert.strictEqual(got.message, err.message, 'message is the SDK error message, verbatim');
    assert.match(got.sdk_type, /^etcd3\./, 'sdk_type names the etcd3 class');
    assert.strictEqual(got.grpc_code, grpcCode, 'grpc_code read back from the message prefix');
  });
}

test('an etcd3 class error of its own (keep-alive of an expired lease) maps by class, no gRPC code', () => {
  const got = mapError(new etcd3.EtcdLeaseInvalidError('7587883237411397123'));
  assert.strictEqual(got.code, 'LEASE_NOT_FOUND');
  assert.strictEqual(got.sdk_type, 'etcd3.EtcdLeaseInvalidError');
  assert.strictEqual(got.grpc_code, -1);
});

test('a canceled watch keeps only its text: UNKNOWN', () => {
  const got = mapError(etcd3.castGrpcErrorMessage('Watcher canceled: '));
  assert.strictEqual(got.code, 'UNKNOWN');
  assert.strictEqual(got.sdk_type, 'etcd3.EtcdError');
  assert.strictEqual(got.grpc_code, -1);
});

test('a raw gRPC error (not cast by the SDK) maps by its numeric code', () => {
  const raw = Object.assign(new Error('14 UNAVAILABLE: connection refused'), { code: 14 });
  const got = mapError(raw);
  assert.strictEqual(got.code, 'UNAVAILABLE');
  assert.strictEqual(got.sdk_type, 'Error');
  assert.strictEqual(got.grpc_code, 14);
});

test('something that is not an Error still maps', () => {
  const got = mapError('boom');
  assert.strictEqual(got.code, 'UNKNOWN');
  assert.strictEqual(got.message, 'boom');
  assert.strictEqual(got.grpc_code, -1);
});

test("etcd's error table (gen/etcd_errors.tsv) loads with every row, and each row's message maps to its code", () => {
  const rows = fs.readFileSync(ERROR_TABLE, 'utf8').split('\n').filter((l) => l !== '' && !l.startsWith('#'));
  assert.ok(rows.length >= 20, `only ${rows.length} rows`);
  assert.strictEqual(ETCD_MESSAGES.length, rows.length);
  for (const row of ETCD_MESSAGES) {
    const code = GRPC_NAMES.indexOf(row.grpc_status);
    assert.ok(code > 0, row.grpc_status);
    const got = mapError(sdkError(code, row.message));
    assert.strictEqual(got.code, row.code, `${got.sdk_type}: ${got.message}`);
    assert.strictEqual(got.grpc_code, code);
    // an SDK that drops etcd's "etcdserver: " prefix still matches the row
    const bare = row.message.replace(/^etcdserver: /, '');
    assert.strictEqual(mapError(new Error(`sdk: ${bare}`)).code, row.code, bare);
  }
  const compacted = ETCD_MESSAGES.find((r) => r.code === 'COMPACTED');
  assert.strictEqual(compacted.match, 'mvcc: required revision has been compacted');
});

test('a malformed error table is refused', () => {
  for (const bad of ['COMPACTED\tNOPE\tetcdserver: x', 'COMPACTED\tOUT_OF_RANGE', 'compacted\tOUT_OF_RANGE\tx', '# only a comment']) {
    assert.throws(() => parseErrorTable(bad), /etcd_errors\.tsv/, JSON.stringify(bad));
  }
});
