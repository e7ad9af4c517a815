// Human-readable doctor report: one line per fact, reasons next to every "no".
import type { DoctorReport } from './facts.js';

const GiB = 1024 ** 3;

export function formatDoctor(r: DoctorReport): string {
  const yes = (b: boolean) => (b ? 'yes' : 'no');
  const lines = [
    `host        ${r.host.cpuModel}, ${r.host.cores} cores, ${(r.host.memTotalBytes / GiB).toFixed(1)} GiB, ${r.host.os}, kernel ${r.host.kernel}` +
      (r.host.runningUnder ? ` (itself under ${r.host.runningUnder})` : ''),
    `root        ${yes(r.root)}`,
    `cgroups     ${r.cgroup.mode}; driver ${r.cgroup.driver ?? 'none'}; v1: ${Object.keys(r.cgroup.v1).sort().join(' ') || '-'}; v2 (${r.cgroup.v2Mount ?? 'not mounted'}): ${r.cgroup.v2Controllers.join(' ') || '-'}` +
      (r.cgroup.missing.length ? `; MISSING ${r.cgroup.missing.join(' ')}` : ''),
    `kvm         device ${yes(r.kvm.devicePresent)}, module ${r.kvm.module ?? '-'}, usable ${yes(r.kvm.usable)}` +
      (r.kvm.usable ? `, probe boot ${r.kvm.bootMs} ms` : ` — ${r.kvm.reason}`),
    `tcg         usable ${yes(r.tcg.usable)}` +
      (r.tcg.usable ? `, probe boot ${r.tcg.bootMs} ms (software emulation)` : ` — ${r.tcg.reason}`),
    `qemu        ${r.qemu ? `${r.qemu.version} (${r.qemu.path}); machines ${r.qemu.machines.join(' ')}` : 'not installed'}`,
    `guest kernel ${r.guestKernel.present ? r.guestKernel.version : 'missing (npm run setup)'}`,
    `busybox     ${r.busybox.present ? r.busybox.path : 'missing'}`,
  ];
  for (const [name, f] of Object.entries(r.runtimes)) {
    lines.push(
      `${name.padEnd(11)} ${f.present ? f.version : 'not installed'}; usable ${yes(f.usable)}` +
        (f.usable ? (f.workaround ? ` via ${f.workaround}` : '') : ` — ${f.reason}`),
    );
  }
  lines.push('', 'environments:');
  for (const [id, a] of Object.entries(r.environments)) {
    lines.push(`  ${id.padEnd(10)} ${a.usable ? 'yes' : 'NO '}  ${a.usable ? (a.detail ?? '') : a.reason}`);
  }
  return lines.join('\n');
}
