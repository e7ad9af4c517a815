// One docker instance: `docker run --rm --network none ...` started by the resident launcher like
// oci:* (so start latency is client -> dockerd -> containerd -> shim -> runc -> READY, and the
// client's stdout carries READY), its cgroup named by ctvm (--cgroup-parent <session>/<instance>,
// where runc makes the container's cgroup), its memory = the container's processes + their
// containerd shim, and dockerd's own create/start/die events added as phases after the fact.
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import type { Instance, Limits, LaunchOptions, MemorySample, PhaseTimeline } from '../environment.js';
import { HostError } from '../../errors.js';
import { monoNs } from '../../units.js';
import { markArgs } from '../../workload/protocol.js';
import { readSmapsRollup } from '../../measure/smaps.js';
import { prepareNsexec } from '../launcher/nsexec-spawn.js';
import { ReadyWatch } from '../line-stream.js';
import { containerInstance } from '../container/instance.js';
import { launcherEnvArgs } from '../bare/instance.js';
import type { ContainerExit } from '../container/lifecycle.js';
import { foregroundExit } from '../oci/launch.js';
import { weightToShares, type CgroupDriver, type CgroupStats } from '../container/cgroup/types.js';
import { daemonPids, removeCgroupTrees } from './daemon.js';
import { clientEnv } from './image.js';
import type { DockerSession } from './session.js';
import { dockerClient } from './target.js';

/** `docker run` flags for the scenario's limits (the same cgroup settings as the other engines). */
export function limitFlags(l: Limits = {}): string[] {
  const out: string[] = [];
  // Swap = the limit, as the container and OCI rows set it (no swap beyond memory).
  if (l.memoryBytes !== undefined)
    out.push('--memory', `${l.memoryBytes}b`, '--memory-swap', `${l.memoryBytes}b`);
  if (l.cpus !== undefined) out.push('--cpus', String(l.cpus));
  if (l.cpuWeight !== undefined) out.push('--cpu-shares', String(weightToShares(l.cpuWeight)));
  if (l.pids !== undefined) out.push('--pids-limit', String(l.pids));
  if (l.cpuset !== undefined) out.push('--cpuset-cpus', l.cpuset);
  return out;
}

/** `docker run` as ctvm runs every docker instance (the environment, doctor, the bench). */
export const RUN_FLAGS = [
  'run',
  '--rm',
  '--network',
  'none',
  // Never a registry: the image is imported, and ctvm sends no traffic beyond this host.
  '--pull',
  'never',
  // Docker's defaults otherwise (its capability set = ctvm's, its seccomp profile), plus
  // no-new-privileges as every other engine sets it.
  '--security-opt',
  'no-new-privileges',
] as const;

/** The client's arguments after `docker --host H`. */
export function runArgs(
  s: Pick<DockerSession, 'cgroupParent' | 'key'>,
  image: string,
  opts: LaunchOptions,
): string[] {
  const env = Object.entries(opts.workload.env ?? {}).flatMap(([k, v]) => ['--env', `${k}=${v}`]);
  return [
    ...RUN_FLAGS,
    '--name',
    opts.instanceName,
    '--label',
    `ctvm.session=${s.key}`,
    '--cgroup-parent',
    `/${s.cgroupParent}/${opts.instanceName}`,
    ...limitFlags(opts.limits),
    ...env,
    image,
    ...opts.workload.argv,
  ];
}

const ZERO: CgroupStats = { memoryBytes: 0, memoryPeakBytes: undefined, cpuNs: 0, pids: 0, oomKills: 0 };
/** dockerd events that are phases of a start, in the order they happen. */
const EVENT_PHASES = ['create', 'start', 'die'] as const;

export function launchDocker(
  s: DockerSession,
  image: string,
  opts: LaunchOptions,
  driver: CgroupDriver,
): Instance {
  const client = dockerClient();
  if (!client) throw new HostError('docker client not installed', { hint: 'apt-get install docker.io' });
  const name = opts.instanceName;
  const events: PhaseTimeline = { launchNs: 0, phases: [], facts: {} };
  const readyWatch = new ReadyWatch(events, true);
  const envArgs = launcherEnvArgs(clientEnv(s));
  const child = prepareNsexec(
    ['cwd', tmpdir(), ...envArgs, ...markArgs(), '--', client, '--host', s.host, ...runArgs(s, image, opts)],
    {
      stdout: 'pipe',
      stderr: 'pipe',
      onStatus: (m) => {
        if (m.kind === 'time') readyWatch.launcherPhase(m.phase, m.atNs);
      },
    },
  );
  let last: CgroupStats = ZERO;
  const cgroup = {
    // The instance's processes: the container's (its cgroup) and the shim that holds them.
    pids: (): number[] => {
      const inside = driver.open(name)?.pids() ?? [];
      return [...inside, ...shimsOf(inside)];
    },
    // The per-instance parent outlives the container's own cgroup (runc removes that at exit)
    // and keeps its CPU time: read until ctvm removes it.
    stats: (): CgroupStats => (last = driver.open(name)?.stats() ?? last),
  };
  let stoppedBy: string | undefined;
  let timedOut = false;
  const timer =
    opts.timeoutMs > 0
      ? setTimeout(() => ((timedOut = true), void stop('timeout')), opts.timeoutMs)
      : undefined;
  const wallAtLaunchS = (): number => (events.launchNs + s.wallMinusMonoNs) / 1e9;

  const exited = (async (): Promise<ContainerExit> => {
    const r = await child.done;
    if (timer) clearTimeout(timer);
    const atNs = monoNs();
    events.phases.push({ name: 'exit', atNs });
    // A killed client leaves its container to the daemon: remove it (absent = already gone).
    await s.api.forceRemove(name).catch(() => undefined);
    cgroup.stats();
    await driver
      .open(name)
      ?.remove()
      .catch(() => undefined);
    removeCgroupTrees(`${s.cgroupParent}/${name}`);
    // Without them the sample still has its start and exit; the missing phases are noted.
    await addEventPhases(s, name, events, wallAtLaunchS()).catch(
      () => (events.facts.dockerEventsMissing = 1),
    );
    // `docker run` exits with the container's status (125-127: docker itself failed).
    return foregroundExit(r, atNs, last, timedOut, stoppedBy);
  })();

  async function stop(reason = 'stop'): Promise<void> {
    stoppedBy ??= reason;
    // The daemon kills and removes the container; its client then exits by itself.
    const removed = await s.api.forceRemove(name).then(
      () => true,
      () => false,
    );
    if (!removed)
      await driver
        .open(name)
        ?.killAll()
        .catch(() => undefined);
    child.kill('SIGKILL');
    await exited;
  }

  const inst = containerInstance({
    name,
    events,
    readyWatch,
    stdout: child.stdout,
    stderr: child.stderr,
    cgroup,
    exited,
    stop,
  });
  const sampleMemory = async (): Promise<MemorySample> => {
    const m = await inst.sampleMemory();
    if (s.dockerdPid === undefined) return m;
    let enginePssBytes = 0;
    for (const pid of daemonPids(s.dockerdPid))
      enginePssBytes += (await readSmapsRollup(pid).catch(() => undefined))?.pssBytes ?? 0;
    return { ...m, enginePssBytes };
  };
  events.launchNs = child.start(); // the last thing we do (see bare/instance.ts)
  return { ...inst, sampleMemory };
}

/** Parents of the container's processes that are not in it: its containerd shim. */
function shimsOf(pids: number[]): number[] {
  const inside = new Set(pids);
  const out = new Set<number>();
  for (const pid of pids) {
    const ppid = parentOf(pid);
    if (ppid !== undefined && !inside.has(ppid) && ppid > 1) out.add(ppid);
  }
  return [...out];
}

function parentOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}

/**
 * dockerd's create/start/die events of the container, on the host monotonic clock: they carry
 * dockerd's wall-clock time, turned into ours with the session's offset (read once per run).
 */
async function addEventPhases(
  s: DockerSession,
  name: string,
  events: PhaseTimeline,
  sinceS: number,
): Promise<void> {
  // `until` must not lie ahead: the daemon would hold the answer until then.
  const list = await s.api.containerEvents(name, Math.floor(sinceS) - 1, Date.now() / 1000);
  for (const action of EVENT_PHASES) {
    const e = list.find((x) => x.action === action);
    if (e) events.phases.push({ name: `dockerd-${action}`, atNs: e.timeNano - s.wallMinusMonoNs });
  }
}
