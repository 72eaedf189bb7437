'use strict';
// Catalog capabilities (capabilities/catalog.yaml) this performer carries out through
// the etcd3 package, as a function of the SDK version.
//
// Every claimed id names the SDK API behind it and how it is reached:
//   fluent  the documented high-level API: Etcd3/Namespace methods, the builders
//           (PutBuilder, SingleRangeBuilder, MultiRangeBuilder, DeleteBuilder,
//           ComparatorBuilder), Range, Lease, WatchBuilder/Watcher;
//   rpc     the SDK's own generated RPC clients that every Etcd3 instance exposes
//           (client.kv: KVClient, client.leaseClient: LeaseClient,
//           client.maintenance: MaintenanceClient). They are exported classes of the
//           package (`export * from './rpc'`), typed in its .d.ts and run through the
//           SDK's connection pool, auth, fault handling and error casting; the
//           instance fields are tagged @internal in its doc comments. The performer
//           uses them only for requests the fluent API cannot express at all, and
//           says so at each call site. ETCDFIT_NODE_ETCD3_FLUENT_ONLY=1 turns them
//           off: the rpc-only ids are then not claimed and those requests answer
//           UNIMPLEMENTED, which shows the fluent API's own coverage.
//   mixed   fluent where it can express the request, rpc for the rest (named).
//
// A fluent call that expresses the request but loses part of the answer (e.g.
// DeleteBuilder.getPrevious() returns only prev_kvs) is still the SDK's answer: the
// performer reports what it got, and the loss shows as a failing test listed in
// capabilities/known-failures/node-etcd3*.txt. It does not switch to rpc to hide it.

const { atLeast } = require('./version');

// id -> [first SDK version checked, how, API]. Checked against 0.2.13, 1.0.2 and 1.1.2.
const CLAIMED = {
  'kv.put': ['0.2.13', 'fluent', 'put(key).value(v).exec()'],
  'kv.put.prev_kv': ['0.2.13', 'fluent', 'PutBuilder.getPrevious()'],
  'kv.put.lease': ['0.2.13', 'fluent', 'PutBuilder.lease(id)'],
  'kv.put.ignore_value': ['0.2.13', 'mixed', 'PutBuilder.touch(); with prev_kv or a value: client.kv.put()'],
  'kv.put.ignore_lease': ['0.2.13', 'fluent', 'PutBuilder.ignoreLease()'],
  'kv.range': ['0.2.13', 'fluent', 'get(key).exec()'],
  'kv.range.prefix': ['0.2.13', 'fluent', 'getAll().prefix(p) (Range.prefix)'],
  'kv.range.range_end': ['0.2.13', 'fluent', 'getAll().inRange({start, end})'],
  'kv.range.limit': ['0.2.13', 'fluent', 'MultiRangeBuilder.limit(n)'],
  'kv.range.revision': ['0.2.13', 'fluent', 'RangeBuilder.revision(rev)'],
  'kv.range.sort': ['0.2.13', 'fluent', 'MultiRangeBuilder.sort(target, order)'],
  'kv.range.keys_only': ['0.2.13', 'fluent', 'MultiRangeBuilder.keyBuffers()'],
  'kv.range.count_only': ['0.2.13', 'fluent', 'MultiRangeBuilder.count()'],
  'kv.range.serializable': ['0.2.13', 'fluent', 'RangeBuilder.serializable(true)'],
  'kv.range.mod_revision_filter': ['0.2.13', 'fluent', 'RangeBuilder.minModRevision()/maxModRevision()'],
  'kv.range.create_revision_filter': ['0.2.13', 'fluent', 'RangeBuilder.minCreateRevision()/maxCreateRevision()'],
  'kv.delete': ['0.2.13', 'fluent', 'delete().key(k).exec()'],
  'kv.delete.range': ['0.2.13', 'fluent', 'delete().prefix(p) / delete().inRange({start, end})'],
  'kv.delete.prev_kv': ['0.2.13', 'fluent', 'DeleteBuilder.getPrevious()'],
  txn: ['0.2.13', 'mixed', 'if().and().then().else().commit(); a txn without compares: client.kv.txn()'],
  'txn.compare.value': ['0.2.13', 'fluent', "if(key, 'Value', cmp, v)"],
  'txn.compare.version': ['0.2.13', 'fluent', "if(key, 'Version', cmp, v)"],
  'txn.compare.create': ['0.2.13', 'fluent', "if(key, 'Create', cmp, v)"],
  'txn.compare.mod': ['0.2.13', 'fluent', "if(key, 'Mod', cmp, v)"],
  'txn.compare.lease': ['0.2.13', 'fluent', "if(key, 'Lease', cmp, v)"],
  'txn.compare.range': ['0.2.13', 'rpc', 'client.kv.txn() with Compare.range_end (if()/and() take one key)'],
  'txn.nested': ['0.2.13', 'fluent', 'ComparatorBuilder.then({request_txn}) (then() takes RPC.IRequestOp)'],
  compact: ['0.2.13', 'rpc', 'client.kv.compact() (no fluent compaction)'],
  'compact.physical': ['0.2.13', 'rpc', 'client.kv.compact({physical: true})'],
  status: ['0.2.13', 'rpc', 'client.maintenance.status() (no fluent status)'],
  'lease.grant': ['0.2.13', 'fluent', 'lease(ttl, {autoKeepAlive: false}).grant()'],
  'lease.grant.id': ['0.2.13', 'rpc', 'client.leaseClient.leaseGrant({TTL, ID}) (lease() cannot choose the id)'],
  'lease.revoke': ['0.2.13', 'mixed', 'Lease.revoke() for leases this client granted; client.leaseClient.leaseRevoke() for others'],
  'lease.ttl': ['0.2.13', 'rpc', 'client.leaseClient.leaseTimeToLive() (no fluent time-to-live)'],
  'lease.ttl.keys': ['0.2.13', 'rpc', 'client.leaseClient.leaseTimeToLive({keys: true})'],
  'lease.leases': ['0.2.13', 'rpc', 'client.leaseClient.leaseLeases() (no fluent list)'],
  'lease.keepalive_once': ['0.2.13', 'mixed', 'Lease.keepaliveOnce() for leases this client granted; client.leaseClient.leaseKeepAlive() for others'],
  watch: ['0.2.13', 'fluent', 'watch().key(k).watcher() + its connected/data/error/end events'],
  'watch.prefix': ['0.2.13', 'fluent', 'WatchBuilder.prefix(p)'],
  'watch.range_end': ['0.2.13', 'fluent', 'WatchBuilder.inRange({start, end})'],
  'watch.start_revision': ['0.2.13', 'fluent', 'WatchBuilder.startRevision(rev)'],
  'watch.prev_kv': ['0.2.13', 'fluent', 'WatchBuilder.withPreviousKV()'],
  'watch.filters': ['0.2.13', 'fluent', 'WatchBuilder.only() (1.1.0+) / ignore() (1.0.x)'],
  'watch.cancel': ['0.2.13', 'fluent', 'Watcher.cancel()'],
  'watch.compacted': ['0.2.13', 'fluent', "Watcher 'error' event after the server cancels the watch"],
  'watch.progress_notify': ['0.2.13', 'fluent', 'WatchBuilder always sends progress_notify: true'],
  'watch.response_boundaries': ['0.2.13', 'fluent', "Watcher 'data' event: one per WatchResponse, numbered from 1"],
  'lease.keepalive': ['0.2.13', 'fluent', "lease(ttl) grants and keeps alive; 'keepaliveSucceeded' per renewal, 'lost' at the end, release() stops"],
  // issue 15 (docs/security.md; src/sdk/auth.js)
  'connect.tls': ['0.2.13', 'fluent', "IOptions.credentials {rootCertificate}; the server name as grpcOptions 'grpc.ssl_target_name_override'"],
  'connect.tls.client_cert': ['0.2.13', 'fluent', 'IOptions.credentials {privateKey, certChain}'],
  'auth.basic': ['0.2.13', 'fluent', 'IOptions.auth {username, password} (the pool authenticates, and again after EtcdInvalidAuthTokenError)'],
  'auth.authenticate': ['0.2.13', 'rpc', 'client.auth.authenticate() (no fluent authenticate)'],
  'auth.manage': ['0.2.13', 'mixed', 'client.user(name).create/delete/setPassword/addRole/removeRole, client.role(name).create/grant/revoke; auth enable/disable: client.auth.authEnable()/authDisable()'],
  'connect.keepalive': ['0.2.13', 'fluent', "IOptions.grpcOptions {'grpc.keepalive_time_ms', 'grpc.keepalive_timeout_ms'}"],
  'perf.workload': ['0.2.13', 'mixed', 'Workload (sdk/workload.js): one new Etcd3() per client, async workers; txn through client.kv.txn (no compare)'],
  'errors.typed': ['0.2.13', 'fluent', 'etcd3 error classes (errors.ts exports) vs raw grpc / cockatiel / runtime errors'],
  'execute.session': ['0.2.13', 'fluent', 'ExecuteSession: many programs on one stream (src/server.js; no SDK API involved)'],
  // issue 12 (docs/concurrency.md; src/stream.js, src/sdk/recipes.js)
  'stream.latches': ['0.2.13', 'fluent', 'ExecuteStream: programs with Signal/Wait run by the performer (no SDK API involved)'],
  'lock.single_key': ['0.2.13', 'fluent',
    'client.lock(name).ttl(s).acquire() / release(): one key, tried once (a contended acquire answers acquired=false at once)'],
  // src/sdk/stm.js: client.stm({isolation, retries}).transact(fn), the same lib/stm.js in 0.2.13 and 1.x
  stm: ['0.2.13', 'fluent', 'client.stm({retries}).transact(tx => tx.get(k).buffer() ... tx.put(k).value(v))'],
  'stm.isolation.serializable_snapshot': ['0.2.13', 'fluent', 'client.stm({isolation: Isolation.SerializableSnapshot})'],
  'stm.isolation.serializable': ['0.2.13', 'fluent', 'client.stm({isolation: Isolation.Serializable})'],
  'stm.isolation.repeatable_reads': ['0.2.13', 'fluent', 'client.stm({isolation: Isolation.RepeatableReads})'],
  'stm.isolation.read_committed': ['0.2.13', 'fluent', 'client.stm({isolation: Isolation.ReadCommitted})'],
};

// Catalog ids not claimed, with the SDK reason. Every catalog id is in CLAIMED or here.
const NOT_CLAIMED = {
  'kv.range.from_key':
    'no from-key helper: Range/MultiRangeBuilder offer prefix(), inRange() and all() only ' +
    '(all() is the \\0..\\0 range, not >= key)',
  'connect.block':
    'no blocking connect: new Etcd3() only builds the connection pool; channels connect on the first call ' +
    '(dialTimeout is declared in IOptions but read nowhere)',
  'watch.resume':
    "the Watcher reconnects by itself ('disconnected', then 'connected'), but from the revision after the last " +
    "response header it saw, the created response's included (Watcher.updateRevision on 'connected'): a watch " +
    'whose catch-up events were still to come when the stream broke resumes past them. Shown on 1.1.2: a watch ' +
    'from revision 2 at revision 4, server killed at the created response, resumed from 5; events 2-4 never came ' +
    "(0.2.13 has the same updateRevision on 'connected')",
  'connect.auto_sync': 'no member-list sync: the client uses the hosts it was given',
  lock:
    "etcd3's only lock, client.lock(name) (lib/lock.js), keeps one key, the name itself, not etcd's " +
    '<name>/<lease> layout: it does not exclude clientv3 Mutex / v3lock holders (it claims lock.single_key)',
  'lock.try':
    "lock.try is a try-lock on etcd's lock layout; etcd3's Lock.acquire() tries once, but on its own " +
    'single-key layout (lock.single_key)',
  election:
    "etcd3 1.x's Election (lib/election.js) keeps its keys under 'election/<name>/<lease id in decimal>' " +
    "(the Election constructor's namespace `${Election.prefix}/${name}/`), not etcd's election layout " +
    "'<name>/<lease id in hex>', so its campaigns and other SDKs' do not see each other; 0.2.13 has no Election",
};

function fluentOnly(env = process.env) {
  return env.ETCDFIT_NODE_ETCD3_FLUENT_ONLY === '1';
}

// Sorted catalog ids claimed at `version`.
function capabilitiesFor(version, { rpcAllowed = !fluentOnly() } = {}) {
  const out = [];
  for (const [id, [since, how]] of Object.entries(CLAIMED)) {
    if (!atLeast(version, since)) continue;
    if (how === 'rpc' && !rpcAllowed) continue;
    out.push(id);
  }
  return out.sort();
}

module.exports = { CLAIMED, NOT_CLAIMED, capabilitiesFor, fluentOnly };
