// `ctvm bench`: what `npm run bench` runs. Until the scenario runner lands it runs doctor.
import type { Command } from 'commander';
import { doctor } from '../../host/doctor.js';
import { formatDoctor } from '../../host/doctor-format.js';

export function registerBench(program: Command): void {
  program
    .command('bench')
    .description('run the default scenario (scenarios/quick.yaml) and render its report')
    .action(async () => {
      const report = await doctor();
      console.log(formatDoctor(report));
      process.exitCode = report.environments.bare?.usable && report.environments.container?.usable ? 0 : 1;
    });
}
