// VM options from a scenario or the CLI (accel, machine, vcpus, memory, kernel, ...), validated
// into one typed config; every rejection is a UsageError naming the option and the value.
import { totalmem } from 'node:os';
import { UsageError } from '../../errors.js';
import { MiB, parseBytes, type Bytes } from '../../units.js';

export const ACCELS = ['auto', 'kvm', 'tcg'] as const;
export const MACHINES = ['microvm', 'pc', 'q35'] as const;
/** initramfs: the workload rootfs as the guest's whole userspace; debian: a full install (distro/). */
export const IMAGES = ['initramfs', 'debian'] as const;
export type Image = (typeof IMAGES)[number];
export type AccelChoice = (typeof ACCELS)[number];
export type Accel = Exclude<AccelChoice, 'auto'>;
export type Machine = (typeof MACHINES)[number];
/** `none`: no NIC (-nodefaults); `bridge`: virtio-net on a tap of the lab network (src/net/). */
export const VM_NETWORKS = ['none', 'bridge'] as const;
export type VmNetwork = (typeof VM_NETWORKS)[number];

export interface VmOptions {
  accel: AccelChoice;
  image: Image;
  machine: Machine;
  vcpus: number;
  memoryBytes: Bytes;
  /** Kernel file; undefined = the cached Debian PVH vmlinux. */
  kernel: string | undefined;
  /** gzip the initramfs (smaller file, but the guest must inflate it). */
  compressInitramfs: boolean;
  /**
   * TCG translation-block cache in MiB (undefined = QEMU's default: since 5.2 a 1 GiB buffer
   * that fills with the code a guest runs). Default 16: measured with bench/vm-boot.ts, boot and
   * the cpu probe are not slower, and an idle guest's Hypervisor layer drops ~21 MiB (70.7 -> 49.3
   * MiB PSS) and stays bounded under CPU-heavy work. It is a TCG artefact (KVM has no such
   * buffer), so we keep it small rather than let emulation inflate the VM's cost; 0 restores QEMU's.
   */
  tbSizeMiB: number | undefined;
  /** microvm only: keep its ACPI tables (needed for virtio-mmio with Debian's kernel; we use none). */
  microvmAcpi: boolean;
  /** Extra kernel command-line words (benchmarks compare choices with this). */
  extraCmdline: string[];
  network: VmNetwork;
}

export const DEFAULT_VM_OPTIONS: VmOptions = {
  accel: 'auto',
  image: 'initramfs',
  machine: 'microvm',
  vcpus: 1,
  memoryBytes: 256 * MiB,
  kernel: undefined,
  compressInitramfs: false,
  tbSizeMiB: 16,
  microvmAcpi: false,
  extraCmdline: [],
  network: 'none',
};

/** Below this the Debian kernel cannot unpack an initramfs and start userspace. */
export const MIN_MEMORY_BYTES = 64 * MiB;
const MAX_VCPUS = 64;

function oneOf<T extends string>(name: string, value: unknown, allowed: readonly T[]): T {
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`vm option ${name}: '${String(value)}' is not one of ${allowed.join(', ')}`);
}

export function parseMemory(value: unknown, hostBytes: Bytes = totalmem()): Bytes {
  const bytes = typeof value === 'number' ? value : typeof value === 'string' ? parseBytes(value) : undefined;
  if (bytes === undefined || !Number.isFinite(bytes))
    throw new UsageError(`vm memory '${String(value)}' is not a size`, { hint: 'e.g. 256M, 1G' });
  if (bytes < MIN_MEMORY_BYTES)
    throw new UsageError(
      `vm memory '${String(value)}' is below the ${MIN_MEMORY_BYTES / MiB}M a guest needs`,
    );
  if (bytes > hostBytes)
    throw new UsageError(
      `vm memory '${String(value)}' exceeds this host's ${Math.floor(hostBytes / MiB)}M of RAM`,
    );
  return Math.ceil(bytes / MiB) * MiB;
}

export function parseVcpus(value: unknown): number {
  const n = typeof value === 'string' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > MAX_VCPUS)
    throw new UsageError(`vm vcpus '${String(value)}' must be an integer from 1 to ${MAX_VCPUS}`);
  return n;
}

/** Merges user options over the defaults; unknown keys are an error (typos must not be ignored). */
export function parseVmOptions(raw: Record<string, unknown> = {}): VmOptions {
  const known = new Set([
    'accel',
    'image',
    'machine',
    'vcpus',
    'memory',
    'kernel',
    'compressInitramfs',
    'tbSizeMiB',
    'microvmAcpi',
    'extraCmdline',
    'network',
    // The scratch disk (src/disk/): validated by scratchRequest() where the image is made.
    'scratch',
    'scratchImage',
  ]);
  for (const k of Object.keys(raw))
    if (!known.has(k))
      throw new UsageError(`unknown vm option '${k}'`, { hint: `known: ${[...known].join(', ')}` });
  const o: VmOptions = { ...DEFAULT_VM_OPTIONS, extraCmdline: [] };
  if (raw.accel !== undefined) o.accel = oneOf('accel', raw.accel, ACCELS);
  if (raw.image !== undefined) o.image = oneOf('image', raw.image, IMAGES);
  // A full install boots as PCs do (ACPI, PCI, virtio-blk): q35 unless asked otherwise.
  if (o.image === 'debian') o.machine = 'q35';
  if (raw.machine !== undefined) o.machine = oneOf('machine', raw.machine, MACHINES);
  if (o.image === 'debian' && o.machine === 'microvm')
    throw new UsageError(
      "vm option machine: 'microvm' has no PCI bus for the Debian image's virtio-blk disk",
      { hint: 'use q35 (the default with image: debian) or pc' },
    );
  if (o.image === 'debian' && raw.kernel !== undefined)
    throw new UsageError(
      `vm option kernel: '${String(raw.kernel)}' cannot be combined with image: debian, which boots its own kernel and initramfs`,
    );
  if (raw.vcpus !== undefined) o.vcpus = parseVcpus(raw.vcpus);
  if (raw.memory !== undefined) o.memoryBytes = parseMemory(raw.memory);
  if (raw.kernel !== undefined) o.kernel = String(raw.kernel);
  if (raw.compressInitramfs !== undefined) o.compressInitramfs = raw.compressInitramfs === true;
  if (raw.tbSizeMiB !== undefined) {
    const n = Number(raw.tbSizeMiB);
    if (!Number.isInteger(n) || n < 0)
      throw new UsageError(
        `vm tbSizeMiB '${String(raw.tbSizeMiB)}' must be an integer >= 0 (0 = QEMU's default)`,
      );
    o.tbSizeMiB = n === 0 ? undefined : n;
  }
  if (raw.network !== undefined) o.network = oneOf('network', raw.network, VM_NETWORKS);
  if (raw.microvmAcpi !== undefined) o.microvmAcpi = raw.microvmAcpi === true;
  if (raw.extraCmdline !== undefined) {
    if (!Array.isArray(raw.extraCmdline)) throw new UsageError('vm extraCmdline must be a list of words');
    o.extraCmdline = raw.extraCmdline.map(String);
  }
  return o;
}
