// Host and run facts for the report: who measured what, where, with which versions.
import type { ReportModel } from './model.js';

export function factRows(model: ReportModel): string[][] {
  const m = model.run.meta;
  const h = m.host;
  const counted = model.run.samples.filter((s) => !s.warmup);
  const failed = counted.filter((s) => !s.ok).length;
  const vm = model.envs.find((e) => e.type === 'vm');
  const rows: [string, string | undefined][] = [
    ['run', `${m.runId} (scenario ${m.scenarioName}, ${m.scenarioFile}, seed ${m.seed})`],
    [
      'status',
      `${m.status}: ${model.run.samples.length} of ${m.plannedSamples} planned samples, ${failed} failed`,
    ],
    ['started / finished', `${m.startedAt} / ${m.finishedAt ?? 'not finished'}`],
    [
      'git revision',
      m.git.revision
        ? `${m.git.revision.slice(0, 12)}${m.git.dirty ? ' (dirty working tree)' : ''}`
        : 'unknown',
    ],
    [
      'CPU',
      `${h.host.cpuModel}, ${h.host.cores} cores (${h.host.physicalCores} physical)${h.host.tscKhz ? `, TSC ${(h.host.tscKhz / 1e6).toFixed(2)} GHz` : ''}`,
    ],
    ['memory', `${(h.host.memTotalBytes / 2 ** 30).toFixed(1)} GiB`],
    ['OS / kernel', `${h.host.os}, Linux ${h.host.kernel} (${h.host.arch})`],
    ['runs under', h.host.runningUnder ?? 'bare metal or not detected'],
    ['cgroups', `${h.cgroup.mode} (ctvm driver ${h.cgroup.driver ?? 'none'})`],
    [
      'VM accelerator',
      vm
        ? `${(vm.accel ?? 'unknown').toUpperCase()}${vm.accel === 'tcg' ? ' (software emulation)' : ''}`
        : 'no VM in this run',
    ],
    [
      'KVM',
      h.kvm.usable
        ? `usable${h.kvm.module ? ` (${h.kvm.module})` : ''}`
        : `not usable: ${h.kvm.reason ?? 'unknown'}`,
    ],
    ['qemu', h.qemu ? `${h.qemu.version} (${h.qemu.path})` : 'not installed'],
    ['guest kernel', h.guestKernel.version],
    ['runc / crun', `${h.runtimes.runc.version ?? 'absent'} / ${h.runtimes.crun.version ?? 'absent'}`],
    ...Object.entries(m.tools)
      .sort()
      .map(([k, v]): [string, string] => [`tool: ${k}`, v]),
    ...Object.entries(m.environments)
      .filter(([, e]) => e.used && e.facts && Object.keys(e.facts).length > 0)
      .map(([env, e]): [string, string] => [
        `env ${env}`,
        Object.entries(e.facts!)
          .map(([k, v]) => `${k}=${v}`)
          .join(', '),
      ]),
  ];
  return rows.filter((r): r is [string, string] => r[1] !== undefined && r[1] !== '');
}
