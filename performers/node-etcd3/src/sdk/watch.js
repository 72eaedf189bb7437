'use strict';
// One watch handle: an etcd3 Watcher plus a buffer filled from its events.
//
// The Watcher is made with WatchBuilder.watcher() and every listener is attached
// before the event loop runs again, so nothing the SDK emits is missed. (create()
// resolves a few microtasks after 'connected', and a replay from start_revision can
// arrive in the same socket read as the created response.) WatchStart then waits for
// 'connected' or 'error' itself, which is exactly what create() does.
//
// Watcher events (etcd3 watch.ts):
//   connected    etcd confirmed the watch (created response)
//   data         one WatchResponse: events, or none for a progress notification
//   error        the server canceled the watch (e.g. compacted start revision); the
//                SDK keeps only "Watcher canceled: <cancel_reason>" (castGrpcErrorMessage)
//   end          Watcher.cancel() completed
//   disconnected the stream broke (the error as the stream gave it: a raw gRPC error,
//                or EtcdWatchStreamEnded); the SDK re-creates the watch from the
//                revision after the last response it saw, after a backoff. Reported
//                in WatchCollect.errors: the watch goes on.
//
// WatchEvent.response numbers the 'data' emissions (one per WatchResponse with events
// or a progress notification; the created response arrives as 'connected' instead and
// is not counted), from 1, across reconnects.

const convert = require('./convert');
const { mapError } = require('./errors');
const { PerformerDeadline } = require('./outcomes');

class Watch {
  constructor(handle) {
    this.handle = handle;
    this.watcher = null;
    this.connected = false;
    this.events = [];
    this.progress = [];
    this.ended = false;
    this.endError = null;
    this.disconnects = 0;
    this.errors = []; // 'disconnected' errors since the last collect
    this.lastError = null;
    this.responses = 0; // 'data' emissions so far
    this.waiters = new Set();
  }

  attach(watcher) {
    this.watcher = watcher;
    watcher.on('connected', () => {
      this.connected = true;
      this.notify();
    });
    watcher.on('data', res => this.onData(res));
    watcher.on('error', err => this.onEnd(err));
    watcher.on('end', () => this.onEnd(null));
    watcher.on('disconnected', err => {
      this.disconnects += 1;
      if (this.ended) return;
      const e = err || new Error('Watcher disconnected (no error given)');
      this.errors.push(e);
      this.lastError = e;
      this.notify();
    });
  }

  onData(res) {
    if (this.ended) return;
    const events = res.events || [];
    this.responses += 1;
    if (events.length === 0) {
      // etcd sends a WatchResponse without events only as a progress notification.
      this.progress.push(convert.int64(res.header && res.header.revision));
    } else {
      for (const ev of events) this.events.push({ ...watchEvent(ev), response: this.responses });
    }
    this.notify();
  }

  onEnd(err) {
    if (this.ended) return;
    this.ended = true;
    if (err) this.endError = err;
    this.notify();
  }

  markEnded() {
    this.onEnd(null);
  }

  notify() {
    const waiters = [...this.waiters];
    this.waiters.clear();
    for (const w of waiters) w();
  }

  changed(timeoutMs) {
    return new Promise(resolve => {
      const timer = setTimeout(() => {
        this.waiters.delete(done);
        resolve();
      }, Math.max(0, timeoutMs));
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      this.waiters.add(done);
    });
  }

  // Resolves once 'connected' or 'error'/'end' came; rejects with the SDK's error.
  async untilConnected(timeoutMs) {
    const deadline = Date.now() + timeoutMs;
    while (!this.connected && !this.ended) {
      const left = deadline - Date.now();
      if (left <= 0) {
        const last = this.lastError ? ` (last 'disconnected' error: ${this.lastError.message})` : '';
        throw new PerformerDeadline(`the Watcher emitted neither 'connected' nor 'error' within ${timeoutMs} ms${last}`);
      }
      await this.changed(left);
    }
    if (!this.connected) {
      throw this.endError || new Error('the watch ended before etcd confirmed it');
    }
  }

  // Events since the last collect: returns when min_events arrived (0: no threshold,
  // wait the whole timeout), the watch ended, or the timeout passed.
  async collect(minEvents, timeoutMs) {
    const deadline = Date.now() + timeoutMs;
    while ((minEvents === 0 || this.events.length < minEvents) && !this.ended) {
      const left = deadline - Date.now();
      if (left <= 0) break;
      await this.changed(left);
    }
    const out = {
      events: this.events,
      ended: this.ended,
      // etcd3 drops the WatchResponse of a canceled watch (compact_revision with it):
      // the SDK error's message is all it hands on.
      compact_revision: '0',
      progress_revisions: this.progress,
      errors: this.errors.map(mapError),
    };
    if (this.endError) out.end_error = mapError(this.endError);
    this.events = [];
    this.progress = [];
    this.errors = [];
    return out;
  }
}

function eventType(ev) {
  const t = String(ev.type).toUpperCase();
  if (t === 'PUT' || t === '0') return 'EVENT_TYPE_PUT';
  if (t === 'DELETE' || t === '1') return 'EVENT_TYPE_DELETE';
  throw new Error(`unknown watch event type ${ev.type}`);
}

function watchEvent(ev) {
  const out = { type: eventType(ev), kv: convert.kv(ev.kv) };
  if (convert.hasKv(ev.prev_kv)) out.prev_kv = convert.kv(ev.prev_kv);
  return out;
}

// Per-client handles (watches, keep-alive streams). A handle is live until it has ended.
class WatchRegistry {
  constructor() {
    this.watches = new Map();
  }

  reserve(handle, watch) {
    const old = this.watches.get(handle);
    if (old && !old.ended) return false;
    this.watches.set(handle, watch);
    return true;
  }

  release(handle, watch) {
    if (this.watches.get(handle) === watch) this.watches.delete(handle);
  }

  get(handle) {
    return this.watches.get(handle);
  }

  drain() {
    const all = [...this.watches.values()];
    this.watches.clear();
    return all;
  }
}

module.exports = { Watch, WatchRegistry, watchEvent };
