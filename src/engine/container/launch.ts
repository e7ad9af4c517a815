// launchContainer(): state dir -> cgroup with limits -> helper (namespaces, overlay, pivot_root,
// cgroup join, exec) -> exit -> cgroup stats -> kill-all -> remove cgroup and state dir.
import type { Readable } from 'node:stream';
import { ReadyWatch } from '../line-stream.js';
import { SystemError } from '../../errors.js';
import { monoNs } from '../../units.js';
import type { PhaseTimeline } from '../environment.js';
import type { Cgroup, CgroupDriver } from './cgroup/types.js';
import { isActive, transition, type ContainerExit, type ContainerState } from './lifecycle.js';
import { buildNsexecArgs, type InstanceLayout } from './nsexec-args.js';
import { NSEXEC_EXIT_SETUP, signalName } from '../launcher/nsexec-protocol.js';
import { spawnNsexec, type NsexecProcess, type OutputMode } from '../launcher/nsexec-spawn.js';
import { requireRoot, validateSpec, type ContainerSpec } from './spec.js';
import { createStateDir, leasedPaths, removeStateDir } from './state-dir.js';

export interface LaunchContainerOptions {
  driver: CgroupDriver;
  stdout?: OutputMode;
  stderr?: OutputMode;
  /** Killed (timedOut: true) when still running this long after launch; 0 = never. */
  timeoutMs?: number;
  stateRoot?: string;
}

export interface Container {
  readonly name: string;
  readonly events: PhaseTimeline;
  /** When READY came: the launcher's stamp when it relays output (spec.outputMarks), else ours. */
  readonly readyWatch: ReadyWatch;
  readonly cgroup: Cgroup;
  /** The launcher process's pid (the parent of PID 1); rejects if it never started. */
  readonly helperPid: Promise<number>;
  readonly stdout: Readable | null;
  readonly stderr: Readable | null;
  state(): ContainerState;
  /** Host pid of the container's PID 1; rejects with the helper's SystemError if setup failed. */
  readonly initPid: Promise<number>;
  /** Resolves once the container is gone AND removed (cgroup, state dir). Never rejects. */
  readonly exited: Promise<ContainerExit>;
  /** Idempotent: kills everything in the cgroup, waits for removal. */
  stop(reason?: string): Promise<void>;
}

/** Validates, creates state + cgroup, starts the helper. Throws UsageError before touching the host. */
export function launchContainer(spec: ContainerSpec, opts: LaunchContainerOptions): Container {
  const launchNs = monoNs();
  validateSpec(spec);
  requireRoot();
  const events: PhaseTimeline = { launchNs, phases: [], facts: {} };
  const layout = createStateDir(spec.name, opts.driver.version, opts.stateRoot, leasedPaths(spec));
  let cgroup: Cgroup;
  try {
    cgroup = opts.driver.create(spec.name, spec.limits); // PRIVILEGED: mkdir in cgroupfs
  } catch (err) {
    removeStateDir(spec.name, opts.stateRoot);
    throw err;
  }
  events.phases.push({ name: 'prepared', atNs: monoNs() });
  try {
    return start(spec, opts, layout, cgroup, events);
  } catch (err) {
    void cgroup.remove().finally(() => removeStateDir(spec.name, opts.stateRoot));
    throw err;
  }
}

function start(
  spec: ContainerSpec,
  opts: LaunchContainerOptions,
  layout: InstanceLayout,
  cgroup: Cgroup,
  events: PhaseTimeline,
): Container {
  let state: ContainerState = { status: 'launching' };
  let setupError: SystemError | undefined;
  let exitMsg: { code: number | null; signal: number | null } | undefined;
  let stoppedBy: string | undefined;
  let timedOut = false;
  let resolvePid!: (pid: number) => void;
  let rejectPid!: (e: Error) => void;
  const initPid = new Promise<number>((res, rej) => ((resolvePid = res), (rejectPid = rej)));
  initPid.catch(() => undefined); // observed through exited.setupError when nobody awaits it

  const readyWatch = new ReadyWatch(events, spec.outputMarks.length > 0);
  const args = buildNsexecArgs(spec, layout, cgroup.procsFiles, cgroup.deviceProgramDir);
  const helper: NsexecProcess = spawnNsexec(args, {
    stdout: opts.stdout ?? 'pipe',
    stderr: opts.stderr ?? 'pipe',
    onStatus: (m) => {
      if (m.kind === 'time') readyWatch.launcherPhase(m.phase, m.atNs);
      else if (m.kind === 'pid') {
        state = transition(state, { status: 'running', pid: m.pid });
        resolvePid(m.pid);
      } else if (m.kind === 'error') setupError = new SystemError(`${m.stage}: ${m.op}`, m.path, m.errno);
      else if (m.kind === 'exit') exitMsg = m;
    },
  });

  const timer =
    opts.timeoutMs && opts.timeoutMs > 0
      ? setTimeout(() => {
          timedOut = true;
          void stop('timeout');
        }, opts.timeoutMs)
      : undefined;

  const exited = helper.done.then(async (r): Promise<ContainerExit> => {
    if (timer) clearTimeout(timer);
    const atNs = monoNs();
    const stats = safe(() => cgroup.stats());
    let code = exitMsg?.code ?? null;
    let signal = exitMsg?.signal != null ? signalName(exitMsg.signal) : null;
    // No status report at all (launcher or resident server lost): that is the setup error.
    if (!exitMsg && !setupError && r.error) setupError = new SystemError(r.error, undefined, undefined);
    if (!exitMsg) {
      code = setupError ? NSEXEC_EXIT_SETUP : (r.exitCode ?? null);
      signal = r.signal ?? null;
    }
    const exit: ContainerExit = {
      atNs,
      code,
      signal,
      oomKilled: (stats?.oomKills ?? 0) > 0,
      timedOut,
      ...(stoppedBy !== undefined ? { stoppedBy } : {}),
      ...(setupError ? { setupError } : {}),
      ...(stats ? { stats } : {}),
    };
    if (setupError) rejectPid(setupError);
    else rejectPid(new Error(`container ${spec.name} exited before it started`));
    state = transition(state, { status: 'exited', exit });
    events.phases.push({ name: 'exit', atNs });
    try {
      await cgroup.remove();
    } catch (err) {
      exit.cleanupError = err instanceof Error ? err.message : String(err);
    }
    removeStateDir(spec.name, opts.stateRoot);
    state = transition(state, { status: 'removed', exit });
    return exit;
  });

  async function stop(reason = 'stop'): Promise<void> {
    if (isActive(state)) {
      stoppedBy ??= reason;
      // Everything in the cgroup dies; PID 1 dying takes the whole pid namespace with it.
      await cgroup.killAll().catch(() => undefined);
      // Before the cgroup join the child is not in the cgroup yet: the helper's death kills it.
      const t = setTimeout(() => helper.kill('SIGKILL'), 200);
      await exited;
      clearTimeout(t);
    }
    await exited;
  }

  return {
    name: spec.name,
    events,
    readyWatch,
    cgroup,
    helperPid: helper.pid,
    stdout: helper.stdout,
    stderr: helper.stderr,
    state: () => state,
    initPid,
    exited,
    stop,
  };
}

function safe<T>(f: () => T): T | undefined {
  try {
    return f();
  } catch {
    return undefined;
  }
}
