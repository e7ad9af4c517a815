// Spec validation (bad input -> one UsageError naming the value), the helper argv the engine
// builds (order matters: rootfs, /proc, /dev, devices, masks, read-only paths), lifecycle rules.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeSpec, validateSpec } from '../../../src/engine/container/spec.js';
import { buildNsexecArgs } from '../../../src/engine/container/nsexec-args.js';
import { capabilityMask } from '../../../src/engine/container/defaults.js';
import { canTransition } from '../../../src/engine/container/lifecycle.js';
import { signalName } from '../../../src/engine/launcher/nsexec-protocol.js';
import { layoutFor } from '../../../src/engine/container/state-dir.js';
import { mountsBelow } from '../../../src/engine/container/gc.js';
import { parseLimitFlags } from '../../../src/cli/commands/container.js';
import { UsageError } from '../../../src/errors.js';

const rootfs = mkdtempSync(join(tmpdir(), 'ctvm-spec-'));
test.after(() => rmSync(rootfs, { recursive: true, force: true }));

function usage(f: () => unknown, message: RegExp): void {
  assert.throws(f, (e: unknown) => e instanceof UsageError && e.exitCode === 2 && message.test(e.message));
}

test('validateSpec names the bad value', () => {
  const ok = makeSpec({ name: 'a1', rootfs, args: ['/bin/true'] });
  validateSpec(ok);
  usage(() => validateSpec({ ...ok, rootfs: '/nope' }), /^rootfs '\/nope' does not exist$/);
  usage(() => validateSpec({ ...ok, rootfs: `${rootfs}/../x` }), /contains '\.\.'/);
  usage(() => validateSpec({ ...ok, args: [] }), /^missing command$/);
  usage(() => validateSpec({ ...ok, name: 'Bad_Name' }), /invalid container name 'Bad_Name'/);
  usage(() => validateSpec({ ...ok, limits: { pids: 0 } }), /invalid pids limit '0'/);
  usage(
    () => validateSpec({ ...ok, limits: { memoryBytes: 1024 } }),
    /invalid memory limit '1024': below the minimum/,
  );
  usage(
    () => validateSpec({ ...ok, limits: { pids: 4_194_305 } }),
    /invalid pids limit '4194305': above the maximum 4194304/,
  );
  usage(
    () => validateSpec({ ...ok, limits: { cpus: 1e9 } }),
    /invalid cpus limit '1000000000': above the maximum/,
  );
  usage(() => validateSpec({ ...ok, cwd: '../etc' }), /cwd '\.\.\/etc' must be an absolute path/);
  usage(
    () => validateSpec({ ...ok, network: 'loopback', namespaces: ['pid', 'mnt'] }),
    /needs the net namespace/,
  );
});

test('CLI limit flags: sizes, fractions, and one error per bad value', () => {
  assert.deepEqual(parseLimitFlags({ memory: '64M', cpus: '0.5', pids: '64' }), {
    memoryBytes: 64 * 1024 * 1024,
    cpus: 0.5,
    pids: 64,
  });
  usage(() => parseLimitFlags({ memory: 'banana' }), /^invalid --memory 'banana'$/);
  usage(() => parseLimitFlags({ cpus: '0' }), /^invalid --cpus '0'$/);
  usage(() => parseLimitFlags({ pids: '1.5' }), /^invalid --pids '1.5'$/);
});

test('helper argv: overlay first, /proc before its masks, devices after /dev, caps = Docker set', () => {
  const spec = makeSpec({
    name: 'a2',
    rootfs,
    args: ['/bin/sh', '-c', 'x'],
    network: 'loopback',
    limits: {},
  });
  const a = buildNsexecArgs(spec, layoutFor('a2', '/run/ctvm'), ['/cg/memory/ctvm/a2/cgroup.procs']);
  const at = (...seq: string[]): number => a.findIndex((_, i) => seq.every((s, j) => a[i + j] === s));
  assert.deepEqual(a.slice(0, 4), ['ns', 'pid,mnt,uts,ipc,net,cgroup', 'root', '/run/ctvm/a2/rootfs']);
  // The writable layer's tmpfs (1 GiB by default) comes before the overlay that uses it.
  assert.deepEqual(a.slice(4, 7), ['scratch', '/run/ctvm/a2/rw', '1048576k']);
  assert.equal(at('mount', 'overlay'), 7);
  assert.match(a[12]!, /^lowerdir=.*,upperdir=\/run\/ctvm\/a2\/rw\/upper,workdir=\/run\/ctvm\/a2\/rw\/work$/);
  assert.ok(at('mount', 'proc', 'proc', '/proc') < at('mount', 'mask', '-', '/proc/kcore'));
  assert.ok(at('mount', 'tmpfs', 'tmpfs', '/dev') < at('dev', '/dev/null'));
  assert.ok(
    at('dev', '/dev/null') < at('mount', 'mask', '-', '/proc/kcore'),
    'masks bind the container /dev/null',
  );
  assert.ok(at('mount', 'ro', '-', '/proc/sys') > 0);
  assert.ok(at('lo') > 0);
  assert.ok(at('cgroup', '/cg/memory/ctvm/a2/cgroup.procs') > 0);
  assert.equal(a[at('caps') + 1], 'a80425fb');
  assert.equal(capabilityMask(), 0xa80425fbn);
  assert.deepEqual(a.slice(a.indexOf('--')), ['--', '/bin/sh', '-c', 'x']);
  // The default seccomp profile (installed by the helper right before exec).
  assert.match(a[at('seccomp') + 1]!, /^default errno:1\narch x86_64\n/);
  assert.ok(at('seccomp') > at('caps') && at('seccomp') < a.indexOf('--'));
});

test('helper argv: --no-seccomp drops the filter; --disk sizes the scratch tmpfs', () => {
  const spec = makeSpec({ name: 'a3', rootfs, args: ['x'], seccomp: null, diskBytes: 64 * 1024 * 1024 });
  const a = buildNsexecArgs(spec, layoutFor('a3', '/run/ctvm'), []);
  assert.equal(a.indexOf('seccomp'), -1);
  assert.deepEqual(a.slice(4, 7), ['scratch', '/run/ctvm/a3/rw', '65536k']);
});

test('lifecycle: only forward transitions; signals by name', () => {
  assert.equal(canTransition('launching', 'running'), true);
  assert.equal(canTransition('running', 'exited'), true);
  assert.equal(canTransition('exited', 'running'), false);
  assert.equal(canTransition('removed', 'exited'), false);
  assert.equal(signalName(9), 'SIGKILL');
  assert.equal(signalName(40), 'SIG40');
  assert.equal(signalName(31), 'SIGSYS', 'beyond the old 1-15 table: a seccomp kill');
  assert.equal(signalName(6), 'SIGABRT', 'the first name of a number with aliases (SIGIOT)');
});

test('gc finds host mounts below a state dir, deepest first', () => {
  const mi = [
    '36 25 0:32 / /run/ctvm/x/rootfs rw - overlay overlay rw',
    '37 36 0:33 / /run/ctvm/x/rootfs/proc rw - proc proc rw',
    '38 25 0:34 / /run/ctvm/xy rw - tmpfs tmpfs rw',
  ].join('\n');
  assert.deepEqual(mountsBelow('/run/ctvm/x', mi), ['/run/ctvm/x/rootfs/proc', '/run/ctvm/x/rootfs']);
});
