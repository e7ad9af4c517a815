// The TypeScript mirror of native/nsexec.h must match the header, and the line parser must
// understand every line shape the helper writes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_DIR } from '../../../src/paths.js';
import * as proto from '../../../src/engine/container/nsexec-protocol.js';

function headerDefines(): Map<string, string> {
  const text = readFileSync(join(PROJECT_DIR, 'native', 'nsexec.h'), 'utf8');
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
  assert.deepEqual(proto.parseStatusLine('X signal 9'), { kind: 'exit', code: null, signal: 9 });
  assert.deepEqual(proto.parseStatusLine('X code 3'), { kind: 'exit', code: 3, signal: null });
  assert.equal(proto.parseStatusLine('garbage'), undefined);
  assert.equal(proto.parseStatusLine('P -1'), undefined);
});
