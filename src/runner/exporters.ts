// Exporters turn results into bytes; they never touch the filesystem (results-writer.ts does).
import type { Summary } from '../results/types.js';

export function summaryJson(summary: Summary): string {
  return JSON.stringify(summary, null, 2) + '\n';
}

export { summaryCsv, CSV_COLUMNS } from '../results/summary-csv.js';
