// `ctvm doctor [--json] [--refresh]`: what this host can measure, and why not where it can't.
import type { Command } from 'commander';
import { doctor } from '../../host/doctor.js';
import { formatDoctor } from '../../host/doctor-format.js';
import { checkHostAccel, parseRequiredAccel } from '../../runner/require-accel.js';

export function defineDoctor(cmd: Command): void {
  cmd
    .option('--json', 'print the report as JSON')
    .option('--refresh', 're-probe instead of using the result cached for this boot')
    .option('--require-accel <accel>', 'exit 3 unless guests can run with kvm (or tcg) here')
    .action(async (opts: { json?: boolean; refresh?: boolean; requireAccel?: string }) => {
      const accel = opts.requireAccel === undefined ? undefined : parseRequiredAccel(opts.requireAccel);
      const report = await doctor({ refresh: opts.refresh ?? false });
      console.log(opts.json ? JSON.stringify(report, null, 2) : formatDoctor(report));
      if (accel) checkHostAccel(report, accel);
      const ok = report.environments.bare?.usable && report.environments.container?.usable;
      process.exitCode = ok ? 0 : 1;
    });
}
