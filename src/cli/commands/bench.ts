// `ctvm bench` (what `npm run bench` runs): scenarios/quick.yaml, then its report.
import type { Command } from 'commander';
import { relative } from 'node:path';
import { REPORTS_DIR } from '../../paths.js';
import { writeReport } from '../../report/index.js';
import { runExitCode } from '../../runner/outcome.js';
import { runScenario } from '../../runner/run.js';
import { printOutcome } from './run.js';
import { dirOption } from '../flags.js';

export function defineBench(cmd: Command): void {
  cmd
    .option('--scenario <name>', 'another scenario instead of quick', 'quick')
    .option('--out <dir>', 'results directory (default: results/)')
    .addOption(dirOption('--reports <dir>', 'reports directory', REPORTS_DIR))
    .option('--plain', 'one line per sample instead of a progress bar')
    .action(async (flags: { scenario: string; out?: string; reports: string; plain?: boolean }) => {
      const t0 = Date.now();
      const outcome = await runScenario({
        scenario: flags.scenario,
        ...(flags.out ? { outDir: flags.out } : {}),
        progress: flags.plain ? 'plain' : 'auto',
      });
      printOutcome(outcome);
      process.exitCode = runExitCode(outcome); // 3 when an environment produced nothing
      if (outcome.interrupted) return;
      const report = await writeReport(outcome.dir, flags.reports);
      for (const w of report.warnings) console.error(`warning: ${w}`);
      console.log(
        `report: ${relative(process.cwd(), report.dir) || report.dir} (${report.files.length} files)`,
      );
      console.log(`bench took ${((Date.now() - t0) / 1000).toFixed(0)} s`);
    });
}
