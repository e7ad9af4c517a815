// A host's fingerprint: the facts that change what a VM costs compared with a container (CPU,
// cores, kernel, cgroup mode, accelerator, qemu). The fleet report uses them as dimensions;
// compare refuses to call a difference between fingerprints a regression silently.
import type { LoadedRun } from '../../results/read.js';

export interface Fingerprint {
  cpuModel: string;
  cores: string;
  kernel: string;
  cgroupMode: string;
  accelerator: string;
  qemu: string;
}

export const FINGERPRINT_LABELS: Record<keyof Fingerprint, string> = {
  cpuModel: 'CPU model',
  cores: 'cores',
  kernel: 'kernel',
  cgroupMode: 'cgroup mode',
  accelerator: 'VM accelerator',
  qemu: 'qemu version',
};

export function fingerprint(run: Pick<LoadedRun, 'meta'>): Fingerprint {
  const m = run.meta;
  const accel =
    m.environments.vm?.facts?.accel ?? (m.host.kvm.usable ? 'kvm (not used)' : 'tcg (KVM not usable)');
  return {
    cpuModel: m.host.host.cpuModel,
    cores: String(m.host.host.cores),
    kernel: m.host.host.kernel,
    cgroupMode: m.host.cgroup.mode,
    accelerator: accel,
    qemu: m.tools.qemu ?? 'none',
  };
}

/** "CPU model: A vs B" for every fact that differs. */
export function fingerprintDiff(a: Fingerprint, b: Fingerprint): string[] {
  return (Object.keys(FINGERPRINT_LABELS) as (keyof Fingerprint)[])
    .filter((k) => a[k] !== b[k])
    .map((k) => `${FINGERPRINT_LABELS[k]}: ${a[k]} vs ${b[k]}`);
}
