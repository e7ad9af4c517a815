// The qemu command line and the guest kernel command line for one instance (pure; unit-tested).
// Choices below were measured with bench/vm-boot.ts under TCG on this host; see bench/README.md.
import type { Bytes } from '../../units.js';
import { DEBUG_EXIT_PORT, GUEST_DISK_PARAM, GUEST_IP_PARAM } from './init-script.js';
import type { Accel, Machine } from './options.js';

export interface QemuLaunchConfig {
  accel: Accel;
  machine: Machine;
  vcpus: number;
  memoryBytes: Bytes;
  kernelPath: string;
  initrdPath: string;
  qmpSocket: string;
  /** Host TSC in kHz (doctor's report.host.tscKhz); microvm guests need it without a PIT. */
  tscKhz: number | null;
  tbSizeMiB?: number | undefined;
  microvmAcpi?: boolean;
  extraCmdline?: string[];
  /** Default kernel words to drop (benchmarks measure what each one buys). */
  omitCmdline?: string[];
  /** Appended as they are (the Debian guest's disks: distro/overlay.ts). */
  extraArgs?: string[];
  /** Network `bridge`: a tap in the lab netns (qemu runs there) and the guest's address (/init sets it). */
  net?: { tap: string; mac: string; cidr: string } | undefined;
  /** Scratch disk: an ext4 image file as virtio-blk, mounted by /init on `mountPoint`. */
  disk?: { imagePath: string; mountPoint: string } | undefined;
}

/**
 * The scratch disk: virtio-blk (virtio-blk-device on microvm, virtio-blk-pci on pc/q35) on a raw
 * image file with cache=none (O_DIRECT on the file: no host page cache, as the loop device's
 * direct I/O for bare/container) and aio=native (Linux AIO, what O_DIRECT is made for).
 */
export function diskArgs(c: Pick<QemuLaunchConfig, 'machine' | 'disk'>): string[] {
  if (!c.disk) return [];
  if (c.disk.imagePath.includes(','))
    throw new Error(`scratch image path ${c.disk.imagePath} has a comma (qemu -drive cannot take it)`);
  const dev = c.machine === 'microvm' ? 'virtio-blk-device' : 'virtio-blk-pci';
  // prettier-ignore
  return [
    '-drive', `file=${c.disk.imagePath},format=raw,if=none,id=d0,cache=none,aio=native`,
    '-device', `${dev},drive=d0`,
  ];
}

/** The NIC: virtio-net on microvm's virtio-mmio bus, virtio-net-pci on pc/q35; tap, no vhost. */
export function netArgs(c: Pick<QemuLaunchConfig, 'machine' | 'net'>): string[] {
  if (!c.net) return []; // -nodefaults leaves the guest without a NIC
  const nic = c.machine === 'microvm' ? 'virtio-net-device' : 'virtio-net-pci';
  // prettier-ignore
  return [
    '-netdev', `tap,id=n0,ifname=${c.net.tap},script=no,downscript=no`,
    '-device', `${nic},netdev=n0,mac=${c.net.mac}`,
  ];
}

/** -M value: microvm without legacy devices the guest would spend emulated time probing. */
export function machineArg(c: Pick<QemuLaunchConfig, 'machine' | 'microvmAcpi'>): string {
  // mem-merge=on: guest RAM is madvise(MADV_MERGEABLE), so KSM (when the host runs it) can share it.
  if (c.machine !== 'microvm') return `${c.machine},mem-merge=on`;
  // rtc stays on: with rtc=off this qemu/kernel pair stalls ~1 s before the first console byte.
  // pit/pic on: under TCG the guest verifies its LAPIC timer against the PIT's IRQ 0; without
  // them the LAPIC timer is disabled ("verification failure"), no timer interrupt ever comes and
  // any sleep in the guest hangs. Costs ~0.1 s of boot with the minimal kernel (bench/README).
  return `microvm,x-option-roms=off,pit=on,pic=on,rtc=on,isa-serial=on,acpi=${c.microvmAcpi ? 'on' : 'off'},mem-merge=on`;
}

export function kernelCmdline(
  c: Pick<
    QemuLaunchConfig,
    'machine' | 'tscKhz' | 'extraCmdline' | 'omitCmdline' | 'microvmAcpi' | 'net' | 'disk'
  >,
): string {
  const words = [
    'console=ttyS0',
    'rdinit=/init',
    'panic=-1', // reboot at once on panic; -no-reboot turns that into a qemu exit
    'quiet', // every console byte is emulated UART work under TCG
    'cryptomgr.notests', // skips crypto self-tests (~0.4 s under TCG)
    // The IO-APIC timer check counts ticks during a calibrated busy loop; on a loaded host a TCG
    // guest misses them and panics ("IO-APIC + timer doesn't work"), e.g. 1 in 4 boots at once.
    'no_timer_check',
    '8250.nr_uarts=1',
  ];
  if (c.machine === 'microvm') {
    words.push('pci=off');
    // No ACPI tables on our microvm: tell the kernel so it does not search for them.
    if (!c.microvmAcpi) words.push('acpi=off');
    // Without a PIT the TSC cannot be calibrated; under TCG the guest may otherwise hang.
    if (c.tscKhz) words.push(`tsc_early_khz=${c.tscKhz}`);
  }
  if (c.net) words.push(`${GUEST_IP_PARAM}=${c.net.cidr}`); // read by /init (init-script.ts)
  if (c.disk) words.push(`${GUEST_DISK_PARAM}=${c.disk.mountPoint}`);
  const omit = new Set(c.omitCmdline ?? []);
  return [
    ...words.filter((w) => !omit.has(w) && !omit.has(w.split('=')[0]!)),
    ...(c.extraCmdline ?? []),
  ].join(' ');
}

export function qemuArgs(c: QemuLaunchConfig): string[] {
  const accel = c.accel === 'tcg' && c.tbSizeMiB ? `tcg,tb-size=${c.tbSizeMiB}` : c.accel;
  // prettier-ignore
  return [
    '-accel', accel,
    '-M', machineArg(c),
    '-cpu', c.accel === 'kvm' ? 'host' : 'max',
    '-m', `${Math.round(c.memoryBytes / (1024 * 1024))}M`,
    '-smp', String(c.vcpus),
    '-nodefaults', '-no-user-config', '-display', 'none',
    '-serial', 'stdio', // console on qemu's stdout, host requests on its stdin
    '-monitor', 'none',
    '-qmp', `unix:${c.qmpSocket},server=on,wait=off`,
    '-no-reboot',
    '-device', `isa-debug-exit,iobase=0x${DEBUG_EXIT_PORT.toString(16)},iosize=0x04`,
    '-kernel', c.kernelPath,
    '-initrd', c.initrdPath,
    '-append', kernelCmdline(c),
    ...netArgs(c),
    ...diskArgs(c),
    ...(c.extraArgs ?? []),
  ];
}

/** qemu's exit status from isa-debug-exit carries (code << 1) | 1; anything else is not the guest's. */
export function decodeDebugExit(status: number | undefined): number | null {
  if (status === undefined || status % 2 !== 1) return null;
  return status >> 1;
}
