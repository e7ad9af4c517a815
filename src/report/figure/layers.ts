// Figure 12.1's layers with their measured annotations and heights: pure data, no drawing.
// Heights are proportional to memory (host PSS) with a floor so every layer stays readable.
import type { ReportModel } from '../model.js';
import type { Stacks } from '../stacks.js';
import { fmtMiB, fmtMs, fmtPct, nsToMs, sig } from '../format.js';

export interface Layer {
  /** Figure 12.1's layer name(s); two names = one measured box split in two (Apps | Bins/Libs). */
  names: string[];
  lines: string[];
  /** Memory this layer keeps resident, when measured. */
  bytes?: number;
  fill: string;
}

export interface Column {
  title: string;
  /** Big numbers under the title. */
  summary: string;
  /** Phase path, e.g. "spawn 0.4 → namespaces 1.7 → … → ready 5.6 ms". */
  phases: string;
  /** Top to bottom. */
  layers: Layer[];
  totalBytes?: number;
  /** Said in the space a shorter stack leaves empty. */
  emptyNote?: string;
}

const idlePct = (v?: number) =>
  v === undefined
    ? undefined
    : v === 0
      ? 'idle CPU: 0 (no host CPU used while idle)'
      : `idle ${sig(v * 100, 2)}% of a CPU`;
const defined = (xs: (string | undefined)[]) => xs.filter((x): x is string => x !== undefined && x !== '');

export function containerColumn(model: ReportModel, s: Stacks): Column | undefined {
  const c = s.container;
  if (!c) return undefined;
  const w = c.workOverhead;
  return {
    title: `Container (${c.env.id === 'container' ? "ctvm's engine" : c.env.label})`,
    summary: summaryLine(c.startNs, c.pssBytes),
    phases: phasePath(model, c.env.id),
    totalBytes: c.pssBytes,
    emptyNote:
      'No Guest OS, no Hypervisor: the app runs on the host kernel, so this space stays empty (drawn to the same scale as the VM)',
    layers: [
      {
        names: ['Apps', 'Bins/Libs'],
        bytes: c.pssBytes,
        fill: '#aed6f1',
        lines: defined([
          c.pssBytes !== undefined
            ? `${fmtMiB(c.pssBytes)} PSS, app + its libs together`
            : 'memory not measured',
          w ? `${w.workload} work: ${fmtPct(w.fraction)} vs bare` : undefined,
        ]),
      },
      {
        names: ['Container Engine'],
        fill: '#5dade2',
        ...(c.enginePssBytes !== undefined ? { bytes: Math.max(0, c.enginePssBytes) } : {}),
        lines: defined([
          c.engineStartNs !== undefined ? `+${fmtMs(c.engineStartNs)} to start vs a bare process` : undefined,
          c.enginePssBytes !== undefined ? `${fmtMiB(c.enginePssBytes)} PSS vs bare` : undefined,
          idlePct(c.idleCpuPerSec),
        ]),
      },
    ],
  };
}

export function vmColumn(model: ReportModel, s: Stacks): Column | undefined {
  const v = s.vm;
  if (!v) return undefined;
  const accel = (v.env.accel ?? '?').toUpperCase();
  const guestOs = v.guestOsBytes === undefined ? undefined : v.guestOsBytes + (v.kernelImageBytes ?? 0);
  const w = v.workOverhead;
  return {
    title: `Virtual machine (QEMU, ${accel})`,
    summary: summaryLine(v.startNs, v.pssBytes),
    phases: phasePath(model, v.env.id),
    totalBytes: v.pssBytes,
    layers: [
      {
        names: ['Apps', 'Bins/Libs'],
        fill: '#f9e79f',
        ...(v.appBytes !== undefined ? { bytes: v.appBytes } : {}),
        lines: defined([
          v.appBytes !== undefined
            ? `${fmtMiB(v.appBytes)}: the same app (container's PSS)`
            : 'not separated from the Guest OS',
        ]),
      },
      {
        names: ['Guest OS'],
        fill: '#f0b27a',
        ...(guestOs !== undefined ? { bytes: guestOs } : {}),
        lines: defined([
          guestOs !== undefined ? `${fmtMiB(guestOs)} resident on the host: a second kernel` : undefined,
          v.guestUsedBytes !== undefined
            ? `guest's own view: ${fmtMiB(v.guestUsedBytes)} used of ${fmtMiB(v.guestTotalBytes ?? NaN)}`
            : undefined,
          v.startNs !== undefined ? `boot to READY: ${fmtMs(v.startNs)}` : undefined,
        ]),
      },
      {
        names: ['Hypervisor'],
        fill: '#dc7633',
        ...(v.hypervisorBytes !== undefined ? { bytes: v.hypervisorBytes } : {}),
        lines: defined([
          v.hypervisorBytes !== undefined
            ? `${fmtMiB(v.hypervisorBytes)} qemu + ${accel} buffers`
            : undefined,
          idlePct(v.idleCpuPerSec),
          w
            ? `${w.workload} work: ${fmtPct(w.fraction)} vs bare${accel === 'TCG' ? ' (emulated CPU)' : ''}`
            : undefined,
        ]),
      },
    ],
  };
}

function summaryLine(startNs?: number, pssBytes?: number): string {
  return defined([
    startNs !== undefined ? `${fmtMs(startNs)} to start` : undefined,
    pssBytes !== undefined ? `${fmtMiB(pssBytes)} resident` : undefined,
  ]).join('  ·  ');
}

/** The start phases up to READY, in median order, as one line. */
function phasePath(model: ReportModel, env: string): string {
  const row = model.start.find((r) => r.env.id === env);
  if (!row?.start) return '';
  const ps = row.phases.filter((p) => p.atNs <= row.start!.median * 1.0001);
  return ps.length ? `${ps.map((p) => `${p.name} ${sig(nsToMs(p.atNs), 2)}`).join(' → ')} ms` : '';
}

/** Pixel heights for memory layers: proportional to bytes on one scale shared by both columns,
 *  floored at `minPx` for legibility; the scale is the largest at which the tallest column fits. */
export function layerHeights(columns: Column[], availablePx: number, minPx: number): number[][] {
  const heightsAt = (pxPerByte: number) =>
    columns.map((c) => c.layers.map((l) => Math.max(minPx, (l.bytes ?? 0) * pxPerByte)));
  const tallest = (pxPerByte: number) =>
    Math.max(0, ...heightsAt(pxPerByte).map((hs) => hs.reduce((a, b) => a + b, 0)));
  let lo = 0;
  let hi = availablePx; // px per byte can't exceed this for any layer of >= 1 byte
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (tallest(mid) <= availablePx) lo = mid;
    else hi = mid;
  }
  return heightsAt(lo);
}
