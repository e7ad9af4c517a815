// The Node side of `ctvm-nsexec serve` (protocol v2, native/README.md). Launchers connect to our
// unix socket for the command's stdout, stderr and status fd. Fast path: an idle pre-forked spare
// has connected them already; the request is written on its status connection. Slow path: the
// request goes to the server's stdin and it forks a launcher. S/D/F replies come on its stdout.
// Each launch moves through launch-state.ts's states. Starting the server is nsexec-spawn.ts's job.
import type { Server, Socket } from 'node:net';
import { PassThrough, type Readable, type Writable } from 'node:stream';
import { UsageError } from '../../errors.js';
import { readLines } from '../line-stream.js';
import { monoNs, type Nanoseconds } from '../../units.js';
import {
  decodeWaitStatus,
  encodeLaunchRequest,
  MAX_COMMAND_ARGS,
  NSEXEC_MAX_ARGS,
  NSEXEC_SPARES,
  parseServerReply,
  parseStatusLine,
  type OutputMode,
  type ServerReply,
  type StatusMessage,
  type StreamKind,
} from './nsexec-protocol.js';
import { transition, type LaunchEnd, type LaunchState } from './launch-state.js';

export type { LaunchEnd } from './launch-state.js';

export interface Launch {
  /** The launcher's pid (the command is its child); rejects if it never started. */
  readonly pid: Promise<number>;
  readonly stdout: Readable | null;
  readonly stderr: Readable | null;
  /** Resolves once the launcher is reaped AND its status connection is drained. Never rejects. */
  readonly done: Promise<LaunchEnd>;
  kill(signal: NodeJS.Signals): void;
}

/** A launch whose request is not sent yet (see LauncherSession.prepare). */
export interface PreparedLaunch extends Launch {
  /** Sends the request (once); returns the host monotonic time just before the write. */
  start(): Nanoseconds;
}

export interface LaunchOptions {
  stdout: OutputMode;
  stderr: OutputMode;
  onStatus: (m: StatusMessage) => void;
}

interface Pending {
  id: number;
  opts: LaunchOptions;
  streams: { out?: PassThrough; err?: PassThrough };
  connected: Set<StreamKind>;
  state: LaunchState;
  /** The launcher's, once the server's S reply (or the spare) named it. */
  pid?: number;
  /** A kill() before the pid was known: sent when it is. */
  killWith?: NodeJS.Signals;
  /** The command's CPU from the status stream ("U"). */
  cpuNs?: number;
  /** The server's D for this pid arrived: until then the pid stays routed to this launch. */
  serverReaped: boolean;
  grace?: NodeJS.Timeout;
  /** Grace periods extended because connections were still being routed (bounded). */
  graceRounds?: number;
  resolvePid: (pid: number) => void;
  rejectPid: (e: Error) => void;
  resolveDone: (e: LaunchEnd) => void;
}

/** How long a reaped launcher's missing connections may take to be accepted before we give up. */
const CONNECT_GRACE_MS = 1000;
/** A connection that never says whose it is cannot hold a launch forever: at most this many graces. */
const MAX_GRACE_ROUNDS = 10;
const KINDS = ['status', 'out', 'err'] as const;
/** A spare reads its request into a 64 KiB buffer (native/nsexec/serve.c); bigger ones take the fork. */
const SPARE_MAX_REQUEST_BYTES = 60 * 1024;

/** An idle pre-forked launcher's three connections ("spare <pid> <kind>"). */
type Spare = { pid: number } & Partial<Record<StreamKind, Socket>>;

export class LauncherSession {
  private nextId = 1;
  private readonly pending = new Set<Pending>();
  /** Connections accepted whose first line (whose stream it is) has not been read yet. */
  private unrouted = 0;
  /** Slow-path launches until the server's S reply names their launcher. */
  private readonly byId = new Map<number, Pending>();
  private readonly byPid = new Map<number, Pending>();
  private readonly spares = new Map<number, Spare>();
  private readonly settleWaiters = new Set<() => void>();
  private lost: string | undefined;
  /** Launches that found an idle spare (fast path) / went through the server's fork. */
  readonly counts = { spare: 0, forked: 0 };

  constructor(
    private readonly input: Writable,
    output: Readable,
    sockets: Server,
    /** Told when launches become pending / all are settled (to ref/unref the server's pipes). */
    private readonly setBusy: (busy: boolean) => void,
  ) {
    void readLines(output, (line) => {
      const r = parseServerReply(line);
      if (r) this.onReply(r);
    });
    sockets.on('connection', (s: Socket) => this.route(s));
  }

  /**
   * Resolves once the server's pool of idle spares is full again (each spare connects its streams
   * as its last act of set-up, so a full pool is a quiet one), or after `maxMs`. Callers about to
   * time a launch wait for this first: a refill running next to a launch slows it down.
   */
  settled(maxMs: number): Promise<void> {
    if (this.lost || this.idleSpares() >= NSEXEC_SPARES) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.settleWaiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, maxMs);
      this.settleWaiters.add(done);
    });
  }

  /** Pids of the idle spares we know of. */
  sparePids(): number[] {
    return [...this.spares.keys()];
  }

  private idleSpares(): number {
    let n = 0;
    for (const spare of this.spares.values()) if (KINDS.every((k) => spare[k] && !spare[k].destroyed)) n++;
    return n;
  }

  /** Why this session can no longer launch (the server is gone), or undefined. */
  get gone(): string | undefined {
    return this.lost;
  }

  /**
   * Everything a launch needs on our side (streams, promises, routing), without sending it:
   * `start()` writes the request and does nothing else. A caller that measures from the request
   * wires its own handlers in between, so no JavaScript runs on our CPU after the request is out
   * while the launcher (woken on this CPU, as the kernel prefers for a sync wake-up) wants it.
   */
  prepare(args: string[], opts: LaunchOptions): PreparedLaunch {
    if (this.lost) throw new Error(this.lost);
    // The helper exits on a request over its MAX_ARGS, taking every launch in flight with it.
    if (args.length > NSEXEC_MAX_ARGS)
      throw new UsageError(
        `a launch of ${args.length} arguments; ctvm-nsexec takes at most ${NSEXEC_MAX_ARGS}`,
        {
          hint: `give the command at most ${MAX_COMMAND_ARGS} arguments (and fewer mounts)`,
        },
      );
    const id = this.nextId++;
    const request = encodeLaunchRequest(id, opts.stdout, opts.stderr, args);
    const spare = request.length < SPARE_MAX_REQUEST_BYTES ? this.takeSpare() : undefined;
    let p!: Pending;
    const pid = new Promise<number>((resolvePid, rejectPid) => {
      p = {
        id,
        opts,
        streams: {},
        connected: new Set(),
        state: { kind: 'awaiting-pid' },
        serverReaped: false,
        resolvePid,
        rejectPid,
      } as Pending;
    });
    pid.catch(() => undefined);
    const done = new Promise<LaunchEnd>((resolve) => (p.resolveDone = resolve));
    if (opts.stdout === 'pipe') p.streams.out = new PassThrough();
    if (opts.stderr === 'pipe') p.streams.err = new PassThrough();
    this.pending.add(p);
    if (this.pending.size === 1) this.setBusy(true);
    // Routing is in place before the request leaves: nothing the launcher sends can be read
    // before our synchronous code returns anyway, and nothing of ours runs after the write.
    if (spare) {
      this.counts.spare++;
      this.assign(p, spare);
    } else {
      this.counts.forked++;
      this.byId.set(id, p);
    }
    let requestNs: number | undefined;
    return {
      pid,
      stdout: p.streams.out ?? null,
      stderr: p.streams.err ?? null,
      done,
      kill: (signal) => {
        // Ended: the pid may soon belong to someone else.
        if (p.state.kind === 'reaped' || p.state.kind === 'done') return;
        if (p.pid === undefined) p.killWith = signal;
        else killQuiet(p.pid, signal);
      },
      start: () => {
        if (requestNs !== undefined) return requestNs;
        requestNs = monoNs();
        if (this.lost) return requestNs; // fail() has settled p with the reason already
        if (spare) spare.status!.write(request);
        else this.input.write(request);
        return requestNs;
      },
    };
  }

  /** The server is gone: every pending launch ends with `why`; later launch() calls throw. */
  fail(why: string): void {
    if (this.lost) return;
    this.lost = why;
    for (const w of [...this.settleWaiters]) w();
    for (const spare of this.spares.values()) for (const k of KINDS) spare[k]?.destroy();
    this.spares.clear();
    for (const p of [...this.pending]) {
      p.rejectPid(new Error(why));
      this.ended(p, p.state.kind === 'reaped' ? p.state.end : lostEnd(why), true);
    }
  }

  private onReply(r: ServerReply): void {
    const p = r.kind === 'done' ? this.byPid.get(r.pid) : this.byId.get(r.id);
    if (!p) return; // e.g. an idle spare that died: its connections close by themselves
    if (r.kind === 'started') {
      this.byId.delete(r.id);
      this.started(p, r.pid);
      this.maybeFinish(p);
    } else if (r.kind === 'failed') {
      const error = `ctvm-nsexec serve: fork failed: ${r.errno}`;
      p.rejectPid(new Error(error));
      this.ended(p, lostEnd(error), true);
    } else {
      p.serverReaped = true;
      if (p.state.kind === 'done') return void this.byPid.delete(r.pid);
      this.ended(p, { ...decodeWaitStatus(r.waitStatus), cpuNs: r.cpuNs, reapedAtNs: monoNs() });
    }
  }

  private move(p: Pending, to: LaunchState): void {
    p.state = transition(p.state, to);
  }

  /**
   * The launch's end is known (the server's D replaces one learnt from X; a failure `forced`
   * stops the wait for connections and the status stream).
   */
  private ended(p: Pending, end: LaunchEnd, forced = false): void {
    const s = p.state;
    if (s.kind === 'done') return;
    const drained = s.kind === 'status-drained' || (s.kind === 'reaped' && s.drained);
    this.move(p, { kind: 'reaped', end, drained, forced: forced || (s.kind === 'reaped' && s.forced) });
    this.maybeFinish(p);
  }

  /** The status stream is over: at its "X" line (the end, unless D told it), or when it closed. */
  private statusDrained(p: Pending, exit?: { code: number | null; signal: number | null }): void {
    const s = p.state;
    if (s.kind === 'done' || s.kind === 'status-drained' || (s.kind === 'reaped' && s.drained)) return;
    if (s.kind === 'reaped') this.move(p, { ...s, drained: true });
    else if (exit) {
      const end = {
        exitCode: exit.code ?? 128 + (exit.signal ?? 0),
        signal: undefined,
        cpuNs: p.cpuNs,
        reapedAtNs: monoNs(),
      };
      this.move(p, { kind: 'reaped', end, drained: true, forced: false });
    } else this.move(p, { kind: 'status-drained' });
    this.maybeFinish(p);
  }

  private started(p: Pending, pid: number): void {
    if (p.state.kind === 'awaiting-pid') this.move(p, { kind: 'running' });
    p.pid = pid;
    this.byPid.set(pid, p);
    p.resolvePid(pid);
    if (p.killWith) killQuiet(pid, p.killWith);
  }

  /** An idle spare with all three connections, removed from the pool. */
  private takeSpare(): Spare | undefined {
    for (const [pid, spare] of this.spares) {
      if (!KINDS.every((k) => spare[k] && !spare[k].destroyed)) continue;
      this.spares.delete(pid);
      return spare;
    }
    return undefined;
  }

  /** Fast path: the spare's streams become the launch's (the request went on its status stream). */
  private assign(p: Pending, spare: Spare): void {
    for (const k of KINDS) {
      const sock = spare[k]!;
      sock.ref();
      p.connected.add(k);
      if (k === 'status') this.readStatus(p, sock, Buffer.alloc(0));
      else this.attachOutput(p, k, sock, Buffer.alloc(0));
    }
    this.started(p, spare.pid);
  }

  private attachOutput(p: Pending, kind: 'out' | 'err', sock: Socket, rest: Buffer): void {
    const out = p.streams[kind];
    if (!out) return void sock.resume(); // not piped: the launcher closes it (EOF) at once
    if (rest.length) out.write(rest);
    sock.pipe(out, { end: false });
    sock.on('close', () => out.end());
    sock.resume();
  }

  /**
   * Done = reaped AND every connection the launcher makes (status, piped out/err) routed AND
   * status drained. Connections are made before the launcher can exit, but may still sit in the
   * accept queue when its reap report arrives: missing ones get CONNECT_GRACE_MS, then are given up.
   */
  private maybeFinish(p: Pending): void {
    const s = p.state;
    if (s.kind !== 'reaped') return;
    const missing = KINDS.filter((k) => (k === 'status' || p.streams[k]) && !p.connected.has(k));
    if (!s.forced && (missing.length > 0 || !s.drained)) {
      if (missing.length > 0 && !p.grace) {
        p.grace = setTimeout(() => {
          // Timers run before the poll phase: connections queued while this process was not
          // scheduled (a loaded host) are accepted only after. Look again once they have been,
          // and wait longer while any accepted connection has not said whose it is yet.
          setImmediate(() => {
            p.graceRounds = (p.graceRounds ?? 0) + 1;
            if (this.unrouted > 0 && p.graceRounds < MAX_GRACE_ROUNDS) {
              p.grace = undefined;
              return this.maybeFinish(p);
            }
            giveUp();
          });
        }, CONNECT_GRACE_MS);
        p.grace.unref();
        const giveUp = () => {
          const now = p.state;
          if (now.kind !== 'reaped') return;
          const lostStatus = missing.includes('status') && !p.connected.has('status');
          const why = `launcher ${p.pid} exited (${describeEnd(now.end)}) without connecting its status stream`;
          const end = lostStatus ? { ...now.end, error: now.end.error ?? why } : now.end;
          this.move(p, { ...now, end, forced: true });
          this.maybeFinish(p);
        };
      }
      return;
    }
    this.move(p, { kind: 'done', end: s.end });
    this.pending.delete(p);
    // Until the server's D for it arrives, the pid stays ours (so that D is not misattributed).
    if (p.serverReaped && p.pid !== undefined && this.byPid.get(p.pid) === p) this.byPid.delete(p.pid);
    for (const [id, q] of this.byId) if (q === p) this.byId.delete(id);
    if (p.grace) clearTimeout(p.grace);
    // Streams whose connection never came (launcher killed early, server lost) end now.
    if (p.streams.out && !p.connected.has('out')) p.streams.out.end();
    if (p.streams.err && !p.connected.has('err')) p.streams.err.end();
    if (this.pending.size === 0) this.setBusy(false);
    p.resolveDone(s.end);
  }

  /** First line of every connection: "<id> <kind>" (slow path) or "spare <pid> <kind>". */
  private route(sock: Socket): void {
    sock.on('error', () => undefined); // a reset connection just ends (close follows)
    let head = Buffer.alloc(0);
    // Accepted, but its header line not read yet: a launcher's grace waits for these.
    this.unrouted++;
    let routed = false;
    const done = () => {
      if (routed) return;
      routed = true;
      this.unrouted--;
    };
    sock.once('close', done);
    const onData = (chunk: Buffer): void => {
      head = Buffer.concat([head, chunk]);
      const nl = head.indexOf(10);
      if (nl < 0) return void (head.length > 64 ? sock.destroy() : undefined);
      done();
      sock.off('data', onData);
      sock.pause();
      const m = /^(spare )?(\d+) (out|err|status)$/.exec(head.subarray(0, nl).toString());
      if (!m) return void sock.destroy();
      const kind = m[3] as StreamKind;
      if (m[1]) return this.addSpare(Number(m[2]), kind, sock);
      const p = this.byId.get(Number(m[2])) ?? [...this.byPid.values()].find((q) => q.id === Number(m[2]));
      if (!p || p.connected.has(kind)) return void sock.destroy();
      p.connected.add(kind);
      const rest = head.subarray(nl + 1);
      if (kind === 'status') this.readStatus(p, sock, rest);
      else this.attachOutput(p, kind, sock, rest);
      this.maybeFinish(p);
    };
    sock.on('data', onData);
  }

  private addSpare(pid: number, kind: StreamKind, sock: Socket): void {
    if (this.lost) return void sock.destroy();
    const spare = this.spares.get(pid) ?? { pid };
    this.spares.set(pid, spare);
    spare[kind]?.destroy();
    spare[kind] = sock;
    sock.unref(); // an idle spare never keeps Node alive
    if (this.settleWaiters.size > 0 && this.idleSpares() >= NSEXEC_SPARES)
      for (const w of [...this.settleWaiters]) w();
    sock.on('close', () => {
      // It died idle (or the server did): forget it and drop its other connections.
      if (this.spares.get(pid) !== spare) return;
      this.spares.delete(pid);
      for (const k of KINDS) spare[k]?.destroy();
    });
  }

  private readStatus(p: Pending, sock: Socket, rest: Buffer): void {
    if (rest.length > 0) sock.unshift(rest); // the bytes that came with the connection's header
    const read = readLines(sock, (line) => {
      const m = parseStatusLine(line);
      if (!m) return;
      if (m.kind === 'rusage') p.cpuNs = m.cpuNs;
      p.opts.onStatus(m);
      // "X" is always a launcher's last line: its status stream is drained.
      if (m.kind === 'exit') this.statusDrained(p, m);
    });
    void read.then(() => this.statusDrained(p));
    sock.resume(); // paused by route()
  }
}

function describeEnd(e: LaunchEnd): string {
  return e.signal ? `signal ${e.signal}` : `code ${e.exitCode}`;
}

function killQuiet(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    /* already gone */
  }
}

/** The end of a launch whose launcher never reported (fork failed, server lost). */
function lostEnd(error: string): LaunchEnd {
  return { exitCode: undefined, signal: undefined, cpuNs: undefined, reapedAtNs: undefined, error };
}
