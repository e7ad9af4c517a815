// Splits a container's output stream into lines (for READY / RESULT detection) and keeps a tail.
import type { Readable } from 'node:stream';

export class OutputTail {
  readonly lines: string[] = [];
  constructor(private readonly max = 20) {}
  push(line: string): void {
    this.lines.push(line);
    if (this.lines.length > this.max) this.lines.shift();
  }
}

/** Calls onLine for every complete line (and the final partial line at end). */
export function readLines(stream: Readable, onLine: (line: string) => void): Promise<void> {
  return new Promise((resolve) => {
    let partial = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      for (const l of lines) onLine(l);
    });
    const end = (): void => {
      if (partial) onLine(partial);
      partial = '';
      resolve();
    };
    stream.on('end', end);
    stream.on('error', end);
  });
}
