// The cgroup v2 driver for real: this host is hybrid, so boot a QEMU guest (TCG) with
// cgroup_no_v1=all whose initramfs carries busybox, the probe, the helper, node and an esbuild
// bundle of fixtures/v2-guest.ts, and check what the driver did there (limits, OOM, pids,
// cgroup.kill, the BPF device program, teardown of sub-cgroups).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { BUILD_DIR, KERNEL_DIR, PROJECT_DIR } from '../../../src/paths.js';
import { writeCpio, type CpioEntry } from '../../../src/workload/cpio.js';
import { programClosure } from '../../../src/workload/closure.js';
import { requires } from '../../helpers/requires.js';
import { CONTAINED, UNCONTAINED } from './fixtures/device-probes.js';

interface GuestReport {
  error?: string;
  rootControllers: string;
  files: Record<string, string | null>;
  list: string[];
  oom: { signal: string | null; stats: { oomKills: number; memoryPeakBytes: number } };
  pidsDuring: { stats: number; listed: number };
  killed: { code: number | null; signal: string | null; left: number };
  cpuNsAfter: number;
  removed: boolean;
  listAfter: string[];
  devices: { filtered: Record<string, string>; control: Record<string, string>; errors: string[] };
  tree: { seen: number; code: number | null; signal: string | null; removed: boolean; list: string[] };
}

const skip = requires('qemu', 'kernel', 'probe', 'helper', 'busybox');

const INIT = `#!/bin/sh
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mount -t cgroup2 cgroup2 /sys/fs/cgroup
echo GUEST-UP
/usr/bin/node /v2.mjs
poweroff -f
`;

async function initramfs(dir: string): Promise<string> {
  const bundle = join(dir, 'v2.mjs');
  await execa(join(PROJECT_DIR, 'node_modules/.bin/esbuild'), [
    join(PROJECT_DIR, 'test/integration/container/fixtures/v2-guest.ts'),
    '--bundle',
    '--platform=node',
    '--format=esm',
    '--target=node20',
    `--outfile=${bundle}`,
  ]);
  const entries: CpioEntry[] = [];
  const dirs = new Set<string>();
  const addDirs = (path: string): void => {
    const parts = path.split('/').filter(Boolean);
    for (let i = 1; i < parts.length; i++) {
      const d = '/' + parts.slice(0, i).join('/');
      if (dirs.has(d)) continue;
      entries.push({ type: 'dir', path: d.slice(1), mode: 0o755 });
      dirs.add(d);
    }
  };
  for (const d of ['/proc/x', '/sys/x', '/dev/x', '/tmp/x']) addDirs(d);
  const file = (path: string, data: Buffer, mode = 0o755): void => {
    addDirs(path);
    entries.push({ type: 'file', path: path.slice(1), data, mode });
  };
  file('/bin/busybox', readFileSync('/bin/busybox'));
  for (const a of ['sh', 'mount', 'poweroff', 'seq', 'sleep', 'echo', 'mknod', 'head', 'wc', 'true'])
    entries.push({ type: 'symlink', path: `bin/${a}`, target: 'busybox' });
  file('/bin/ctvm-probe', readFileSync(join(BUILD_DIR, 'ctvm-probe')));
  file('/bin/ctvm-nsexec', readFileSync(join(BUILD_DIR, 'ctvm-nsexec')));
  for (const f of await programClosure('node')) file(f.path, readFileSync(f.source));
  file('/v2.mjs', readFileSync(bundle), 0o644);
  file('/init', Buffer.from(INIT));
  const img = join(dir, 'initramfs.cpio');
  writeFileSync(img, writeCpio(entries));
  return img;
}

test(
  'cgroup v2 driver inside a cgroup2-only guest: limits, OOM, pids.max, cgroup.kill, removal, devices, sub-cgroups',
  { skip, timeout: 300_000 },
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ctvm-v2guest-'));
    try {
      const img = await initramfs(dir);
      const r = await execa(
        'qemu-system-x86_64',
        [
          '-M',
          'pc',
          '-accel',
          'tcg',
          '-cpu',
          'max',
          '-m',
          '1024',
          '-smp',
          '1',
          '-kernel',
          join(KERNEL_DIR, 'vmlinux'),
          '-initrd',
          img,
          '-append',
          'console=ttyS0 cgroup_no_v1=all panic=-1 rdinit=/init quiet',
          '-display',
          'none',
          '-serial',
          'stdio',
          '-monitor',
          'none',
          '-no-reboot',
        ],
        { reject: false, timeout: 280_000, stdin: 'ignore' },
      );
      const line = r.stdout.split('\n').find((l) => l.startsWith('V2 '));
      assert.ok(line, `no V2 line from the guest:\n${r.stdout.slice(-3000)}\n${r.stderr}`);
      const g = JSON.parse(line.slice(3)) as GuestReport;
      console.log(`# guest: ${line}`);
      assert.equal(g.error, undefined);
      assert.match(g.rootControllers, /memory/);
      assert.deepEqual(g.files, {
        memoryMax: '33554432',
        swapMax: '0',
        cpuMax: '50000 100000',
        cpuWeight: '200',
        pidsMax: '16',
      });
      assert.deepEqual(g.list, ['g1']);
      assert.equal(g.oom.signal, 'SIGKILL');
      assert.ok(g.oom.stats.oomKills >= 1, `oom_kill ${g.oom.stats.oomKills}`);
      assert.ok(g.oom.stats.memoryPeakBytes <= 32 * 1024 * 1024, `peak ${g.oom.stats.memoryPeakBytes}`);
      assert.ok(g.pidsDuring.stats <= 16 && g.pidsDuring.stats >= 10, `pids ${JSON.stringify(g.pidsDuring)}`);
      // The shell either died of "can't fork" at pids.max (exit 2) or was killed; its sleeps were
      // still there (listed above) until cgroup.kill.
      assert.ok(g.killed.code === 2 || g.killed.signal === 'SIGKILL', JSON.stringify(g.killed));
      assert.equal(g.killed.left, 0);
      assert.ok(g.cpuNsAfter > 0);
      assert.equal(g.removed, true);
      assert.deepEqual(g.listAfter, []);
      // The BPF device program: host devices denied (mknod and open), the container's nodes work;
      // the same probes in a cgroup without it reach the devices.
      assert.deepEqual(g.devices.errors, []);
      assert.deepEqual(g.devices.filtered, { ...CONTAINED, 'open-kmsg': '1' });
      assert.deepEqual(g.devices.control, { ...UNCONTAINED, 'open-kmsg': '0' });
      // A process in a nested sub-cgroup is killed and the tree removed bottom-up.
      assert.deepEqual(g.tree, { seen: 1, code: null, signal: 'SIGKILL', removed: true, list: [] });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);
