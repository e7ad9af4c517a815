// ctvm reports: `writeReport(runDir)` renders results/<run-id>/ into reports/<run-id>/
// (charts, Figure 12.1, report.md, index.html, summary.csv). `ctvm bench` calls it after a run.
import { UsageError } from '../errors.js';
import { REPORTS_DIR } from '../paths.js';
import { loadRun } from '../results/read.js';
import { summarize } from '../stats/index.js';
import type { ReportRun } from './model.js';
import { renderReport } from './render-report.js';
import { writeRendered } from './writer.js';

export async function writeReport(
  runDir: string,
  outDir: string = REPORTS_DIR,
  /** Sub-directory name under outDir (default: the run id; `example` for the published report). */
  name?: string,
): Promise<{ dir: string; files: string[]; warnings: string[] }> {
  const run = loadReportRun(runDir);
  const rendered = await renderReport(run);
  return { ...writeRendered(rendered, outDir, name), warnings: rendered.warnings };
}

/** Reads a run for a report: bad sample lines become warnings, an incomplete run one more. */
export function loadReportRun(dir: string): ReportRun {
  const run = loadRun(dir, { tornTail: 'warn' });
  const { meta, samples, warnings } = run;
  if (!samples.some((s) => !s.warmup && s.ok))
    throw new UsageError(`run \`${dir}\` has no successful samples: nothing to report`, {
      hint: 'run `ctvm bench` (or check samples.jsonl for the errors of failed samples)',
    });
  if (meta.status !== 'complete')
    warnings.push(
      `run ${meta.runId} is ${meta.status}: ${samples.length} of ${meta.plannedSamples} planned samples`,
    );
  return { ...run, summary: summarize(meta.runId, samples, { seed: meta.seed }) };
}

export { renderReport } from './render-report.js';
