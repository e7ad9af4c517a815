// `ctvm doctor`: what this host can measure and, where it can't, why. Cached per boot, user,
// checkout and input files (doctor-cache.ts) so the runner can consult it cheaply.
import { execa } from 'execa';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import si from 'systeminformation';
import type { Availability } from './availability.js';
import { CACHE_DIR, KERNEL_DIR, BUILD_DIR } from '../paths.js';
import { which } from '../util/which.js';
import { probeAccel } from './accel-probe.js';
import { describeVirt, detectVirt } from './virt-detect.js';
import { writeCachedReport } from './doctor-cache.js';
import { bootId, cacheKey, readCached } from './doctor-read.js';
import { detectHostCgroups } from './cgroup-mode.js';
import type { DoctorReport, KvmFacts } from './facts.js';
import { checkRuntime } from './runtime-check.js';
import { CRUN_HYBRID_PREFIX, crunInvocation } from './crun-workaround.js';
import { checkRunsc } from '../engine/runsc/invocation.js';
import { checkLxc } from '../engine/lxc/check.js';
import { checkDocker } from '../engine/docker/check.js';

export { bootId, readCached } from './doctor-read.js';

const KVM_PROBE_TIMEOUT_MS = 10_000;
const TCG_PROBE_TIMEOUT_MS = 60_000;

/** The cached report when its key still holds, else a fresh probe (cached if the dir allows). */
export async function doctor(opts: { refresh?: boolean } = {}): Promise<DoctorReport> {
  if (!opts.refresh) {
    const cached = readCached();
    if (cached) return cached;
  }
  const report = await probeHost();
  // A TCG probe that ran out of time says more about that moment's load than about the host:
  // caching it would keep every VM row unusable until the next boot. It is probed again next time.
  if (report.tcg.timedOut) return report;
  const warning = writeCachedReport(CACHE_DIR, cacheKey(), report);
  if (warning) console.error(`warning: ${warning}`);
  return report;
}

async function probeHost(): Promise<DoctorReport> {
  const root = process.getuid?.() === 0;
  const [cpu, mem, os, qemu] = await Promise.all([si.cpu(), si.mem(), si.osInfo(), qemuFacts()]);
  const virt = detectVirt();
  const cgroup = detectHostCgroups();
  const vmlinux = join(KERNEL_DIR, 'vmlinux');
  const guestKernel = existsSync(vmlinux)
    ? {
        present: true,
        vmlinuz: join(KERNEL_DIR, 'vmlinuz'),
        vmlinux,
        version: readFileSync(join(KERNEL_DIR, 'version'), 'utf8').trim(),
      }
    : { present: false };
  const busyboxPath = which('busybox') ?? (existsSync('/bin/busybox') ? '/bin/busybox' : null);
  // Probes run one after another: two guests at once on 2 cores would distort the boot time.
  const kvm = await kvmFacts(qemu !== null, guestKernel.present ? vmlinux : null);
  const tcg =
    qemu && guestKernel.present
      ? await probeAccel({ accel: 'tcg', kernel: vmlinux, timeoutMs: TCG_PROBE_TIMEOUT_MS })
      : {
          usable: false,
          reason: qemu ? 'guest kernel missing (npm run setup)' : 'qemu-system-x86_64 not installed',
        };
  const [runc, crun] = await Promise.all([checkRuntime('runc'), checkCrun(cgroup.mode === 'hybrid')]);
  // One after another: gVisor's, LXC's and LXD's starts are CPU-heavy on a small host.
  const runsc = await checkRunsc(kvm.usable);
  const lxc = await checkLxc(cgroup.mode === 'v2');
  const docker = await checkDocker();
  // Loaded only when probing: commands that merely read doctor's cache never load LXD's modules.
  const { checkLxd } = await import('../engine/lxd/check.js');
  const lxd = await checkLxd();
  const report: DoctorReport = {
    format: 1,
    bootId: bootId(),
    generatedAt: new Date().toISOString(),
    root,
    host: {
      cpuModel: `${cpu.manufacturer} ${cpu.brand}`.trim(),
      cores: cpu.cores,
      physicalCores: cpu.physicalCores,
      memTotalBytes: mem.total,
      os: `${os.distro} ${os.release}`.trim(),
      kernel: os.kernel,
      arch: os.arch,
      cpuVirtualization: cpu.virtualization,
      runningUnder: describeVirt(virt),
      virt,
      tscKhz: tscKhz(),
    },
    cgroup,
    kvm,
    tcg,
    qemu,
    guestKernel,
    busybox: busyboxPath ? { present: true, path: busyboxPath } : { present: false },
    runtimes: { runc, crun, runsc, lxc, docker, lxd: lxd.container, 'lxd-vm': lxd.vm },
    environments: {},
  };
  report.environments = environmentAvailability(report);
  return report;
}

/** Which environments this host can measure, from the facts alone (pure; unit-tested). */
export function environmentAvailability(r: DoctorReport): DoctorReport['environments'] {
  const env: Record<string, Availability & { accel?: string }> = {};
  env.bare =
    existsSync(join(BUILD_DIR, 'ctvm-probe')) || !r.root
      ? { usable: true }
      : { usable: true, detail: 'probe binary not built yet (npm run setup)' };
  const containerWhy = !r.root
    ? 'needs root (namespaces, cgroups, mounts)'
    : r.cgroup.driver === null
      ? 'no cgroup hierarchy mounted'
      : r.cgroup.missing.length
        ? `cgroup ${r.cgroup.driver} lacks controller(s): ${r.cgroup.missing.join(', ')}`
        : !r.busybox.present
          ? 'busybox-static not installed (the workload rootfs needs it)'
          : null;
  env.container = containerWhy
    ? { usable: false, reason: containerWhy }
    : { usable: true, detail: `cgroup ${r.cgroup.driver} driver (${r.cgroup.mode} host)` };
  const runtimeAvail = (f: DoctorReport['runtimes']['runc'], n: string): Availability =>
    f.usable
      ? { usable: true, ...(f.workaround ? { detail: f.workaround } : {}) }
      : { usable: false, reason: `${n}: ${f.reason ?? 'unusable'}` };
  env['oci:runc'] = runtimeAvail(r.runtimes.runc, 'runc');
  env['oci:crun'] = runtimeAvail(r.runtimes.crun, 'crun');
  env.chroot = r.root ? { usable: true, detail: 'chroot(2) only' } : { usable: false, reason: 'needs root' };
  if (r.runtimes.runsc) env['oci:runsc'] = runtimeAvail(r.runtimes.runsc, 'runsc');
  if (r.runtimes.lxc) env.lxc = runtimeAvail(r.runtimes.lxc, 'lxc-execute');
  if (r.runtimes.docker) {
    env.docker = runtimeAvail(r.runtimes.docker, 'docker');
    // A daemon the user names (option `host`, DOCKER_HOST) needs only the client and root here;
    // the environment's open() finds out whether it answers.
    env['docker:external'] =
      r.runtimes.docker.present && r.root
        ? { usable: true, detail: 'a Docker daemon the user names' }
        : {
            usable: false,
            reason: r.root ? 'docker: docker.io not installed (apt-get install docker.io)' : 'needs root',
          };
  }
  if (r.runtimes.lxd) env.lxd = runtimeAvail(r.runtimes.lxd, 'lxd');
  if (r.runtimes['lxd-vm']) env['lxd:vm'] = runtimeAvail(r.runtimes['lxd-vm'], 'lxd (VM)');
  env['vm:kvm'] = r.kvm.usable
    ? { usable: true, accel: 'kvm' }
    : { usable: false, reason: `KVM: ${r.kvm.reason ?? 'unusable'}` };
  env['vm:tcg'] = r.tcg.usable
    ? { usable: true, accel: 'tcg', detail: 'software emulation' }
    : { usable: false, reason: `TCG: ${r.tcg.reason ?? 'unusable'}` };
  env.vm = r.kvm.usable
    ? { usable: true, accel: 'kvm' }
    : r.tcg.usable
      ? {
          usable: true,
          accel: 'tcg',
          detail: `KVM not usable (${r.kvm.reason ?? '?'}); using TCG software emulation`,
        }
      : { usable: false, reason: `no accelerator: KVM: ${r.kvm.reason ?? '?'}; TCG: ${r.tcg.reason ?? '?'}` };
  return env;
}

async function kvmFacts(haveQemu: boolean, kernel: string | null): Promise<KvmFacts> {
  const devicePresent = existsSync('/dev/kvm');
  const module = kvmModule();
  const base = { devicePresent, module };
  if (!devicePresent) {
    const why = module
      ? `/dev/kvm does not exist although module ${module} is loaded`
      : 'no /dev/kvm and no kvm module loaded';
    return { ...base, usable: false, reason: why };
  }
  if (!haveQemu) return { ...base, usable: false, reason: 'qemu-system-x86_64 not installed' };
  if (!kernel) return { ...base, usable: false, reason: 'guest kernel missing (npm run setup)' };
  const probe = await probeAccel({ accel: 'kvm', kernel, timeoutMs: KVM_PROBE_TIMEOUT_MS });
  if (!probe.usable && module && !['kvm_intel', 'kvm_amd'].includes(module)) {
    probe.reason = `${probe.reason} — module ${module} is a non-standard KVM variant`;
  }
  return { ...base, ...probe };
}

function kvmModule(): string | null {
  try {
    const mods = readdirSync('/sys/module');
    return (
      ['kvm_intel', 'kvm_amd', ...mods.filter((m) => m.startsWith('kvm_'))].find((m) => mods.includes(m)) ??
      (mods.includes('kvm') ? 'kvm' : null)
    );
  } catch {
    return null;
  }
}

async function qemuFacts(): Promise<DoctorReport['qemu']> {
  const path = which('qemu-system-x86_64');
  if (!path) return null;
  const [v, m] = await Promise.all([
    execa(path, ['--version'], { reject: false }),
    execa(path, ['-machine', 'help'], { reject: false }),
  ]);
  const version = /version\s+(\S+)/.exec(v.stdout)?.[1] ?? v.stdout.split('\n')[0] ?? '';
  const machines = m.stdout
    .split('\n')
    .slice(1)
    .map((l) => l.trim().split(/\s+/)[0] ?? '')
    .filter((n) => ['microvm', 'pc', 'q35'].includes(n));
  return { path, version, machines };
}

async function checkCrun(hybrid: boolean): Promise<DoctorReport['runtimes']['crun']> {
  const plain = await checkRuntime('crun');
  if (plain.usable || !plain.present || !hybrid) return plain;
  // crun 1.8 refuses hybrid hosts; ctvm runs it with the unified mount hidden (crun-workaround.ts).
  const worked = await checkRuntime('crun', (path, args) => crunInvocation(path, args, true));
  if (!worked.usable)
    return {
      ...plain,
      reason: `${plain.reason ?? '?'}; with the hybrid workaround: ${worked.reason ?? '?'}`,
    };
  return {
    ...worked,
    workaround: `a private mount namespace with /sys/fs/cgroup/unified unmounted (${CRUN_HYBRID_PREFIX.slice(0, 4).join(' ')} …); as shipped it fails here: ${plain.reason ?? '?'}`,
  };
}

/** TSC frequency in kHz (guests under TCG on microvm need tsc_early_khz to avoid PIT calibration hangs). */
function tscKhz(): number | null {
  try {
    const txt = readFileSync('/proc/cpuinfo', 'utf8');
    const mhz = /^cpu MHz\s*:\s*([\d.]+)/m.exec(txt)?.[1];
    return mhz ? Math.round(Number(mhz) * 1000) : null;
  } catch {
    return null;
  }
}
