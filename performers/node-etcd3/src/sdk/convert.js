'use strict';
// etcd3 responses -> protocol result objects.
//
// etcd3 loads etcd's rpc.proto with @grpc/proto-loader {keepCase, longs: String,
// enums: String, defaults: true, oneofs: true}: every int64/uint64 (revisions, lease
// ids, counts) arrives as a decimal string, keys and values as Buffers, an absent
// message as null. The performer's own protocol is loaded the same way (longs as
// strings), so 64-bit numbers pass through as strings and never become JS numbers.

const EMPTY = Buffer.alloc(0);

// A decimal string for an int64 field, from what the SDK gave (string, number,
// bigint, Long-like with toString). Missing -> "0".
function int64(v) {
  if (v === undefined || v === null || v === '') return '0';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') {
    if (!Number.isSafeInteger(v)) {
      throw new Error(`unsafe integer ${v} for an int64 field: precision already lost`);
    }
    return String(v);
  }
  if (typeof v === 'bigint') return v.toString();
  if (typeof v.toString === 'function') return v.toString(10);
  throw new Error(`cannot read ${typeof v} as int64`);
}

function bytes(v) {
  if (v === undefined || v === null) return EMPTY;
  if (Buffer.isBuffer(v)) return v;
  if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
  return Buffer.from(String(v));
}

function absentHeader() {
  return { present: false };
}

function header(h) {
  if (h === undefined || h === null) return absentHeader();
  return {
    revision: int64(h.revision),
    cluster_id: int64(h.cluster_id),
    member_id: int64(h.member_id),
    raft_term: int64(h.raft_term),
    present: true,
  };
}

function kv(k) {
  return {
    key: bytes(k.key),
    create_revision: int64(k.create_revision),
    mod_revision: int64(k.mod_revision),
    version: int64(k.version),
    value: bytes(k.value),
    lease: int64(k.lease),
  };
}

function kvs(list) {
  return (list || []).map(kv);
}

// A KeyValue object the SDK returned is "present" when it has a key (etcd never
// returns a kv without one). getPrevious() spreads a null prev_kv into {header}.
function hasKv(k) {
  return k !== undefined && k !== null && k.key !== undefined && k.key !== null;
}

function putResult(resp) {
  const out = { header: header(resp.header) };
  if (hasKv(resp.prev_kv)) out.prev_kv = kv(resp.prev_kv);
  return out;
}

function rangeResult(resp) {
  return {
    header: header(resp.header),
    kvs: kvs(resp.kvs),
    more: Boolean(resp.more),
    count: int64(resp.count),
  };
}

function deleteResult(resp) {
  return {
    header: header(resp.header),
    deleted: int64(resp.deleted),
    prev_kvs: kvs(resp.prev_kvs),
  };
}

// Which member of a ResponseOp oneof is set (proto-loader's virtual `response`
// field when present, else the first non-null member).
function responseOpKind(op) {
  if (typeof op.response === 'string' && op[op.response]) return op.response;
  for (const name of ['response_put', 'response_range', 'response_delete_range', 'response_txn']) {
    if (op[name]) return name;
  }
  return null;
}

function txnResult(resp) {
  return {
    header: header(resp.header),
    succeeded: Boolean(resp.succeeded),
    responses: (resp.responses || []).map(responseOp),
  };
}

function responseOp(op) {
  const kind = responseOpKind(op);
  switch (kind) {
    case 'response_put':
      return { put: putResult(op.response_put) };
    case 'response_range':
      return { range: rangeResult(op.response_range) };
    case 'response_delete_range':
      return { delete_range: deleteResult(op.response_delete_range) };
    case 'response_txn':
      return { txn: txnResult(op.response_txn) };
    default:
      throw new Error(`unknown ResponseOp ${JSON.stringify(Object.keys(op))}`);
  }
}

module.exports = {
  int64, bytes, header, absentHeader, kv, kvs, hasKv, putResult, rangeResult, deleteResult, txnResult,
};
