// One chart per headline metric with the hosts side by side: environments on the axis, one bar
// per host (its median), the 95% CI as a whisker where the host has one.
import type { ChartConfiguration } from 'chart.js';
import { nsToMs, bytesToMiB, tick } from '../../report/format.js';
import { PALETTE, whiskersPlugin } from '../../report/charts/plugins.js';
import { SLIDE, titleOptions, type ChartEntry } from '../../report/charts/spec.js';
import { HEADLINE_METRICS, type CrossRow } from './cross-host.js';

export function fleetCharts(rows: CrossRow[], hosts: string[]): ChartEntry[] {
  return HEADLINE_METRICS.map((metric): ChartEntry => {
    const file = `fleet-${metric.id}.png`;
    const mine = rows.filter((r) => r.metric.id === metric.id);
    if (mine.length === 0) return { file, title: metric.title, skipped: 'no host measured it' };
    const scale = metric.unit === 'ns' ? nsToMs : bytesToMiB;
    const all = mine.flatMap((r) => [...r.byHost.values()].map((d) => scale(d.median)));
    const log = Math.max(...all) / Math.max(Math.min(...all.filter((v) => v > 0)), 1e-9) >= 100;
    // Grouped bars: each host's bar sits at a fixed offset inside the environment's slot.
    const offset = (i: number) => ((i - (hosts.length - 1) / 2) * 0.8) / hosts.length;
    const whiskers = mine.flatMap((r, at) =>
      hosts.flatMap((h, i) => {
        const d = r.byHost.get(h);
        return d ? [{ at, lo: scale(d.ciLow), hi: scale(d.ciHigh), offset: offset(i) }] : [];
      }),
    );
    const config: ChartConfiguration<'bar', number[], string> = {
      type: 'bar',
      data: {
        labels: mine.map((r) => r.env),
        datasets: hosts.map((h, i) => ({
          label: h,
          data: mine.map((r) => {
            const d = r.byHost.get(h);
            return d ? scale(d.median) : Number.NaN;
          }),
          backgroundColor: PALETTE[i % PALETTE.length],
        })),
      },
      options: {
        plugins: {
          ...titleOptions(
            `${metric.title}: hosts side by side`,
            "bar = the host's median; whisker = its 95% CI (none below n = 3)",
          ),
          legend: { display: true, position: 'bottom' },
        },
        scales: {
          y: {
            type: log ? 'logarithmic' : 'linear',
            title: {
              display: true,
              text: `${metric.unit === 'ns' ? 'milliseconds' : 'MiB'}${log ? ' (log scale)' : ''}`,
            },
            ticks: { callback: (v) => tick(Number(v)) },
          },
        },
      },
      plugins: [whiskersPlugin(whiskers, false)],
    };
    return {
      file,
      title: `${metric.title}: hosts side by side`,
      caption: `One bar per host and environment (${hosts.join(', ')}); the table above gives the values and the spread.`,
      config: config as unknown as ChartConfiguration,
      ...SLIDE,
    };
  });
}
