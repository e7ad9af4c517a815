// Splits an instance's output stream into lines, stamping each with the host monotonic time its
// bytes arrived (start latency ends when READY *reaches the host*, so the stamp is taken in the
// 'data' handler), and keeps a tail for error messages. Used by bare, container and oci instances.
import type { Readable } from 'node:stream';
import { monoNs, type Nanoseconds } from '../units.js';

export type LineHandler = (line: string, atNs: Nanoseconds) => void;

/** Calls `onLine` for every complete line (and a final unterminated one); resolves at end of stream. */
export function readLines(stream: Readable, onLine: LineHandler): Promise<void> {
  return new Promise((resolve) => {
    let partial = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      const atNs = monoNs();
      const parts = (partial + chunk).split('\n');
      partial = parts.pop() ?? '';
      for (const p of parts) onLine(p.replace(/\r$/, ''), atNs);
    });
    const end = (): void => {
      if (partial) onLine(partial, monoNs());
      partial = '';
      resolve();
    };
    stream.once('end', end);
    stream.once('close', end);
    stream.once('error', end);
  });
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
