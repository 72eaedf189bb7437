'use strict';
// One Connect: an etcd3 client, the leases it granted and its watch handles, and the
// execution of every protocol command through the etcd3 API.
//
// Which API runs a command (see capabilities.js for the per-capability list):
//   * the fluent API (builders, Lease, WatchBuilder) whenever it can express the
//     request; what it returns is reported as it is, even when it drops fields;
//   * the SDK's generated RPC clients on the client object (client.kv,
//     client.leaseClient, client.maintenance) only for requests the fluent API
//     cannot express at all. Every such call goes through rpcCall(), which names
//     the reason, logs it and refuses when ETCDFIT_NODE_ETCD3_FLUENT_ONLY=1.
// Raw gRPC stubs of our own are never used.

const deps = require('../deps');
const convert = require('./convert');
const { mapError } = require('./errors');
const { fluentOnly } = require('./capabilities');
const { sdkVersion, features } = require('./version');
const { Watch, WatchRegistry } = require('./watch');
const { KeepAlive } = require('./keepalive');
const recipes = require('./recipes');
const stm = require('./stm');
const {
  Unimplemented, BadRequest, PerformerTimeout, PerformerDeadline, SdkRaised, isPerformerError,
} = require('./outcomes');

const DEFAULT_DIAL_TIMEOUT_MS = 5000;
const DEFAULT_REQUEST_TIMEOUT_MS = 10000;
const DEFAULT_COLLECT_TIMEOUT_MS = 5000;
// Disconnect waits this long for each watch's cancel (in parallel): prompt even when the
// server is frozen and the cancel is never answered.
const CLOSE_CANCEL_MS = 500;

// ---------------------------------------------------------------- outcomes

function nowNs() {
  return process.hrtime.bigint();
}

// How far past request_timeout_ms the performer's backstop deadline lies: the SDK's
// own deadline (absolute, in the call options) should always fire first.
const BACKSTOP_MS = 500;

// Monotonic clock around the SDK call(s) of one command, and the performer-side
// backstop deadline on each: request_timeout_ms + BACKSTOP_MS (0: none). etcd3 0.x
// waits for a failed host's backoff (300 ms growing to 10 s) before it even starts
// the gRPC call, outside any gRPC deadline; the backstop ends such a call with
// DEADLINE_EXCEEDED (sdk_type "performer-deadline").
class Timer {
  constructor(backstopMs = 0) {
    this.callNs = null;
    this.returnNs = null;
    this.backstopMs = backstopMs;
  }

  async call(fn) {
    if (this.callNs === null) this.callNs = nowNs();
    try {
      if (this.backstopMs > 0) {
        return await withTimeout(Promise.resolve().then(fn), this.backstopMs, 'the SDK call', PerformerDeadline);
      }
      return await fn();
    } catch (e) {
      // The performer's own outcomes (Unimplemented, BadRequest, PerformerTimeout)
      // pass through; anything else came from the SDK.
      if (isPerformerError(e)) throw e;
      throw new SdkRaised(e);
    } finally {
      this.returnNs = nowNs();
    }
  }

  mark() {
    if (this.callNs === null) this.callNs = nowNs();
  }

  done() {
    this.returnNs = nowNs();
  }
}

// ---------------------------------------------------------------- enum tables

const SORT_TARGET = {
  SORT_TARGET_KEY: 'Key',
  SORT_TARGET_VERSION: 'Version',
  SORT_TARGET_CREATE: 'Create',
  SORT_TARGET_MOD: 'Mod',
  SORT_TARGET_VALUE: 'Value',
};
const SORT_ORDER = {
  SORT_ORDER_NONE: 'None',
  SORT_ORDER_ASCEND: 'Ascend',
  SORT_ORDER_DESCEND: 'Descend',
};
// Protocol CompareTarget -> etcd3 column name (builder.ts compareTarget keys) and the
// protocol Compare field holding the operand.
const COMPARE_COLUMN = {
  COMPARE_TARGET_VERSION: ['Version', 'version'],
  COMPARE_TARGET_CREATE: ['Create', 'create_revision'],
  COMPARE_TARGET_MOD: ['Mod', 'mod_revision'],
  COMPARE_TARGET_VALUE: ['Value', 'value'],
  COMPARE_TARGET_LEASE: ['Lease', 'lease'],
};
// Protocol CompareResult -> etcd3 comparator (builder.ts comparator keys).
const COMPARATOR = {
  COMPARE_RESULT_EQUAL: '==',
  COMPARE_RESULT_GREATER: '>',
  COMPARE_RESULT_LESS: '<',
  COMPARE_RESULT_NOT_EQUAL: '!=',
};

function isSet(int64String) {
  return int64String !== undefined && int64String !== null && int64String !== '' && int64String !== '0';
}

function sortRequested(r) {
  return r.sort_order !== 'SORT_ORDER_NONE' || r.sort_target !== 'SORT_TARGET_KEY';
}

function rangeFilters(r) {
  return isSet(r.min_mod_revision) || isSet(r.max_mod_revision) ||
    isSet(r.min_create_revision) || isSet(r.max_create_revision);
}

// A performer-side bound on an SDK promise. `Kind` is PerformerTimeout (a performer
// bug or an SDK hang where none may happen -> INTERNAL) or PerformerDeadline (an SDK
// call with no deadline of its own -> DEADLINE_EXCEEDED).
function withTimeout(promise, ms, what, Kind = PerformerTimeout) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Kind(`${what} did not settle within ${ms} ms (performer-side deadline)`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

// ---------------------------------------------------------------- the session

class Session {
  constructor(req, log) {
    const endpoints = [...(req.endpoints || [])];
    if (endpoints.length === 0) throw new BadRequest('no endpoints given');
    this.log = log || (() => {});
    this.etcd3 = deps.load('etcd3');
    this.version = sdkVersion();
    this.features = features(this.version);
    this.endpoints = endpoints;
    this.requestTimeoutMs = req.request_timeout_ms || DEFAULT_REQUEST_TIMEOUT_MS;
    this.dialTimeoutMs = req.dial_timeout_ms || DEFAULT_DIAL_TIMEOUT_MS;
    this.rpcAllowed = !fluentOnly();
    const options = {
      hosts: endpoints,
      // Documented as the connect timeout; no etcd3 version reads it (grep lib/: the
      // option is declared in options.d.ts only). A call to an unreachable host ends
      // by gRPC's own failure (closed port) or by the call's deadline (blackhole).
      dialTimeout: this.dialTimeoutMs,
    };
    if (this.features.defaultCallOptions) {
      // The documented way to put a deadline on every unary call (streams excluded).
      // Every call below also passes its own absolute deadline (this.co()), see there.
      const ms = this.requestTimeoutMs;
      options.defaultCallOptions = ctx => (ctx.isStream ? {} : { deadline: Date.now() + ms });
    }
    if (req.keepalive_time_ms || req.keepalive_timeout_ms) {
      // connect.keepalive: gRPC channel arguments through IOptions.grpcOptions.
      options.grpcOptions = {};
      if (req.keepalive_time_ms) options.grpcOptions['grpc.keepalive_time_ms'] = req.keepalive_time_ms;
      if (req.keepalive_timeout_ms) options.grpcOptions['grpc.keepalive_timeout_ms'] = req.keepalive_timeout_ms;
    }
    if (req.username) {
      options.auth = { username: req.username, password: req.password };
    }
    const pem = (v) => (v && v.length > 0 ? Buffer.from(v) : null);
    const ca = pem(req.tls_ca_pem);
    if (ca) {
      // connect.tls: IOptions.credentials {rootCertificate, privateKey, certChain}, which
      // the connection pool turns into grpc.credentials.createSsl(...) for every host
      // channel and for the Authenticator's channel (lib/connection-pool.js
      // buildAuthentication). The endpoints are https:// (hasSecureHost).
      options.credentials = { rootCertificate: ca };
      const cert = pem(req.tls_cert_pem);
      const key = pem(req.tls_key_pem);
      if (Boolean(cert) !== Boolean(key)) throw new BadRequest('tls_cert_pem and tls_key_pem: both or neither');
      if (cert) {
        options.credentials.certChain = cert;
        options.credentials.privateKey = key;
      }
      if (req.tls_server_name) {
        // No IOptions field for it: gRPC's channel argument, through IOptions.grpcOptions
        // (the Authenticator's own Auth channel gets no channel options: its TLS name
        // stays the host's).
        options.grpcOptions = { ...(options.grpcOptions || {}), 'grpc.ssl_target_name_override': req.tls_server_name };
      }
    } else if (pem(req.tls_cert_pem) || pem(req.tls_key_pem) || req.tls_server_name) {
      throw new BadRequest('tls_cert_pem/tls_key_pem/tls_server_name without tls_ca_pem (empty CA is plaintext)');
    }
    // ConnectResponse.call_ns/return_ns: around the SDK's client constructor.
    this.callNs = nowNs();
    try {
      this.client = new this.etcd3.Etcd3(options);
    } catch (e) {
      const err = new SdkRaised(e);
      err.callNs = this.callNs;
      err.returnNs = nowNs();
      throw err;
    }
    this.returnNs = nowNs();
    // Per-call options: an absolute deadline made once per command, passed to the
    // builder's .options() / the RPC call (call options win over defaultCallOptions).
    // The SDK hands the same object to every attempt of its retry policy (1.x: the
    // global policy retries recoverable errors, DEADLINE_EXCEEDED included, up to 3
    // times), so the whole call ends at request_timeout_ms. With defaultCallOptions
    // alone each attempt gets a fresh deadline: a put to a frozen server took 3 x the
    // request timeout (6.0 s for 2 s) before the circuit breaker opened.
    this.co = () => ({ deadline: Date.now() + this.requestTimeoutMs });
    this.leases = new Map(); // lease id (decimal string) -> the Lease object that granted it
    this.watches = new WatchRegistry();
    this.keepAlives = new WatchRegistry(); // handle -> KeepAlive
    this.rpcNotes = [];
  }

  async close() {
    const pending = [];
    for (const w of this.watches.drain()) {
      if (!w.ended && w.watcher) {
        pending.push(withTimeout(Promise.resolve().then(() => w.watcher.cancel()), CLOSE_CANCEL_MS, 'Watcher.cancel()')
          .catch(() => undefined));
      }
      w.markEnded();
    }
    for (const k of this.keepAlives.drain()) k.stop();
    pending.push(withTimeout(this.closeRecipes(), this.requestTimeoutMs, 'revoking held locks').catch(() => undefined));
    await Promise.all(pending);
    for (const lease of this.leases.values()) {
      try {
        lease.release(); // stops nothing here (autoKeepAlive: false), frees the object
      } catch (e) {
        // ignore
      }
    }
    this.leases.clear();
    this.client.close();
  }

  // A call through the SDK's RPC-level clients (client.kv / leaseClient / maintenance),
  // for a request the fluent API cannot express. `why` says what the fluent API lacks.
  async rpcCall(t, why, fn) {
    if (!this.rpcAllowed) {
      throw new Unimplemented(`fluent-only mode: ${why}`);
    }
    this.rpcNotes.push(why);
    return t.call(fn);
  }

  // Runs one Command; always resolves to exactly one CommandResult object.
  // `latches` ({signal, wait}) is passed by ExecuteStream to commands that pause inside (stm).
  async execute(command, latches = null) {
    const t = new Timer(this.requestTimeoutMs + BACKSTOP_MS);
    const kind = command.command;
    const result = {};
    try {
      if (!kind) throw new BadRequest('empty Command (no command set)');
      const handler = HANDLERS[kind];
      if (!handler) throw new Unimplemented(`command ${kind} is not implemented`);
      const payload = await handler.call(this, command[kind], t, latches);
      result.ok = { [kind]: payload };
    } catch (e) {
      if (e instanceof SdkRaised) {
        result.sdk_error = mapError(e.original);
      } else if (e instanceof PerformerDeadline) {
        result.sdk_error = mapError(e);
      } else if (e instanceof Unimplemented) {
        result.harness_error = { kind: 'UNIMPLEMENTED', message: e.message };
      } else if (e instanceof BadRequest) {
        result.harness_error = { kind: 'BAD_REQUEST', message: e.message };
      } else if (e instanceof PerformerTimeout) {
        result.harness_error = { kind: 'INTERNAL', message: e.message };
      } else {
        const where = e && e.stack ? e.stack.split('\n').slice(0, 3).join(' | ') : String(e);
        result.harness_error = { kind: 'INTERNAL', message: where };
      }
    }
    const now = nowNs();
    const callNs = t.callNs === null ? now : t.callNs;
    const returnNs = t.returnNs === null || t.returnNs < callNs ? callNs : t.returnNs;
    result.call_ns = callNs.toString();
    result.return_ns = returnNs.toString();
    return result;
  }

  // ------------------------------------------------------------ key selection

  // The SDK's prefix helper (Range.prefix -> endRangeForPrefix): the range end.
  prefixEnd(key) {
    return this.etcd3.Range.prefix(key).end;
  }

  // range_end for a raw request (txn ops/compares built as RPC objects).
  rangeEnd(sel, what) {
    switch (sel.kind) {
      case 'RANGE_KIND_SINGLE':
        return undefined;
      case 'RANGE_KIND_RANGE':
        return sel.range_end;
      case 'RANGE_KIND_PREFIX':
        return this.prefixEnd(sel.key);
      case 'RANGE_KIND_FROM_KEY':
        throw new Unimplemented(`${what}: etcd3 has no from-key helper`);
      default:
        throw new BadRequest(`${what}: unknown range kind ${sel.kind}`);
    }
  }

  // ------------------------------------------------------------ put

  putBuilder(c) {
    let b = this.client.put(c.key);
    if (!c.ignore_value) b = b.value(c.value);
    if (isSet(c.lease)) b = b.lease(c.lease);
    if (c.ignore_lease) b = b.ignoreLease();
    return b;
  }

  // PutBuilder can express the request without executing it (for a txn op).
  putExpressible(c) {
    return !c.ignore_value && !c.prev_kv;
  }

  rawPut(c) {
    const req = { key: c.key, value: c.value, prev_kv: c.prev_kv, ignore_value: c.ignore_value, ignore_lease: c.ignore_lease };
    if (isSet(c.lease)) req.lease = c.lease;
    return req;
  }

  async doPut(c, t) {
    if (c.ignore_value && (c.prev_kv || c.value.length > 0)) {
      // touch() sends ignore_value but clears the value and cannot ask for prev_kv;
      // getPrevious() executes without ignore_value. No builder path sends both.
      const resp = await this.rpcCall(t, 'put: PutBuilder.touch() takes neither prev_kv nor a value',
        () => this.client.kv.put(this.rawPut(c), this.co()));
      return convert.putResult(resp);
    }
    if (c.ignore_value) {
      return convert.putResult(await t.call(() => this.putBuilder(c).options(this.co()).touch()));
    }
    if (c.prev_kv) {
      // getPrevious() resolves {...prev_kv, header}: header kept, a missing prev_kv is {header}.
      const r = await t.call(() => this.putBuilder(c).options(this.co()).getPrevious());
      return convert.putResult({ header: r.header, prev_kv: convert.hasKv(r) ? r : null });
    }
    return convert.putResult(await t.call(() => this.putBuilder(c).options(this.co()).exec()));
  }

  // ------------------------------------------------------------ range

  // A range builder for the command, or throws Unimplemented.
  rangeBuilder(r) {
    const single = r.kind === 'RANGE_KIND_SINGLE';
    let b;
    if (single && !r.keys_only && !r.count_only && !sortRequested(r)) {
      // SingleRangeBuilder always sends limit 1: for one key any limit gives the same answer.
      b = this.client.get(r.key);
    } else {
      b = this.client.getAll();
      switch (r.kind) {
        case 'RANGE_KIND_SINGLE':
          // The one-key range [key, key + "\0"): a key alone is NOT one key to etcd3, whose
          // Range.from(key) is new Range(key, emptyKey) and whose empty end means "no end"
          // (lib/range.js compare(): an empty end sorts after every key), so inRange(key)
          // read every key from key on (found by the lockstep property test).
          b = b.inRange({ start: r.key, end: Buffer.concat([Buffer.from(r.key), Buffer.from([0])]) });
          break;
        case 'RANGE_KIND_PREFIX':
          b = b.prefix(r.key);
          break;
        case 'RANGE_KIND_RANGE':
          b = b.inRange({ start: r.key, end: r.range_end });
          break;
        case 'RANGE_KIND_FROM_KEY':
          throw new Unimplemented('range: etcd3 has no from-key helper (Range offers prefix, start/end and all())');
        default:
          throw new BadRequest(`range: unknown range kind ${r.kind}`);
      }
      if (!single && isSet(r.limit)) b = b.limit(Number(r.limit));
      if (sortRequested(r)) b = b.sort(SORT_TARGET[r.sort_target], SORT_ORDER[r.sort_order]);
    }
    if (isSet(r.revision)) b = b.revision(r.revision);
    if (r.serializable) b = b.serializable(true);
    if (isSet(r.min_mod_revision)) b = b.minModRevision(r.min_mod_revision);
    if (isSet(r.max_mod_revision)) b = b.maxModRevision(r.max_mod_revision);
    if (isSet(r.min_create_revision)) b = b.minCreateRevision(r.min_create_revision);
    if (isSet(r.max_create_revision)) b = b.maxCreateRevision(r.max_create_revision);
    return b;
  }

  async doRange(r, t) {
    if (r.count_only) {
      // count() resolves Number(count) only: no header, kvs or more.
      const n = await t.call(() => this.rangeBuilder(r).options(this.co()).count());
      return { header: convert.absentHeader(), kvs: [], more: false, count: String(n) };
    }
    if (r.keys_only) {
      // keyBuffers() resolves the keys only: no header, revisions, versions, count or more.
      const keys = await t.call(() => this.rangeBuilder(r).options(this.co()).keyBuffers());
      return {
        header: convert.absentHeader(),
        kvs: keys.map(key => ({ key: convert.bytes(key) })),
        more: false,
        count: '0',
      };
    }
    return convert.rangeResult(await t.call(() => this.rangeBuilder(r).options(this.co()).exec()));
  }

  rawRange(r) {
    const req = { key: r.key, serializable: r.serializable, keys_only: r.keys_only, count_only: r.count_only };
    const end = this.rangeEnd(r, 'range');
    if (end !== undefined) req.range_end = end;
    for (const f of ['limit', 'revision', 'min_mod_revision', 'max_mod_revision', 'min_create_revision', 'max_create_revision']) {
      if (isSet(r[f])) req[f] = r[f];
    }
    if (sortRequested(r)) {
      req.sort_order = this.etcd3.SortOrder[SORT_ORDER[r.sort_order]];
      req.sort_target = this.etcd3.SortTarget[SORT_TARGET[r.sort_target]];
    }
    return req;
  }

  // ------------------------------------------------------------ delete

  deleteBuilder(d) {
    const b = this.client.delete();
    switch (d.kind) {
      case 'RANGE_KIND_SINGLE':
        return b.key(d.key);
      case 'RANGE_KIND_PREFIX':
        return b.prefix(d.key);
      case 'RANGE_KIND_RANGE':
        return b.inRange({ start: d.key, end: d.range_end });
      case 'RANGE_KIND_FROM_KEY':
        throw new Unimplemented('delete: etcd3 has no from-key helper');
      default:
        throw new BadRequest(`delete: unknown range kind ${d.kind}`);
    }
  }

  async doDeleteRange(d, t) {
    if (d.prev_kv) {
      // getPrevious() resolves res.prev_kvs only: the header and `deleted` are dropped.
      const prev = await t.call(() => this.deleteBuilder(d).options(this.co()).getPrevious());
      return { header: convert.absentHeader(), deleted: '0', prev_kvs: convert.kvs(prev) };
    }
    return convert.deleteResult(await t.call(() => this.deleteBuilder(d).options(this.co()).exec()));
  }

  rawDelete(d) {
    const req = { key: d.key, prev_kv: d.prev_kv };
    const end = this.rangeEnd(d, 'delete');
    if (end !== undefined) req.range_end = end;
    return req;
  }

  // ------------------------------------------------------------ txn

  // A ComparatorBuilder.then()/else() clause: a builder (IOperation) where one can
  // express the op without executing it, else the RPC.IRequestOp object then() takes.
  async requestOp(op) {
    switch (op.request) {
      case 'put': {
        const p = op.put;
        if (this.putExpressible(p)) return this.putBuilder(p).op();
        return { request_put: this.rawPut(p) }; // touch()/getPrevious() execute: no builder form
      }
      case 'range': {
        const r = op.range;
        if (!r.keys_only && !r.count_only) return this.rangeBuilder(r).op();
        return { request_range: this.rawRange(r) }; // keyBuffers()/count() execute: no builder form
      }
      case 'delete_range': {
        const d = op.delete_range;
        if (!d.prev_kv) return this.deleteBuilder(d).op();
        return { request_delete_range: this.rawDelete(d) }; // getPrevious() executes: no builder form
      }
      case 'txn':
        // No builder makes a nested txn; then() takes the RPC.IRequestOp.
        return { request_txn: await this.txnRequest(op.txn) };
      default:
        throw new BadRequest('empty RequestOp');
    }
  }

  // An RPC.ICompare, with etcd3's own comparator/compareTarget tables.
  rawCompare(c) {
    const col = COMPARE_COLUMN[c.target];
    const cmp = COMPARATOR[c.result];
    if (!col) throw new BadRequest(`unknown compare target ${c.target}`);
    if (!cmp) throw new BadRequest(`unknown compare result ${c.result}`);
    const [column, field] = col;
    const out = {
      key: c.key,
      result: this.etcd3.comparator[cmp],
      target: this.etcd3.CompareTarget[column],
      [this.etcd3.compareTarget[column]]: c[field],
    };
    const end = this.rangeEnd(c, 'txn compare');
    if (end !== undefined) out.range_end = end;
    return out;
  }

  async txnRequest(x) {
    const ops = async list => Promise.all(list.map(o => this.requestOp(o)));
    return {
      compare: x.compares.map(c => this.rawCompare(c)),
      success: await ops(x.success),
      failure: await ops(x.failure),
    };
  }

  async doTxn(x, t) {
    const compares = x.compares;
    for (const c of compares) {
      if (!COMPARE_COLUMN[c.target]) throw new BadRequest(`unknown compare target ${c.target}`);
      if (!COMPARATOR[c.result]) throw new BadRequest(`unknown compare result ${c.result}`);
      if (c.kind === 'RANGE_KIND_FROM_KEY') throw new Unimplemented('txn compare: etcd3 has no from-key helper');
    }
    if (compares.length === 0 || compares.some(c => c.kind !== 'RANGE_KIND_SINGLE')) {
      const why = compares.length === 0
        ? 'txn: Namespace.if() needs a first compare, so a txn without compares has no fluent form'
        : 'txn: if()/and() take one key; a compare over a range_end/prefix has no fluent form';
      const req = await this.txnRequest(x);
      return convert.txnResult(await this.rpcCall(t, why, () => this.client.kv.txn(req, this.co())));
    }
    const success = await Promise.all(x.success.map(o => this.requestOp(o)));
    const failure = await Promise.all(x.failure.map(o => this.requestOp(o)));
    const resp = await t.call(() => {
      let b = null;
      for (const c of compares) {
        const [column, field] = COMPARE_COLUMN[c.target];
        const args = [c.key, column, COMPARATOR[c.result], c[field]];
        b = b === null ? this.client.if(...args) : b.and(...args);
      }
      return b.options(this.co()).then(...success).else(...failure).commit();
    });
    return convert.txnResult(resp);
  }

  // ------------------------------------------------------------ maintenance

  async doCompact(c, t) {
    const resp = await this.rpcCall(t, 'compact: the fluent API has no compaction',
      () => this.client.kv.compact({ revision: c.revision, physical: c.physical }, this.co()));
    return { header: convert.header(resp.header) };
  }

  async doStatus(c, t) {
    if (this.endpoints.length > 1) {
      throw new Unimplemented('status: MaintenanceClient.status() goes to a host the connection pool picks at random; ' +
        'with several endpoints it cannot be aimed at one');
    }
    if (c.endpoint && c.endpoint !== this.endpoints[0]) {
      throw new Unimplemented(`status: the client only knows ${this.endpoints[0]}; etcd3 cannot ask another endpoint`);
    }
    const s = await this.rpcCall(t, 'status: the fluent API has no status',
      () => this.client.maintenance.status(this.co())); // status(options): the request is empty
    return {
      header: convert.header(s.header),
      version: s.version,
      db_size: convert.int64(s.dbSize),
      leader: convert.int64(s.leader),
      raft_index: convert.int64(s.raftIndex),
      raft_term: convert.int64(s.raftTerm),
    };
  }

  // ------------------------------------------------------------ leases

  async doLeaseGrant(c, t) {
    if (isSet(c.id)) {
      const r = await this.rpcCall(t, 'lease grant: lease(ttl) cannot choose the lease id',
        () => this.client.leaseClient.leaseGrant({ TTL: c.ttl, ID: c.id }, this.co()));
      return { header: convert.header(r.header), id: convert.int64(r.ID), ttl: convert.int64(r.TTL) };
    }
    // autoKeepAlive: false, or the SDK would keep the lease alive for as long as we run
    // (0.x has no such option: its leases are kept alive until revoke() or release(),
    // which close() does). grant() resolves the id only: the granted TTL and the header
    // are dropped.
    const leaseOptions = this.features.leaseOptions ? { autoKeepAlive: false, ...this.co() } : this.co();
    let lease = null;
    const id = await t.call(() => {
      lease = this.client.lease(Number(c.ttl), leaseOptions);
      return lease.grant();
    });
    this.leases.set(String(id), lease);
    return { header: convert.absentHeader(), id: convert.int64(id), ttl: '0' };
  }

  async doLeaseRevoke(c, t) {
    const lease = this.leases.get(c.id);
    if (lease) {
      // Lease.revoke() resolves nothing (and ignores EtcdLeaseInvalidError).
      await t.call(() => lease.revoke(this.co()));
      return { header: convert.absentHeader() };
    }
    const r = await this.rpcCall(t, 'lease revoke: Lease.revoke() exists only on the Lease object that granted it',
      () => this.client.leaseClient.leaseRevoke({ ID: c.id }, this.co()));
    return { header: convert.header(r.header) };
  }

  async doLeaseTimeToLive(c, t) {
    const r = await this.rpcCall(t, 'lease time-to-live: the fluent API has none',
      () => this.client.leaseClient.leaseTimeToLive({ ID: c.id, keys: c.keys }, this.co()));
    return {
      header: convert.header(r.header),
      id: convert.int64(r.ID),
      ttl: convert.int64(r.TTL),
      granted_ttl: convert.int64(r.grantedTTL),
      keys: (r.keys || []).map(convert.bytes),
    };
  }

  async doLeaseLeases(c, t) {
    const r = await this.rpcCall(t, 'lease list: the fluent API has none',
      () => this.client.leaseClient.leaseLeases(this.co())); // leaseLeases(options): the request is empty
    return { header: convert.header(r.header), ids: (r.leases || []).map(l => convert.int64(l.ID)) };
  }

  async doLeaseKeepAliveOnce(c, t) {
    const lease = this.leases.get(c.id);
    if (lease) {
      // keepaliveOnce(options) opens its stream with these call options: the deadline
      // is the SDK's. The performer-side bound is the backstop for an SDK that ignores it.
      const r = await t.call(() => withTimeout(lease.keepaliveOnce(this.co()), this.requestTimeoutMs + 1000,
        'Lease.keepaliveOnce()', PerformerDeadline));
      return { header: convert.header(r.header), id: convert.int64(r.ID), ttl: convert.int64(r.TTL) };
    }
    // The same exchange Lease.keepaliveOnce() does, on the SDK's LeaseClient stream.
    const r = await this.rpcCall(t, 'lease keep-alive once: Lease.keepaliveOnce() exists only on the Lease object that granted it',
      () => withTimeout(this.keepAliveOnceRpc(c.id), this.requestTimeoutMs + 1000, 'LeaseClient.leaseKeepAlive()',
        PerformerDeadline));
    return { header: convert.header(r.header), id: convert.int64(r.ID), ttl: convert.int64(r.TTL) };
  }

  async keepAliveOnceRpc(id) {
    const stream = await this.client.leaseClient.leaseKeepAlive(this.co());
    try {
      return await new Promise((resolve, reject) => {
        stream.on('data', resolve);
        stream.on('error', err => reject(this.etcd3.castGrpcError(err)));
        stream.write({ ID: id });
      });
    } finally {
      stream.end();
    }
  }

  // ------------------------------------------------------------ watch

  watchBuilder(c) {
    let b = this.client.watch();
    switch (c.kind) {
      case 'RANGE_KIND_SINGLE':
        b = b.key(c.key);
        break;
      case 'RANGE_KIND_PREFIX':
        b = b.prefix(c.key);
        break;
      case 'RANGE_KIND_RANGE':
        b = b.inRange({ start: c.key, end: c.range_end });
        break;
      case 'RANGE_KIND_FROM_KEY':
        throw new Unimplemented('watch: etcd3 has no from-key helper');
      default:
        throw new BadRequest(`watch: unknown range kind ${c.kind}`);
    }
    // startRevision() sends Number(revision) from 1.1.0 on (exact below 2^53).
    if (isSet(c.start_revision)) b = b.startRevision(c.start_revision);
    if (c.prev_kv) b = b.withPreviousKV();
    // progress_notify: WatchBuilder always sends progress_notify: true; there is no
    // way to turn it off, and nothing to do to turn it on.
    if (c.filters && c.filters.length > 0) {
      const dropped = c.filters.map(f => {
        if (f === 'WATCH_FILTER_NOPUT') return 'put';
        if (f === 'WATCH_FILTER_NODELETE') return 'delete';
        throw new BadRequest(`watch: unknown filter ${f}`);
      });
      if (this.features.watchOnly) {
        // only(...kinds) keeps the named kinds: NOPUT keeps deletes, NODELETE keeps puts.
        const kept = dropped.map(k => (k === 'put' ? 'delete' : 'put'));
        b = b.only(...kept);
      } else {
        // 1.0.x has ignore(...kinds) only, documented as "omits certain operation kinds".
        b = b.ignore(...dropped);
      }
    }
    return b;
  }

  async doWatchStart(c, t) {
    if (!c.handle) throw new BadRequest('watch handle must not be empty');
    const w = new Watch(c.handle);
    if (!this.watches.reserve(c.handle, w)) {
      throw new BadRequest(`watch handle ${JSON.stringify(c.handle)} is already live`);
    }
    try {
      await t.call(() => {
        w.attach(this.watchBuilder(c).watcher());
        // create() would wait for 'connected' or 'error' without end; the request
        // timeout bounds it (PerformerDeadline -> DEADLINE_EXCEEDED).
        return w.untilConnected(this.requestTimeoutMs);
      });
    } catch (e) {
      this.watches.release(c.handle, w);
      if (w.watcher && !w.ended) {
        Promise.resolve().then(() => w.watcher.cancel()).catch(() => undefined);
      }
      throw e;
    }
    return {};
  }

  async doWatchCollect(c, t) {
    const w = this.watches.get(c.handle);
    if (!w) throw new BadRequest(`unknown watch handle ${JSON.stringify(c.handle)}`);
    t.mark();
    const res = await w.collect(c.min_events || 0, c.timeout_ms || DEFAULT_COLLECT_TIMEOUT_MS);
    t.done();
    return res;
  }

  async doWatchCancel(c, t) {
    const w = this.watches.get(c.handle);
    if (!w) throw new BadRequest(`unknown watch handle ${JSON.stringify(c.handle)}`);
    if (!w.ended) {
      // Watcher.cancel() resolves when etcd confirmed the cancel ('end').
      await t.call(() => withTimeout(w.watcher.cancel(), this.requestTimeoutMs, 'Watcher.cancel()', PerformerDeadline));
    }
    w.markEnded();
    return {};
  }
}

// ---------------------------------------------------------------- keep-alive streams

Session.prototype.doLeaseKeepAliveStart = async function doLeaseKeepAliveStart(c, t) {
  if (!c.handle) throw new BadRequest('keep-alive handle must not be empty');
  if (isSet(c.id)) {
    throw new Unimplemented('lease keep-alive of an existing lease: etcd3 keeps alive only the lease a Lease object ' +
      'granted itself (client.lease(ttl)); Lease.keepalive() is private. Use the ttl form.');
  }
  const ttl = Number(c.ttl);
  if (!Number.isInteger(ttl) || ttl === 0) throw new BadRequest('lease keep-alive start: id 0 needs a ttl');
  const k = new KeepAlive(c.handle, this.log);
  if (!this.keepAlives.reserve(c.handle, k)) {
    throw new BadRequest(`keep-alive handle ${JSON.stringify(c.handle)} is already live`);
  }
  let id;
  try {
    id = await t.call(() => {
      // lease(ttl) grants, then keeps alive (autoKeepAlive defaults to true; 0.x always
      // does). The deadline in the options bounds the grant.
      const lease = this.client.lease(ttl, this.co());
      k.attach(lease);
      return lease.grant();
    });
  } catch (e) {
    this.keepAlives.release(c.handle, k);
    k.stop();
    throw e;
  }
  // grant() resolves the id only: the granted TTL is dropped (the renewals carry it).
  return { id: convert.int64(id), ttl: '0' };
};

Session.prototype.doLeaseKeepAliveCollect = async function doLeaseKeepAliveCollect(c, t) {
  const k = this.keepAlives.get(c.handle);
  if (!k) throw new BadRequest(`unknown keep-alive handle ${JSON.stringify(c.handle)}`);
  t.mark();
  const res = await k.collect(c.min_responses || 0, c.timeout_ms || DEFAULT_COLLECT_TIMEOUT_MS);
  t.done();
  return res;
};

Session.prototype.doLeaseKeepAliveStop = async function doLeaseKeepAliveStop(c, t) {
  const k = this.keepAlives.get(c.handle);
  if (!k) throw new BadRequest(`unknown keep-alive handle ${JSON.stringify(c.handle)}`);
  t.mark();
  k.stop();
  t.done();
  return {};
};

recipes.install(Session);
stm.install(Session);

function streamOnly() {
  throw new BadRequest('signal and wait run only in ExecuteStream programs (latches need the stream)');
}

const HANDLERS = {
  signal: streamOnly,
  wait: streamOnly,
  lock_acquire: Session.prototype.doLockAcquire,
  lock_release: Session.prototype.doLockRelease,
  stm: Session.prototype.doStm,
  put: Session.prototype.doPut,
  range: Session.prototype.doRange,
  delete_range: Session.prototype.doDeleteRange,
  txn: Session.prototype.doTxn,
  compact: Session.prototype.doCompact,
  lease_grant: Session.prototype.doLeaseGrant,
  lease_revoke: Session.prototype.doLeaseRevoke,
  lease_time_to_live: Session.prototype.doLeaseTimeToLive,
  lease_leases: Session.prototype.doLeaseLeases,
  lease_keep_alive_once: Session.prototype.doLeaseKeepAliveOnce,
  watch_start: Session.prototype.doWatchStart,
  watch_collect: Session.prototype.doWatchCollect,
  watch_cancel: Session.prototype.doWatchCancel,
  status: Session.prototype.doStatus,
  lease_keep_alive_start: Session.prototype.doLeaseKeepAliveStart,
  lease_keep_alive_collect: Session.prototype.doLeaseKeepAliveCollect,
  lease_keep_alive_stop: Session.prototype.doLeaseKeepAliveStop,
};

require('./auth').install(Session, HANDLERS);

module.exports = { Session, Timer, HANDLERS, nowNs };
