'use strict';
// SDK version parsing and the API differences between etcd3 release lines that the
// performer has to know about. Capabilities and behaviour are a function of the
// version the performer actually loaded (etcd3/package.json at run time).

const deps = require('../deps');

const SDK_PACKAGE = 'etcd3';

function sdkVersion() {
  return deps.packageVersion(SDK_PACKAGE);
}

// "1.1.2" -> [1, 1, 2]; an unparseable part counts as 0.
function parse(version) {
  const parts = String(version).replace(/^v/, '').split(/[.+-]/).slice(0, 3);
  const out = parts.map(p => {
    const n = parseInt(p, 10);
    return Number.isFinite(n) ? n : 0;
  });
  while (out.length < 3) out.push(0);
  return out;
}

function compare(a, b) {
  const x = parse(a);
  const y = parse(b);
  for (let i = 0; i < 3; i++) {
    if (x[i] !== y[i]) return x[i] < y[i] ? -1 : 1;
  }
  return 0;
}

function atLeast(version, min) {
  return compare(version, min) >= 0;
}

// API differences by version, each with the first version that has it.
//   watchOnly:          WatchBuilder.only(...) exists (1.1.0). Before it there is only
//                       ignore(...), which sends the opposite filter (see watch.js).
//   defaultCallOptions: IOptions.defaultCallOptions exists (1.0.2), the documented way
//                       to give every unary call a deadline. Before it, each builder's
//                       .options() / each RPC call's options argument carries it.
//   leaseOptions:       lease(ttl, ILeaseOptions) takes {autoKeepAlive} (1.0.0). In 0.x
//                       lease(ttl, CallOptions) always keeps the lease alive until
//                       revoke()/release().
//   nativeGrpc:         the SDK runs on the native `grpc` package (0.x), not @grpc/grpc-js.
function features(version) {
  return {
    watchOnly: atLeast(version, '1.1.0'),
    defaultCallOptions: atLeast(version, '1.0.2'),
    leaseOptions: atLeast(version, '1.0.0'),
    nativeGrpc: !atLeast(version, '1.0.0'),
  };
}

module.exports = { SDK_PACKAGE, sdkVersion, parse, compare, atLeast, features };
