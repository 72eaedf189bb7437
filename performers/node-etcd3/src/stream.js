'use strict';
// ExecuteStream (capability stream.latches): the driver's first message is the program,
// later ones release latches. The program's commands run in order on the client (one
// program at a time per client, the same queue as Execute); a Signal writes `signalled`,
// a Wait waits until the driver released its latch on this stream, the timeout passes or
// the stream ends (WaitResult.released false). Each result is written as soon as it
// exists; `done` ends the stream.

const { nowNs } = require('./sdk/session');

const DEFAULT_WAIT_MS = 10000;

class Latches {
  constructor() {
    this.released = new Set();
    this.ended = false;
    this.waiters = new Set();
  }

  release(name) {
    this.released.add(name);
    this.wake();
  }

  end() {
    this.ended = true;
    this.wake();
  }

  wake() {
    for (const w of [...this.waiters]) w();
  }

  // Resolves true once `name` is released; false at the timeout or the stream's end.
  wait(name, ms) {
    return new Promise(resolve => {
      let timer = null;
      const check = () => {
        if (!this.released.has(name) && !this.ended) return;
        finish();
      };
      const finish = () => {
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve(this.released.has(name));
      };
      timer = setTimeout(finish, ms);
      this.waiters.add(check);
      check();
    });
  }
}

function ok(callNs, payload) {
  return { call_ns: callNs.toString(), return_ns: nowNs().toString(), ok: payload };
}

// Serves one ExecuteStream call on `performer` (server.js Performer).
function serve(performer, call, log, grpc) {
  const latches = new Latches();
  let started = false;
  const end = () => latches.end();
  call.on('end', end);
  call.on('error', end);
  call.on('cancelled', end);
  call.on('data', msg => {
    if (started) {
      if (msg.latch_released) latches.release(msg.latch_released.latch);
      return;
    }
    started = true;
    if (!msg.program) {
      call.emit('error', { code: grpc.status.INVALID_ARGUMENT, details: 'ExecuteStream: the first message must be the program' });
      return;
    }
    run(performer, call, msg.program, latches, log).catch(e => {
      log(`ExecuteStream ${msg.program.client_id} ended early: ${e && e.stack ? e.stack : e}`);
      try {
        call.emit('error', { code: grpc.status.INTERNAL, details: String(e && e.message) });
      } catch (ignored) {
        // the call is gone already
      }
    });
  });
}

async function run(performer, call, req, latches, log) {
  const started = Date.now();
  const commands = (req.program && req.program.commands) || [];
  const write = m => {
    if (!call.cancelled) call.write(m);
  };
  const result = (index, r) => write({ result: { index, result: r } });
  log(`ExecuteStream ${req.client_id}: ${commands.length} commands`);
  const session = performer.sessions.get(req.client_id);
  if (!session) {
    const now = nowNs().toString();
    commands.forEach((_, i) => result(i, {
      call_ns: now, return_ns: now,
      harness_error: { kind: 'BAD_REQUEST', message: `unknown client_id ${JSON.stringify(req.client_id)}` },
    }));
  } else {
    await performer.exclusive(req.client_id, async () => {
      for (let i = 0; i < commands.length; i++) {
        const cmd = commands[i];
        if (cmd.command === 'signal') {
          const callNs = nowNs();
          write({ signalled: { latch: cmd.signal.latch, index: i } });
          result(i, ok(callNs, { signal: {} }));
        } else if (cmd.command === 'wait') {
          const callNs = nowNs();
          const released = await latches.wait(cmd.wait.latch, cmd.wait.timeout_ms || DEFAULT_WAIT_MS);
          result(i, ok(callNs, { wait: { released } }));
        } else if (cmd.command === 'stm') {
          result(i, await session.execute(cmd, {
            signal: latch => write({ signalled: { latch, index: i } }),
            wait: (latch, ms) => latches.wait(latch, ms),
          }));
        } else {
          result(i, await session.execute(cmd));
        }
      }
    });
  }
  write({ done: {} });
  if (!call.cancelled) call.end();
  log(`ExecuteStream ${req.client_id} done (${Date.now() - started} ms)`);
}

module.exports = { serve, Latches };
