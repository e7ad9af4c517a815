// Figure 12.1 for the fleet as a whole: every layer's number is the median over the hosts that
// measured it, the sentence under it gives the range over hosts, and the ground names the fleet.
import type { Stacks } from '../../report/stacks.js';
import type { Headline } from '../../report/headline.js';
import { renderFigure } from '../../report/figure/figure-12-1.js';
import { fmtMiB, fmtMs, fmtTimes } from '../../report/format.js';
import { median } from '../../stats/index.js';
import { measuredHosts, type LoadedFleet } from './load-fleet.js';

/** Field by field: numbers become the median over `all`; other values are the first host's. */
export function medianOf<T>(all: T[]): T {
  const first = all[0];
  if (typeof first === 'number') {
    const xs = all.filter((v): v is T & number => typeof v === 'number' && Number.isFinite(v));
    return median(xs) as T;
  }
  if (typeof first !== 'object' || first === null || Array.isArray(first)) return first as T;
  const keys = new Set(all.flatMap((o) => (o && typeof o === 'object' ? Object.keys(o) : [])));
  const out: Record<string, unknown> = {};
  for (const k of keys) {
    const vals = all
      .map((o) => (o as Record<string, unknown> | undefined)?.[k])
      .filter((v) => v !== undefined);
    if (vals.length) out[k] = medianOf(vals);
  }
  return out as T;
}

const range = (xs: number[], fmt: (v: number) => string) =>
  xs.length < 2
    ? fmt(xs[0] ?? NaN)
    : `${fmt(median(xs))} (range ${fmt(Math.min(...xs))}–${fmt(Math.max(...xs))})`;

/** The fleet's sentence: medians over hosts with their range, for the figure and the report. */
export function fleetHeadline(f: LoadedFleet): Headline {
  const hosts = measuredHosts(f);
  const s = hosts.map((h) => h.run.stacks);
  const nums = (get: (x: Stacks) => number | undefined) =>
    s.map(get).filter((v): v is number => v !== undefined && Number.isFinite(v));
  const parts: string[] = [];
  const cs = nums((x) => x.container?.startNs);
  const vs = nums((x) => x.vm?.startNs);
  const cp = nums((x) => x.container?.pssBytes);
  const vp = nums((x) => x.vm?.pssBytes);
  if (cs.length) parts.push(`container start ${range(cs, fmtMs)}`);
  if (vs.length) parts.push(`VM start ${range(vs, fmtMs)}`);
  const startRatio = nums((x) =>
    x.vm?.startNs && x.container?.startNs ? x.vm.startNs / x.container.startNs : undefined,
  );
  if (startRatio.length) parts.push(`VM/container start ${range(startRatio, fmtTimes)}`);
  if (cp.length) parts.push(`container idle PSS ${range(cp, fmtMiB)}`);
  if (vp.length) parts.push(`VM idle PSS ${range(vp, fmtMiB)}`);
  const accels = [...new Set(hosts.map((h) => h.run.fingerprint.accelerator))];
  return {
    sentence: `Over ${hosts.length} host${hosts.length === 1 ? '' : 's'}, median (range): ${parts.join('; ') || 'no container or VM figure measured'}.`,
    caveats: [
      `Each number is the median of the hosts' own medians; the range is over hosts, not a confidence interval. VM accelerator(s): ${accels.join(', ')}.`,
    ],
  };
}

export function renderFleetFigure(f: LoadedFleet, head: Headline): Buffer | undefined {
  const hosts = measuredHosts(f);
  const first = hosts[0];
  if (!first) return undefined;
  const stacks = medianOf(hosts.map((h) => h.run.stacks));
  // Phase paths are one host's; the fleet figure leaves them out rather than show one host's.
  const model = { ...first.run.model, start: first.run.model.start.map((r) => ({ ...r, phases: [] })) };
  const fp = hosts.map((h) => h.run.fingerprint);
  const uniq = (xs: string[]) => [...new Set(xs)].join(' / ');
  return renderFigure(model, stacks, head, {
    facts: `fleet ${f.manifest.fleetId} · ${hosts.length} hosts (${hosts.map((h) => h.name).join(', ')}) · medians over hosts`,
    hostOs: `Host OS — Linux ${uniq(fp.map((x) => x.kernel))}, cgroup ${uniq(fp.map((x) => x.cgroupMode))}: one kernel per host shared by its containers; each VM brings its own`,
    hardware: `Hardware — ${uniq(fp.map((x) => `${x.cpuModel}, ${x.cores} cores`))}; VM accelerator ${uniq(fp.map((x) => x.accelerator))}`,
  });
}
