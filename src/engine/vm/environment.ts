// The `vm` Environment: a QEMU guest booted directly from the guest kernel with an initramfs of
// the same rootfs the container uses. createVmEnvironment() is what the runner imports.
import { readFileSync } from 'node:fs';
import { HostError } from '../../errors.js';
import { readCached } from '../../host/doctor-read.js';
import { monoNs } from '../../units.js';
import { which } from '../../util/which.js';
import type { Availability, Environment, LaunchOptions, PreparedWorkload } from '../environment.js';
import { buildInitramfs } from './initramfs.js';
import { describeDistro, distroLaunch, prepareDistro } from './distro/launch-config.js';
import { resolveKernel } from './kernel.js';
import { parseVmOptions, type Accel, type VmOptions } from './options.js';
import { VmInstance, type VmSpec } from './vm-instance.js';

export interface VmEnvironmentDeps {
  /** Console lines of every instance (the CLI mirrors them with --console). */
  onConsoleLine?: (instance: string, line: string) => void;
  /** Tests: where the instance is started (default: a real VmInstance, which spawns qemu). */
  startInstance?: (spec: VmSpec) => VmInstance;
}

/** Everything a launch needs that is not the launch itself: resolved before the clock starts. */
async function prepareLaunch(opts: LaunchOptions): Promise<Pick<VmSpec, 'qemuPath' | 'config' | 'disks'>> {
  const o = parseVmOptions(opts.options);
  const distro = o.image === 'debian' ? distroLaunch(opts.workload) : undefined;
  const kernel = distro ? { path: distro.kernelPath } : resolveKernel(o.kernel);
  const initrd = distro
    ? { path: distro.initrdPath }
    : buildInitramfs(opts.workload, { compress: o.compressInitramfs });
  return {
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
      microvmAcpi: o.microvmAcpi,
      extraCmdline: [...(distro?.extraCmdline ?? []), ...o.extraCmdline],
    },
  };
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
      if (o.image === 'debian') return prepareDistro(workload);
      resolveKernel(o.kernel);
      buildInitramfs(workload, { compress: o.compressInitramfs });
    },

    async launch(opts: LaunchOptions): Promise<VmInstance> {
      // Option parsing, kernel and initramfs lookup, doctor-cache reads and the PATH search happen
      // first: like a container's, the measured start is the instance's own (state dir, spawn ->
      // READY), not ctvm's preparation of it.
      const prepared = await prepareLaunch(opts);
      const onLine = deps.onConsoleLine;
      const spec: VmSpec = {
        name: opts.instanceName,
        launchNs: monoNs(),
        timeoutMs: opts.timeoutMs,
        ...prepared,
        ...(onLine ? { onConsoleLine: (line: string) => onLine(opts.instanceName, line) } : {}),
      };
      const vm = deps.startInstance ? deps.startInstance(spec) : new VmInstance(spec);
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
      if (o.image === 'debian') return { ...common, ...describeDistro() };
      const kernel = resolveKernel(o.kernel);
      return {
        ...common,
        image: 'initramfs',
        kernel: kernel.path,
        kernelForm: kernel.form,
        kernelVersion: kernel.version,
        initramfs: o.compressInitramfs ? 'gzip' : 'plain',
      };
    },
  };
}
