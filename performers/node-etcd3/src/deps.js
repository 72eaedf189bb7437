'use strict';
// The performer's npm dependencies (etcd3, @grpc/grpc-js, @grpc/proto-loader) live in
// the build folder OUT that build.sh filled with `npm ci`, never in the performer
// folder. main.js calls init(OUT) (from --deps, or $ETCDFIT_NODE_DEPS in the unit
// tests) and every other module loads its dependencies through load().

const fs = require('fs');
const path = require('path');
const { createRequire } = require('module');

let requireFromOut = null;
let outDir = null;

function init(dir) {
  if (!dir) {
    throw new Error('no dependency folder: pass --deps OUT (the folder build.sh installed into)');
  }
  const abs = path.resolve(dir);
  const manifest = path.join(abs, 'package.json');
  if (!fs.existsSync(path.join(abs, 'node_modules'))) {
    throw new Error(`${abs} has no node_modules: run 'bash build.sh VERSION ${abs}' first`);
  }
  requireFromOut = createRequire(manifest);
  outDir = abs;
}

function ensure() {
  if (requireFromOut === null) {
    init(process.env.ETCDFIT_NODE_DEPS);
  }
}

function load(name) {
  ensure();
  return requireFromOut(name);
}

// The version of an installed package, read from its package.json at run time.
function packageVersion(name) {
  ensure();
  return requireFromOut(`${name}/package.json`).version;
}

// Where a package was loaded from (for the startup log).
function resolvePath(name) {
  ensure();
  return requireFromOut.resolve(name);
}

module.exports = { init, load, packageVersion, resolvePath, get outDir() { return outDir; } };
