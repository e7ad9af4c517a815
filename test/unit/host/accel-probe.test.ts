// The accelerator probe's verdicts: a guest that never prints the marker is a timeout, flagged as
// such (doctor does not cache it: a loaded moment is not a property of the host), and a qemu that
// exits early is a failure with its output. A fake qemu (a shell script) stands in for the guest.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { probeAccel } from '../../../src/host/accel-probe.js';

function fakeQemu(t: { after: (fn: () => void) => void }, script: string): { qemu: string; kernel: string } {
  const dir = mkdtempSync(join(tmpdir(), 'ctvm-probe-test-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const qemu = join(dir, 'qemu');
  writeFileSync(qemu, `#!/bin/sh\n${script}\n`);
  chmodSync(qemu, 0o755);
  const kernel = join(dir, 'vmlinux');
  writeFileSync(kernel, 'not a kernel');
  return { qemu, kernel };
}

test('a probe guest that stays silent is a timeout, marked timedOut', async (t) => {
  const { qemu, kernel } = fakeQemu(t, 'echo booting; exec sleep 30');
  const r = await probeAccel({ accel: 'tcg', kernel, qemu, timeoutMs: 300 });
  assert.equal(r.usable, false);
  assert.equal(r.timedOut, true);
  assert.match(r.reason ?? '', /no marker within 300 ms under tcg \(last console line: booting\)/);
});

test('a qemu that exits before the marker is a failure, not a timeout', async (t) => {
  const { qemu, kernel } = fakeQemu(t, 'echo "qemu: could not load kernel" >&2; exit 1');
  const r = await probeAccel({ accel: 'tcg', kernel, qemu, timeoutMs: 10_000 });
  assert.equal(r.usable, false);
  assert.equal(r.timedOut, undefined);
  assert.match(r.reason ?? '', /qemu exited \(1\) before the marker: qemu: could not load kernel/);
});
