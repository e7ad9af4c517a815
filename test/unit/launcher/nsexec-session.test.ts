// The launcher session (protocol v2) driven by in-memory streams: a fake server (its stdin and
// stdout) and fake launcher connections, so every ordering of S/D replies, status lines and
// connections can be played without root or a helper binary.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import type { Server } from 'node:net';
import { Duplex, PassThrough } from 'node:stream';
import { LauncherSession, type LaunchOptions } from '../../../src/engine/launcher/nsexec-session.js';
import type { StatusMessage } from '../../../src/engine/launcher/nsexec-protocol.js';
import { canTransition, transition } from '../../../src/engine/launcher/launch-state.js';

/** One connection from a launcher: what it sends we read; what we write to it is kept. */
class FakeSocket extends Duplex {
  readonly written: Buffer[] = [];
  override _read(): void {}
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: () => void): void {
    this.written.push(chunk);
    cb();
  }
  ref(): this {
    return this;
  }
  unref(): this {
    return this;
  }
  send(text: string): void {
    this.push(text);
  }
  /** The launcher closed it (exited). */
  close(): void {
    this.push(null);
    this.end();
  }
}

function harness() {
  const stdin = new PassThrough();
  const requests: string[] = [];
  stdin.on('data', (b: Buffer) => requests.push(b.toString('latin1')));
  const stdout = new PassThrough();
  const sockets = new EventEmitter();
  const busy: boolean[] = [];
  const session = new LauncherSession(stdin, stdout, sockets as unknown as Server, (b) => busy.push(b));
  const connect = (head: string): FakeSocket => {
    const s = new FakeSocket();
    sockets.emit('connection', s);
    s.send(head);
    return s;
  };
  return { session, requests, reply: (line: string) => stdout.write(line + '\n'), connect, busy, stdout };
}

function options(stdout: LaunchOptions['stdout'] = 'pipe'): LaunchOptions & { seen: StatusMessage[] } {
  const seen: StatusMessage[] = [];
  return { stdout, stderr: 'ignore', onStatus: (m) => seen.push(m), seen };
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));
async function text(s: NodeJS.ReadableStream): Promise<string> {
  let out = '';
  for await (const c of s) out += String(c);
  return out;
}

test('slow path: request on stdin, S names the pid, status split across chunks, X ends it', async () => {
  const h = harness();
  const o = options();
  const launch = h.session.prepare(['--', '/bin/true'], o);
  assert.deepEqual(h.requests, [], 'nothing is sent before start()');
  launch.start();
  await tick();
  assert.equal(h.requests.join(''), 'L 1 pipe ignore 2\n--\0/bin/true\0');
  h.reply('S 1 4242');
  assert.equal(await launch.pid, 4242);
  const status = h.connect('1 status\nT launcher 10\nT ex');
  const out = h.connect('1 out\nhello ');
  const stdout = text(launch.stdout!);
  status.send('ec 20\nP 4243\nU 1500\n');
  out.send('world\n');
  out.close();
  status.send('X code 3\n');
  const end = await launch.done;
  assert.equal(end.exitCode, 3);
  assert.equal(end.cpuNs, 1500, 'the command CPU from U');
  assert.equal(end.error, undefined);
  assert.equal(await stdout, 'hello world\n');
  assert.deepEqual(
    o.seen.map((m) => m.kind),
    ['time', 'time', 'pid', 'rusage', 'exit'],
  );
  assert.deepEqual(o.seen[1], { kind: 'time', phase: 'exec', atNs: 20 });
  h.reply('D 4242 768 2000'); // late D: tidies up, changes nothing
  await tick();
  assert.deepEqual(h.busy, [true, false]);
  assert.deepEqual(h.session.counts, { spare: 0, forked: 1 });
});

test('the server D before the status stream drains: D is the end, done waits for the drain', async () => {
  const h = harness();
  const launch = h.session.prepare(['--', 'x'], options('ignore'));
  launch.start();
  h.reply('S 1 50');
  const status = h.connect('1 status\n');
  await tick();
  h.reply('D 50 256 9000'); // exit code 1
  let done = false;
  void launch.done.then(() => (done = true));
  await tick();
  assert.equal(done, false, 'status not drained yet');
  status.send('X code 1\n');
  const end = await launch.done;
  assert.equal(end.exitCode, 1);
  assert.equal(end.cpuNs, 9000, "the server's figure (launcher + reaped children)");
});

test('status closed without X: status-drained until the D, whose signal is named', async () => {
  const h = harness();
  const launch = h.session.prepare(['--', 'x'], options('ignore'));
  launch.start();
  h.reply('S 1 51');
  h.connect('1 status\nT launcher 1\n').close();
  await tick();
  let done = false;
  void launch.done.then(() => (done = true));
  await tick();
  assert.equal(done, false);
  h.reply('D 51 9 0');
  const end = await launch.done;
  assert.equal(end.signal, 'SIGKILL');
  assert.equal(end.exitCode, undefined);
});

test('fast path: an idle spare takes the request on its status connection; no stdin, no S', async () => {
  const h = harness();
  const settled = h.session.settled(5000);
  const spares = [61, 62].map((pid) => ['status', 'out', 'err'].map((k) => h.connect(`spare ${pid} ${k}\n`)));
  await settled; // both spares' three connections are in: the pool is full
  assert.deepEqual(h.session.sparePids().sort(), [61, 62]);
  const o = options();
  const launch = h.session.prepare(['--', 'y'], o);
  launch.start();
  assert.equal(await launch.pid, 61);
  const [status, out, err] = spares[0]!;
  assert.equal(Buffer.concat(status!.written).toString('latin1'), 'L 1 pipe ignore 2\n--\0y\0');
  assert.deepEqual(h.requests, []);
  out!.send('READY\n');
  out!.close();
  err!.close();
  status!.send('X signal 15\n');
  const end = await launch.done;
  assert.equal(end.exitCode, 128 + 15);
  assert.equal(await text(launch.stdout!), 'READY\n');
  assert.deepEqual(h.session.counts, { spare: 1, forked: 0 });
  assert.deepEqual(h.session.sparePids(), [62]);
});

test('fork failed (F): pid rejects, done carries the errno; server lost: pending launches end, new ones throw', async () => {
  const h = harness();
  const a = h.session.prepare(['--', 'a'], options());
  a.start();
  h.reply('F 1 EAGAIN');
  await assert.rejects(a.pid, /fork failed: EAGAIN/);
  assert.match((await a.done).error ?? '', /fork failed: EAGAIN/);
  assert.equal(await text(a.stdout!), '', 'a stream never connected ends');

  const b = h.session.prepare(['--', 'b'], options());
  b.start();
  h.reply('S 2 70');
  await b.pid;
  h.session.fail('server gone');
  const end = await b.done;
  assert.equal(end.error, 'server gone');
  assert.equal(h.session.gone, 'server gone');
  assert.throws(() => h.session.prepare(['--', 'c'], options()), /server gone/);
});

test('a launcher that never connects its status stream is given up after the grace, with a reason', async () => {
  const h = harness();
  const launch = h.session.prepare(['--', 'z'], options('ignore'));
  launch.start();
  h.reply('S 1 80');
  await launch.pid;
  h.reply('D 80 0 0');
  const alive = setTimeout(() => undefined, 5000); // the grace timer is unref'd (never holds Node)
  const end = await launch.done; // CONNECT_GRACE_MS (1 s) later
  clearTimeout(alive);
  assert.match(end.error ?? '', /launcher 80 exited \(code 0\) without connecting its status stream/);
});

test('a status connection accepted in the grace but read after it still counts (a loaded host)', async () => {
  const h = harness();
  const o = options('ignore');
  const launch = h.session.prepare(['--', 'z'], o);
  launch.start();
  h.reply('S 1 81');
  await launch.pid;
  h.reply('D 81 0 0');
  // Accepted (in the kernel's queue when the reap report came), its header not read yet.
  const status = new FakeSocket();
  (h.session as unknown as { route(s: FakeSocket): void }).route(status);
  const alive = setTimeout(() => undefined, 5000);
  await new Promise((r) => setTimeout(r, 1300)); // past CONNECT_GRACE_MS
  status.send('1 status\nX code 4\n');
  const end = await launch.done;
  clearTimeout(alive);
  assert.equal(end.error, undefined, 'not given up while its connection was being routed');
  assert.deepEqual(
    o.seen.map((m) => m.kind),
    ['exit'],
    'its status stream was read',
  );
});

test('a connection with a bad header, or for nobody, is closed', async () => {
  const h = harness();
  const bad = h.connect('hello there\n');
  const nobody = h.connect('99 status\n');
  await tick();
  assert.equal(bad.destroyed, true);
  assert.equal(nobody.destroyed, true);
});

test('launch states: only forward moves, each named when refused', () => {
  assert.ok(canTransition('awaiting-pid', 'running'));
  assert.ok(canTransition('awaiting-pid', 'reaped'), 'fork failed / server lost');
  assert.ok(canTransition('running', 'status-drained'));
  assert.ok(canTransition('status-drained', 'reaped'));
  assert.ok(canTransition('reaped', 'done'));
  assert.ok(!canTransition('done', 'reaped'));
  assert.ok(!canTransition('running', 'done'), 'done only once the end is known');
  assert.ok(!canTransition('status-drained', 'running'));
  assert.throws(
    () =>
      transition(
        { kind: 'done', end: { exitCode: 0, signal: undefined, cpuNs: 0, reapedAtNs: 0 } },
        { kind: 'running' },
      ),
    /launch state: done -> running is not allowed/,
  );
});
