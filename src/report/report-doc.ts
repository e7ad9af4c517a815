// Builds the report document from the model: headline, Figure 12.1, one section per measurement
// (chart + table, or why it is missing), the isolation table (when the run has attack samples),
// host and run facts, warnings and metric definitions.
import type { Block, Doc } from './doc.js';
import type { ReportModel } from './model.js';
import type { Stacks } from './stacks.js';
import type { Headline } from './headline.js';
import { isSkip, type ChartEntry, type ChartSpec } from './charts/index.js';
import { idleCpuTable, layersTable, memoryTable, startTable, workTable } from './doc-tables.js';
import { factRows } from './facts.js';
import { isolationBlocks } from './isolation.js';
import { METRICS } from '../results/metrics.js';
import { SPECTRUM_FILE } from './charts/spectrum-chart.js';
import { spectrumTable } from './spectrum/spectrum-text.js';
import { creationTable, densityLevelTable, ksmTable } from './density.js';
import { RELATIVE_FILE } from './charts/relative-chart.js';
import { RELATIVE_TITLE, relativeBlocks } from './relative/relative-text.js';

export interface ReportInput {
  model: ReportModel;
  stacks: Stacks;
  headline: Headline;
  charts: ChartEntry[];
  figureFile: string;
  warnings: string[];
}

/**
 * A section's charts: file names, or a pattern for a family (one phase chart per environment).
 * `blocks` replaces the default layout (charts, then one table) for a section that says more.
 */
const SECTIONS: {
  title: string;
  charts: (string | RegExp)[];
  table?: (m: ReportModel) => Block | undefined;
  blocks?: (m: ReportModel, charts: Block[]) => Block[];
}[] = [
  { title: 'Isolation spectrum', charts: [SPECTRUM_FILE], table: spectrumTable },
  {
    title: 'Start latency',
    charts: ['start-latency.png', /^start-phases-/],
    table: (m) => startTable(m, 'start'),
  },
  { title: 'Exit latency', charts: ['exit-latency.png'], table: (m) => startTable(m, 'exit') },
  { title: 'RAM per idle instance', charts: ['memory-idle.png'], table: memoryTable },
  { title: 'Density', charts: ['density.png'], table: densityLevelTable },
  { title: 'Density: the marginal cost of one more instance', charts: ['density-marginal.png'] },
  { title: 'Density: memory sharing (KSM)', charts: [], table: ksmTable },
  { title: 'Density: creation rate', charts: ['density-creation.png'], table: creationTable },
  { title: RELATIVE_TITLE, charts: [RELATIVE_FILE], blocks: relativeBlocks },
  { title: 'CPU overhead per workload mode', charts: ['cpu-overhead.png'], table: workTable },
  { title: 'Idle CPU', charts: ['idle-cpu.png'], table: idleCpuTable },
  { title: 'Per-sample distributions', charts: ['dist-start.png', 'dist-idle-pss.png'] },
];

export function buildDoc(input: ReportInput): Doc {
  const { model, stacks, headline } = input;
  const meta = model.run.meta;
  const doc: Doc = [{ type: 'h1', text: `ctvm report: ${meta.runId}` }];
  if (meta.status !== 'complete')
    doc.push({
      type: 'p',
      role: 'status',
      text: `${meta.status.toUpperCase()} RUN: ${model.run.samples.length} of ${meta.plannedSamples} planned samples. Figures below cover only what was measured.`,
    });
  doc.push({ type: 'p', role: 'headline', text: headline.sentence });
  if (headline.caveats.length) doc.push({ type: 'list', role: 'caveat', items: headline.caveats });
  doc.push({ type: 'h2', text: 'Figure 12.1, measured' });
  doc.push({
    type: 'image',
    file: input.figureFile,
    alt: 'Figure 12.1 quantified: one stack per environment',
    caption:
      "Figure 12.1 with this run's numbers, one stack per environment; layer heights are proportional to host memory (PSS) on one scale.",
  });
  const layers = layersTable(stacks);
  if (layers) doc.push(layers);
  if (stacks.vm)
    doc.push({
      type: 'p',
      role: 'note',
      text: `How the Guest OS layer was derived: ${stacks.vm.derivation}.`,
    });
  for (const section of SECTIONS) doc.push(...sectionBlocks(section, input));
  doc.push(...isolationBlocks(model));
  const skipped = input.charts.filter(isSkip);
  if (skipped.length) {
    doc.push({ type: 'h2', text: 'Charts left out' });
    doc.push({ type: 'list', items: skipped.map((c) => `${c.title}: ${c.skipped}`) });
  }
  doc.push({ type: 'h2', text: 'Host and run' });
  doc.push({ type: 'table', head: ['fact', 'value'], rows: factRows(model) });
  if (model.skipped.length)
    doc.push({ type: 'list', items: model.skipped.map((s) => `${s.env} not measured: ${s.reason}`) });
  if (input.warnings.length) {
    doc.push({ type: 'h2', text: 'Warnings' });
    doc.push({ type: 'list', role: 'warning', items: input.warnings });
  }
  doc.push({ type: 'h2', text: 'Metric definitions' });
  const used = new Set(model.run.summary.rows.map((r) => r.metric));
  doc.push({
    type: 'table',
    head: ['metric', 'unit', 'definition'],
    rows: Object.entries(METRICS)
      .filter(([name]) => used.has(name))
      .map(([name, info]) => [`${name} (${info.label})`, info.unit, info.definition]),
  });
  doc.push({
    type: 'p',
    role: 'note',
    text: 'Every figure is the median of the measured samples (warm-ups excluded) with a 95% bootstrap confidence interval; outliers (modified Z-score > 3.5) are counted, never dropped.',
  });
  return doc;
}

function sectionBlocks(section: (typeof SECTIONS)[number], input: ReportInput): Block[] {
  const entries = section.charts.flatMap((f) =>
    input.charts.filter((c) => (typeof f === 'string' ? c.file === f : f.test(c.file))),
  );
  const drawn = entries.filter((c): c is ChartSpec => !isSkip(c));
  if (section.blocks)
    return section.blocks(
      input.model,
      drawn.map((c): Block => ({ type: 'image', file: c.file, alt: c.title, caption: c.caption })),
    );
  const table = section.table?.(input.model);
  if (drawn.length === 0 && !table) {
    const why = entries.find(isSkip)?.skipped ?? 'no data in this run';
    return [
      { type: 'h2', text: section.title },
      { type: 'p', role: 'note', text: `Not measured in this run: ${why}.` },
    ];
  }
  const blocks: Block[] = [{ type: 'h2', text: section.title }];
  for (const c of entries)
    blocks.push(
      isSkip(c)
        ? { type: 'p', role: 'note', text: `Chart left out: ${c.skipped}.` }
        : { type: 'image', file: c.file, alt: c.title, caption: c.caption },
    );
  if (table) blocks.push(table);
  return blocks;
}
