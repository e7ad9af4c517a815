// The `vm` Environment: a QEMU guest booted directly from the guest kernel with an initramfs of
// the same rootfs the container uses. createVmEnvironment() is what the runner imports.
import { readFileSync } from 'node:fs';
import { HostError, UsageError } from '../../errors.js';
import { readCached } from '../../host/doctor-read.js';
import { monoNs } from '../../units.js';
import { which } from '../../util/which.js';
import type { Availability, Environment, LaunchOptions, PreparedWorkload } from '../environment.js';
import { buildInitramfs } from './initramfs.js';
import { guestModules, type DeviceNeed } from './guest-modules.js';
import { resolveKernel } from './kernel.js';
import { parseVmOptions, type Accel, type VmOptions } from './options.js';
import { VmInstance, type VmSpec } from './vm-instance.js';
import type { LabEndpoint } from '../../net/lab.js';
import { GUEST_SCRATCH, SCRATCH_PATH_VM, scratchArgv, scratchRequest } from '../../disk/scratch-spec.js';

export interface VmEnvironmentDeps {
  /** Console lines of every instance (the CLI mirrors them with --console). */
  onConsoleLine?: (instance: string, line: string) => void;
  /** Tests: where the instance is started (default: a real VmInstance, which spawns qemu). */
  startInstance?: (spec: VmSpec) => VmInstance;
}

/**
 * The Debian image's code (debootstrap build, overlays) is loaded only by a guest that uses it:
 * `ctvm vm run` pays every module on its path before the guest starts.
 */
const distroCode = () => import('./distro/launch-config.js');

/** Everything a launch needs that is not the launch itself: resolved before the clock starts. */
async function prepareLaunch(
  opts: LaunchOptions,
): Promise<Pick<VmSpec, 'qemuPath' | 'config' | 'disks'> & Pick<VmOptions, 'network'>> {
  const o = parseVmOptions(opts.options);
  const distro = o.image === 'debian' ? (await distroCode()).distroLaunch(opts.workload) : undefined;
  if (distro && (o.network !== 'none' || scratchRequest(opts.options)))
    throw new UsageError('image: debian takes no network or scratch option yet', {
      hint: 'use the default initramfs image for I/O workloads',
    });
  const kernel = distro ? { path: distro.kernelPath } : resolveKernel(o.kernel);
  const modules = distro ? [] : guestModules(kernel.path, deviceNeeds(o, opts.options));
  const initrd = distro
    ? { path: distro.initrdPath }
    : buildInitramfs(guestWorkload(opts.workload), { compress: o.compressInitramfs, modules });
  return {
    network: o.network,
    qemuPath: qemuBinary(),
    ...(distro ? { disks: distro.disks } : {}),
    config: {
      accel: await resolveAccel(o.accel),
      machine: o.machine,
      vcpus: o.vcpus,
      memoryBytes: o.memoryBytes,
      kernelPath: kernel.path,
      initrdPath: initrd.path,
      tscKhz: hostTscKhz(),
      tbSizeMiB: o.tbSizeMiB,
      microvmAcpi: needsMicrovmAcpi(o, modules.length > 0),
      extraCmdline: [...(distro?.extraCmdline ?? []), ...o.extraCmdline],
    },
  };
}

/** The workload as the guest runs it: the scratch disk is at GUEST_SCRATCH (mounted by /init). */
function guestWorkload(w: PreparedWorkload): PreparedWorkload {
  return { ...w, argv: scratchArgv(w.argv, GUEST_SCRATCH) };
}

/** The guest devices these options ask for (their drivers go into a Debian guest's initramfs). */
function deviceNeeds(o: VmOptions, raw?: Record<string, unknown>): DeviceNeed[] {
  const needs: DeviceNeed[] = o.network === 'bridge' ? ['net'] : [];
  if (scratchRequest(raw)) needs.push('disk');
  return needs;
}

/**
 * The Debian kernel's virtio_mmio is a module: loaded by insmod it does not see qemu's
 * `virtio_mmio.device=` words (modprobe would pass them; with them passed by hand this kernel
 * oopsed here), so on microvm its devices are described by ACPI instead. The minimal kernel
 * parses those words built in and keeps ACPI off.
 */
function needsMicrovmAcpi(o: VmOptions, loadsModules: boolean): boolean {
  return o.microvmAcpi || (loadsModules && o.machine === 'microvm');
}

/**
 * The VM's I/O, made before its start clock: a tap on the lab bridge (network bridge; qemu then
 * runs in the lab netns) and the scratch disk's image file (virtio-blk). release() undoes both.
 */
async function attachGuestIo(
  network: VmOptions['network'],
  raw?: Record<string, unknown>,
): Promise<{
  config: Pick<VmSpec['config'], 'net' | 'disk'>;
  net?: LabEndpoint;
  facts: Record<string, number>;
  release: () => Promise<void>;
}> {
  const disk = scratchRequest(raw);
  const undo: Array<() => Promise<void>> = [];
  const release = async (): Promise<void> => {
    for (const u of undo.splice(0).reverse()) await u();
  };
  const facts: Record<string, number> = {};
  const config: Pick<VmSpec['config'], 'net' | 'disk'> = {};
  let net: LabEndpoint | undefined;
  try {
    if (network === 'bridge') {
      const { attachToLab } = await import('../../net/attach.js');
      const wired = await attachToLab('tap');
      net = wired.endpoint;
      undo.push(wired.endpoint.release);
      facts.labWireMs = wired.wireMs;
      config.net = { tap: net.tap!, mac: net.mac!, cidr: net.cidr };
    }
    if (disk) {
      const t0 = monoNs();
      const { scratchImageFor } = await import('../../disk/attach.js');
      const image = await scratchImageFor(disk);
      undo.push(image.release);
      facts.scratchMs = (monoNs() - t0) / 1e6;
      config.disk = { imagePath: image.path, mountPoint: GUEST_SCRATCH };
    }
  } catch (err) {
    await release();
    throw err;
  }
  return { config, ...(net ? { net } : {}), facts, release };
}

/** accel 'auto' = KVM only where doctor's probe actually booted a guest with it. */
export async function resolveAccel(choice: VmOptions['accel']): Promise<Accel> {
  if (choice !== 'auto') {
    if (choice === 'kvm') {
      const report = readCached() ?? (await probeDoctor());
      if (!report.kvm.usable)
        throw new HostError(`accel kvm is not usable here: ${report.kvm.reason ?? 'probe failed'}`, {
          hint: 'use --accel tcg (or auto)',
        });
    }
    return choice;
  }
  const report = readCached() ?? (await probeDoctor());
  return report.kvm.usable ? 'kvm' : 'tcg';
}

/** A fresh doctor probe, only when no cached report holds (loaded lazily: it is heavy to import). */
async function probeDoctor() {
  const { doctor } = await import('../../host/doctor.js');
  return doctor();
}

/** Host TSC kHz (microvm guests get it as tsc_early_khz): doctor's figure, else /proc/cpuinfo. */
export function hostTscKhz(): number | null {
  const cached = readCached()?.host.tscKhz;
  if (cached) return cached;
  try {
    const mhz = /^cpu MHz\s*:\s*([\d.]+)/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1];
    return mhz ? Math.round(Number(mhz) * 1000) : null;
  } catch {
    return null;
  }
}

export function qemuBinary(): string {
  const path = which('qemu-system-x86_64');
  if (!path) throw new HostError('qemu-system-x86_64 not found', { hint: 'apt-get install qemu-system-x86' });
  return path;
}

export function createVmEnvironment(deps: VmEnvironmentDeps = {}): Environment {
  return {
    id: 'vm',

    // The accelerator (KVM/TCG), qemu and the guest kernel are doctor's verdict for the accel the
    // scenario asks for (host/doctor.ts, vm / vm:kvm / vm:tcg), checked by the runner before probe().
    async probe(): Promise<Availability> {
      return { usable: true };
    },

    async prepare(workload: PreparedWorkload, options?: Record<string, unknown>): Promise<void> {
      const o = parseVmOptions(options);
      if (o.image === 'debian') return (await distroCode()).prepareDistro(workload);
      const kernel = resolveKernel(o.kernel);
      buildInitramfs(guestWorkload(workload), {
        compress: o.compressInitramfs,
        modules: guestModules(kernel.path, deviceNeeds(o, options)),
      });
    },

    async launch(opts: LaunchOptions): Promise<VmInstance> {
      // Option parsing, kernel and initramfs lookup, doctor-cache reads and the PATH search happen
      // first: like a container's, the measured start is the instance's own (state dir, spawn ->
      // READY), not ctvm's preparation of it. So is wiring a tap to the lab bridge.
      const prepared = await prepareLaunch(opts);
      const io = await attachGuestIo(prepared.network, opts.options);
      const onLine = deps.onConsoleLine;
      const spec: VmSpec = {
        name: opts.instanceName,
        launchNs: monoNs(),
        timeoutMs: opts.timeoutMs,
        qemuPath: prepared.qemuPath,
        config: { ...prepared.config, ...io.config },
        ...(prepared.disks ? { disks: prepared.disks } : {}),
        ...(io.net ? { netnsPath: io.net.labNetnsPath, labIp: io.net.ip } : {}),
        release: io.release,
        ...(onLine ? { onConsoleLine: (line: string) => onLine(opts.instanceName, line) } : {}),
      };
      let vm: VmInstance;
      try {
        vm = deps.startInstance ? deps.startInstance(spec) : new VmInstance(spec);
      } catch (err) {
        await io.release();
        throw err;
      }
      Object.assign(vm.events.facts, io.facts);
      await vm.connectQmp();
      return vm;
    },

    async describe(options?: Record<string, unknown>): Promise<Record<string, string>> {
      const o = parseVmOptions(options);
      const common = {
        accel: await resolveAccel(o.accel),
        machine: o.machine,
        vcpus: String(o.vcpus),
        memoryBytes: String(o.memoryBytes),
        tcgTbSizeMiB: o.tbSizeMiB === undefined ? 'qemu-default' : String(o.tbSizeMiB),
        qemu: readCached()?.qemu?.version ?? 'unknown',
      };
      if (o.image === 'debian') return { ...common, ...(await distroCode()).describeDistro() };
      const kernel = resolveKernel(o.kernel);
      return {
        ...common,
        image: 'initramfs',
        kernel: kernel.path,
        kernelForm: kernel.form,
        kernelVersion: kernel.version,
        initramfs: o.compressInitramfs ? 'gzip' : 'plain',
        network:
          o.network === 'bridge'
            ? `lab bridge: tap + ${o.machine === 'microvm' ? 'virtio-net-device' : 'virtio-net-pci'}`
            : 'none',
        ...(scratchRequest(options)
          ? {
              scratch: `${SCRATCH_PATH_VM}, ${o.machine === 'microvm' ? 'virtio-blk-device' : 'virtio-blk-pci'}, at ${GUEST_SCRATCH}`,
            }
          : {}),
      };
    },
  };
}
