// Splits qemu's PSS by mapping into the layers of the figure: guest RAM touched (Guest OS + app),
// file-backed kernel/initrd images (shared between guests) and the rest (QEMU + accelerator = Hypervisor).
import type { Mapping } from '../../measure/smaps.js';
import type { Bytes } from '../../units.js';

export interface MemorySplit {
  guestRamBytes: Bytes;
  kernelImageBytes: Bytes;
  hypervisorBytes: Bytes;
}

/**
 * Guest RAM is the anonymous mapping(s) QEMU allocates for the machine's memory: the largest
 * anonymous, non-executable regions no bigger than the configured size, whose sizes add up to it
 * (QEMU may split it at the 4 GiB hole or after madvise). Kernel/initrd count only if qemu mapped
 * the files (QEMU 7.2 reads them into its heap instead, so here that part is 0 and the copies
 * count as guest RAM once loaded, and as hypervisor heap for fw_cfg blobs).
 */
export function splitQemuMemory(maps: Mapping[], guestMemoryBytes: Bytes, imagePaths: string[]): MemorySplit {
  const images = new Set(imagePaths);
  let kernelImageBytes = 0;
  let total = 0;
  const anon: Mapping[] = [];
  for (const m of maps) {
    total += m.pssBytes;
    if (images.has(m.path)) kernelImageBytes += m.pssBytes;
    else if ((m.path === '' || m.path.startsWith('[anon')) && !m.perms.includes('x')) anon.push(m);
  }
  // Largest first; take regions while they fit into the guest's memory size (1 MiB slack).
  anon.sort((a, b) => b.sizeBytes - a.sizeBytes);
  let covered = 0;
  let guestRamBytes = 0;
  const slack = 1024 * 1024;
  for (const m of anon) {
    if (m.sizeBytes < 1024 * 1024) break;
    if (covered + m.sizeBytes > guestMemoryBytes + slack) continue;
    covered += m.sizeBytes;
    guestRamBytes += m.pssBytes;
    if (covered >= guestMemoryBytes - slack) break;
  }
  return { guestRamBytes, kernelImageBytes, hypervisorBytes: total - guestRamBytes - kernelImageBytes };
}
