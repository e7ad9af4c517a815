// Turns the guest's serial console bytes into lines and recognises the protocol lines:
// the workload's READY / RESULT and the /init markers (see init-script.ts).
import type { Bytes } from '../../units.js';
import { parseResultLine } from '../../workload/protocol.js';
import { LineSplitter, tailLine } from '../line-stream.js';

/** What /init reports about the guest (at start and on request). */
export interface GuestMemReport {
  kind: 'init' | 'mem';
  uptimeS: number;
  memTotalBytes: Bytes;
  memAvailableBytes: Bytes;
}

export type ConsoleEvent =
  | { kind: 'ready' }
  | { kind: 'result'; fields: Record<string, string> }
  | GuestMemReport
  | { kind: 'exit'; code: number }
  /** The Debian guest's boot timestamps (distro/boot-phases.ts). */
  | { kind: 'boot'; fields: Record<string, string> };

const TAIL_LINES = 20;

export function parseFields(text: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const m of text.matchAll(/(\S+?)=(\S*)/g)) fields[m[1]!] = m[2]!;
  return fields;
}

/** Classifies one console line (already stripped of CR/LF); null for ordinary output. */
export function parseConsoleLine(line: string): ConsoleEvent | null {
  const t = line.trim();
  if (t === 'READY') return { kind: 'ready' };
  const result = parseResultLine(t);
  if (result) return { kind: 'result', fields: result };
  const marker = /CTVM-(INIT|MEM|EXIT|BOOT)\s+(.*)$/.exec(t);
  if (!marker) return null;
  const f = parseFields(marker[2]!);
  if (marker[1] === 'BOOT') return { kind: 'boot', fields: f };
  if (marker[1] === 'EXIT') {
    return /^\d+$/.test(f.code ?? '') ? { kind: 'exit', code: Number(f.code) } : null;
  }
  const uptimeS = Number(f.uptime_s);
  const total = Number(f.mem_total_kb);
  const avail = Number(f.mem_available_kb);
  if (![uptimeS, total, avail].every(Number.isFinite)) return null;
  return {
    kind: marker[1] === 'INIT' ? 'init' : 'mem',
    uptimeS,
    memTotalBytes: total * 1024,
    memAvailableBytes: avail * 1024,
  };
}

/** Accumulates chunks into lines; keeps the last TAIL_LINES for error messages. */
export class ConsoleLines {
  /** Cuts a guest's flood without newlines into bounded lines (src/engine/line-stream.ts). */
  private readonly lines = new LineSplitter();
  readonly tail: string[] = [];
  bytes = 0;

  constructor(private readonly onLine: (line: string) => void) {}

  push(chunk: Buffer | string): void {
    const text = typeof chunk === 'string' ? chunk : chunk.toString('latin1');
    this.bytes += text.length;
    for (const line of this.lines.push(text)) this.emit(line);
  }

  /** The unterminated last line, if any, so a tail shows what a hung guest printed last. */
  flush(): void {
    const rest = this.lines.end();
    if (rest !== undefined) this.emit(rest);
  }

  private emit(raw: string): void {
    const line = raw.replace(/\r/g, '');
    if (line.trim()) {
      this.tail.push(tailLine(line));
      if (this.tail.length > TAIL_LINES) this.tail.shift();
    }
    this.onLine(line);
  }
}
