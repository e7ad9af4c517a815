// ctvm reports: `writeReport(runDir)` renders results/<run-id>/ into reports/<run-id>/
// (charts, Figure 12.1, report.md, index.html, summary.csv). `ctvm bench` calls it after a run.
import { REPORTS_DIR } from '../paths.js';
import { loadRun } from './load-run.js';
import { renderReport } from './render-report.js';
import { writeRendered } from './writer.js';

export async function writeReport(
  runDir: string,
  outDir: string = REPORTS_DIR,
  /** Sub-directory name under outDir (default: the run id; `example` for the published report). */
  name?: string,
): Promise<{ dir: string; files: string[]; warnings: string[] }> {
  const run = loadRun(runDir);
  const rendered = await renderReport(run);
  return { ...writeRendered(rendered, outDir, name), warnings: rendered.warnings };
}

export { loadRun } from './load-run.js';
export { resolveRunDir } from './resolve-run.js';
export { renderReport } from './render-report.js';
