// Where base and candidate ran on different ground: accelerator, CPU model, host kernel or qemu
// version. Numbers from TCG vs KVM, or from two CPUs, are not a regression signal (#12).
import type { CompareSide } from './side.js';

type Meta = CompareSide['runs'][number];

const FACTS: [string, (m: Meta) => string | undefined][] = [
  ['vm accelerator', (m) => m.environments?.vm?.facts?.accel],
  ['CPU model', (m) => m.host?.host?.cpuModel],
  ['host kernel', (m) => m.host?.host?.kernel],
  ['qemu version', (m) => m.tools?.qemu],
];

/** One line per fact whose values differ between the sides (a fact a side did not record is skipped). */
export function hostMismatches(base: CompareSide, candidate: CompareSide): string[] {
  const values = (side: CompareSide, get: (m: Meta) => string | undefined) =>
    [...new Set(side.runs.map(get).filter((v): v is string => v !== undefined))].sort();
  const out: string[] = [];
  for (const [name, get] of FACTS) {
    const b = values(base, get);
    const c = values(candidate, get);
    if (b.length === 0 || c.length === 0 || b.join('\n') === c.join('\n')) continue;
    out.push(`${name} differs: base ${b.join(' / ')}, candidate ${c.join(' / ')}`);
  }
  return out;
}
