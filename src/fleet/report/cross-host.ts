// The fleet's headline metrics per host: start latency and idle PSS per environment, one value
// per host, the median over hosts and the spread (max/min); and the findings, env against env,
// that hold on every host vs those that depend on the host.
import type { Distribution } from '../../results/types.js';
import { median } from '../../stats/index.js';
import { fmtMiB, fmtMs, fmtTimes, sig } from '../../report/format.js';
import { measuredHosts, type LoadedFleet } from './load-fleet.js';

export interface HeadlineMetric {
  id: 'start' | 'pss';
  title: string;
  unit: 'ns' | 'bytes';
  fmt: (v: number) => string;
}

export const HEADLINE_METRICS: HeadlineMetric[] = [
  { id: 'start', title: 'Start latency (launch → READY, median)', unit: 'ns', fmt: fmtMs },
  { id: 'pss', title: 'PSS of one idle instance (median)', unit: 'bytes', fmt: fmtMiB },
];

export interface CrossRow {
  metric: HeadlineMetric;
  env: string;
  /** Host -> that host's distribution (absent: not measured there). */
  byHost: Map<string, Distribution>;
  medianOverHosts: number;
  min: number;
  max: number;
}

export function crossRows(f: LoadedFleet): CrossRow[] {
  const hosts = measuredHosts(f);
  const envs = [...new Set(hosts.flatMap((h) => h.run.model.envs.map((e) => e.id)))];
  return HEADLINE_METRICS.flatMap((metric) =>
    envs.flatMap((env): CrossRow[] => {
      const byHost = new Map<string, Distribution>();
      for (const h of hosts) {
        const d = distOf(h.run.model, metric.id, env);
        if (d) byHost.set(h.name, d);
      }
      const medians = [...byHost.values()].map((d) => d.median);
      if (medians.length === 0) return [];
      return [
        {
          metric,
          env,
          byHost,
          medianOverHosts: median(medians),
          min: Math.min(...medians),
          max: Math.max(...medians),
        },
      ];
    }),
  );
}

function distOf(
  model: ReturnType<typeof measuredHosts>[number]['run']['model'],
  metric: HeadlineMetric['id'],
  env: string,
): Distribution | undefined {
  if (metric === 'start') return model.start.find((r) => r.env.id === env)?.start;
  return model.idle.find((r) => r.env.id === env)?.metrics.pssBytes?.dist;
}

/** "1.12x" (max/min over hosts); "-" with one host or a zero. */
export const spread = (r: CrossRow) => (r.byHost.size < 2 || r.min <= 0 ? '–' : fmtTimes(r.max / r.min));

export interface Finding {
  text: string;
  everywhere: boolean;
}

const PAIRS: [string, string][] = [
  ['bare', 'container'],
  ['container', 'vm'],
  ['bare', 'vm'],
];

/**
 * Per metric and env pair (a, b): on each host, is b above a with non-overlapping 95% CIs
 * ("higher"), below ("lower"), or not told apart (overlapping CIs, or no CI below n = 3)?
 * A finding holds everywhere when every host that measured both gives the same clear answer.
 */
export function findings(f: LoadedFleet, rows: CrossRow[]): Finding[] {
  const out: Finding[] = [];
  const allHosts = measuredHosts(f).map((h) => h.name);
  for (const metric of HEADLINE_METRICS)
    for (const [a, b] of PAIRS) {
      const ra = rows.find((r) => r.metric.id === metric.id && r.env === a);
      const rb = rows.find((r) => r.metric.id === metric.id && r.env === b);
      if (!ra || !rb) continue;
      const verdicts = allHosts.flatMap((h) => {
        const da = ra.byHost.get(h);
        const db = rb.byHost.get(h);
        return da && db ? [{ host: h, v: verdict(da, db), ratio: db.median / da.median }] : [];
      });
      if (verdicts.length === 0) continue;
      const what = metric.id === 'start' ? 'start latency' : 'idle PSS';
      const ratios = verdicts.map((v) => v.ratio).filter((r) => Number.isFinite(r) && r > 0);
      const range = ratios.length
        ? `${b}/${a} ${sig(Math.min(...ratios), 2)}–${sig(Math.max(...ratios), 2)}x over hosts`
        : 'no ratio';
      const kinds = new Set(verdicts.map((v) => v.v));
      const missing = allHosts.filter((h) => !verdicts.some((v) => v.host === h));
      const first = verdicts[0]!.v;
      if (kinds.size === 1 && first !== 'unclear' && missing.length === 0)
        out.push({
          everywhere: true,
          text: `${what}: ${b} ${first} than ${a} on every host (${verdicts.length}; ${range})`,
        });
      else {
        const by = (k: string) => verdicts.filter((v) => v.v === k).map((v) => v.host);
        const parts = (['higher', 'lower', 'unclear'] as const)
          .filter((k) => by(k).length)
          .map((k) =>
            k === 'unclear' ? `not told apart on ${by(k).join(', ')}` : `${k} on ${by(k).join(', ')}`,
          );
        if (missing.length) parts.push(`not measured on ${missing.join(', ')}`);
        out.push({ everywhere: false, text: `${what}, ${b} vs ${a}: ${parts.join('; ')} (${range})` });
      }
    }
  return out;
}

function verdict(a: Distribution, b: Distribution): 'higher' | 'lower' | 'unclear' {
  const ci = (d: Distribution) => Number.isFinite(d.ciLow) && Number.isFinite(d.ciHigh);
  if (!ci(a) || !ci(b)) return 'unclear';
  if (b.ciLow > a.ciHigh) return 'higher';
  if (b.ciHigh < a.ciLow) return 'lower';
  return 'unclear';
}
