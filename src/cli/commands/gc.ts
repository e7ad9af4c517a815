// `ctvm gc [--json] [--cache-days N]`: removes what crashed runs left (cgroups, mounts, state
// dirs, processes, orphaned qemu) — only for instances whose owner process is dead — and, with
// --cache-days, cached rootfs / initramfs builds nobody used for N days and no live instance leases.
import { InvalidArgumentError, type Command } from '../commander.js';
import { reapDeadLeases } from '../../cache/lease.js';
import { pruneCaches } from '../../cache/prune.js';
import { selectCgroupDriver } from '../../engine/container/cgroup/select.js';
import { gcContainers } from '../../engine/container/gc.js';
import { detectHostCgroups } from '../../host/cgroup-mode.js';
import { reapLauncherDirs } from '../../engine/launcher/launcher-dir.js';
import { OCI_CGROUP_PARENT } from '../../engine/oci/launch.js';
import { gcVms } from '../../engine/vm/gc.js';
import { gcLxc } from '../../engine/lxc/gc.js';
import { gcDocker } from '../../engine/docker/gc.js';
import { gcLxd } from '../../engine/lxd/gc.js';
import { gcKsm } from '../../host/ksm.js';
import { gcNetwork } from '../../net/gc.js';
import { gcScratchDisks } from '../../disk/gc.js';

export function defineGc(cmd: Command): void {
  cmd
    .option('--json', 'print the report as JSON')
    .option(
      '--cache-days <n>',
      'also remove cached rootfs/initramfs builds unused for n days (not ones a live instance uses)',
      (v: string) => {
        const n = Number(v);
        if (!Number.isFinite(n) || n < 0)
          throw new InvalidArgumentError(`--cache-days: expected days >= 0, got '${v}'`);
        return n;
      },
    )
    .action(async (opts: { json?: boolean; cacheDays?: number }) => {
      const facts = detectHostCgroups();
      const drivers = [selectCgroupDriver(facts), selectCgroupDriver(facts, { parent: OCI_CGROUP_PARENT })];
      const vms = await gcVms();
      // A dead run's dockerd and its containers first: the container sweep then finds nothing of theirs.
      const docker = await gcDocker();
      const report = await gcContainers({ drivers });
      const lxc = await gcLxc();
      // LXD daemons of dead runs, with their containers, cgroups and mounts.
      const lxd = gcLxd();
      // Once the dead run's qemu is gone: put back the KSM settings it had replaced.
      const ksm = gcKsm();
      // After the VMs: a dead run's qemu no longer holds its tap in the lab netns.
      const network = await gcNetwork();
      // After the VMs and containers: nothing of a dead run still has its scratch image open.
      const disks = await gcScratchDisks();
      // After the reaping: what is left in the state dirs is in use, and its leases hold.
      const leases = reapDeadLeases();
      // Socket dirs of launchers whose Node owner was SIGKILLed (the next launcher would reap them too).
      const launcherWarnings: string[] = [];
      const launchers = reapLauncherDirs({ warn: (m) => launcherWarnings.push(m) });
      const cache = opts.cacheDays !== undefined ? pruneCaches({ maxAgeDays: opts.cacheDays }) : undefined;
      const errors = [
        ...report.errors,
        ...vms.errors,
        ...docker.errors,
        ...lxc.errors,
        ...lxd.errors,
        ...network.errors,
        ...disks.errors,
        ...launcherWarnings,
      ];
      if (opts.json)
        console.log(
          JSON.stringify(
            {
              ...report,
              vms,
              docker,
              lxc,
              lxd,
              network,
              disks,
              leases,
              launchers,
              ...(ksm ? { ksm } : {}),
              ...(cache ? { cache } : {}),
            },
            null,
            2,
          ),
        );
      else {
        console.log(
          `gc: reaped ${report.reaped.length} instance(s)${report.reaped.length ? ': ' + report.reaped.join(' ') : ''}`,
        );
        if (report.orphanCgroups.length)
          console.log(`gc: removed orphan cgroups: ${report.orphanCgroups.join(' ')}`);
        if (report.unmounted.length) console.log(`gc: unmounted: ${report.unmounted.join(' ')}`);
        if (report.kept.length) console.log(`gc: kept ${report.kept.length} instance(s) of live owners`);
        if (vms.reaped.length)
          console.log(
            `gc: vm: removed ${vms.reaped.length} dir(s): ${vms.reaped.join(' ')}${vms.killed.length ? `; killed qemu ${vms.killed.join(' ')}` : ''}`,
          );
        if (lxc.reaped.length)
          console.log(`gc: lxc: removed ${lxc.reaped.length} instance(s): ${lxc.reaped.join(' ')}`);
        if (docker.reaped.length)
          console.log(
            `gc: docker: removed ${docker.reaped.length} daemon dir(s): ${docker.reaped.join(' ')}${docker.killed.length ? `; stopped pids ${docker.killed.join(' ')}` : ''}`,
          );
        if (docker.kept.length)
          console.log(`gc: docker: kept ${docker.kept.length} in use: ${docker.kept.join(' ')}`);
        if (lxd.reaped.length) console.log(`gc: lxd: stopped and removed ${lxd.reaped.join(' ')}`);
        if (network.removed.length)
          console.log(
            `gc: network: removed netns ${network.removed.join(' ')} (with their bridge, veths, taps)`,
          );
        if (disks.removed.length)
          console.log(
            `gc: scratch disks: removed ${disks.removed.join(' ')} (unmounted, loop devices detached)`,
          );
        if (leases.length) console.log(`gc: removed ${leases.length} dead run(s)' cache lease(s)`);
        if (ksm) console.log(`gc: ${ksm}`);
        if (launchers.length) console.log(`gc: removed ${launchers.length} dead launcher socket dir(s)`);
        if (vms.kept.length) console.log(`gc: vm: kept ${vms.kept.length} in use: ${vms.kept.join(' ')}`);
        if (cache)
          console.log(
            `gc: cache: removed ${cache.removed.length} unused build(s) (${(cache.freedBytes / 1048576).toFixed(1)} MiB), kept ${cache.kept}`,
          );
        for (const e of errors) console.error(`gc: ${e}`);
      }
      process.exitCode = errors.length ? 3 : 0;
    });
}
