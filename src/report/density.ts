// The density figures the report states in words and tables: per level medians, the marginal
// cost of one more instance (measured at the top level; with KSM, the slope of total PSS between
// the two top levels), KSM savings and creation rate next to Firecracker's anchor.
import type { Block } from './doc.js';
import type { DensityPoint, DensitySeries, ReportModel } from './model.js';
import { fmtMiB, fmtMs, sig } from './format.js';
import { isVmEnv } from '../density/budget.js';

type Table = Extract<Block, { type: 'table' }>;

/** Firecracker's published creation rate: 5 microVMs per host core per second. */
export const FIRECRACKER_PER_CORE_PER_SEC = 5;

export const med = (p: DensityPoint, metric: string): number | undefined => p.metrics[metric]?.median;

/** The highest level with a measured marginal cost. */
function top(s: DensitySeries): DensityPoint | undefined {
  return [...s.points].reverse().find((p) => med(p, 'marginalPssBytes') !== undefined);
}

/** Slope of total PSS with KSM on between the two highest levels that have it (bytes per instance). */
export function ksmMarginalBytes(s: DensitySeries): number | undefined {
  const pts = s.points.filter((p) => med(p, 'ksmPssBytes') !== undefined);
  if (pts.length < 2) return undefined;
  const [a, b] = [pts[pts.length - 2]!, pts[pts.length - 1]!];
  return (b.n * med(b, 'ksmPssBytes')! - a.n * med(a, 'ksmPssBytes')!) / (b.n - a.n);
}

/** "one more VM costs X MiB (Y with KSM); one more container costs Z", or undefined without data. */
export function densitySentence(model: ReportModel): string | undefined {
  const parts = model.density.flatMap((s) => {
    const p = top(s);
    if (!p) return [];
    const what = isVmEnv(s.env.id) ? `VM (${s.env.label})` : s.env.label;
    const ksm = ksmMarginalBytes(s);
    const ksmPart = ksm !== undefined ? ` (${fmtMiB(ksm)} with KSM)` : '';
    return [`one more ${what} costs ${fmtMiB(med(p, 'marginalPssBytes')!)}${ksmPart} at N=${p.n}`];
  });
  if (parts.length === 0) return undefined;
  return `Density: ${parts.join('; ')} (host PSS; with KSM, the slope of total PSS between the two highest levels).`;
}

const dash = '–';
const mib = (v: number | undefined) => (v === undefined ? dash : fmtMiB(v));

export function densityLevelTable(model: ReportModel): Table | undefined {
  if (model.density.length === 0) return undefined;
  return {
    type: 'table',
    head: [
      'environment',
      'N',
      'PSS / instance',
      'PSS / instance, KSM on',
      'marginal PSS of the N-th',
      'MemAvailable drop / N',
      "guest's own view (used)",
      'start of the N-th (N-1 running)',
      'host CPU of N idle',
    ],
    align: ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
    rows: model.density.flatMap((s) =>
      s.points.map((p) => {
        const cpu = med(p, 'levelIdleCpuPerSec');
        const start = med(p, 'nthStartNs');
        return [
          s.env.label,
          String(p.n),
          mib(med(p, 'pssBytes')),
          mib(med(p, 'ksmPssBytes')),
          mib(med(p, 'marginalPssBytes')),
          mib(med(p, 'memAvailableDropBytes')),
          mib(med(p, 'guestUsedBytes')),
          start === undefined ? dash : fmtMs(start),
          cpu === undefined ? dash : `${sig(cpu * 100, 2)}% CPU`,
        ];
      }),
    ),
  };
}

export function ksmTable(model: ReportModel): Table | undefined {
  const rows = model.density.flatMap((s) =>
    s.points.filter((p) => med(p, 'ksmPssBytes') !== undefined).map((p) => ({ s, p })),
  );
  if (rows.length === 0) return undefined;
  return {
    type: 'table',
    head: [
      'environment',
      'N',
      'saved / instance (PSS off - on)',
      'pages_sharing x 4 KiB / N (host-wide)',
      'pages_shared',
      'settled',
      'full scans',
      'ksmd CPU while settling',
    ],
    align: ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
    rows: rows.map(({ s, p }) => {
      const settleNs = med(p, 'ksmSettleNs');
      const cpu = med(p, 'ksmdCpuPerSec');
      return [
        s.env.label,
        String(p.n),
        mib(med(p, 'ksmSavedPssBytes')),
        mib(med(p, 'ksmSharingBytesPerInstance')),
        String(med(p, 'ksmPagesShared') ?? dash),
        `${med(p, 'ksmSettled') === 1 ? 'yes' : 'cap reached'}${settleNs === undefined ? '' : `, ${fmtMs(settleNs)}`}`,
        String(med(p, 'ksmFullScans') ?? dash),
        cpu === undefined ? dash : `${sig(cpu * 100, 2)}% CPU`,
      ];
    }),
  };
}

export function creationTable(model: ReportModel): Table | undefined {
  const rows = model.density.flatMap((s) =>
    s.points.filter((p) => med(p, 'creationPerSec') !== undefined).map((p) => ({ s, p })),
  );
  if (rows.length === 0) return undefined;
  return {
    type: 'table',
    head: [
      'environment',
      'N',
      'concurrency',
      'time until all N READY',
      'instances/s',
      'per core/s',
      'vs Firecracker 5/core/s',
    ],
    align: ['l', 'r', 'r', 'r', 'r', 'r', 'r'],
    rows: rows.map(({ s, p }) => {
      const perCore = med(p, 'creationPerCorePerSec')!;
      return [
        s.env.label,
        String(p.n),
        String(med(p, 'creationConcurrency') ?? dash),
        fmtMs(med(p, 'creationAllReadyNs')!),
        sig(med(p, 'creationPerSec')!, 3),
        sig(perCore, 3),
        `${sig(perCore / FIRECRACKER_PER_CORE_PER_SEC, 2)}x`,
      ];
    }),
  };
}
