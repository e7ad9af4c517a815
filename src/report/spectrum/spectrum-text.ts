// The spectrum in words: a table of every environment's isolation, start and idle memory, and
// the sentence that compares the two sides (container engines vs VMs) with the accelerator named.
import type { Block } from '../doc.js';
import type { ReportModel } from '../model.js';
import { fmtMiB, fmtMs, fmtTimes } from '../format.js';
import { envStacks, type EnvStack } from './env-stacks.js';

export function spectrumTable(model: ReportModel): Block | undefined {
  const all = envStacks(model);
  if (all.length === 0) return undefined;
  return {
    type: 'table',
    head: ['environment', 'isolation', 'start (median)', 'idle PSS (median)', 'stack (top to bottom)'],
    align: ['l', 'l', 'r', 'r', 'l'],
    rows: all.map((s) => [
      s.env.label,
      s.isolation,
      s.startNs !== undefined ? fmtMs(s.startNs) : '–',
      s.pssBytes !== undefined ? fmtMiB(s.pssBytes) : '–',
      s.layers.map((l) => `${l.name}${l.bytes !== undefined ? ` ${fmtMiB(l.bytes)}` : ''}`).join(' / '),
    ]),
  };
}

const range = (xs: number[], fmt: (v: number) => string) => {
  const lo = Math.min(...xs);
  const hi = Math.max(...xs);
  return lo === hi ? fmt(lo) : `${fmt(lo)}–${fmt(hi)}`;
};

/**
 * "Container engines (a, b) started in X–Y and held A–B idle; VMs (c, d; TCG) in P–Q and C–D: the
 * fastest VM started Nx slower than the slowest container engine." Undefined unless both sides
 * have start and memory figures.
 */
export function sidesSentence(model: ReportModel): string | undefined {
  const stacks = envStacks(model);
  const side = (want: EnvStack['kind']['side'][]) =>
    stacks.filter((s) => want.includes(s.kind.side) && s.startNs !== undefined && s.pssBytes !== undefined);
  const containers = side(['container']);
  const vms = side(['vm']);
  if (containers.length === 0 || vms.length === 0) return undefined;
  // Only a spectrum run (several VM kinds, or engines beyond ctvm/runc/crun) gets the ranges; the
  // classic run keeps its one container-vs-VM sentence.
  const classic = new Set(['container', 'oci:runc', 'oci:crun']);
  if (vms.length < 2 && containers.every((c) => classic.has(c.env.id))) return undefined;
  const accel = [...new Set(vms.map((v) => (v.env.accel ?? 'unknown accelerator').toUpperCase()))].join('/');
  const cStart = containers.map((s) => s.startNs!);
  const vStart = vms.map((s) => s.startNs!);
  const cMem = containers.map((s) => s.pssBytes!);
  const vMem = vms.map((s) => s.pssBytes!);
  const names = (xs: EnvStack[]) => xs.map((s) => s.env.id).join(', ');
  return (
    `Container engines (${names(containers)}) started in ${range(cStart, fmtMs)} and held ${range(cMem, fmtMiB)} per idle instance; ` +
    `VMs (${names(vms)}; ${accel}) started in ${range(vStart, fmtMs)} and held ${range(vMem, fmtMiB)}: ` +
    `the fastest VM started ${fmtTimes(Math.min(...vStart) / Math.max(...cStart))} slower than the slowest container engine, ` +
    `and the smallest VM held ${fmtTimes(Math.min(...vMem) / Math.max(...cMem))} the memory of the largest container` +
    (accel.includes('TCG')
      ? ' (VMs under TCG, software emulation: KVM would narrow the start gap, not the memory gap).'
      : '.')
  );
}
