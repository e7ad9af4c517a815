// The vm Environment under TCG: exit codes, identical bytes, memory split, timeout, early exit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createVmEnvironment } from '../../../src/engine/vm/environment.js';
import type { VmInstance } from '../../../src/engine/vm/vm-instance.js';
import { prepareWorkload } from '../../../src/workload/catalog.js';
import { readSmapsByMapping } from '../../../src/measure/smaps.js';
import { MiB } from '../../../src/units.js';
import { requires } from '../../helpers/requires.js';
import { alive, pidsWithArg } from './helpers.js';

const skip = requires('linux', 'qemu', 'kernel', 'probe', 'busybox');
const TCG = { accel: 'tcg', memory: '256M' };
const env = createVmEnvironment();
let seq = 0;
const name = () => `t${process.pid}-${seq++}`;

async function launch(workloadName: string, timeoutMs: number, argv?: string[]): Promise<VmInstance> {
  const w = await prepareWorkload(workloadName);
  const workload = argv ? { ...w, argv } : w;
  return (await env.launch({ workload, instanceName: name(), timeoutMs, options: TCG })) as VmInstance;
}

function assertGone(vm: VmInstance): void {
  assert.equal(alive(vm.pid), false, `qemu ${vm.pid} still running`);
  assert.deepEqual(pidsWithArg(vm.dir), [], 'no process refers to our instance dir');
  assert.equal(existsSync(vm.dir), false, `temp dir ${vm.dir} left behind`);
}

test('exit:3 boots, READY arrives, exit code 3 reaches the host; phases in order', { skip }, async () => {
  const vm = await launch('exit:3', 60_000);
  await vm.ready;
  const exit = await vm.exited;
  assert.equal(exit.code, 3);
  assert.equal(exit.timedOut, false);
  assert.equal(exit.result?.fields.mode, 'exit');
  assert.equal(vm.events.facts.qemuExitStatus, (3 << 1) | 1, 'isa-debug-exit carried the code');
  const names = vm.events.phases.map((p) => p.name);
  assert.deepEqual(
    names.filter((n) => n !== 'qmp'),
    ['spawn', 'console', 'init', 'ready', 'poweroff', 'exit'],
  );
  const times = vm.events.phases.filter((p) => p.name !== 'qmp').map((p) => p.atNs);
  assert.deepEqual(
    [...times].sort((a, b) => a - b),
    times,
    'monotonic',
  );
  assert.ok((vm.events.facts.guestUptimeAtInitNs ?? 0) > 0, 'guest uptime at /init recorded');
  assertGone(vm);
});

test('the workload binary inside the guest has the sha256 the container sees', { skip }, async () => {
  const w = await prepareWorkload('noop');
  const vm = await launch('noop', 60_000, ['/bin/busybox', 'sha256sum', w.argv[0]!]);
  await assert.rejects(vm.ready, /workload exited with code 0 without printing READY/);
  const exit = await vm.exited;
  assert.equal(exit.code, 0);
  const line = exit.outputTail.find((l) => l.includes('/bin/ctvm-probe'));
  assert.ok(line, `sha256sum output in: ${exit.outputTail.join(' | ')}`);
  assert.equal(line.trim().split(/\s+/)[0], w.binarySha256);
  assertGone(vm);
});

test(
  'idle guest: PSS split and guest MemTotal are sampled and plausible; stop() cleans up',
  { skip },
  async () => {
    const vm = await launch('idle', 60_000);
    await vm.ready;
    await new Promise((r) => setTimeout(r, 1000)); // settle
    const mem = await vm.sampleMemory();
    const cpu1 = await vm.sampleCpu();
    assert.ok(mem.split, 'split present');
    const { guestRamBytes, kernelImageBytes, hypervisorBytes } = mem.split;
    assert.equal(guestRamBytes + kernelImageBytes + hypervisorBytes, mem.pssBytes, 'split adds up to PSS');
    assert.ok(guestRamBytes > 16 * MiB && guestRamBytes <= 256 * MiB, `guest RAM touched ${guestRamBytes}`);
    assert.ok(hypervisorBytes > 8 * MiB, `hypervisor ${hypervisorBytes}`);
    assert.ok(mem.rssBytes >= mem.pssBytes);
    assert.ok(mem.guestTotalBytes !== undefined, 'guest answered the meminfo request');
    assert.ok(
      mem.guestTotalBytes > 128 * MiB && mem.guestTotalBytes < 256 * MiB,
      `MemTotal ${mem.guestTotalBytes}`,
    );
    assert.ok((mem.guestAvailableBytes ?? 0) > 0 && (mem.guestAvailableBytes ?? 0) <= mem.guestTotalBytes);
    assert.ok(cpu1.cpuNs > 0);
    const summary = await vm.qmp!.queryMemorySizeSummary();
    assert.equal(summary['base-memory'], 256 * MiB);
    await vm.stop('test done');
    await vm.stop('again'); // idempotent
    const exit = await vm.exited;
    assert.equal(exit.stoppedBy, 'test done');
    assertGone(vm);
  },
);

test(
  'a guest that never prints READY is killed at the timeout; ready rejects; nothing left',
  { skip },
  async () => {
    const t0 = Date.now();
    const vm = await launch('hang', 8000);
    await assert.rejects(vm.ready, /timed out after 8000 ms without READY/);
    const exit = await vm.exited;
    const took = Date.now() - t0;
    assert.equal(exit.timedOut, true);
    assert.equal(exit.code, null);
    assert.ok(took >= 7900 && took < 12_000, `killed at ${took} ms`);
    assert.ok(
      exit.outputTail.some((l) => l.includes('CTVM-INIT')),
      'tail shows how far the guest got',
    );
    assert.ok(exit.outputTail.length <= 20);
    assertGone(vm);
  },
);

test('qemu refusing to start: launch rejects with its stderr, nothing left', { skip }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ctvm-vm-badk-'));
  try {
    // Passes our header check, but is no kernel qemu can load.
    const b = Buffer.alloc(4096);
    b.writeUInt16LE(0xaa55, 0x1fe);
    b.write('HdrS', 0x202, 'latin1');
    writeFileSync(join(dir, 'bzImage'), b);
    const before = pidsWithArg(`/vm.early-${process.pid}.`);
    const w = await prepareWorkload('noop');
    await assert.rejects(
      env.launch({
        workload: w,
        instanceName: `early-${process.pid}`,
        timeoutMs: 30_000,
        options: { ...TCG, kernel: join(dir, 'bzImage') },
      }),
      /HostError: qemu exited \(status 1\) during start-up: .*kernel too old/,
    );
    assert.deepEqual(pidsWithArg(`/vm.early-${process.pid}.`), before);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test(
  'two guests at once (density): own sockets and dirs, both READY, both cleaned up',
  { skip },
  async () => {
    const [a, b] = await Promise.all([launch('idle', 60_000), launch('idle', 60_000)]);
    try {
      assert.notEqual(a.qmpSocket, b.qmpSocket);
      await Promise.all([a.ready, b.ready]);
      const [ma, mb] = await Promise.all([a.sampleMemory(), b.sampleMemory()]);
      // The mapped kernel image is shared through the page cache: PSS splits it between the two.
      const kernelMaps = (await readSmapsByMapping(a.pid)).filter((m) => m.path.endsWith('/vmlinux'));
      const rss = kernelMaps.reduce((s, m) => s + m.rssBytes, 0);
      assert.ok(rss > 0, 'qemu maps the PVH vmlinux');
      assert.ok(
        ma.split!.kernelImageBytes < rss * 0.75,
        `shared: PSS ${ma.split!.kernelImageBytes} vs RSS ${rss}`,
      );
      assert.ok(mb.guestTotalBytes !== undefined);
    } finally {
      await Promise.all([a.stop('test'), b.stop('test')]);
    }
    assertGone(a);
    assertGone(b);
  },
);
