// `ctvm report <results/RUN | RUN-ID | latest> [--out reports/]`: render a run's report.
import type { Command } from 'commander';
import { relative } from 'node:path';
import { REPORTS_DIR } from '../../paths.js';
import { resolveRunDir, writeReport } from '../../report/index.js';

export function registerReport(program: Command): void {
  program
    .command('report')
    .description('render charts, Figure 12.1, report.md, index.html and summary.csv for a run')
    .argument('<run>', 'results/<run-id> directory, a run id, or `latest`')
    .option('--out <dir>', 'reports directory (the report goes to <dir>/<run-id>/)', REPORTS_DIR)
    .action(async (run: string, opts: { out: string }) => {
      const t0 = process.hrtime.bigint();
      const { dir, files, warnings } = await writeReport(resolveRunDir(run), opts.out);
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      for (const w of warnings) console.error(`warning: ${w}`);
      console.log(`wrote ${files.length} files to ${relative(process.cwd(), dir) || dir} in ${seconds.toFixed(2)} s`);
      for (const f of files) console.log(`  ${relative(process.cwd(), f)}`);
    });
}
