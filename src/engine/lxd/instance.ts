// One LXD instance: `lxc launch IMAGE NAME` (create + start: the container runs its init), then the
// workload through `lxc exec NAME -- argv` — both started by the resident launcher, like every
// other environment's processes. `lxc exec` and not the workload as the container's init: exec
// streams the workload's stdout and stderr apart (not through a pty console) and returns its exit
// code, which LXD does not report for an init. Start latency runs from before `lxc launch` to READY
// reaching the launcher; phases: `running` (lxc launch returned), the launcher's `helper`/`exec` for
// the `lxc exec` client, `ready`; after the end, `deleted` (`lxc delete --force` returned).
import { readFileSync, readlinkSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import type { ExitInfo, Instance, LaunchOptions, Limits, MemorySample, Phase } from '../environment.js';
import { HostError, UsageError } from '../../errors.js';
import { monoNs, type Nanoseconds } from '../../units.js';
import { spawnNsexec } from '../launcher/nsexec-spawn.js';
import { markArgs } from '../../workload/protocol.js';
import { readSmapsRollup, sumSmaps } from '../../measure/smaps.js';
import { launchBare, launcherEnvArgs } from '../bare/instance.js';
import { readLines, Tail } from '../line-stream.js';
import type { LxdDaemon } from './daemon.js';

export interface LxdTarget {
  daemon: LxdDaemon;
  lxc: string;
  imageAlias: string;
  /** A virtual machine (`--vm`) instead of a container. */
  vm: boolean;
}

const CFS_PERIOD_MS = 100;

/** `-c key=value` flags for the scenario's limits (LXD's instance keys). */
export function lxdLimitFlags(limits: Limits | undefined): string[] {
  if (!limits) return [];
  if (limits.cpuWeight !== undefined)
    throw new UsageError('lxd: limits.cpuWeight has no LXD equivalent', {
      hint: 'use cpus (limits.cpu.allowance) or drop cpuWeight for lxd',
    });
  const kv: string[] = [];
  if (limits.memoryBytes !== undefined) kv.push(`limits.memory=${limits.memoryBytes}B`);
  if (limits.cpus !== undefined)
    kv.push(`limits.cpu.allowance=${Math.round(limits.cpus * CFS_PERIOD_MS)}ms/${CFS_PERIOD_MS}ms`);
  if (limits.pids !== undefined) kv.push(`limits.processes=${limits.pids}`);
  if (limits.cpuset !== undefined)
    kv.push(
      `limits.cpu=${/^\d+$/.test(limits.cpuset) ? `${limits.cpuset}-${limits.cpuset}` : limits.cpuset}`,
    );
  return kv.flatMap((x) => ['-c', x]);
}

/** Runs `lxc ARGS` through the launcher to its end; its exit stamp and stderr tail. */
function launcherStep(
  t: LxdTarget,
  args: string[],
  timeoutMs: number,
): Promise<{ code: number | null; exitedNs: Nanoseconds; tail: string[] }> {
  let exitedNs: Nanoseconds | undefined;
  const child = spawnNsexec(['cwd', tmpdir(), ...launcherEnvArgs(t.daemon.env), '--', t.lxc, ...args], {
    stdout: 'pipe',
    stderr: 'pipe',
    onStatus: (m) => {
      if (m.kind === 'time' && m.phase === 'exited') exitedNs = m.atNs;
    },
  });
  const tail = new Tail(5);
  const out = readLines(child.stdout!, (l) => tail.push(l));
  const err = readLines(child.stderr!, (l) => tail.push(l));
  const timer = timeoutMs > 0 ? setTimeout(() => child.kill('SIGKILL'), timeoutMs) : undefined;
  return Promise.all([child.done, out, err]).then(([r]) => {
    if (timer) clearTimeout(timer);
    return { code: r.signal ? null : (r.exitCode ?? null), exitedNs: exitedNs ?? monoNs(), tail: tail.lines };
  });
}

export async function launchLxd(t: LxdTarget, opts: LaunchOptions): Promise<Instance> {
  const name = opts.instanceName;
  const limitFlags = lxdLimitFlags(opts.limits); // bad input before anything starts
  const del = async (): Promise<void> => {
    await t.daemon.lxc(['delete', '--force', name], { timeoutMs: 60_000 }).catch(() => undefined);
  };
  const launchNs = monoNs();
  const step = await launcherStep(
    t,
    ['launch', t.imageAlias, name, ...(t.vm ? ['--vm'] : []), ...limitFlags],
    opts.timeoutMs,
  );
  if (step.code !== 0) {
    await del();
    throw new HostError(
      `lxd: lxc launch ${name} failed: ${step.tail.slice(-2).join(' | ') || `exit ${step.code}`}`,
    );
  }
  const phases: Phase[] = [{ name: 'running', atNs: step.exitedNs }];
  const workEnv = Object.entries(opts.workload.env ?? {}).flatMap(([k, v]) => ['--env', `${k}=${v}`]);
  const args = [
    'cwd',
    tmpdir(),
    ...launcherEnvArgs(t.daemon.env),
    ...markArgs(),
    '--',
    t.lxc,
    'exec',
    name,
    '--force-noninteractive',
    ...workEnv,
    '--',
    ...opts.workload.argv,
  ];
  const remaining = opts.timeoutMs > 0 ? Math.max(1, opts.timeoutMs - Number(monoNs() - launchNs) / 1e6) : 0;
  const inst = launchBare({ ...opts, timeoutMs: remaining }, args, { launchNs, phases });
  const procs = new ContainerProcesses(t, name);
  let finalCpuNs: number | undefined;
  const exited: Promise<ExitInfo> = inst.exited.then(async (e) => {
    finalCpuNs = readPayloadCpuNs(name) ?? finalCpuNs; // the container's cgroup, before it goes
    await del();
    inst.events.phases.push({ name: 'deleted', atNs: monoNs() });
    return e;
  });
  let gone = false;
  void exited.then(() => (gone = true));
  return {
    name,
    events: inst.events,
    ready: inst.ready,
    exited,
    async sampleMemory(): Promise<MemorySample> {
      const pids = gone ? [] : await procs.list();
      const sum = await sumSmaps(pids);
      const engine = await readSmapsRollup(t.daemon.pid).catch(() => undefined);
      const cg = readPayloadMemoryBytes(name);
      return {
        ...sum,
        ...(cg !== undefined ? { cgroupBytes: cg } : {}),
        ...(engine ? { enginePssBytes: engine.pssBytes } : {}),
      };
    },
    async sampleCpu() {
      const atNs = monoNs();
      const live = gone ? undefined : readPayloadCpuNs(name);
      if (live !== undefined) return { cpuNs: live, atNs };
      await exited;
      if (finalCpuNs === undefined)
        throw new Error(`${name}: no CPU figure (the container's cgroup was not found)`);
      return { cpuNs: finalCpuNs, atNs };
    },
    async stop(reason?: string) {
      await inst.stop(reason);
      await exited;
    },
  };
}

/** The instance's host processes: the container's (its init's pid namespace) and LXD's per-instance
 * helpers that name it (`[lxc monitor] DIR/containers NAME`, `lxd forkexec NAME DIR/containers`). */
class ContainerProcesses {
  private initPid: number | undefined;
  constructor(
    private readonly t: LxdTarget,
    private readonly name: string,
  ) {}

  async list(): Promise<number[]> {
    this.initPid ??= await this.queryInitPid();
    const ns = nsOf(this.initPid);
    const dirPrefix = this.t.daemon.dir + '/';
    const out: number[] = [];
    for (const p of readdirSafe('/proc')) {
      if (!/^\d+$/.test(p)) continue;
      const pid = Number(p);
      if (pid === this.t.daemon.pid) continue;
      if (ns !== undefined && nsOf(pid) === ns) {
        out.push(pid);
        continue;
      }
      try {
        const argv = readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0');
        const namesDir = argv.some((a) => a.startsWith(dirPrefix)) || argv[0]?.includes(dirPrefix);
        if (namesDir && argv.join(' ').split(/\s+/).includes(this.name)) out.push(pid);
      } catch {
        /* gone */
      }
    }
    return out;
  }

  private async queryInitPid(): Promise<number | undefined> {
    const txt = await this.t.daemon.lxc(['query', `/1.0/instances/${this.name}/state`]).catch(() => '');
    try {
      const pid = (JSON.parse(txt) as { pid?: number }).pid;
      return pid && pid > 0 ? pid : undefined;
    } catch {
      return undefined;
    }
  }
}

function nsOf(pid: number | undefined): string | undefined {
  if (pid === undefined) return undefined;
  try {
    return readlinkSync(`/proc/${pid}/ns/pid`);
  } catch {
    return undefined;
  }
}

function readdirSafe(p: string): string[] {
  try {
    return readdirSync(p);
  } catch {
    return [];
  }
}

/** First readable of `paths`, trimmed. */
function readFirst(paths: string[]): string | undefined {
  for (const p of paths) {
    try {
      return readFileSync(p, 'utf8');
    } catch {
      /* next */
    }
  }
  return undefined;
}

/** CPU of the container's cgroup (`lxc.payload.NAME`): cgroup v2 cpu.stat or v1 cpuacct.usage. */
export function readPayloadCpuNs(name: string): number | undefined {
  const cg = `lxc.payload.${name}`;
  const v2 = readFirst([`/sys/fs/cgroup/${cg}/cpu.stat`, `/sys/fs/cgroup/unified/${cg}/cpu.stat`]);
  const usec = v2 && /^usage_usec (\d+)/m.exec(v2)?.[1];
  const v1 = readFirst([
    `/sys/fs/cgroup/cpuacct/${cg}/cpuacct.usage`,
    `/sys/fs/cgroup/cpu,cpuacct/${cg}/cpuacct.usage`,
  ]);
  if (v1 !== undefined && /^\d+/.test(v1.trim())) return Number(v1.trim());
  return usec ? Number(usec) * 1000 : undefined;
}

function readPayloadMemoryBytes(name: string): number | undefined {
  const cg = `lxc.payload.${name}`;
  const v = readFirst([
    `/sys/fs/cgroup/memory/${cg}/memory.usage_in_bytes`,
    `/sys/fs/cgroup/${cg}/memory.current`,
  ]);
  return v !== undefined && /^\d+/.test(v.trim()) ? Number(v.trim()) : undefined;
}
