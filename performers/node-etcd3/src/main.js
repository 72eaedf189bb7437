'use strict';
// node-etcd3 performer: `node src/main.js --listen 127.0.0.1:PORT --deps OUT`
// (`--check` instead of --listen: load everything, print Describe as JSON, exit)
// OUT is the folder build.sh installed the dependencies (etcd3 at the requested
// version, @grpc/grpc-js, @grpc/proto-loader) into.

const deps = require('./deps');

function parseArgs(argv) {
  const out = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(a);
    if (!m) throw new Error(`unexpected argument ${JSON.stringify(a)}`);
    if (m[1] === 'check') {
      out.check = true;
      continue;
    }
    out[m[1]] = m[2] !== undefined ? m[2] : argv[++i];
  }
  return out;
}

function main() {
  let args;
  try {
    args = parseArgs(process.argv.slice(2));
    if (!args.listen && !args.check) throw new Error('--listen host:port is required');
    deps.init(args.deps || process.env.ETCDFIT_NODE_DEPS);
  } catch (e) {
    process.stderr.write(`node-etcd3: ${e.message}\nusage: node src/main.js --listen HOST:PORT --deps OUT\n`);
    process.exit(2);
  }
  if (args.check) {
    // build.sh's smoke test: load the SDK and the protocol, print Describe, exit.
    const server = require('./server');
    server.loadProtocol();
    const d = new server.Performer().describeQuiet();
    process.stdout.write(`${JSON.stringify(d)}\n`);
    return;
  }
  require('./server').run(args.listen).then(code => process.exit(code), () => process.exit(1));
}

main();
