// One QEMU guest: spawn -> QMP greeting -> console -> /init -> READY -> power-off -> exit, on the
// host monotonic clock; boot timer, memory/CPU sampling, idempotent stop, nothing left behind.
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { rmSync, statSync } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import { HostError, errorMessage } from '../../errors.js';
import { monoNs, type Nanoseconds } from '../../units.js';
import type {
  CpuSample,
  ExitInfo,
  Instance,
  MemorySample,
  PhaseTimeline,
  ReadyInfo,
  ResultLine,
} from '../environment.js';
import { ConsoleLines, parseConsoleLine, type GuestMemReport } from './console-parser.js';
import { MEM_REQUEST } from './init-script.js';
import { qemuArgs, type QemuLaunchConfig } from './qemu-args.js';
import type { QmpClient } from './qmp-client.js';
import { killAndRemove, track } from '../reaper.js';
import { inNetns } from '../../net/in-netns.js';
import { dieWithOwner } from '../../util/die-with-owner.js';
import { createVmStateDir, recordQemu } from './vm-state.js';
import { createOverlays } from './distro/overlay.js';
import { bootPhases } from './distro/boot-phases.js';

export interface VmSpec {
  name: string;
  launchNs: Nanoseconds;
  timeoutMs: number;
  qemuPath: string;
  config: Omit<QemuLaunchConfig, 'qmpSocket'>;
  /** Called with every console line (CLI passthrough, debugging). */
  onConsoleLine?: (line: string) => void;
  /** Cached raw disk images, attached as virtio-blk through per-instance qcow2 overlays. */
  disks?: string[];
  /** Network bridge: qemu runs in the lab netns, where its tap (config.net.tap) is. */
  netnsPath?: string;
  /** Network bridge: the guest's address on the lab bridge. */
  labIp?: string;
  /** What the instance's I/O needs undone once qemu is gone (tap, scratch image): before `exited`. */
  release?: () => Promise<void>;
}

type GuestMem = GuestMemReport;

/**
 * What an instance needs only once qemu runs (QMP, CPU and memory sampling): loaded while the guest
 * boots, not before the spawn, which `ctvm vm run` waits for. One load per process.
 */
const loadAfterSpawn = () =>
  Promise.all([
    import('./qmp-client.js'),
    import('../../measure/cpu.js'),
    import('../../measure/smaps.js'),
    import('./memory-split.js'),
  ]).then(([qmp, cpu, smaps, split]) => ({
    QmpClient: qmp.QmpClient,
    threadsCpuNs: cpu.threadsCpuNs,
    readSmapsByMapping: smaps.readSmapsByMapping,
    splitQemuMemory: split.splitQemuMemory,
  }));
let afterSpawnCode: ReturnType<typeof loadAfterSpawn> | undefined;
const afterSpawn = () => (afterSpawnCode ??= loadAfterSpawn());
const MEM_ANSWER_TIMEOUT_MS = 5000;
const STDERR_LIMIT = 16 * 1024;

export class VmInstance implements Instance {
  readonly name: string;
  readonly events: PhaseTimeline;
  readonly labIp: string | undefined;
  readonly ready: Promise<ReadyInfo>;
  readonly exited: Promise<ExitInfo>;
  /** qemu's pid (for process-table checks and measurement). */
  readonly pid: number;
  /**
   * Per-instance state dir (vm-state.ts) holding the QMP socket and the owner record `ctvm gc`
   * reads; unique, so it also identifies this qemu in the process table.
   */
  readonly dir: string;
  readonly qmpSocket: string;
  qmp: QmpClient | null = null;

  private readonly child: ChildProcessByStdio<Writable, Readable, Readable>;
  private readonly console: ConsoleLines;
  private stderr = '';
  private guestExitCode: number | null = null;
  private result: ResultLine | undefined;
  private stoppedBy: string | undefined;
  private timedOut = false;
  private gone = false;
  private lastCpuNs = 0;
  private memWaiters: Array<(m: GuestMem) => void> = [];
  private resolveReady!: (r: ReadyInfo) => void;
  private rejectReady!: (e: Error) => void;
  private readonly timer: NodeJS.Timeout | undefined;
  private readonly untrack: () => void;

  constructor(private readonly spec: VmSpec) {
    this.name = spec.name;
    this.labIp = spec.labIp;
    this.events = { launchNs: spec.launchNs, phases: [], facts: {} };
    // The record (with its lease on kernel and initramfs) exists before qemu does.
    const disks = spec.disks ?? [];
    const state = createVmStateDir(spec.name, [spec.config.kernelPath, spec.config.initrdPath, ...disks]);
    this.dir = state.dir;
    this.qmpSocket = state.qmpSocket;
    this.ready = new Promise<ReadyInfo>((res, rej) => {
      this.resolveReady = res;
      this.rejectReady = rej;
    });
    this.ready.catch(() => undefined); // observed by callers that care; never unhandled
    this.console = new ConsoleLines((line) => this.onLine(line));
    let cmd: ReturnType<typeof dieWithOwner>;
    try {
      const extraArgs = [...(spec.config.extraArgs ?? []), ...createOverlays(this.dir, disks)];
      cmd = dieWithOwner(spec.qemuPath, qemuArgs({ ...spec.config, qmpSocket: this.qmpSocket, extraArgs }));
      if (spec.netnsPath) cmd = inNetns(spec.netnsPath, cmd.file, cmd.args);
    } catch (err) {
      this.cleanupFiles();
      throw err;
    }
    this.untrack = track(this);
    // node:child_process rather than execa: `ctvm vm run` pays every import before the guest
    // starts, and execa's costs ~100 ms. qemu dies with us through setpriv's PDEATHSIG and the
    // reaper (track above), which is what execa's `cleanup` added.
    this.child = spawn(cmd.file, cmd.args, { stdio: ['pipe', 'pipe', 'pipe'] });
    // 'close' comes after 'exit' and after stdout/stderr have ended, so every console line has
    // been seen; a spawn failure emits 'error' and then 'close' (code -2 style), never only 'exit'.
    const closed = new Promise<{ code: number | null; signal: string | null; error?: Error }>((resolve) => {
      let error: Error | undefined;
      this.child.once('error', (err) => (error = err));
      this.child.once('close', (code, signal) => resolve({ code, signal, ...(error ? { error } : {}) }));
    });
    if (this.child.pid === undefined) {
      this.cleanupFiles();
      this.untrack();
      throw new HostError(`could not spawn ${spec.qemuPath}`, { hint: 'apt-get install qemu-system-x86' });
    }
    this.pid = this.child.pid;
    this.phase('spawn');
    afterSpawn().catch(() => undefined); // a failure surfaces where the code is used
    recordQemu(this.dir, state.record, this.pid); // now `ctvm gc` can end it if we die
    this.child.stdout.on('data', (chunk: Buffer) => {
      if (this.console.bytes === 0) this.phase('console');
      this.console.push(chunk);
    });
    this.child.stderr.on('data', (chunk: Buffer) => {
      if (this.stderr.length < STDERR_LIMIT) this.stderr += chunk.toString('utf8');
    });
    this.child.stdin.on('error', () => undefined); // EPIPE when qemu is gone
    if (spec.timeoutMs > 0) {
      const remaining = Math.max(1, spec.timeoutMs - (monoNs() - spec.launchNs) / 1e6);
      this.timer = setTimeout(() => {
        this.timedOut = true;
        this.kill();
      }, remaining);
    }
    this.exited = closed.then((r) =>
      r.error ? this.finish(undefined, errorMessage(r.error)) : this.finish(r.code ?? undefined, r.signal),
    );
  }

  /** Waits for the QMP greeting; throws (after cleaning up) if qemu exits first, with its stderr. */
  async connectQmp(): Promise<void> {
    const early = this.exited.then((e) => e);
    const outcome = await Promise.race([
      afterSpawn()
        .then(({ QmpClient }) => QmpClient.connect(this.qmpSocket, 30_000))
        .then(
          (c) => ({ client: c }),
          (err: unknown) => ({ err }),
        ),
      early.then((exit) => ({ exit })),
    ]);
    if ('client' in outcome) {
      this.qmp = outcome.client;
      this.phaseAt('qmp', outcome.client.greetingAtNs);
      if (this.gone) outcome.client.close();
      return;
    }
    // A QMP error usually means qemu is exiting: give it a moment so the error names the exit.
    const exit =
      'exit' in outcome ? outcome.exit : await Promise.race([this.exited, sleep(1000).then(() => null)]);
    await this.stop('qmp failed');
    const stderr = this.stderr.trim();
    const status = this.events.facts.qemuExitStatus;
    const why =
      exit && !exit.stoppedBy
        ? `qemu exited (${status !== undefined ? `status ${status}` : describeExit(exit)}) during start-up`
        : errorMessage('err' in outcome ? outcome.err : 'QMP failed');
    throw new HostError(`${why}${stderr ? `: ${stderr.split('\n').slice(-5).join(' | ')}` : ''}`, {
      hint: 'check the vm options (machine, accel, memory) and the kernel file',
    });
  }

  private phase(name: string): void {
    this.phaseAt(name, monoNs());
  }

  private phaseAt(name: string, atNs: Nanoseconds): void {
    this.events.phases.push({ name, atNs });
  }

  private onLine(line: string): void {
    this.spec.onConsoleLine?.(line);
    const ev = parseConsoleLine(line);
    if (!ev) return;
    switch (ev.kind) {
      case 'init':
        this.phase('init');
        this.events.facts.guestUptimeAtInitNs = Math.round(ev.uptimeS * 1e9);
        this.events.facts.guestMemTotalBytes = ev.memTotalBytes;
        this.events.facts.guestMemAvailableAtInitBytes = ev.memAvailableBytes;
        break;
      case 'ready': {
        const atNs = monoNs();
        if (!this.events.phases.some((p) => p.name === 'ready')) this.phaseAt('ready', atNs);
        this.resolveReady({ atNs });
        break;
      }
      case 'boot': {
        const boot = bootPhases(ev.fields, monoNs());
        if (boot) {
          this.events.phases.push(...boot.phases);
          Object.assign(this.events.facts, boot.facts);
        }
        break;
      }
      case 'result':
        this.result = { atNs: monoNs(), fields: ev.fields };
        break;
      case 'mem':
        for (const w of this.memWaiters.splice(0)) w(ev);
        break;
      case 'exit':
        this.phase('poweroff');
        // qemu is about to exit: this is the last moment its CPU time can be read.
        this.sampleCpu().catch(() => undefined);
        this.guestExitCode = ev.code;
        break;
    }
  }

  private async finish(status: number | undefined, signal: string | null): Promise<ExitInfo> {
    const atNs = monoNs();
    this.gone = true;
    this.phaseAt('exit', atNs);
    if (this.timer) clearTimeout(this.timer);
    this.console.flush();
    this.qmp?.close();
    this.cleanupFiles();
    this.untrack();
    const tail = [...this.console.tail];
    if (this.spec.release)
      await this.spec
        .release()
        .catch((err: unknown) => tail.push(`ctvm: releasing I/O: ${errorMessage(err)}`));
    const stderr = this.stderr.trim();
    if (stderr)
      tail.push(
        ...stderr
          .split('\n')
          .slice(-5)
          .map((l) => `qemu: ${l}`),
      );
    const info: ExitInfo = {
      atNs,
      code: this.guestExitCode,
      signal: this.guestExitCode === null ? signal : null,
      timedOut: this.timedOut,
      oomKilled: false,
      ...(this.stoppedBy !== undefined ? { stoppedBy: this.stoppedBy } : {}),
      ...(this.result ? { result: this.result } : {}),
      outputTail: tail.slice(-20),
    };
    if (status !== undefined) this.events.facts.qemuExitStatus = status;
    const why = this.timedOut
      ? `guest timed out after ${this.spec.timeoutMs} ms without READY`
      : this.stoppedBy
        ? `stopped (${this.stoppedBy}) before READY`
        : this.guestExitCode !== null
          ? `workload exited with code ${this.guestExitCode} without printing READY`
          : `qemu exited (${describeExit({ ...info, code: status ?? null })}) before READY${unpackHint(tail, this.spec.config)}`;
    this.rejectReady(
      new HostError(`${this.name}: ${why}`, {
        hint: tail.length ? `last console: ${tail.slice(-3).join(' | ')}` : 'console stayed silent',
      }),
    );
    for (const w of this.memWaiters.splice(0))
      w({ kind: 'mem', uptimeS: NaN, memTotalBytes: NaN, memAvailableBytes: NaN });
    return info;
  }

  private cleanupFiles(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }

  private kill(): void {
    if (this.gone) return;
    try {
      this.child.kill('SIGKILL');
    } catch {
      /* already gone */
    }
  }

  /** Idempotent: kills qemu (if still running), waits for it, removes the temp dir. */
  async stop(reason = 'stopped'): Promise<void> {
    if (!this.gone && this.stoppedBy === undefined && !this.timedOut) this.stoppedBy = reason;
    this.kill();
    await this.exited;
  }

  killSync(): void {
    if (!this.gone) killAndRemove(this.pid, this.dir);
    else this.cleanupFiles();
  }

  /** Asks /init for MemTotal/MemAvailable over the serial line; null if the guest does not answer. */
  async guestMemory(timeoutMs = MEM_ANSWER_TIMEOUT_MS): Promise<GuestMem | null> {
    if (this.gone) return null;
    const answer = new Promise<GuestMem | null>((resolve) => {
      const t = setTimeout(() => resolve(null), timeoutMs);
      t.unref();
      this.memWaiters.push((m) => {
        clearTimeout(t);
        resolve(Number.isFinite(m.memTotalBytes) ? m : null);
      });
    });
    this.child.stdin.write(MEM_REQUEST);
    return answer;
  }

  async sampleMemory(): Promise<MemorySample> {
    const guest = await this.guestMemory();
    const { readSmapsByMapping, splitQemuMemory } = await afterSpawn();
    const maps = await readSmapsByMapping(this.pid);
    const split = splitQemuMemory(maps, this.spec.config.memoryBytes, [
      this.spec.config.kernelPath,
      this.spec.config.initrdPath,
    ]);
    return {
      pssBytes: maps.reduce((s, m) => s + m.pssBytes, 0),
      rssBytes: maps.reduce((s, m) => s + m.rssBytes, 0),
      ...(guest
        ? { guestTotalBytes: guest.memTotalBytes, guestAvailableBytes: guest.memAvailableBytes }
        : {}),
      split,
    };
  }

  /** qemu's CPU time (all threads, ns resolution); after exit, the last value read before it. */
  async sampleCpu(): Promise<CpuSample> {
    const { threadsCpuNs } = await afterSpawn();
    const now = threadsCpuNs(this.pid);
    if (now !== null && !this.gone) this.lastCpuNs = now;
    return { cpuNs: this.lastCpuNs, atNs: monoNs() };
  }
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function describeExit(e: { code: number | null; signal: string | null }): string {
  if (e.signal) return `signal ${e.signal}`;
  return `status ${e.code ?? '?'}`;
}

/**
 * The kernel unpacks the initramfs into RAM next to the compressed image: a workload with a big
 * closure (fio's libraries: ~90 MiB) does not fit a small guest, and the kernel then panics with
 * no root. Say so, with the sizes, rather than only "qemu exited".
 */
export function unpackHint(
  console: readonly string[],
  config: { initrdPath: string; memoryBytes: number },
): string {
  if (!console.some((l) => l.includes('Initramfs unpacking failed'))) return '';
  let size = 0;
  try {
    size = statSync(config.initrdPath).size;
  } catch {
    /* gone: say it without the size */
  }
  const mib = (b: number) => `${Math.round(b / 2 ** 20)} MiB`;
  return (
    `: the guest's ${mib(config.memoryBytes)} of RAM could not hold the unpacked initramfs` +
    (size ? ` (${mib(size)}, which needs about twice that while it unpacks)` : '') +
    `; give the VM more memory (e.g. memory: ${Math.max(512, 2 ** Math.ceil(Math.log2((3 * size) / 2 ** 20 + 64)))}M)`
  );
}
