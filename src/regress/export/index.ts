// Exporters by --format name: each a pure (Comparison) -> string.
import type { Comparison } from '../compare.js';
import { exportBenchmarkAction } from './benchmark-action.js';
import { exportBencher } from './bencher.js';
import { exportHyperfine } from './hyperfine.js';
import { exportJson } from './json.js';
import { exportMarkdown } from './markdown.js';
import { exportTable } from './table.js';

export const EXPORTERS = {
  table: exportTable,
  md: exportMarkdown,
  json: exportJson,
  'benchmark-action': exportBenchmarkAction,
  bencher: exportBencher,
  hyperfine: exportHyperfine,
} as const satisfies Record<string, (c: Comparison) => string>;

export type ExportFormat = keyof typeof EXPORTERS;

export function isExportFormat(name: string): name is ExportFormat {
  return Object.hasOwn(EXPORTERS, name);
}
