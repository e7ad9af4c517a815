// Splits an instance's output stream into lines, stamping each with the host monotonic time its
// bytes arrived (start latency ends when READY *reaches the host*, so the stamp is taken in the
// 'data' handler), and keeps a tail for error messages. Used by bare, container and oci instances.
import type { Readable } from 'node:stream';
import type { PhaseTimeline, ReadyInfo } from './environment.js';
import { monoNs, type Nanoseconds } from '../units.js';

export type LineHandler = (line: string, atNs: Nanoseconds) => void;

/**
 * Longest line passed on whole. Output that goes on without a newline is cut into lines of this
 * length: a hostile or broken workload's flood then costs time linear in its size (the old
 * `(partial + chunk).split` rescanned and copied everything since the last newline per chunk).
 */
export const MAX_LINE_CHARS = 64 * 1024;
/** Longest line a Tail keeps: tails are quoted in error messages and hints. */
export const MAX_TAIL_LINE_CHARS = 240;

/** Turns chunks into lines; only each new chunk is scanned, and no line exceeds MAX_LINE_CHARS. */
export class LineSplitter {
  private partial = '';

  /** The lines `text` completes (without their '\n'), over-long runs cut into MAX_LINE_CHARS pieces. */
  push(text: string): string[] {
    const out: string[] = [];
    let start = 0;
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
      cut(this.partial + text.slice(start, nl), out, true);
      this.partial = '';
      start = nl + 1;
    }
    this.partial = cut(this.partial + text.slice(start), out, false);
    return out;
  }

  /** The unterminated rest, if any (at end of stream). */
  end(): string | undefined {
    const rest = this.partial;
    this.partial = '';
    return rest === '' ? undefined : rest;
  }
}

/** Pushes full MAX_LINE_CHARS pieces of `s` to `out`; the remainder too when `all`, else returns it. */
function cut(s: string, out: string[], all: boolean): string {
  let i = 0;
  for (; s.length - i >= MAX_LINE_CHARS; i += MAX_LINE_CHARS) out.push(s.slice(i, i + MAX_LINE_CHARS));
  const rest = i === 0 ? s : s.slice(i);
  if (!all) return rest;
  if (rest !== '' || i === 0) out.push(rest);
  return '';
}

/** Calls `onLine` for every complete line (and a final unterminated one); resolves at end of stream. */
export function readLines(stream: Readable, onLine: LineHandler): Promise<void> {
  return new Promise((resolve) => {
    const lines = new LineSplitter();
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      const atNs = monoNs();
      for (const p of lines.push(chunk)) onLine(p.replace(/\r$/, ''), atNs);
    });
    const end = (): void => {
      const rest = lines.end();
      if (rest !== undefined) onLine(rest, monoNs());
      resolve();
    };
    stream.once('end', end);
    stream.once('close', end);
    stream.once('error', end);
  });
}

/** Keeps the last `max` lines (for error messages), each cut to MAX_TAIL_LINE_CHARS. */
export class Tail {
  readonly lines: string[] = [];
  constructor(private readonly max = 20) {}
  push(line: string): void {
    this.lines.push(tailLine(line));
    if (this.lines.length > this.max) this.lines.shift();
  }
}

/** `line` as a tail keeps it: at most MAX_TAIL_LINE_CHARS, with what was cut said. */
export function tailLine(line: string): string {
  if (line.length <= MAX_TAIL_LINE_CHARS) return line;
  return `${line.slice(0, MAX_TAIL_LINE_CHARS)}… (${line.length - MAX_TAIL_LINE_CHARS} more characters)`;
}

/**
 * When an instance became ready. With `marked` (its stdout is relayed by the launcher, which
 * reports a `ready` phase the moment the READY line reaches it, before passing the line on), the
 * launcher's stamp is the figure and our own read of the line only confirms it; without, or if
 * that stamp does not follow within MARK_GRACE_MS, it is the time our 'data' handler ran.
 */
export class ReadyWatch {
  readonly ready: Promise<ReadyInfo>;
  private resolve!: (r: ReadyInfo) => void;
  private reject!: (e: Error) => void;
  private lineAtNs: Nanoseconds | undefined;
  private markAtNs: Nanoseconds | undefined;
  private grace: NodeJS.Timeout | undefined;
  private settled = false;

  constructor(
    private readonly events: PhaseTimeline,
    private readonly marked: boolean,
  ) {
    this.ready = new Promise((res, rej) => ((this.resolve = res), (this.reject = rej)));
    this.ready.catch(() => undefined); // callers that never await ready must not crash the process
  }

  /** Whether the READY line was read (by us). */
  get seen(): boolean {
    return this.lineAtNs !== undefined;
  }

  /** Our read of the READY line. */
  line(atNs: Nanoseconds): void {
    if (this.lineAtNs !== undefined) return;
    this.lineAtNs = atNs;
    if (this.markAtNs !== undefined || !this.marked) return this.settle();
    this.grace = setTimeout(() => this.settle(), MARK_GRACE_MS);
  }

  /** A phase the launcher reported: recorded in the timeline; `ready` is its READY stamp. */
  launcherPhase(name: string, atNs: Nanoseconds): void {
    this.events.phases.push({ name, atNs });
    if (name === 'ready') this.mark(atNs);
  }

  /** The launcher's `ready` phase (already in events.phases). */
  mark(atNs: Nanoseconds): void {
    this.markAtNs ??= atNs;
    if (this.lineAtNs !== undefined) this.settle();
  }

  /** The instance is gone: ready (if the line was read) or rejected with `why`. */
  end(why: () => Error): void {
    if (this.lineAtNs !== undefined) this.settle();
    else if (!this.settled) {
      this.settled = true;
      this.reject(why());
    }
  }

  private settle(): void {
    if (this.settled || this.lineAtNs === undefined) return;
    this.settled = true;
    if (this.grace) clearTimeout(this.grace);
    if (this.markAtNs === undefined) this.events.phases.push({ name: 'ready', atNs: this.lineAtNs });
    this.resolve({ atNs: this.markAtNs ?? this.lineAtNs });
  }
}

/** How long a marked READY line waits for the launcher's stamp (it is sent first, so ~never). */
const MARK_GRACE_MS = 200;

/** The launcher's stamp of the first RESULT line if it gave one, else ours. */
export function resultAtNs(events: PhaseTimeline, ownAtNs: Nanoseconds): Nanoseconds {
  return events.phases.find((p) => p.name === 'result')?.atNs ?? ownAtNs;
}
