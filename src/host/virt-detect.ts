// Whether ctvm itself runs inside a VM and/or a container — two separate facts, since a container
// on a VM host is common (nested figures are not bare-metal figures). Sources, any of which may be
// missing: systemd-detect-virt --vm/--container, the CPU flag `hypervisor` (set by every
// hypervisor that follows the CPUID convention), DMI vendor/product names, container marker files.
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

export interface VirtFacts {
  /** Hypervisor name ('kvm', 'bhyve', 'QEMU', ...), 'unknown hypervisor', or null. */
  vm: string | null;
  /** Container manager ('docker', 'podman', 'lxc', ...) or null. */
  container: string | null;
  /** What said so, e.g. "systemd-detect-virt --vm: bhyve", "CPU flag hypervisor". */
  evidence: string[];
}

export interface VirtIo {
  readFile(path: string): string | null;
  /** stdout of systemd-detect-virt with these args, or null when it is not installed. */
  detectVirt(args: string[]): string | null;
}

const realIo: VirtIo = {
  readFile: (path) => {
    try {
      return readFileSync(path, 'utf8');
    } catch {
      return null;
    }
  },
  detectVirt: (args) => {
    const r = spawnSync('systemd-detect-virt', args, { encoding: 'utf8', timeout: 5000 });
    return r.error ? null : r.stdout.trim();
  },
};

/** DMI names of hypervisors (sys_vendor or product_name). */
const DMI_VM =
  /QEMU|KVM|VMware|VirtualBox|innotek|Xen|Microsoft Corporation.*Virtual|Virtual Machine|Amazon EC2|Google Compute Engine|BHYVE|Parallels|OpenStack/i;

export function detectVirt(io: VirtIo = realIo): VirtFacts {
  const evidence: string[] = [];
  let vm: string | null = null;
  let container: string | null = null;
  const sdvVm = io.detectVirt(['--vm']);
  if (sdvVm && sdvVm !== 'none') {
    vm = sdvVm;
    evidence.push(`systemd-detect-virt --vm: ${sdvVm}`);
  }
  const sdvCt = io.detectVirt(['--container']);
  if (sdvCt && sdvCt !== 'none') {
    container = sdvCt;
    evidence.push(`systemd-detect-virt --container: ${sdvCt}`);
  }
  if (/^flags\s*:.*\bhypervisor\b/m.test(io.readFile('/proc/cpuinfo') ?? '')) {
    vm ??= 'unknown hypervisor';
    evidence.push('CPU flag hypervisor');
  }
  for (const f of ['sys_vendor', 'product_name']) {
    const v = io.readFile(`/sys/class/dmi/id/${f}`)?.trim();
    if (v && DMI_VM.test(v)) {
      if (vm === null || vm === 'unknown hypervisor') vm = v;
      evidence.push(`DMI ${f}: ${v}`);
    }
  }
  if (container === null) {
    if (io.readFile('/.dockerenv') !== null) container = 'docker';
    else if (io.readFile('/run/.containerenv') !== null) container = 'podman';
    if (container) evidence.push(`marker file of ${container}`);
  }
  return { vm, container, evidence };
}

/** "a VM (bhyve) and a container (docker)", or null on bare metal / nothing detected. */
export function describeVirt(v: VirtFacts): string | null {
  const parts = [
    ...(v.vm ? [`a VM (${v.vm})`] : []),
    ...(v.container ? [`a container (${v.container})`] : []),
  ];
  return parts.length ? parts.join(' and ') : null;
}
