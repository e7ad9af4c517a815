// Relative to native (#14, Felter et al. style): grouped bars, one group per workload and headline
// metric, one bar per environment from 1.0 (native, a dashed line) to its ratio, whiskers for the
// 95% CI of the ratio, pale bars where the ratio is not significant. Log axis once ratios pass 2x
// either way (a log axis puts 0.5 and 2 at the same distance from native), else linear.
import type { ChartConfiguration, ChartDataset } from 'chart.js';
import type { ReportModel } from '../model.js';
import { envColor, sig, tick } from '../format.js';
import { relativeView, type RelativeCell } from '../relative/relative-model.js';
import {
  groupOffset,
  isDecadeish,
  labelsPlugin,
  logBounds,
  referenceLinePlugin,
  whiskersPlugin,
  type ValueLabel,
  type Whisker,
} from './plugins.js';
import { SLIDE, titleOptions, type ChartEntry } from './spec.js';

export const RELATIVE_FILE = 'relative-to-native.png';

type Ratio = Extract<RelativeCell, { state: 'ratio' }>;
const ARROW = { higher: '↑ better', lower: '↓ better', unknown: '? direction' } as const;
/** Beyond this factor either way the axis turns logarithmic. */
const LOG_FROM = 2;

export function relativeChart(model: ReportModel): ChartEntry {
  const title = 'Relative to native';
  const view = relativeView(model);
  if (view.state === 'none') return { file: RELATIVE_FILE, title, skipped: view.reason };
  const ratioOf = (c: RelativeCell | undefined): Ratio | undefined => (c?.state === 'ratio' ? c : undefined);
  const rows = view.rows.filter((r) => view.envs.some((e) => ratioOf(r.cells[e.id])));
  const envs = view.envs.filter((e) => rows.some((r) => ratioOf(r.cells[e.id])));
  if (rows.length === 0)
    return {
      file: RELATIVE_FILE,
      title,
      skipped: `no environment has a ratio to native (${view.native.label}) for any workload of this run`,
    };
  const pale = (c: Ratio) => c.verdict === 'n.s.' || c.verdict === 'no CI';
  const datasets: ChartDataset<'bar', ([number, number] | null)[]>[] = envs.map((env) => {
    const cells = rows.map((r) => ratioOf(r.cells[env.id]));
    return {
      label: env.label,
      data: cells.map((c) => (c ? [1, c.ratio] : null)),
      backgroundColor: cells.map((c) => `${envColor(env.id)}${c && pale(c) ? '55' : ''}`),
      borderColor: envColor(env.id),
      borderWidth: 1,
      barPercentage: 0.85,
    };
  });
  const whiskers: Whisker[] = [];
  const labels: ValueLabel[] = [];
  envs.forEach((env, e) =>
    rows.forEach((r, i) => {
      const c = ratioOf(r.cells[env.id]);
      if (!c) return;
      const offset = groupOffset(e, envs.length);
      whiskers.push({ at: i, lo: c.ciLow, hi: c.ciHigh, offset });
      const top = Math.max(1, c.ratio, Number.isFinite(c.ciHigh) ? c.ciHigh : c.ratio);
      labels.push({
        at: i,
        value: top,
        text: `${sig(c.ratio, 3)}${pale(c) ? '*' : ''}`,
        offset,
      });
    }),
  );
  const values = [1, ...whiskers.flatMap((w) => [w.lo, w.hi]), ...labels.map((l) => l.value)].filter(
    (v) => Number.isFinite(v) && v > 0,
  );
  const log = Math.max(...values) > LOG_FROM || Math.min(...values) < 1 / LOG_FROM;
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const bounds = log
    ? logBounds(values)
    : { min: Math.max(0, lo - (hi - lo) * 0.1 - 0.05), max: hi + (hi - lo) * 0.15 + 0.05 };
  const config: ChartConfiguration<'bar', ([number, number] | null)[], string[]> = {
    type: 'bar',
    data: { labels: rows.map((r) => [r.workload, `${r.metric} ${ARROW[r.direction]}`]), datasets },
    options: {
      plugins: {
        ...titleOptions(
          `${title}: each figure / ${view.native.label}'s`,
          'median ratio; whisker = 95% bootstrap CI of the ratio; * and pale = not significant (CI contains 1) or no CI',
        ),
        legend: { position: 'bottom' },
      },
      scales: {
        x: { ticks: { font: { size: 15, weight: 'bold' } } },
        y: {
          type: log ? 'logarithmic' : 'linear',
          ...bounds,
          title: {
            display: true,
            text: `ratio to native (${view.native.label} = 1, dashed)${log ? ', log scale' : ''}`,
          },
          ticks: { callback: (v) => (log && !isDecadeish(Number(v)) ? '' : `${tick(Number(v))}`) },
        },
      },
    },
    plugins: [referenceLinePlugin(1), whiskersPlugin(whiskers, false), labelsPlugin(labels, false)],
  };
  return {
    file: RELATIVE_FILE,
    title,
    // Room for each bar's label ("0.0750*") side by side, and a category label on one line.
    width: Math.max(SLIDE.width, 200 + rows.length * (90 + 70 * envs.length)),
    height: SLIDE.height,
    config: config as unknown as ChartConfiguration,
    caption: `Each bar runs from 1 (native: ${view.native.label}, dashed) to the environment's median divided by native's, for the same workload and metric; whether up is good depends on the metric (↑ better: higher is better). The table below has the figures, the CIs and the skipped cells.`,
  };
}
