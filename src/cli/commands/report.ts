// `ctvm report <results/RUN | RUN-ID | latest> [--out reports/]`: render a run's report.
import type { Command } from 'commander';
import { relative } from 'node:path';
import { REPORTS_DIR, RESULTS_DIR } from '../../paths.js';
import { dirOption } from '../flags.js';
import { UsageError } from '../../errors.js';
import { writeReport } from '../../report/index.js';
import { readRunMeta, resolveRunDir } from '../../results/read.js';
import { formatSkippedCell } from '../../runner/cells.js';
import { isFleetSpec, resolveFleetDir } from '../../fleet/fleet-dir.js';
import { writeFleetReport } from '../../fleet/report/index.js';

export function defineReport(cmd: Command): void {
  cmd
    .argument('<run>', 'a run directory, a run id (in --results), `latest`, or a fleet (fleet-<id>)')
    .addOption(dirOption('--results <dir>', 'where run and fleet ids are looked up', RESULTS_DIR))
    .addOption(
      dirOption('--out <dir>', 'reports directory (the report goes to <dir>/<run-id>/)', REPORTS_DIR),
    )
    .option('--name <name>', 'sub-directory name instead of the run id (e.g. `example`)')
    .action(async (run: string, opts: { results: string; out: string; name?: string }) => {
      if (opts.name !== undefined && !/^[A-Za-z0-9._-]+$/.test(opts.name))
        throw new UsageError(`--name ${JSON.stringify(opts.name)}: use letters, digits, '.', '_' or '-'`);
      const t0 = process.hrtime.bigint();
      const fleet = isFleetSpec(run, opts.results);
      const runDir = fleet ? undefined : resolveRunDir(run, opts.results);
      const { dir, files, warnings } = runDir
        ? await writeReport(runDir, opts.out, opts.name)
        : await writeFleetReport(resolveFleetDir(run, opts.results), opts.out, opts.name);
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      for (const w of warnings) console.error(`warning: ${w}`);
      // Cells the run left out (an environment that cannot provide what a workload needs).
      for (const c of runDir ? (readRunMeta(runDir).skippedCells ?? []) : [])
        console.log(`not measured: ${formatSkippedCell(c)}`);
      console.log(
        `wrote ${files.length} files to ${relative(process.cwd(), dir) || dir} in ${seconds.toFixed(2)} s`,
      );
      for (const f of files) console.log(`  ${relative(process.cwd(), f)}`);
    });
}
