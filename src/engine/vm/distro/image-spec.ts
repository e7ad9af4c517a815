// What the Debian guest image is made of (suite, mirror, packages, ctvm's guest files) and where
// its build is cached: CACHE_DIR/distro/<key>/, the key a hash of exactly those inputs.
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { CACHE_DIR } from '../../../paths.js';
import { guestFiles } from './guest-files.js';

export const DISTRO_DIR = join(CACHE_DIR, 'distro');
const FORMAT = 'ctvm-distro-v1';

export interface ImageSpec {
  suite: string;
  mirror: string;
  variant: 'minbase';
  /** Added to minbase: systemd as init, udev, the kernel and the tools that build its initramfs. */
  include: string[];
}

export const DEBIAN_IMAGE: ImageSpec = {
  suite: 'bookworm',
  mirror: process.env.CTVM_DEBIAN_MIRROR ?? 'http://deb.debian.org/debian',
  variant: 'minbase',
  include: ['systemd-sysv', 'udev', 'kmod', 'initramfs-tools', 'linux-image-amd64'],
};

/** The files of one cached build. */
export interface ImagePaths {
  dir: string;
  /** Raw ext4 disk (read-only; instances boot from a qcow2 overlay over it). */
  disk: string;
  /** The image's own kernel: PVH ELF extracted from its /boot/vmlinuz (see build.ts). */
  vmlinux: string;
  /** Its /boot/initrd.img, made by the image's own initramfs-tools. */
  initrd: string;
  /** build.json: package versions, kernel release, build time. */
  manifest: string;
}

export function imageKey(spec: ImageSpec = DEBIAN_IMAGE): string {
  const h = createHash('sha256').update(`${FORMAT}\0${JSON.stringify(spec)}\0`);
  for (const f of guestFiles()) h.update(`${f.path}\0${f.mode}\0${f.content ?? ''}\0${f.symlink ?? ''}\0`);
  return h.digest('hex').slice(0, 16);
}

export function imagePaths(key = imageKey()): ImagePaths {
  const dir = join(DISTRO_DIR, key);
  return {
    dir,
    disk: join(dir, 'disk.raw'),
    vmlinux: join(dir, 'vmlinux'),
    initrd: join(dir, 'initrd.img'),
    manifest: join(dir, 'build.json'),
  };
}
