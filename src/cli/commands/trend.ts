// `ctvm trend [results-dir] [--out dir]`: headline metrics over runs as PNG charts + trend.md.
import type { Command } from 'commander';
import { join } from 'node:path';
import { REPORTS_DIR, RESULTS_DIR } from '../../paths.js';
import { renderTrend } from '../../regress/trend.js';
import { emit } from '../../regress/output.js';
import { dirArgument, dirOption } from '../flags.js';

export function defineTrend(cmd: Command): void {
  cmd
    .addArgument(dirArgument('[results-dir]', 'dir holding <run-id>/ result dirs', RESULTS_DIR))
    .addOption(dirOption('--out <dir>', 'where trend.md and the PNGs go', join(REPORTS_DIR, 'trend')))
    .action(async (resultsDir: string, opts: { out: string }) => {
      const out = await renderTrend(resultsDir, opts.out);
      emit(
        `${out.data.runs.length} runs -> ${out.markdownFile}\n${out.charts.map((c) => `  ${c}`).join('\n')}\n`,
      );
    });
}
