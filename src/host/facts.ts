// What `ctvm doctor` finds out about a host; also the HostFacts every Environment.probe() reads.
import type { Availability } from './availability.js';
import type { VirtFacts } from './virt-detect.js';

export type CgroupMode = 'v2' | 'v1' | 'hybrid' | 'none';

export interface CgroupFacts {
  mode: CgroupMode;
  /** v1 hierarchies mounted, by controller name -> mount point. */
  v1: Record<string, string>;
  /** Path of the cgroup2 mount, if any (/sys/fs/cgroup on v2, /sys/fs/cgroup/unified on hybrid). */
  v2Mount: string | null;
  /** Controllers enabled in the cgroup2 root (cgroup.controllers). */
  v2Controllers: string[];
  /** The driver the engine uses: v2 on pure v2 hosts, v1 on v1 and hybrid hosts. */
  driver: 'v1' | 'v2' | null;
  /** Controllers ctvm needs (memory, cpu, pids, cpuset + freezer on v1) that the driver lacks. */
  missing: string[];
}

export interface AccelFacts {
  usable: boolean;
  reason?: string;
  /** Spawn -> marker on the serial console for the tiny probe guest. */
  bootMs?: number;
  /** The probe ran out of time (not a verdict of the host: a loaded moment can cause it). */
  timedOut?: boolean;
}

export interface KvmFacts extends AccelFacts {
  devicePresent: boolean;
  /** kvm_intel | kvm_amd | kvm_pvm | ... (from /sys/module), or null. */
  module: string | null;
}

export interface RuntimeFacts {
  present: boolean;
  path?: string;
  version?: string;
  usable: boolean;
  reason?: string;
  /** How ctvm invokes it where the shipped default fails (e.g. crun on hybrid cgroups). */
  workaround?: string;
}

export interface DoctorReport {
  format: 1;
  bootId: string;
  generatedAt: string;
  root: boolean;
  host: {
    cpuModel: string;
    cores: number;
    physicalCores: number;
    memTotalBytes: number;
    os: string;
    kernel: string;
    arch: string;
    /** CPU advertises vmx/svm. */
    cpuVirtualization: boolean;
    /** VM and/or container we ourselves run under, in words ("a VM (kvm) and a container
     *  (docker)"), or null on bare metal / nothing detected; from `virt`. */
    runningUnder: string | null;
    /** The detection behind runningUnder (host/virt-detect.ts); absent in older runs. */
    virt?: VirtFacts;
    tscKhz: number | null;
  };
  cgroup: CgroupFacts;
  kvm: KvmFacts;
  tcg: AccelFacts;
  qemu: { path: string; version: string; machines: string[] } | null;
  guestKernel: { present: boolean; vmlinuz?: string; vmlinux?: string; version?: string };
  busybox: { present: boolean; path?: string };
  /** runsc, lxc, docker and lxd: absent in doctor reports cached before they were checked. `lxd-vm` is
   *  LXD's virtual-machine instance type (its reason is LXD's own when it cannot create one). */
  runtimes: {
    runc: RuntimeFacts;
    crun: RuntimeFacts;
    runsc?: RuntimeFacts;
    lxc?: RuntimeFacts;
    docker?: RuntimeFacts;
    lxd?: RuntimeFacts;
    'lxd-vm'?: RuntimeFacts;
  };
  /** Per environment id: can this host measure it, and if not why. */
  environments: Record<string, Availability & { accel?: string }>;
}

export type HostFacts = DoctorReport;
