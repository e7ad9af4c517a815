// `ctvm gc [--json]`: removes what crashed runs left (cgroups, mounts, state dirs, processes) —
// only for instances whose owner process is dead.
import type { Command } from 'commander';
import { selectCgroupDriver } from '../../engine/container/cgroup/select.js';
import { gcContainers } from '../../engine/container/gc.js';
import { detectHostCgroups } from '../../host/cgroup-mode.js';
import { OCI_CGROUP_PARENT } from '../../engine/oci/launch.js';

export function registerGc(program: Command): void {
  program
    .command('gc')
    .description(
      'remove leftovers of crashed runs whose owner process is dead: cgroups, mounts, state dirs, processes',
    )
    .option('--json', 'print the report as JSON')
    .action(async (opts: { json?: boolean }) => {
      const facts = detectHostCgroups();
      const drivers = [selectCgroupDriver(facts), selectCgroupDriver(facts, { parent: OCI_CGROUP_PARENT })];
      const report = await gcContainers({ drivers });
      if (opts.json) console.log(JSON.stringify(report, null, 2));
      else {
        console.log(
          `gc: reaped ${report.reaped.length} instance(s)${report.reaped.length ? ': ' + report.reaped.join(' ') : ''}`,
        );
        if (report.orphanCgroups.length)
          console.log(`gc: removed orphan cgroups: ${report.orphanCgroups.join(' ')}`);
        if (report.unmounted.length) console.log(`gc: unmounted: ${report.unmounted.join(' ')}`);
        if (report.kept.length) console.log(`gc: kept ${report.kept.length} instance(s) of live owners`);
        for (const e of report.errors) console.error(`gc: ${e}`);
      }
      process.exitCode = report.errors.length ? 3 : 0;
    });
}
