// Splits a byte stream into lines, stamping each with the host monotonic time its bytes arrived.
// Start latency ends when READY *reaches the host*, so the stamp is taken in the 'data' handler.
import type { Readable } from 'node:stream';
import { monoNs } from '../../units.js';
import type { Nanoseconds } from '../../units.js';

export type LineHandler = (line: string, atNs: Nanoseconds) => void;

/** Calls `onLine` for every complete line (and a final unterminated one at end of stream). */
export function readLines(stream: Readable, onLine: LineHandler): void {
  let partial = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    const atNs = monoNs();
    const parts = (partial + chunk).split('\n');
    partial = parts.pop() ?? '';
    for (const p of parts) onLine(p.replace(/\r$/, ''), atNs);
  });
  stream.on('end', () => {
    if (partial) onLine(partial, monoNs());
    partial = '';
  });
}

/** Parses `RESULT mode=cpu ns=123 k=v` into { mode: 'cpu', ns: '123', k: 'v' }; null if not one. */
export function parseResultLine(line: string): Record<string, string> | null {
  const m = /^RESULT(?:\s+(.*))?$/.exec(line.trim());
  if (!m) return null;
  const fields: Record<string, string> = {};
  for (const tok of (m[1] ?? '').split(/\s+/)) {
    const eq = tok.indexOf('=');
    if (eq > 0) fields[tok.slice(0, eq)] = tok.slice(eq + 1);
  }
  return fields;
}

/** Keeps the last `max` lines (for error messages). */
export class Tail {
  readonly lines: string[] = [];
  constructor(private readonly max = 20) {}
  push(line: string): void {
    this.lines.push(line);
    if (this.lines.length > this.max) this.lines.shift();
  }
}
