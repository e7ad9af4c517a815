// One bare instance: the workload as a plain host process, started by the same resident launcher
// as containers (ctvm-nsexec serve; no namespaces, no root -> the launcher vforks + execs it, as
// posix_spawn does). Start latency = launch request -> the READY line reaching the launcher, which
// relays the workload's stdout to us (native `mark`); exit latency = launch request -> the
// launcher reaped the workload. Both ends are stamped by the launcher, a blocking reader.
import { tmpdir } from 'node:os';
import type { ExitInfo, Instance, LaunchOptions, PhaseTimeline } from '../environment.js';
import { prepareNsexec } from '../launcher/nsexec-spawn.js';
import { signalName, type StatusMessage } from '../launcher/nsexec-protocol.js';
import { readSmapsRollup } from '../../measure/smaps.js';
import { procCpuNs, threadsCpuNs } from '../../measure/cpu.js';
import { monoNs } from '../../units.js';
import { readLines, ReadyWatch } from '../line-stream.js';
import { WorkloadOutput } from '../workload-output.js';
import { markArgs } from '../../workload/protocol.js';
import { processTree } from './proc-tree.js';

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

/** The launcher's `env K=V` arguments for an environment. */
export function launcherEnvArgs(env: Record<string, string> | undefined): string[] {
  return Object.entries(env ?? {}).flatMap(([k, v]) => ['env', `${k}=${v}`]);
}

/** The launcher's argv for a bare run: working directory, environment, command. Nothing else. */
export function bareLaunchArgs(opts: Pick<LaunchOptions, 'workload'>, netnsPath?: string): string[] {
  const { file, args } = bareCommand(opts);
  // Network bridge: the process joins its own lab-wired netns (PRIVILEGED: setns), nothing else.
  const net = netnsPath ? ['netns', netnsPath] : [];
  return [...net, 'cwd', tmpdir(), ...launcherEnvArgs(opts.workload.env), ...markArgs(), '--', file, ...args];
}

/**
 * Start latency is measured from the request to the launcher (`launchNs` = just before that
 * write): a plain process needs nothing else from us. Everything of ours (streams, handlers,
 * timers, the Instance) is set up before it, so that no JavaScript competes on our CPU with the
 * launcher and the workload while they start (the kernel wakes the launcher on the writer's CPU).
 */
export function launchBare(
  opts: LaunchOptions,
  launchArgs = bareLaunchArgs(opts),
  /** When the launch began before this request (lxd: `lxc launch` first), and its phases so far. */
  earlier?: Pick<PhaseTimeline, 'launchNs' | 'phases'>,
): Instance {
  const events: PhaseTimeline = { launchNs: 0, phases: [...(earlier?.phases ?? [])], facts: {} };
  const watch = new ReadyWatch(events, true);
  let setupError: string | undefined;
  let pid: number | undefined; // the workload's (the launcher is its parent)
  // The launcher holds its status lines (P included) for up to 20 ms after the exec: samplers
  // taken right after READY wait for it.
  let resolvePid!: (p: number | undefined) => void;
  const pidKnown = new Promise<number | undefined>((r) => (resolvePid = r));
  let exitMsg: { code: number | null; signal: number | null; atNs: number } | undefined;
  let finalCpuNs: number | undefined;
  const onStatus = (m: StatusMessage): void => {
    if (m.kind === 'time')
      watch.launcherPhase(m.phase, m.atNs); // launcher .. ready .. exited
    else if (m.kind === 'pid') resolvePid((pid = m.pid));
    else if (m.kind === 'error') setupError = `ctvm-nsexec: ${m.op} ${m.path ?? ''}: ${m.errno}`;
    else if (m.kind === 'rusage')
      finalCpuNs = m.cpuNs; // the workload + its reaped children, ns
    else exitMsg = { code: m.code, signal: m.signal, atNs: monoNs() };
  };
  const child = prepareNsexec(launchArgs, { stdout: 'pipe', stderr: 'pipe', onStatus });
  const output = new WorkloadOutput(watch);
  const outDone = readLines(child.stdout!, output.line);
  const errDone = readLines(child.stderr!, output.other);

  let timedOut = false;
  let stoppedBy: string | undefined;
  // The workload itself, so its launcher reaps it and reports its CPU; the launcher before then.
  const kill = (): void => {
    if (pid === undefined || exitMsg) return child.kill('SIGKILL');
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  };
  const timer =
    opts.timeoutMs > 0 ? setTimeout(() => ((timedOut = true), kill()), opts.timeoutMs) : undefined;
  const exited: Promise<ExitInfo> = Promise.all([child.done, outDone, errDone]).then(([r]) => {
    if (timer) clearTimeout(timer);
    resolvePid(pid);
    // Exit = the launcher reaped the workload (its "exited" stamp; the same observer as READY's),
    // or when we learned of the end if the launcher was lost.
    const atNs = events.phases.find((p) => p.name === 'exited')?.atNs ?? monoNs();
    events.phases.push({ name: 'exit', atNs });
    const result = output.result(events);
    const failure = setupError ?? r.error;
    if (exitMsg === undefined && finalCpuNs === undefined) finalCpuNs = r.cpuNs; // launcher killed
    watch.end(() => {
      const why = failure ?? `exited (code ${r.exitCode ?? '-'}, signal ${r.signal ?? '-'})`;
      return new Error(
        `${opts.instanceName}: ${timedOut ? `timed out after ${opts.timeoutMs} ms` : why} before READY`,
      );
    });
    const code = exitMsg ? exitMsg.code : (r.exitCode ?? null);
    const signal = exitMsg
      ? exitMsg.signal === null
        ? null
        : signalName(exitMsg.signal)
      : (r.signal ?? null);
    return {
      atNs,
      code,
      signal,
      timedOut,
      oomKilled: false,
      ...(stoppedBy ? { stoppedBy } : {}),
      ...(result ? { result } : {}),
      outputTail: failure ? [...output.tail.lines, failure] : output.tail.lines,
    };
  });
  let gone = false;
  void exited.then(() => (gone = true));

  const instance: Instance = {
    name: opts.instanceName,
    events,
    ready: watch.ready,
    exited,
    async sampleMemory() {
      let pssBytes = 0;
      let rssBytes = 0;
      const root = pid ?? (await pidKnown);
      for (const p of root !== undefined && !gone ? processTree(root) : []) {
        const s = await readSmapsRollup(p).catch(() => null);
        if (s) {
          pssBytes += s.pssBytes;
          rssBytes += s.rssBytes;
        }
      }
      return { pssBytes, rssBytes };
    },
    async sampleCpu() {
      if (pid === undefined) await pidKnown;
      const atNs = monoNs();
      if (gone || pid === undefined) {
        if (!gone) await exited.catch(() => undefined);
        if (finalCpuNs === undefined)
          throw new Error(`${opts.instanceName}: no CPU figure (process not started or lost)`);
        return { cpuNs: finalCpuNs, atNs };
      }
      // Live: ns-resolution runtime of every thread in the tree (+ reaped children's ticks).
      let cpuNs = 0;
      for (const p of processTree(pid)) {
        const sched = threadsCpuNs(p);
        const reaped = await procCpuNs(p, true).catch(() => 0);
        const own = await procCpuNs(p, false).catch(() => 0);
        cpuNs += (sched ?? own) + (reaped - own);
      }
      return { cpuNs, atNs };
    },
    async stop(reason = 'stopped') {
      if (!gone) {
        if (stoppedBy === undefined && !exitMsg) stoppedBy = reason;
        kill();
      }
      await exited;
    },
  };
  const sentNs = child.start(); // the last thing we do: see above
  events.launchNs = earlier?.launchNs ?? sentNs;
  return instance;
}
