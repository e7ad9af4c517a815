// Per-instance copy-on-write disks: a qcow2 overlay in the instance's state dir whose backing
// file is the cached raw image, opened read-only by qemu, so the cache is never written. The
// overlays go with the state dir (VmInstance's cleanup, `ctvm gc`).
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { HostError, errorMessage } from '../../../errors.js';
import { which } from '../../../util/which.js';

/** Creates one overlay per base image in `dir`; returns the qemu arguments that attach them. */
export function createOverlays(dir: string, bases: string[]): string[] {
  if (bases.length === 0) return [];
  const qemuImg = which('qemu-img');
  if (!qemuImg)
    throw new HostError('qemu-img not found (the Debian guest boots from a qcow2 overlay)', {
      hint: 'apt-get install qemu-utils',
    });
  return bases.flatMap((base, i) => {
    const overlay = join(dir, `disk${i}.qcow2`);
    try {
      execFileSync(qemuImg, ['create', '-q', '-f', 'qcow2', '-F', 'raw', '-b', base, overlay], {
        stdio: ['ignore', 'ignore', 'pipe'],
      });
    } catch (err) {
      throw new HostError(`qemu-img create ${overlay} over ${base} failed: ${errorMessage(err)}`);
    }
    return drive(overlay, i);
  });
}

/** virtio-blk on PCI: vda, vdb, ... in the guest, in this order. */
export function drive(overlay: string, i: number): string[] {
  // prettier-ignore
  return [
    '-blockdev', `driver=qcow2,node-name=disk${i},file.driver=file,file.filename=${overlay}`,
    '-device', `virtio-blk-pci,drive=disk${i}`,
  ];
}
