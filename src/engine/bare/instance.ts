// One bare instance: the workload as a plain host process. Start latency = launch() call ->
// READY line read from the stdout pipe; exit latency = launch() -> process reaped.
import { execa } from 'execa';
import { tmpdir } from 'node:os';
import type { ExitInfo, Instance, LaunchOptions, PhaseTimeline, ReadyInfo, ResultLine } from '../environment.js';
import { readSmapsRollup } from '../../measure/smaps.js';
import { CLK_TCK, procCpuNs } from '../../measure/cpu.js';
import { monoNs } from '../../units.js';
import { parseResultLine, readLines, Tail } from './line-stream.js';
import { processTree, schedRuntimeNs, selfChildrenTicks } from './proc-tree.js';

/**
 * argv[0] resolved inside the rootfs dir: the same bytes the container and the VM run (host
 * programs' closures are byte copies, so the rootfs copy of sysbench is the host's sysbench).
 */
export function bareCommand(opts: Pick<LaunchOptions, 'workload'>): { file: string; args: string[] } {
  const [argv0, ...args] = opts.workload.argv;
  if (!argv0) throw new Error(`workload ${opts.workload.name} has an empty argv`);
  const file = opts.workload.rootfsDir + argv0;
  return { file, args };
}

export function launchBare(opts: LaunchOptions): Instance {
  const launchNs = monoNs();
  const events: PhaseTimeline = { launchNs, phases: [], facts: {} };
  const { file, args } = bareCommand(opts);
  const ticksAtLaunch = selfChildrenTicks();
  const child = execa(file, args, {
    env: opts.workload.env,
    extendEnv: false,
    cwd: tmpdir(),
    stdin: 'ignore',
    buffer: false,
    reject: false,
  });
  events.phases.push({ name: 'spawn', atNs: monoNs() });
  const tail = new Tail();
  let result: ResultLine | undefined;
  let resolveReady!: (r: ReadyInfo) => void;
  let rejectReady!: (e: Error) => void;
  const ready = new Promise<ReadyInfo>((res, rej) => ((resolveReady = res), (rejectReady = rej)));
  ready.catch(() => undefined); // callers that never await ready must not crash the process
  let readyAt: number | undefined;
  readLines(child.stdout!, (line, atNs) => {
    tail.push(line);
    if (readyAt === undefined && line === 'READY') {
      readyAt = atNs;
      events.phases.push({ name: 'ready', atNs });
      resolveReady({ atNs });
    }
    const fields = parseResultLine(line);
    if (fields) result = { atNs, fields };
  });
  readLines(child.stderr!, (line) => tail.push(line));

  let timedOut = false;
  let stoppedBy: string | undefined;
  let exitAtNs: number | undefined;
  let finalCpuNs: number | undefined;
  const timer = opts.timeoutMs > 0 ? setTimeout(() => ((timedOut = true), child.kill('SIGKILL')), opts.timeoutMs) : undefined;
  child.once('exit', () => {
    exitAtNs = monoNs();
    // libuv reaped the child just now, so its CPU time is in our cutime/cstime (10 ms ticks).
    finalCpuNs = ((selfChildrenTicks() - ticksAtLaunch) * 1e9) / CLK_TCK;
  });
  const exited: Promise<ExitInfo> = child.then((r) => {
    if (timer) clearTimeout(timer);
    const atNs = exitAtNs ?? monoNs();
    events.phases.push({ name: 'exit', atNs });
    if (readyAt === undefined) {
      const why = r.failed && r.exitCode === undefined ? (r.shortMessage ?? 'spawn failed') : `exited (code ${r.exitCode ?? '-'}, signal ${r.signal ?? '-'})`;
      rejectReady(new Error(`${opts.instanceName}: ${timedOut ? `timed out after ${opts.timeoutMs} ms` : why} before READY`));
    }
    return {
      atNs,
      code: r.exitCode ?? null,
      signal: r.signal ?? null,
      timedOut,
      oomKilled: false,
      ...(stoppedBy ? { stoppedBy } : {}),
      ...(result ? { result } : {}),
      outputTail: r.failed && r.exitCode === undefined && !r.signal ? [...tail.lines, r.shortMessage ?? 'spawn failed'] : tail.lines,
    };
  });
  let gone = false;
  void exited.then(() => (gone = true));

  return {
    name: opts.instanceName,
    events,
    ready,
    exited,
    async sampleMemory() {
      let pssBytes = 0;
      let rssBytes = 0;
      for (const pid of child.pid ? processTree(child.pid) : []) {
        const s = await readSmapsRollup(pid).catch(() => null);
        if (s) ((pssBytes += s.pssBytes), (rssBytes += s.rssBytes));
      }
      return { pssBytes, rssBytes };
    },
    async sampleCpu() {
      const atNs = monoNs();
      if (gone || !child.pid) {
        if (finalCpuNs === undefined) throw new Error(`${opts.instanceName}: no CPU figure (process not started)`);
        return { cpuNs: finalCpuNs, atNs };
      }
      // Live: ns-resolution runtime of every thread in the tree (+ reaped children's ticks).
      let cpuNs = 0;
      for (const pid of processTree(child.pid)) {
        const sched = schedRuntimeNs(pid);
        const reaped = await procCpuNs(pid, true).catch(() => 0);
        const own = await procCpuNs(pid, false).catch(() => 0);
        cpuNs += (sched ?? own) + (reaped - own);
      }
      return { cpuNs, atNs };
    },
    async stop(reason = 'stopped') {
      if (!gone) {
        if (exitAtNs === undefined && stoppedBy === undefined) stoppedBy = reason;
        child.kill('SIGKILL');
      }
      await exited;
    },
  };
}
