// The scratch disk (#14): fio in a container (loop device, host ext4) and in a VM (virtio-blk,
// guest ext4) write O_DIRECT to the same ext4 image file; afterwards the host mounts the image
// and finds both files with each writer's bytes. Nothing is left: loop devices, mounts, the file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { requires } from '../../helpers/requires.js';
import { launchContainerOnNetwork } from '../../../src/engine/container/launch-net.js';
import { makeSpec } from '../../../src/engine/container/spec.js';
import type { PreparedWorkload } from '../../../src/engine/environment.js';
import { runVmOnce } from '../../../src/engine/vm/run-once.js';
import { createScratchImage, loopMount } from '../../../src/disk/scratch.js';
import { SCRATCH_TOKEN } from '../../../src/disk/scratch-spec.js';
import { buildRootfs } from '../../../src/workload/rootfs.js';
import { hostDriver, PREFIX } from '../container/helpers.js';

const FILE_BYTES = 4 * 1024 * 1024;
const fioMissing = existsSync('/usr/bin/fio') ? false : 'needs fio (apt-get install fio)';

/** fio writing FILE_BYTES of a 4-byte pattern to @SCRATCH@/<name>.dat with O_DIRECT. */
async function fioWrite(name: string, pattern: string): Promise<PreparedWorkload> {
  const rootfs = await buildRootfs({ hostPrograms: ['fio'] });
  // prettier-ignore
  const argv = [
    '/usr/bin/fio', `--name=${name}`, `--filename=${SCRATCH_TOKEN}/${name}.dat`, '--rw=write',
    '--bs=64k', `--size=${FILE_BYTES}`, '--direct=1', '--ioengine=psync', `--buffer_pattern=0x${pattern}`,
  ];
  return {
    name: `fio-${name}`,
    rootfsDir: rootfs.dir,
    rootfsHash: rootfs.hash,
    argv,
    env: { PATH: '/bin:/usr/bin' },
    binarySha256: createHash('sha256').update(readFileSync('/usr/bin/fio')).digest('hex'),
  };
}

/** The file is FILE_BYTES of `pattern` (hex, 4 bytes) repeated. */
function assertPattern(path: string, pattern: string): void {
  assert.equal(statSync(path).size, FILE_BYTES, path);
  const want = Buffer.from(pattern, 'hex');
  const data = readFileSync(path);
  for (let at = 0; at < data.length; at += want.length)
    if (!data.subarray(at, at + want.length).equals(want))
      assert.fail(`${path}: byte ${at} is not the writer's pattern ${pattern}`);
}

for (const kernel of ['debian', 'minimal'] as const)
  test(
    `fio in a container and in a VM (${kernel} kernel) write to the same image file; the host reads both`,
    {
      skip:
        requires('root', 'helper', 'busybox', 'qemu', kernel === 'minimal' ? 'minimalKernel' : 'kernel') ||
        fioMissing,
      timeout: 240_000,
    },
    async () => {
      const image = await createScratchImage(64 * 1024 * 1024);
      try {
        const cw = await fioWrite('container', '636f6e74'); // "cont"
        const c = await launchContainerOnNetwork(
          makeSpec({ name: `${PREFIX}fio-${kernel}`, rootfs: cw.rootfsDir, args: cw.argv, network: 'none' }),
          { driver: hostDriver(), stdout: 'ignore', stderr: 'ignore' },
          { scratchImage: image.path },
        );
        const cexit = await c.exited;
        assert.equal(cexit.code, 0, `container fio: ${JSON.stringify(cexit)}`);

        const vw = await fioWrite('vm', '766d766d'); // "vmvm"
        const r = await runVmOnce(
          vw,
          {
            accel: 'tcg',
            memory: '512M',
            scratchImage: image.path,
            ...(kernel === 'minimal' ? { kernel: 'minimal' } : {}),
          },
          200_000,
          () => undefined,
        );
        assert.equal(r.exit.code, 0, `vm fio: ${r.exit.outputTail.join('\n')}`);

        const m = await loopMount(image.path);
        try {
          assertPattern(join(m.dir, 'container.dat'), '636f6e74');
          assertPattern(join(m.dir, 'vm.dat'), '766d766d');
        } finally {
          await m.release();
        }
        const loops = await execa('losetup', ['-n', '-j', image.path]);
        assert.equal(loops.stdout.trim(), '', 'loop device left on the image');
        assert.ok(!readFileSync('/proc/mounts', 'utf8').includes(image.path), 'mount left');
      } finally {
        await image.remove();
      }
      assert.ok(!existsSync(image.path), 'image file left');
    },
  );
