'use strict';
// Mapping of what the etcd3 package throws onto the protocol's canonical ErrorCode.
//
// etcd3 turns every gRPC error into one of its own classes (errors.ts, castGrpcError):
// first by etcd's message text (grpcMessageToError: EtcdLeaseInvalidError,
// EtcdPermissionDeniedError, EtcdAuthenticationFailedError, EtcdRoleExistsError, ...),
// else by the gRPC status code (grpcCodeToError: GRPCInvalidArgumentError,
// GRPCDeadlineExceededError, ...), else EtcdError / GRPCGenericError. The new error
// keeps only the message ("3 INVALID_ARGUMENT: etcdserver: ..."): the `code` property
// of the gRPC error is dropped, so grpc_code is read back from that message prefix
// when it is there, else -1.
//
// Order: (1) etcd3's etcd-specific classes, (2) etcd's error text, looked up in etcd's
// error table gen/etcd_errors.tsv, then gRPC's size-limit text (the classes for
// e.g. "required revision has been compacted" are the generic GRPCOutOfRangeError),
// (3) the generic gRPC-code classes and other SDK/dependency errors, (4) a gRPC code
// found on the error or in its message, (5) UNKNOWN.

const fs = require('fs');
const path = require('path');
const deps = require('../deps');
const { PerformerDeadline } = require('./outcomes');

// (1) etcd3's own etcd-specific error classes (errors.ts), by class name.
const ETCD_CLASS_CODES = [
  ['EtcdLeaseInvalidError', 'LEASE_NOT_FOUND'],
  ['EtcdPermissionDeniedError', 'PERMISSION_DENIED'],
  ['EtcdAuthenticationFailedError', 'AUTH_FAILED'],
  ['EtcdInvalidAuthTokenError', 'AUTH_FAILED'],
];

// (2) etcd's error text: etcd's error table, gen/etcd_errors.tsv (protos/generate.sh
// copies it there from protos/etcdfit/performer/v1/etcd_errors.tsv), read at start-up.
// A message matches a row when it contains the row's message without its leading
// "etcdserver: "; the first matching row wins.
const ERROR_TABLE = path.resolve(__dirname, '..', '..', 'gen', 'etcd_errors.tsv');

// The table's format: '#' comments, blank lines, rows of code TAB grpc_status TAB message.
function parseErrorTable(text) {
  const rows = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line === '' || line.startsWith('#')) return;
    const f = line.split('\t');
    if (f.length !== 3 || f[2] === '' || !/^[A-Z_]+$/.test(f[0]) || !GRPC_NAMES.includes(f[1])) {
      throw new Error(`etcd_errors.tsv line ${i + 1}: want code TAB grpc_status TAB message: ${JSON.stringify(line)}`);
    }
    const match = f[2].startsWith('etcdserver: ') ? f[2].slice('etcdserver: '.length) : f[2];
    rows.push({ code: f[0], grpc_status: f[1], message: f[2], match });
  });
  if (rows.length === 0) throw new Error('etcd_errors.tsv has no rows');
  return rows;
}

function loadErrorTable(file = ERROR_TABLE) {
  return parseErrorTable(fs.readFileSync(file, 'utf8'));
}

// gRPC's own message-size check: the same failure as etcd's max-request-bytes.
const GRPC_SIZE_LIMIT = ['larger than max', 'REQUEST_TOO_LARGE'];

// (3) generic classes: etcd3's per-gRPC-code classes, cockatiel's fault-handling
// errors (the SDK's default policies) and the SDK's own argument checks.
const CLASS_CODES = [
  ['GRPCInvalidArgumentError', 'INVALID_ARGUMENT'],
  ['GRPCDeadlineExceededError', 'DEADLINE_EXCEEDED'],
  ['GRPCUnavailableError', 'UNAVAILABLE'],
  ['GRPCCancelledError', 'CANCELED'],
  ['GRPCUnauthenticatedError', 'AUTH_FAILED'],
  // 0.x: connection failures ("Connect Failed", "failed to connect to all addresses").
  ['GRPCConnectFailedError', 'UNAVAILABLE'],
  // The default host policy opens a circuit breaker after 3 failures in a row and
  // then refuses calls to that host for 5 s without trying it.
  ['BrokenCircuitError', 'UNAVAILABLE'],
  ['TaskCancelledError', 'CANCELED'],
  // A watch stream the server side ended without a cancel (a 'disconnected' error;
  // the Watcher reconnects): the connection went away.
  ['EtcdWatchStreamEnded', 'UNAVAILABLE'],
  // A call on a closed client (Host.getServiceClient).
  ['ClientClosedError', 'CANCELED'],
  // new Lease(ttl < 1) throws RangeError (1.1.0+; plain Error before).
  ['RangeError', 'INVALID_ARGUMENT'],
];

// (4) gRPC status codes.
const GRPC_NAMES = [
  'OK', 'CANCELLED', 'UNKNOWN', 'INVALID_ARGUMENT', 'DEADLINE_EXCEEDED', 'NOT_FOUND',
  'ALREADY_EXISTS', 'PERMISSION_DENIED', 'RESOURCE_EXHAUSTED', 'FAILED_PRECONDITION',
  'ABORTED', 'OUT_OF_RANGE', 'UNIMPLEMENTED', 'INTERNAL', 'UNAVAILABLE', 'DATA_LOSS',
  'UNAUTHENTICATED',
];
const ETCD_MESSAGES = loadErrorTable();

const GRPC_CODE_CODES = {
  1: 'CANCELED',
  3: 'INVALID_ARGUMENT',
  4: 'DEADLINE_EXCEEDED',
  7: 'PERMISSION_DENIED',
  14: 'UNAVAILABLE',
  16: 'AUTH_FAILED',
};

// The class names of the package's exports, so sdk_type can say "etcd3.X".
let etcd3Classes = null;
function etcd3Exports() {
  if (etcd3Classes === null) {
    etcd3Classes = new Map();
    try {
      const etcd3 = deps.load('etcd3');
      for (const [name, value] of Object.entries(etcd3)) {
        if (typeof value === 'function') etcd3Classes.set(value, name);
      }
    } catch (e) {
      // unit tests without a build still map by name
    }
  }
  return etcd3Classes;
}

function className(err) {
  if (err === null || typeof err !== 'object') return typeof err;
  const ctor = err.constructor;
  return (ctor && ctor.name) || 'Object';
}

// The SDK's own type name: "etcd3.GRPCInvalidArgumentError", "cockatiel.BrokenCircuitError",
// or the plain class name ("Error", "RangeError").
function sdkType(err) {
  const name = className(err);
  const ctor = err && typeof err === 'object' ? err.constructor : null;
  if (ctor && etcd3Exports().has(ctor)) return `etcd3.${etcd3Exports().get(ctor)}`;
  if (name === 'BrokenCircuitError' || name === 'TaskCancelledError' || name === 'IsolatedCircuitError') {
    return `cockatiel.${name}`;
  }
  return name;
}

// Every class name on the prototype chain, most specific first.
function classChain(err) {
  const out = [];
  let proto = err && typeof err === 'object' ? Object.getPrototypeOf(err) : null;
  while (proto && proto !== Object.prototype) {
    if (proto.constructor && proto.constructor.name) out.push(proto.constructor.name);
    proto = Object.getPrototypeOf(proto);
  }
  return out;
}

function messageOf(err) {
  if (err && typeof err === 'object' && typeof err.message === 'string') return err.message;
  return String(err);
}

// The gRPC status code the error carries: a numeric `code` (raw @grpc/grpc-js errors),
// else the "N NAME: " prefix grpc-js puts in the message that etcd3 keeps; else -1.
function grpcCode(err) {
  if (err && typeof err === 'object' && Number.isInteger(err.code) && err.code >= 0 && err.code <= 16) {
    return err.code;
  }
  const m = /(?:^|\s)(\d{1,2}) ([A-Z_]+): /.exec(messageOf(err));
  if (m) {
    const n = Number(m[1]);
    if (GRPC_NAMES[n] === m[2]) return n;
  }
  return -1;
}

function canonicalCode(err) {
  const chain = classChain(err);
  for (const [name, code] of ETCD_CLASS_CODES) {
    if (chain.includes(name)) return code;
  }
  const message = messageOf(err);
  for (const row of ETCD_MESSAGES) {
    if (message.includes(row.match)) return row.code;
  }
  if (message.includes(GRPC_SIZE_LIMIT[0])) return GRPC_SIZE_LIMIT[1];
  for (const [name, code] of CLASS_CODES) {
    if (chain.includes(name)) return code;
  }
  const g = grpcCode(err);
  if (g in GRPC_CODE_CODES) return GRPC_CODE_CODES[g];
  return 'UNKNOWN';
}

// errors.typed: true when the error is one of etcd3's own classes (everything errors.ts
// exports: EtcdError and the Etcd*Error classes, the GRPC*Error classes castGrpcError
// makes, EtcdWatchStreamEnded, ClientClosedError, ...). false for what came through
// unwrapped: a raw @grpc/grpc-js / grpc error (castGrpcError not applied, e.g. the error
// a Watcher's 'disconnected' event carries), cockatiel's BrokenCircuitError from the
// SDK's default circuit breaker, a RangeError/TypeError, or the performer's own deadline.
function isTyped(err) {
  const ctor = err && typeof err === 'object' ? err.constructor : null;
  if (!ctor || !etcd3Exports().has(ctor)) return false;
  return err instanceof Error;
}

// An error the SDK threw or emitted -> protocol SdkError (as a plain object).
function mapError(err) {
  if (err instanceof PerformerDeadline) {
    // No SDK deadline covers this call (a stream, a watch creation): the performer's own
    // request_timeout_ms expired -> DEADLINE_EXCEEDED, named as the performer's.
    return { code: 'DEADLINE_EXCEEDED', sdk_type: 'performer-deadline', message: err.message, grpc_code: -1, typed: false };
  }
  return {
    code: canonicalCode(err),
    sdk_type: sdkType(err),
    message: messageOf(err),
    grpc_code: grpcCode(err),
    typed: isTyped(err),
  };
}

module.exports = {
  mapError, isTyped, canonicalCode, grpcCode, sdkType, parseErrorTable, loadErrorTable,
  ERROR_TABLE, ETCD_MESSAGES, CLASS_CODES, ETCD_CLASS_CODES,
};
