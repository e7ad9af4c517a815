// Everything a report consists of, as bytes in memory: file name -> content. Pure apart from
// rendering; writer.ts is the one place that touches the file system.
import { buildModel, type ReportRun } from './model.js';
import { stacks } from './stacks.js';
import { headline } from './headline.js';
import { allCharts, isSkip, renderChartPng } from './charts/index.js';
import { FIGURE, renderFigure } from './figure/figure-12-1.js';
import { buildDoc } from './report-doc.js';
import type { Doc } from './doc.js';
import { exportMarkdown } from './export-markdown.js';
import { exportHtml } from './export-html.js';
import { summaryCsv } from '../results/summary-csv.js';

export interface RenderedReport {
  runId: string;
  /** File name -> bytes, in write order. */
  files: Map<string, Buffer>;
  /** The document report.md and index.html were made from (a fleet report nests it per host). */
  doc: Doc;
  warnings: string[];
}

export async function renderReport(run: ReportRun): Promise<RenderedReport> {
  const model = buildModel(run);
  const s = stacks(model);
  const head = headline(model, s);
  const charts = allCharts(model);
  const files = new Map<string, Buffer>();
  files.set(FIGURE.file, renderFigure(model, s, head));
  for (const c of charts)
    if (!isSkip(c)) files.set(c.file, await renderChartPng(c.config, c.width, c.height));
  const warnings = [...run.warnings];
  const doc = buildDoc({ model, stacks: s, headline: head, charts, figureFile: FIGURE.file, warnings });
  files.set('report.md', Buffer.from(exportMarkdown(doc)));
  files.set(
    'index.html',
    Buffer.from(exportHtml(doc, { title: `ctvm report ${run.meta.runId}`, images: files })),
  );
  files.set('summary.csv', Buffer.from(summaryCsv(run.summary)));
  return { runId: run.meta.runId, files, doc, warnings };
}
