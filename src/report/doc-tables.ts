// Report tables, one function per section, as strings already formatted with units.
import type { Distribution } from '../results/types.js';
import type { ReportModel } from './model.js';
import type { Stacks } from './stacks.js';
import type { Block } from './doc.js';
import { fmtMiB, fmtMs, fmtPct, fmtUnit, noCI, nsToMs, sig, tcgMark } from './format.js';

type Table = Extract<Block, { type: 'table' }>;

const ci = (d: Distribution, unit: string) =>
  Number.isFinite(d.ciLow) && Number.isFinite(d.ciHigh)
    ? `${fmtUnit(d.ciLow, unit)} – ${fmtUnit(d.ciHigh, unit)}`
    : noCI(d.n);
const dash = '–';

export function startTable(model: ReportModel, metric: 'start' | 'exit'): Table | undefined {
  const rows = model.start.filter((r) => r[metric]);
  if (rows.length === 0) return undefined;
  return {
    type: 'table',
    head: [
      'environment',
      'n',
      'median',
      '95% CI of median',
      'p95',
      'CV',
      'outliers',
      ...(metric === 'start' ? ['phases (median ms since launch)'] : []),
    ],
    align: ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'l'],
    rows: rows.map((r) => {
      const d = r[metric]!;
      const phases = r.phases.map((p) => `${p.name} ${sig(nsToMs(p.atNs), 3)}`).join(', ');
      return [
        r.env.label,
        String(d.n),
        fmtMs(d.median),
        ci(d, 'ns'),
        fmtMs(d.p95),
        Number.isFinite(d.cv) ? `${sig(d.cv * 100, 2)}%` : dash,
        String(d.outliers.length),
        ...(metric === 'start' ? [phases || dash] : []),
      ];
    }),
  };
}

const MEMORY_COLUMNS: [string, string][] = [
  ['pssBytes', 'host PSS'],
  ['rssBytes', 'RSS'],
  ['cgroupBytes', 'cgroup'],
  ['guestRamPssBytes', 'guest RAM (PSS)'],
  ['kernelImagePssBytes', 'kernel image (PSS)'],
  ['hypervisorPssBytes', 'hypervisor (PSS)'],
  ['guestUsedBytes', "guest's own view: used"],
];

export function memoryTable(model: ReportModel): Table | undefined {
  if (model.idle.length === 0) return undefined;
  const cols = MEMORY_COLUMNS.filter(([m]) => model.idle.some((r) => r.metrics[m]));
  return {
    type: 'table',
    head: ['environment', 'n', ...cols.map(([, label]) => label), 'PSS 95% CI'],
    align: ['l', ...cols.map(() => 'r' as const), 'r', 'r'],
    rows: model.idle.map((r) => {
      const pss = r.metrics.pssBytes?.dist;
      return [
        r.env.label,
        String(pss?.n ?? dash),
        ...cols.map(([m]) => (r.metrics[m] ? fmtMiB(r.metrics[m]!.dist.median) : dash)),
        pss ? ci(pss, 'bytes') : dash,
      ];
    }),
  };
}

export function idleCpuTable(model: ReportModel): Table | undefined {
  const rows = model.idle.filter((r) => r.metrics.idleCpuPerSec);
  if (rows.length === 0) return undefined;
  return {
    type: 'table',
    head: ['environment', 'n', 'median idle CPU', '95% CI'],
    align: ['l', 'r', 'r', 'r'],
    rows: rows.map((r) => {
      const d = r.metrics.idleCpuPerSec!.dist;
      return [r.env.label, String(d.n), fmtUnit(d.median, 'cpu-s/s'), ci(d, 'cpu-s/s')];
    }),
  };
}

export function workTable(model: ReportModel): Table | undefined {
  if (model.work.length === 0) return undefined;
  return {
    type: 'table',
    head: [
      'workload',
      'environment',
      'n',
      'median work',
      'vs bare',
      '95% CI',
      // cpuNs is charged over the instance's whole life: for a VM that includes its boot.
      'host CPU, whole instance life (VM: incl. boot)',
      'throughput',
    ],
    align: ['l', 'l', 'r', 'r', 'r', 'r', 'r', 'r'],
    rows: model.work.map((w) => {
      const vs = w.work!.vsBaseline;
      return [
        w.workload,
        w.env.label,
        String(w.work!.dist.n),
        fmtMs(w.work!.dist.median),
        vs
          ? `${fmtPct(vs.ratio - 1)}${tcgMark(vs.ratio, w.env.accel)}`
          : w.env.id === 'bare'
            ? 'baseline'
            : dash,
        vs ? ratioCI(vs, w.work!.dist.n) : dash,
        w.cpu ? fmtMs(w.cpu.dist.median) : dash,
        w.throughput ? fmtUnit(w.throughput.dist.median, 'MB/s') : dash,
      ];
    }),
  };
}

function ratioCI(vs: { ciLow: number; ciHigh: number }, n: number): string {
  if (!Number.isFinite(vs.ciLow) || !Number.isFinite(vs.ciHigh)) return `${noCI(n)} (both sides need n ≥ 3)`;
  return `${fmtPct(vs.ciLow - 1)} – ${fmtPct(vs.ciHigh - 1)}`;
}

export function layersTable(s: Stacks): Table | undefined {
  const c = s.container;
  const v = s.vm;
  if (!c && !v) return undefined;
  const mib = (b?: number) => (b === undefined ? dash : fmtMiB(b));
  return {
    type: 'table',
    head: ['Figure 12.1 layer', c ? c.env.label : 'container', v ? v.env.label : 'VM', 'how it was measured'],
    rows: [
      [
        'Apps + Bins/Libs',
        mib(c?.pssBytes),
        mib(v?.appBytes),
        "container: PSS of every process in the instance's cgroup; VM: taken equal to the container's (same binary, same workload)",
      ],
      [
        'Container Engine',
        c?.enginePssBytes !== undefined
          ? `${mib(c.enginePssBytes)}, +${fmtMs(c.engineStartNs ?? NaN)}`
          : dash,
        dash,
        'container minus bare: PSS and start latency the engine and isolation add',
      ],
      [
        'Guest OS',
        dash,
        mib(v?.guestOsBytes === undefined ? undefined : v.guestOsBytes + (v.kernelImageBytes ?? 0)),
        'guest RAM touched minus the app, plus the kernel image (see the note below)',
      ],
      [
        'Hypervisor',
        dash,
        mib(v?.hypervisorBytes),
        "PSS of qemu's own mappings: binary, libraries, heap, accelerator (TCG translation) buffers",
      ],
      ['total (host PSS)', mib(c?.pssBytes), mib(v?.pssBytes), 'median PSS of one idle instance'],
      [
        'start (launch → READY)',
        c?.startNs !== undefined ? fmtMs(c.startNs) : dash,
        v?.startNs !== undefined ? fmtMs(v.startNs) : dash,
        'median over start samples',
      ],
      [
        'idle CPU',
        c?.idleCpuPerSec !== undefined ? fmtUnit(c.idleCpuPerSec, 'cpu-s/s') : dash,
        v?.idleCpuPerSec !== undefined ? fmtUnit(v.idleCpuPerSec, 'cpu-s/s') : dash,
        'host CPU seconds per second, idle after READY',
      ],
    ],
  };
}
