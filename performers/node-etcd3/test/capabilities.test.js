'use strict';
// Capability claims: every catalog id is decided (claimed with its API, or not claimed
// with the SDK reason), and no claim names an id the catalog lacks.

const test = require('node:test');
const assert = require('node:assert');
const fs = require('fs');
const path = require('path');
const { CLAIMED, NOT_CLAIMED, capabilitiesFor } = require('../src/sdk/capabilities');

const CATALOG = path.resolve(__dirname, '..', '..', '..', 'capabilities', 'catalog.yaml');

function catalogIds() {
  const text = fs.readFileSync(CATALOG, 'utf8');
  const ids = [];
  let inCaps = false;
  for (const line of text.split('\n')) {
    if (/^capabilities:\s*$/.test(line)) {
      inCaps = true;
      continue;
    }
    if (!inCaps) continue;
    const m = /^ {2}([a-z][a-z0-9_.]*):/.exec(line);
    if (m) ids.push(m[1]);
  }
  return ids;
}

test('every catalog id is claimed or not claimed, never both', () => {
  const ids = catalogIds();
  assert.ok(ids.length > 40, `read ${ids.length} ids from ${CATALOG}`);
  for (const id of ids) {
    const claimed = id in CLAIMED;
    const notClaimed = id in NOT_CLAIMED;
    assert.ok(claimed !== notClaimed, `${id}: claimed=${claimed} not_claimed=${notClaimed}`);
  }
});

test('no claim outside the catalog', () => {
  const ids = new Set(catalogIds());
  for (const id of [...Object.keys(CLAIMED), ...Object.keys(NOT_CLAIMED)]) {
    assert.ok(ids.has(id), `${id} is not in capabilities/catalog.yaml`);
  }
});

test('each claim names its API and how it is reached', () => {
  for (const [id, [since, how, api]] of Object.entries(CLAIMED)) {
    assert.match(since, /^\d+\.\d+\.\d+$/, id);
    assert.ok(['fluent', 'rpc', 'mixed'].includes(how), `${id}: ${how}`);
    assert.ok(api.length > 5, id);
  }
});

test('capabilities are sorted and depend on the version', () => {
  const caps = capabilitiesFor('1.1.2');
  assert.deepStrictEqual(caps, [...caps].sort());
  assert.ok(caps.includes('watch.filters'));
  assert.ok(!caps.includes('kv.range.from_key'));
  assert.deepStrictEqual(capabilitiesFor('0.2.4'), [], 'nothing before the first checked version');
});

test('fluent-only mode drops the ids reached only through the RPC-level clients', () => {
  const all = capabilitiesFor('1.1.2', { rpcAllowed: true });
  const fluent = capabilitiesFor('1.1.2', { rpcAllowed: false });
  const dropped = all.filter(id => !fluent.includes(id));
  assert.deepStrictEqual(dropped, Object.keys(CLAIMED).filter(id => CLAIMED[id][1] === 'rpc').sort());
  assert.ok(fluent.includes('txn') && !fluent.includes('compact'));
});
