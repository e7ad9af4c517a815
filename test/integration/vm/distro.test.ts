// Issue #13 (A): the full-distro guest (vm, image: debian) under TCG: one boot through firmware,
// the image's kernel and initramfs, systemd to multi-user.target, then the workload; its exit
// code and the sha256 of the bytes it ran come back; the cached base disk is never written and
// nothing (qemu, state dir with its overlays, mounts, loop devices) is left behind. The first run
// builds the image (debootstrap, minutes, cached in CTVM_CACHE_DIR/distro); later runs reuse it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readdirSync, readFileSync, readSync, statSync } from 'node:fs';
import { createVmEnvironment } from '../../../src/engine/vm/environment.js';
import type { VmInstance } from '../../../src/engine/vm/vm-instance.js';
import { cachedImage } from '../../../src/engine/vm/distro/build.js';
import { DISTRO_DIR } from '../../../src/engine/vm/distro/image-spec.js';
import { WORKLOAD_DISK_DIR } from '../../../src/engine/vm/distro/workload-disk.js';
import { prepareWorkload } from '../../../src/workload/catalog.js';
import { requires } from '../../helpers/requires.js';
import { alive, pidsWithArg } from './helpers.js';

const skip = requires('root', 'linux', 'qemu', 'probe', 'busybox', 'debianImage');
const OPTIONS = { accel: 'tcg', image: 'debian', memory: '512M' };

const loopDevices = () => execFileSync('losetup', ['-a'], { encoding: 'utf8' });
/**
 * The base disk's ext4 superblock (mount count, last mount and write times): a guest that wrote
 * the base instead of its overlay changes it. The file's mtime is no witness: markUsed touches it.
 */
function superblock(disk: string): Buffer {
  const fd = openSync(disk, 'r');
  try {
    const b = Buffer.alloc(1024);
    readSync(fd, b, 0, 1024, 1024);
    return b;
  } finally {
    closeSync(fd);
  }
}

/** Build temp trees (image or workload disk) still in the cache: an interrupted build's leftovers. */
const buildTrees = () =>
  [DISTRO_DIR, WORKLOAD_DISK_DIR].flatMap((d) =>
    existsSync(d) ? readdirSync(d).filter((f) => f.startsWith('.build-')) : [],
  );
const distroMounts = () =>
  readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .filter((l) => l.includes(DISTRO_DIR));

test(
  'Debian guest: systemd boots to multi-user, the workload runs, exit 3 and its sha256 come back; nothing left',
  { skip, timeout: 45 * 60_000 },
  async () => {
    const env = createVmEnvironment();
    const exit3 = await prepareWorkload('exit:3');
    // The same probe bytes as every other environment; the guest hashes them itself first.
    const probe = exit3.argv[0]!;
    const workload = {
      ...exit3,
      argv: ['/bin/busybox', 'sh', '-c', `/bin/busybox sha256sum ${probe}; exec ${exit3.argv.join(' ')}`],
    };
    const t0 = Date.now();
    await env.prepare(workload, OPTIONS); // builds the image on first use (cached afterwards)
    const image = cachedImage();
    assert.ok(image, 'the image is built (or was cached)');
    const built = JSON.parse(readFileSync(image.manifest, 'utf8')) as {
      buildSeconds: number;
      diskBytes: number;
    };
    console.log(
      `# prepare took ${Date.now() - t0} ms; image ${image.dir}: disk ${(built.diskBytes / 2 ** 20).toFixed(0)} MiB (apparent), built in ${built.buildSeconds} s`,
    );
    const before = superblock(image.disk);
    const sizeBefore = statSync(image.disk).size;
    const loopsBefore = loopDevices();
    const describe = await env.describe!(OPTIONS);
    assert.equal(describe.machine, 'q35', 'q35 by default for the Debian image');
    assert.match(describe.image!, /^debian bookworm minbase/);
    const vm = (await env.launch({
      workload,
      instanceName: `distro-${process.pid}`,
      timeoutMs: 40 * 60_000,
      options: OPTIONS,
    })) as VmInstance;
    assert.ok(existsSync(`${vm.dir}/disk0.qcow2`), 'per-instance overlay of the root disk');
    await vm.ready;
    const exit = await vm.exited;
    const at = (n: string) => vm.events.phases.find((p) => p.name === n)?.atNs;
    const ms = (n: string) => ((at(n)! - vm.events.launchNs) / 1e6).toFixed(0);
    console.log(
      `# Debian guest (TCG): kernel +${ms('kernel')} ms, initramfs +${ms('initramfs')}, systemd +${ms('systemd')}, multi-user +${ms('multi-user')}, init +${ms('init')}, READY +${ms('ready')} ms; units active ${vm.events.facts.guestUnitsActive}, failed ${vm.events.facts.guestUnitsFailed}`,
    );
    assert.equal(exit.code, 3, `exit code: ${exit.outputTail.join(' | ')}`);
    assert.equal(vm.events.facts.qemuExitStatus, (3 << 1) | 1, 'isa-debug-exit carried the code');
    const hashLine = exit.outputTail.find((l) => l.includes(probe));
    assert.ok(hashLine, `sha256sum output in: ${exit.outputTail.join(' | ')}`);
    assert.equal(hashLine.trim().split(/\s+/)[0], exit3.binarySha256, 'the guest ran the same bytes');
    const order = ['spawn', 'kernel', 'initramfs', 'systemd', 'multi-user', 'init', 'ready', 'exit'];
    const times = order.map((n) => at(n));
    assert.ok(
      times.every((t) => t !== undefined),
      `phases: ${vm.events.phases.map((p) => p.name).join(',')}`,
    );
    assert.deepEqual(
      [...times].sort((a, b) => a! - b!),
      times,
      'firmware < kernel < initramfs < systemd < multi-user < workload < READY',
    );
    // Nothing left behind, and the cached base untouched.
    assert.equal(alive(vm.pid), false, 'qemu gone');
    assert.deepEqual(pidsWithArg(vm.dir), []);
    assert.equal(existsSync(vm.dir), false, 'state dir (with the qcow2 overlays) removed');
    assert.ok(
      superblock(image.disk).equals(before),
      'base disk superblock unchanged (never mounted or written)',
    );
    assert.equal(statSync(image.disk).size, sizeBefore);
    assert.equal(loopDevices(), loopsBefore, 'no loop device');
    assert.deepEqual(distroMounts(), [], 'no mount of the image');
    assert.deepEqual(buildTrees(), [], 'no build temp tree left in the cache');
  },
);
