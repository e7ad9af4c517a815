// Splits an instance's output stream into lines, stamping each with the host monotonic time its
// bytes arrived (start latency ends when READY *reaches the host*, so the stamp is taken in the
// 'data' handler), and keeps a tail for error messages. Used by bare, container and oci instances.
import type { Readable } from 'node:stream';
import type { PhaseTimeline, ReadyInfo } from './environment.js';
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
