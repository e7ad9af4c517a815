// What a Debian-guest launch needs from the caches: the image's kernel and initramfs, its root
// disk and the workload disk (both attached through per-instance overlays), and the kernel words
// that find the root disk. Resolved before the clock starts, like the initramfs guest's.
import { HostError } from '../../../errors.js';
import { markUsed } from '../../../cache/prune.js';
import type { PreparedWorkload } from '../../environment.js';
import { cachedImage, ensureImage, readManifest } from './build.js';
import { buildWorkloadDisk } from './workload-disk.js';

export interface DistroLaunch {
  kernelPath: string;
  initrdPath: string;
  /** vda = the image's root disk, vdb = the workload disk. */
  disks: string[];
  extraCmdline: string[];
}

/** Builds what is missing (the image: minutes, once; the workload disk: a moment). */
export async function prepareDistro(workload: PreparedWorkload): Promise<void> {
  await ensureImage();
  buildWorkloadDisk(workload);
}

export function distroLaunch(workload: PreparedWorkload): DistroLaunch {
  const image = cachedImage();
  if (!image)
    throw new HostError('the Debian guest image is not built', {
      hint: 'prepare the environment first (ctvm run does; ctvm vm run --image debian builds it)',
    });
  for (const f of [image.disk, image.vmlinux, image.initrd]) markUsed(f);
  return {
    kernelPath: image.vmlinux,
    initrdPath: image.initrd,
    disks: [image.disk, buildWorkloadDisk(workload)],
    // As Debian's installer writes it: root read-only until systemd-remount-fs, after fsck.
    extraCmdline: ['root=/dev/vda', 'ro'],
  };
}

/** Facts recorded with every run of the Debian guest. */
export function describeDistro(): Record<string, string> {
  const image = cachedImage();
  if (!image) return { image: 'debian (not built yet)' };
  const m = readManifest(image);
  return {
    image: `debian ${m.spec.suite} ${m.spec.variant} + ${m.spec.include.join(',')}`,
    imageKey: m.key,
    imageBuildSeconds: String(m.buildSeconds),
    kernel: image.vmlinux,
    kernelForm: 'pvh',
    kernelVersion: m.kernelRelease,
    initramfs: "the image's own initramfs-tools (MODULES=list: virtio_pci virtio_blk ext4)",
    init: `systemd ${m.packages.systemd ?? '?'}`,
    rootDisk: 'raw ext4, virtio-blk-pci, per-instance qcow2 overlay',
  };
}
