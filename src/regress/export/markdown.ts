// Markdown exporter for CI job summaries ($GITHUB_STEP_SUMMARY): a verdict headline, the
// regressions first, then every group in a table. Returns a string.
import type { Comparison } from '../compare.js';
import { groupLabel } from '../../results/read.js';
import { formatChange, formatFloor, formatP, formatRatio, formatValue, VERDICT_MARK } from '../format.js';
import { summaryLine } from './table.js';

const esc = (s: string) => s.replace(/\|/g, '\\|');

function headline(c: Comparison): string {
  if (c.strict && c.mismatches.length) return '### :warning: ctvm compare: runs not comparable (--strict)';
  if (c.problems.length) return '### :warning: ctvm compare: harness problem';
  if (c.regressions)
    return `### :x: ctvm compare: ${c.regressions} regression${c.regressions === 1 ? '' : 's'}`;
  const unjudged = c.rows.filter((r) => r.verdict === 'insufficient').length;
  if (unjudged)
    return `### :warning: ctvm compare: no regression in ${c.judged} judged groups; ${unjudged} not judged`;
  return '### :white_check_mark: ctvm compare: no regression';
}

export function exportMarkdown(c: Comparison): string {
  const lines = [
    headline(c),
    '',
    `- base: ${esc(c.base.label)}`,
    `- candidate: ${esc(c.candidate.label)}`,
    `- ${summaryLine(c)}`,
    '',
  ];
  const flagged = c.rows.filter((r) => r.verdict === 'regression');
  if (flagged.length) {
    lines.push('**Regressions**', '');
    for (const r of flagged) lines.push(`- \`${groupLabel(r)}\`: ${esc(r.reason)}`);
    lines.push('');
  }
  if (c.problems.length) {
    lines.push('**Harness problems**', '', ...c.problems.map((p) => `- ${esc(p)}`), '');
  }
  lines.push(
    '| group | base | candidate | ratio [95% CI] | p | change | floor | verdict |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
  );
  for (const r of c.rows) {
    const verdict = r.verdict === 'regression' ? `**${VERDICT_MARK[r.verdict]}**` : VERDICT_MARK[r.verdict];
    lines.push(
      `| \`${groupLabel(r)}\` | ${formatValue(r.baseMedian, r.unit)} (n=${r.baseN}) | ${formatValue(r.candMedian, r.unit)} (n=${r.candN}) | ${formatRatio(r)} | ${formatP(r.pValue)} | ${formatChange(r.worseBy)} | ${formatFloor(r)} | ${verdict} |`,
    );
  }
  if (c.warnings.length)
    lines.push(
      '',
      '<details><summary>Warnings</summary>',
      '',
      ...c.warnings.map((w) => `- ${esc(w)}`),
      '',
      '</details>',
    );
  lines.push(
    '',
    'A regression needs p < alpha (permutation test on medians) **and** a change beyond the noise floor.',
  );
  return lines.join('\n') + '\n';
}
