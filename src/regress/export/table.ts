// Terminal exporter: an aligned plain-text table plus the verdict lines. Returns a string.
import type { Comparison } from '../compare.js';
import { groupLabel } from '../../results/read.js';
import { formatChange, formatFloor, formatP, formatRatio, formatValue, VERDICT_MARK } from '../format.js';

const HEADERS = ['group', 'base', 'candidate', 'ratio [95% CI]', 'p', 'change', 'floor', 'verdict'];

function pad(cells: string[][]): string[] {
  const widths = HEADERS.map((_, i) => Math.max(...cells.map((row) => [...(row[i] ?? '')].length)));
  return cells.map((row) =>
    row
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!)))
      .join('  ')
      .trimEnd(),
  );
}

export function exportTable(c: Comparison): string {
  const cells = [
    HEADERS,
    ...c.rows.map((r) => [
      groupLabel(r),
      `${formatValue(r.baseMedian, r.unit)} (n=${r.baseN})`,
      `${formatValue(r.candMedian, r.unit)} (n=${r.candN})`,
      formatRatio(r),
      formatP(r.pValue),
      formatChange(r.worseBy),
      formatFloor(r),
      VERDICT_MARK[r.verdict],
    ]),
  ];
  const lines = [`base:      ${c.base.label}`, `candidate: ${c.candidate.label}`, '', ...pad(cells), ''];
  for (const r of c.rows.filter((x) => x.verdict === 'regression'))
    lines.push(`REGRESSION ${groupLabel(r)}: ${r.reason}`);
  for (const p of c.problems) lines.push(`PROBLEM ${p}`);
  for (const w of c.warnings) lines.push(`warning: ${w}`);
  lines.push(summaryLine(c));
  return lines.join('\n') + '\n';
}

export function summaryLine(c: Comparison): string {
  const parts = [
    `${c.rows.length} groups compared`,
    `${c.regressions} regression${c.regressions === 1 ? '' : 's'}`,
    `${c.improvements} improvement${c.improvements === 1 ? '' : 's'}`,
  ];
  if (c.problems.length)
    parts.push(`${c.problems.length} harness problem${c.problems.length === 1 ? '' : 's'}`);
  return parts.join(', ');
}
