'use strict';
// The performer protocol loop: the gRPC PerformerService (Describe / Connect /
// Disconnect / Execute) over @grpc/grpc-js, with the protocol loaded at run time by
// @grpc/proto-loader from protos/ (no generated code), and the client registry.
// SDK specifics live in sdk/.
//
// The protocol is loaded with longs: String, so every int64/uint64 (revisions, lease
// ids) is a decimal string on both sides and never passes through a JS number.

const path = require('path');
const deps = require('./deps');
const { Session } = require('./sdk/session');
const { mapError } = require('./sdk/errors');
const { SdkRaised, BadRequest } = require('./sdk/outcomes');
const { capabilitiesFor, fluentOnly, NOT_CLAIMED } = require('./sdk/capabilities');
const { SDK_PACKAGE, sdkVersion } = require('./sdk/version');
const stream = require('./stream');
const { runWorkload, InvalidWorkload } = require('./sdk/workload');

const PERFORMER_NAME = 'node-etcd3';
const PERFORMER_VERSION = '0.1.0';
const MAX_MSG = 64 << 20;

const PROTOS_ROOT = path.resolve(__dirname, '..', '..', '..', 'protos');
const PERFORMER_PROTO = 'etcdfit/performer/v1/performer.proto';

class InvalidConnect extends Error {}

function log(msg) {
  const ts = new Date().toISOString().slice(11, 23);
  process.stderr.write(`[node-etcd3 ${ts}] ${msg}\n`);
}

function loadProtocol() {
  const grpc = deps.load('@grpc/grpc-js');
  const protoLoader = deps.load('@grpc/proto-loader');
  const def = protoLoader.loadSync(PERFORMER_PROTO, {
    includeDirs: [PROTOS_ROOT],
    keepCase: true,
    longs: String,
    enums: String,
    defaults: true,
    oneofs: true,
  });
  const pkg = grpc.loadPackageDefinition(def);
  return { grpc, service: pkg.etcdfit.performer.v1.PerformerService.service };
}

class Performer {
  constructor() {
    this.sessions = new Map();
    this.nextId = 1;
    // Execute calls on one client run one after another, like one program stream.
    this.queues = new Map();
  }

  describe() {
    const d = this.describeQuiet();
    log(`Describe -> ${SDK_PACKAGE} ${d.sdk_version}, ${d.capabilities.length} capabilities${fluentOnly() ? ' (fluent-only)' : ''}`);
    return d;
  }

  describeQuiet() {
    const version = sdkVersion();
    const caps = capabilitiesFor(version);
    return {
      name: PERFORMER_NAME,
      language: 'javascript',
      sdk_package: SDK_PACKAGE,
      sdk_version: version,
      performer_version: PERFORMER_VERSION,
      protocol_version: 'PROTOCOL_VERSION_1',
      capabilities: caps,
    };
  }

  // Connect options behind a capability: a set option this SDK version cannot apply is
  // refused (gRPC INVALID_ARGUMENT naming it), never ignored.
  unsupportedOption(req) {
    const caps = new Set(capabilitiesFor(sdkVersion()));
    const options = [
      ['keepalive_time_ms', 'connect.keepalive'],
      ['keepalive_timeout_ms', 'connect.keepalive'],
      ['block_until_connected', 'connect.block'],
      ['auto_sync_interval_ms', 'connect.auto_sync'],
      ['tls_ca_pem', 'connect.tls'],
      ['tls_server_name', 'connect.tls'],
      ['tls_cert_pem', 'connect.tls.client_cert'],
      ['tls_key_pem', 'connect.tls.client_cert'],
    ];
    // bytes fields arrive as Buffers, set or not: an empty one is unset
    const isSet = (v) => (v && typeof v === 'object' && 'length' in v ? v.length > 0 : Boolean(v));
    for (const [field, cap] of options) {
      if (isSet(req[field]) && !caps.has(cap)) {
        return `Connect option ${field} is not supported: ${SDK_PACKAGE} ${sdkVersion()} lacks ${cap}` +
          (NOT_CLAIMED[cap] ? ` (${NOT_CLAIMED[cap]})` : '');
      }
    }
    return null;
  }

  // -> ConnectResponse. The SDK's own constructor failure is data (`error`), not a
  // gRPC error; a malformed request (no endpoints, an unsupported option) throws.
  connect(req) {
    const bad = this.unsupportedOption(req);
    if (bad) throw new InvalidConnect(bad);
    let session;
    try {
      session = new Session(req, log);
    } catch (e) {
      if (!(e instanceof SdkRaised)) throw e;
      const error = mapError(e.original);
      log(`Connect ${JSON.stringify(req.endpoints)} -> SDK constructor failed: ${error.sdk_type}: ${error.message}`);
      return { client_id: '', error, call_ns: String(e.callNs), return_ns: String(e.returnNs) };
    }
    const id = `c${this.nextId++}`;
    this.sessions.set(id, session);
    const ka = req.keepalive_time_ms || req.keepalive_timeout_ms
      ? ` keepalive=${req.keepalive_time_ms}/${req.keepalive_timeout_ms}ms` : '';
    log(`Connect ${JSON.stringify(req.endpoints)} -> ${id} request_timeout=${session.requestTimeoutMs}ms ` +
      `dial_timeout=${session.dialTimeoutMs}ms (not read by etcd3)${ka} auth=${Boolean(req.username)}`);
    return { client_id: id, call_ns: String(session.callNs), return_ns: String(session.returnNs) };
  }

  async disconnect(req) {
    const session = this.sessions.get(req.client_id);
    if (!session) return false;
    this.sessions.delete(req.client_id);
    this.queues.delete(req.client_id);
    await session.close();
    log(`Disconnect ${req.client_id} -> closed`);
    return true;
  }

  async execute(req) {
    const started = Date.now();
    const commands = (req.program && req.program.commands) || [];
    const session = this.sessions.get(req.client_id);
    const results = [];
    if (!session) {
      const now = process.hrtime.bigint().toString();
      for (let i = 0; i < commands.length; i++) {
        results.push({
          call_ns: now,
          return_ns: now,
          harness_error: { kind: 'BAD_REQUEST', message: `unknown client_id ${JSON.stringify(req.client_id)}` },
        });
      }
      log(`Execute ${req.client_id}: unknown client (${commands.length} commands)`);
      return { results };
    }
    const prev = this.queues.get(req.client_id) || Promise.resolve();
    let release;
    const mine = new Promise(resolve => {
      release = resolve;
    });
    this.queues.set(req.client_id, prev.then(() => mine));
    await prev;
    try {
      session.rpcNotes = [];
      for (const cmd of commands) {
        results.push(await session.execute(cmd));
      }
    } finally {
      release();
    }
    const counts = { ok: 0, sdk_error: 0, harness_error: 0 };
    for (const r of results) {
      if (r.ok) counts.ok += 1;
      else if (r.sdk_error) counts.sdk_error += 1;
      else counts.harness_error += 1;
    }
    let kinds = commands.map(c => c.command || '?').join(',');
    if (kinds.length > 200) kinds = `${kinds.slice(0, 200)}...`;
    const rpc = session.rpcNotes.length ? ` rpc-level: ${[...new Set(session.rpcNotes)].join('; ')}` : '';
    log(`Execute ${req.client_id} [${kinds}] -> ok=${counts.ok} sdk_error=${counts.sdk_error} ` +
      `harness_error=${counts.harness_error} (${Date.now() - started} ms)${rpc}`);
    return { results };
  }

  // Runs fn when every earlier Execute / ExecuteStream on the client is done (one program
  // at a time per client); the next waits for it.
  async exclusive(clientId, fn) {
    const prev = this.queues.get(clientId) || Promise.resolve();
    let release;
    const mine = new Promise(resolve => {
      release = resolve;
    });
    this.queues.set(clientId, prev.then(() => mine));
    await prev;
    try {
      return await fn();
    } finally {
      release();
    }
  }

  async closeAll() {
    const all = [...this.sessions.values()];
    this.sessions.clear();
    await Promise.all(all.map(s => s.close().catch(() => undefined)));
  }
}

function run(listen) {
  const { grpc, service } = loadProtocol();
  const performer = new Performer();
  const server = new grpc.Server({
    'grpc.max_receive_message_length': MAX_MSG,
    'grpc.max_send_message_length': MAX_MSG,
  });
  const fail = (callback, code, message) => callback({ code, details: message, message });
  server.addService(service, {
    Describe: (call, callback) => {
      try {
        callback(null, performer.describe());
      } catch (e) {
        log(`Describe failed: ${e.stack || e}`);
        fail(callback, grpc.status.INTERNAL, String(e && e.message));
      }
    },
    Connect: (call, callback) => {
      try {
        callback(null, performer.connect(call.request));
      } catch (e) {
        log(`Connect ${JSON.stringify(call.request.endpoints)} refused: ${e && e.message}`);
        if (e instanceof InvalidConnect) {
          fail(callback, grpc.status.INVALID_ARGUMENT, e.message);
        } else if (e instanceof BadRequest) {
          fail(callback, grpc.status.INVALID_ARGUMENT, `bad Connect request: ${e.message}`);
        } else {
          fail(callback, grpc.status.INTERNAL, `Connect failed in the performer: ${e && e.stack}`);
        }
      }
    },
    Disconnect: (call, callback) => {
      performer.disconnect(call.request).then(found => {
        if (!found) {
          log(`Disconnect ${call.request.client_id} -> unknown client`);
          fail(callback, grpc.status.NOT_FOUND, `unknown client_id ${JSON.stringify(call.request.client_id)}`);
        } else {
          callback(null, {});
        }
      }, e => {
        log(`Disconnect failed: ${e && e.stack}`);
        fail(callback, grpc.status.INTERNAL, String(e && e.message));
      });
    },
    ExecuteStream: call => stream.serve(performer, call, log, grpc),
    // The fast path (capability execute.session): many programs on one stream, each
    // answered as Execute would, in the order they came.
    ExecuteSession: call => {
      let chain = Promise.resolve();
      let broken = false;
      call.on('data', req => {
        chain = chain.then(async () => {
          if (broken || call.cancelled) return;
          call.write(await performer.execute(req));
        }).catch(e => {
          broken = true;
          log(`ExecuteSession failed: ${e && e.stack}`);
          call.destroy({ code: grpc.status.INTERNAL, details: String(e && e.message) });
        });
      });
      call.on('end', () => {
        chain.then(() => {
          if (!broken) call.end();
        });
      });
      call.on('error', () => {
        broken = true;
      });
    },
    Execute: (call, callback) => {
      performer.execute(call.request).then(res => callback(null, res), e => {
        log(`Execute failed: ${e && e.stack}`);
        fail(callback, grpc.status.INTERNAL, String(e && e.message));
      });
    },
    // perf.workload (sdk/workload.js): reports stream back; a bad request is INVALID_ARGUMENT.
    Workload: call => {
      const t0 = Date.now();
      runWorkload(call, log).then(() => {
        log(`Workload ended after ${Date.now() - t0} ms${call.cancelled ? ' (cancelled)' : ''}`);
        call.end();
      }, e => {
        log(`Workload failed: ${e && (e instanceof InvalidWorkload ? e.message : e.stack)}`);
        call.emit('error', {
          code: e instanceof InvalidWorkload ? grpc.status.INVALID_ARGUMENT : grpc.status.INTERNAL,
          details: String(e && e.message),
        });
      });
    },
  });

  // The SDK throws some of its errors from event handlers (e.g. watch.ts
  // ClientRuntimeError): log them instead of dying with every client's state.
  process.on('uncaughtException', err => log(`uncaught exception (SDK event handler?): ${err && err.stack}`));
  process.on('unhandledRejection', err => log(`unhandled rejection: ${err && err.stack ? err.stack : err}`));

  return new Promise((resolve, reject) => {
    server.bindAsync(listen, grpc.ServerCredentials.createInsecure(), (err, port) => {
      if (err) {
        log(`cannot listen on ${listen}: ${err.message}`);
        reject(err);
        return;
      }
      if (needsStart()) server.start();
      log(`listening on ${listen} (port ${port}; ${SDK_PACKAGE} ${sdkVersion()} from ${path.dirname(deps.resolvePath('etcd3'))}; ` +
        `node ${process.version}; pid ${process.pid})`);
      let stopping = false;
      const stop = signal => {
        if (stopping) return;
        stopping = true;
        log(`${signal}: shutting down`);
        const force = setTimeout(() => server.forceShutdown(), 2000);
        server.tryShutdown(() => {
          clearTimeout(force);
          performer.closeAll().finally(() => {
            log('stopped');
            resolve(0);
          });
        });
      };
      process.on('SIGTERM', () => stop('SIGTERM'));
      process.on('SIGINT', () => stop('SIGINT'));
    });
  });
}

// grpc-js < 1.10 needs server.start() after bindAsync; later versions deprecate it.
function needsStart() {
  const v = deps.packageVersion('@grpc/grpc-js').split('.').map(Number);
  return v[0] === 1 && v[1] < 10;
}

module.exports = { run, Performer, loadProtocol, PERFORMER_NAME, PERFORMER_VERSION };
