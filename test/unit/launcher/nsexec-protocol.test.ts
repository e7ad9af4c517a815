// The TypeScript mirror of native/nsexec/nsexec.h must match the header, and the line parser must
// understand every line shape the helper writes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_DIR } from '../../../src/paths.js';
import * as proto from '../../../src/engine/launcher/nsexec-protocol.js';

function headerDefines(): Map<string, string> {
  const text = readFileSync(join(PROJECT_DIR, 'native', 'nsexec', 'nsexec.h'), 'utf8');
  const defs = new Map<string, string>();
  for (const m of text.matchAll(/^#define (NSEXEC_\w+) (\S+)/gm)) defs.set(m[1]!, m[2]!);
  return defs;
}

test('every NSEXEC_* constant in nsexec.h has the same value in nsexec-protocol.ts', () => {
  const defs = headerDefines();
  assert.ok(defs.size >= 10, `expected the header's constants, found ${defs.size}`);
  for (const [name, raw] of defs) {
    const ts = (proto as Record<string, unknown>)[name];
    assert.notEqual(ts, undefined, `${name} missing in nsexec-protocol.ts`);
    const value = raw.startsWith("'") ? raw.slice(1, -1) : Number(raw);
    assert.equal(ts, value, `${name}: header ${raw}, ts ${String(ts)}`);
  }
});

test('parses time, pid, error and exit lines', () => {
  assert.deepEqual(proto.parseStatusLine('T pivot 123456789'), {
    kind: 'time',
    phase: 'pivot',
    atNs: 123456789,
  });
  assert.deepEqual(proto.parseStatusLine('P 4242'), { kind: 'pid', pid: 4242 });
  assert.deepEqual(proto.parseStatusLine('E child mount overlay ENOENT /run/ctvm/a b/rootfs'), {
    kind: 'error',
    stage: 'child',
    op: 'mount overlay',
    errno: 'ENOENT',
    path: '/run/ctvm/a b/rootfs',
  });
  assert.deepEqual(proto.parseStatusLine('E child capset EPERM -'), {
    kind: 'error',
    stage: 'child',
    op: 'capset',
    errno: 'EPERM',
    path: undefined,
  });
  assert.deepEqual(proto.parseStatusLine('U 1234000'), { kind: 'rusage', cpuNs: 1234000 });
  assert.equal(proto.parseStatusLine('U -5'), undefined);
  assert.deepEqual(proto.parseStatusLine('X signal 9'), { kind: 'exit', code: null, signal: 9 });
  assert.deepEqual(proto.parseStatusLine('X code 3'), { kind: 'exit', code: 3, signal: null });
  assert.equal(proto.parseStatusLine('garbage'), undefined);
  assert.equal(proto.parseStatusLine('P -1'), undefined);
});

test('a launch request is "L <id> <out> <err> <argc>\\n" then argc NUL-terminated strings', () => {
  const buf = proto.encodeLaunchRequest(7, 'pipe', 'ignore', [
    'cwd',
    '/tmp',
    '--',
    'sh',
    '-c',
    'echo é; exit 3',
  ]);
  const text = buf.toString('utf8');
  assert.equal(text, 'L 7 pipe ignore 6\ncwd\0/tmp\0--\0sh\0-c\0echo é; exit 3\0');
  // Byte-exact: the C side splits on NUL, so a multi-byte character must not shift anything.
  assert.equal(buf.length, Buffer.byteLength(text));
  assert.equal(
    proto.encodeLaunchRequest(1, 'inherit', 'pipe', ['--', 'true']).toString(),
    'L 1 inherit pipe 2\n--\0true\0',
  );
});

test('a launch request refuses what the C side could not frame', () => {
  assert.throws(() => proto.encodeLaunchRequest(1, 'pipe', 'pipe', ['--', 'a\0b']), /contains a NUL byte/);
  assert.throws(() => proto.encodeLaunchRequest(1, 'pipe', 'pipe', []), /without arguments/);
  assert.throws(() => proto.encodeLaunchRequest(-1, 'pipe', 'pipe', ['--', 'true']), /non-negative integer/);
  assert.throws(() => proto.encodeLaunchRequest(1.5, 'pipe', 'pipe', ['--', 'true']), /non-negative integer/);
});

test('parses the server replies S, D and F; ignores anything else', () => {
  assert.deepEqual(proto.parseServerReply('S 3 4242'), { kind: 'started', id: 3, pid: 4242 });
  assert.deepEqual(proto.parseServerReply('D 3 768 2500000'), {
    kind: 'done',
    pid: 3,
    waitStatus: 768,
    cpuNs: 2500000,
  });
  assert.deepEqual(proto.parseServerReply('F 9 EAGAIN'), { kind: 'failed', id: 9, errno: 'EAGAIN' });
  for (const bad of ['', 'S 3', 'D 3 768', 'S x 1', 'F 9 eagain', 'T helper 1', 'S 3 42 extra'])
    assert.equal(proto.parseServerReply(bad), undefined, bad);
});

test('wait statuses decode like Node reports a child: exit code or signal name', () => {
  assert.deepEqual(proto.decodeWaitStatus(0), { exitCode: 0, signal: undefined });
  assert.deepEqual(proto.decodeWaitStatus(3 << 8), { exitCode: 3, signal: undefined });
  assert.deepEqual(proto.decodeWaitStatus(126 << 8), { exitCode: 126, signal: undefined });
  assert.deepEqual(proto.decodeWaitStatus(9), { exitCode: undefined, signal: 'SIGKILL' });
  assert.deepEqual(proto.decodeWaitStatus(15 | 0x80), { exitCode: undefined, signal: 'SIGTERM' }); // core bit
});
