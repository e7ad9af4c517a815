// Which kernel modules a guest's initramfs carries for its devices: the Debian kernel has
// virtio-net, virtio-blk, ext4 and the virtio buses as modules (set-up unpacks them from the
// same linux-image package into .cache/kernel/modules/, order.json = load order per need);
// /init loads them in that order (init-script.ts). The minimal kernel has them built in, and
// any other kernel given by path is taken to have them built in too.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HostError } from '../../errors.js';
import { KERNEL_DIR } from '../../paths.js';
import { defaultKernelPath } from './kernel.js';

export type DeviceNeed = 'net' | 'disk';
export const GUEST_MODULES_CACHE = (): string => join(KERNEL_DIR, 'modules');

export interface GuestModule {
  /** File name in the initramfs's module dir, prefixed with its load position (`03-virtio_mmio.ko`). */
  name: string;
  data: Buffer;
}

/** The modules (in load order, each once) a guest booted from `kernelPath` needs for `needs`. */
export function guestModules(kernelPath: string, needs: DeviceNeed[]): GuestModule[] {
  const debian = [defaultKernelPath('pvh'), defaultKernelPath('bzimage')].includes(kernelPath);
  if (!debian || needs.length === 0) return [];
  const dir = GUEST_MODULES_CACHE();
  const orderFile = join(dir, 'order.json');
  if (!existsSync(orderFile))
    throw new HostError(`the Debian guest kernel's modules for ${needs.join(' and ')} are not in ${dir}`, {
      hint: 'npm run setup (it unpacks them from the same linux-image package)',
    });
  const order = JSON.parse(readFileSync(orderFile, 'utf8')) as Record<string, string[]>;
  const files: string[] = [];
  for (const need of needs) for (const f of order[need] ?? []) if (!files.includes(f)) files.push(f);
  return files.map((f, i) => ({
    name: `${String(i).padStart(2, '0')}-${f}`,
    data: readFileSync(join(dir, f)),
  }));
}
