// Runs a ContainerSpec under runc or crun: writes the bundle's config.json into the instance's
// state dir (root.path = the shared rootfs, read-only), `<runtime> run`, and cleans up after.
// `<runtime> run` is started by the same resident launcher as bare and container instances (a
// plain launch, with the same output marks), so every environment's start latency is measured
// by one mechanism and none pays Node's own spawn (~10 ms here); `delete` is not timed and uses
// execa.
import { join } from 'node:path';
import { ReadyWatch } from '../line-stream.js';
import { execa } from 'execa';
import { spawnNsexec, type LaunchEnd } from '../launcher/nsexec-spawn.js';
import { markArgs } from '../../workload/protocol.js';
import { SystemError } from '../../errors.js';
import { monoNs } from '../../units.js';
import type { PhaseTimeline } from '../environment.js';
import { crunInvocation } from '../../host/crun-workaround.js';
import { which } from '../../util/which.js';
import { HostError } from '../../errors.js';
import type { CgroupDriver, CgroupStats } from '../container/cgroup/types.js';
import type { ContainerExit } from '../container/lifecycle.js';
import type { InstanceSource } from '../container/instance.js';
import { validateSpec, type ContainerSpec } from '../container/spec.js';
import { createStateDir, leasedPaths, removeStateDir } from '../container/state-dir.js';
import { specToOciConfig, writeBundle } from './bundle.js';
import { runscCommand, type RunscPlatform } from '../runsc/invocation.js';

export type OciRuntime = 'runc' | 'crun' | 'runsc';

/** Cgroup parent for OCI-run instances (so `ctvm gc` and stats find them apart from ours). */
export const OCI_CGROUP_PARENT = 'ctvm-oci';

export interface OciLaunchOptions {
  /** A driver whose parent is OCI_CGROUP_PARENT: reads the runtime's cgroup for stats and kill. */
  driver: CgroupDriver;
  /** Hybrid cgroup host: crun needs the workaround of src/host/crun-workaround.ts. */
  hybrid: boolean;
  timeoutMs: number;
  /** runsc only: the gVisor platform (src/engine/runsc/invocation.ts). */
  platform?: RunscPlatform;
}

/** The runtime's command line for `args` (crun wrapped on hybrid hosts). */
export function runtimeCommand(
  runtime: OciRuntime,
  args: string[],
  hybrid: boolean,
  runsc: { platform: RunscPlatform; root: string } = { platform: 'ptrace', root: '/nonexistent' },
): { file: string; args: string[] } {
  if (runtime === 'runsc') return runscCommand(args, runsc.platform, runsc.root);
  const path = which(runtime);
  if (!path) throw new HostError(`${runtime} not installed`, { hint: `apt-get install ${runtime}` });
  return runtime === 'crun' ? crunInvocation(path, args, hybrid) : { file: path, args };
}

const ZERO: CgroupStats = { memoryBytes: 0, memoryPeakBytes: undefined, cpuNs: 0, pids: 0, oomKills: 0 };

/**
 * The exit of a container whose runtime ran in the foreground under the launcher (oci:*, docker):
 * its exit status is the container's. The runtime deleted the cgroup on exit, so the OOM counter
 * is gone: only what was last sampled (`last`) counts.
 */
export function foregroundExit(
  r: LaunchEnd,
  atNs: number,
  last: CgroupStats,
  timedOut: boolean,
  stoppedBy: string | undefined,
): ContainerExit {
  return {
    atNs,
    code: r.signal ? null : (r.exitCode ?? null),
    signal: r.signal ?? null,
    ...(r.error ? { setupError: new SystemError(r.error, undefined, undefined) } : {}),
    oomKilled: last.oomKills > 0,
    timedOut,
    ...(stoppedBy !== undefined ? { stoppedBy } : {}),
    stats: last,
  };
}

export function launchOci(runtime: OciRuntime, spec: ContainerSpec, opts: OciLaunchOptions): InstanceSource {
  const launchNs = monoNs();
  validateSpec(spec);
  const events: PhaseTimeline = { launchNs, phases: [], facts: {} };
  const layout = createStateDir(spec.name, opts.driver.version, undefined, leasedPaths(spec));
  writeBundle(layout.stateDir, specToOciConfig(spec, `/${OCI_CGROUP_PARENT}/${spec.name}`));
  const id = `ctvm-${spec.name}`;
  const runsc = { platform: opts.platform ?? 'ptrace', root: join(layout.stateDir, 'runsc') };
  const cmd = runtimeCommand(runtime, ['run', '--bundle', layout.stateDir, id], opts.hybrid, runsc);
  const readyWatch = new ReadyWatch(events, spec.outputMarks.length > 0);
  const child = spawnNsexec(
    ['cwd', layout.stateDir, ...markArgs(spec.outputMarks), '--', cmd.file, ...cmd.args],
    {
      stdout: 'pipe',
      stderr: 'pipe',
      onStatus: (m) => {
        if (m.kind === 'time') readyWatch.launcherPhase(m.phase, m.atNs);
      },
    },
  );
  let last: CgroupStats = ZERO;
  // The runtime creates (and on exit deletes) the cgroup itself; read it while it exists.
  const cgroup = {
    pids: (): number[] => opts.driver.open(spec.name)?.pids() ?? [],
    stats: (): CgroupStats => (last = opts.driver.open(spec.name)?.stats() ?? last),
  };
  let stoppedBy: string | undefined;
  let timedOut = false;
  const timer =
    opts.timeoutMs > 0
      ? setTimeout(() => ((timedOut = true), void stop('timeout')), opts.timeoutMs)
      : undefined;

  const exited = (async (): Promise<ContainerExit> => {
    const r = await child.done;
    if (timer) clearTimeout(timer);
    const atNs = monoNs();
    events.phases.push({ name: 'exit', atNs });
    const del = runtimeCommand(runtime, ['delete', '--force', id], opts.hybrid, runsc);
    await execa(del.file, del.args, { reject: false, stdio: 'ignore' });
    await opts.driver
      .open(spec.name)
      ?.remove()
      .catch(() => undefined);
    removeStateDir(spec.name);
    // The runtime's own exit status is the container's (runc/crun run in the foreground).
    return { ...foregroundExit(r, atNs, last, timedOut, stoppedBy), countersLost: true };
  })();

  async function stop(reason = 'stop'): Promise<void> {
    stoppedBy ??= reason;
    await opts.driver
      .open(spec.name)
      ?.killAll()
      .catch(() => undefined);
    child.kill('SIGKILL');
    await exited;
  }

  return {
    name: spec.name,
    events,
    readyWatch,
    stdout: child.stdout,
    stderr: child.stderr,
    cgroup,
    exited,
    stop,
  };
}
