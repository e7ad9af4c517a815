// An EnvStack as a Figure 12.1 column: title, big numbers, isolation line, layers.
import type { Column } from '../figure/layers.js';
import { fmtMiB, fmtMs } from '../format.js';
import type { EnvStack } from './env-stacks.js';

export function stackColumn(s: EnvStack): Column {
  const summary = [
    s.startNs !== undefined ? `${fmtMs(s.startNs)} to start` : undefined,
    s.pssBytes !== undefined ? `${fmtMiB(s.pssBytes)} resident` : undefined,
  ]
    .filter((x) => x !== undefined)
    .join('  ·  ');
  return {
    title: s.title,
    summary: summary || 'not measured',
    phases: s.isolation,
    ...(s.pssBytes !== undefined ? { totalBytes: s.pssBytes } : {}),
    ...(s.kind.side !== 'vm' ? { emptyNote: 'no guest OS, no hypervisor: the host kernel serves it' } : {}),
    layers: s.layers.map((l) => ({
      names: [l.name],
      fill: l.fill,
      ...(l.bytes !== undefined ? { bytes: l.bytes } : {}),
      lines: l.lines,
    })),
  };
}
