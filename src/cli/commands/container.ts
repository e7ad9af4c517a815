// `ctvm container run [--rootfs DIR | --bundle DIR] [limits] [--net M] [--hostname H]
//  [--timeout 10s] [--phases] -- CMD...`: runs one container, exits with its exit code.
import { randomBytes } from 'node:crypto';
import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import { parseBytes, parseDurationMs } from '../../units.js';
import type { Limits, PhaseTimeline } from '../../engine/environment.js';
import { limitProblems } from '../../engine/limits.js';
import { selectCgroupDriver } from '../../engine/container/cgroup/select.js';
import { launchContainerOnNetwork } from '../../engine/container/launch-net.js';
import { destroyLab, LAB_PREFIX, NETNS_DIR } from '../../net/lab.js';
import { parseScratchSize } from '../../disk/scratch-spec.js';
import {
  makeSpec,
  NETWORK_MODES,
  requireRoot,
  validateSpec,
  type ContainerSpec,
  type NetworkMode,
} from '../../engine/container/spec.js';
import { readBundle } from '../../engine/oci/bundle.js';
import type { OciSeccomp } from '../../engine/container/seccomp.js';
import { readFileSync } from 'node:fs';
import { detectHostCgroups } from '../../host/cgroup-mode.js';
import { buildRootfs } from '../../workload/rootfs.js';

export interface RunFlags {
  rootfs?: string;
  bundle?: string;
  memory?: string;
  cpus?: string;
  pids?: string;
  net?: string;
  hostname?: string;
  timeout?: string;
  phases?: boolean;
  name?: string;
  disk?: string;
  scratch?: string;
  /** commander's --no-seccomp sets seccomp: false. */
  seccomp?: boolean;
  seccompProfile?: string;
}

/** --seccomp-profile FILE (an OCI `linux.seccomp` JSON object) or --no-seccomp, else undefined. */
function seccompFromFlags(f: RunFlags): OciSeccomp | null | undefined {
  if (f.seccomp === false && f.seccompProfile !== undefined)
    throw new UsageError('give either --seccomp-profile or --no-seccomp, not both');
  if (f.seccomp === false) return null;
  if (f.seccompProfile === undefined) return undefined;
  let p: unknown;
  try {
    p = JSON.parse(readFileSync(f.seccompProfile, 'utf8'));
  } catch (err) {
    throw new UsageError(`cannot read --seccomp-profile '${f.seccompProfile}': ${(err as Error).message}`);
  }
  if (typeof p !== 'object' || p === null || typeof (p as OciSeccomp).defaultAction !== 'string')
    throw new UsageError(`--seccomp-profile '${f.seccompProfile}' is not an OCI linux.seccomp object`, {
      hint: 'a JSON object with defaultAction, architectures and syscalls',
    });
  return p as OciSeccomp;
}

/** Flag strings -> limits; each bad value is one UsageError naming the flag and the value. */
export function parseLimitFlags(f: RunFlags): Limits {
  const limits: Limits = {};
  if (f.memory !== undefined) {
    const b = parseBytes(f.memory);
    if (b === undefined)
      throw new UsageError(`invalid --memory '${f.memory}'`, { hint: 'a size like 64M, 1G, 512k' });
    if (b <= 0) throw new UsageError(`invalid --memory '${f.memory}': must be greater than 0`);
    limits.memoryBytes = b;
  }
  if (f.cpus !== undefined) {
    const n = Number(f.cpus);
    if (f.cpus.trim() === '' || !Number.isFinite(n) || n <= 0)
      throw new UsageError(`invalid --cpus '${f.cpus}'`, { hint: 'a positive fraction of CPUs, e.g. 0.5' });
    limits.cpus = n;
  }
  if (f.pids !== undefined) {
    const n = Number(f.pids);
    if (!/^\d+$/.test(f.pids) || n <= 0)
      throw new UsageError(`invalid --pids '${f.pids}'`, { hint: 'a positive integer, e.g. 64' });
    limits.pids = n;
  }
  const p = limitProblems(limits)[0];
  if (p) {
    const flag = p.field === 'memoryBytes' ? 'memory' : p.field;
    throw new UsageError(`invalid --${flag} '${String(f[flag as keyof RunFlags])}': ${p.message}`, {
      hint: p.hint,
    });
  }
  return limits;
}

export async function specFromFlags(
  f: RunFlags,
  cmd: string[],
): Promise<{ spec: ContainerSpec; timeoutMs: number }> {
  const name = f.name ?? `run-${process.pid}-${randomBytes(3).toString('hex')}`;
  if (f.rootfs !== undefined && f.bundle !== undefined)
    throw new UsageError('give either --rootfs or --bundle, not both');
  const limits = parseLimitFlags(f);
  let timeoutMs = 0;
  if (f.timeout !== undefined) {
    const ms = parseDurationMs(f.timeout);
    if (ms === undefined || ms <= 0)
      throw new UsageError(`invalid --timeout '${f.timeout}'`, { hint: 'e.g. 10s, 500ms, 2m' });
    timeoutMs = ms;
  }
  if (f.net !== undefined && !NETWORK_MODES.includes(f.net as NetworkMode))
    throw new UsageError(`invalid --net '${f.net}'`, { hint: `one of ${NETWORK_MODES.join(', ')}` });
  let spec: ContainerSpec;
  if (f.bundle !== undefined) {
    if (f.bundle.split('/').includes('..')) throw new UsageError(`bundle '${f.bundle}' contains '..'`);
    spec = readBundle(f.bundle, name);
    if (cmd.length) spec.args = cmd;
    spec.limits = { ...spec.limits, ...limits };
  } else {
    if (cmd.length === 0)
      throw new UsageError('missing command', { hint: 'ctvm container run [options] -- CMD [ARGS...]' });
    const rootfs = f.rootfs ?? (await buildRootfs()).dir;
    spec = makeSpec({ name, rootfs, args: cmd, limits, ...(f.net ? { network: f.net as NetworkMode } : {}) });
  }
  if (f.hostname !== undefined) spec.hostname = f.hostname;
  const seccomp = seccompFromFlags(f);
  if (seccomp !== undefined) spec.seccomp = seccomp;
  if (f.disk !== undefined) {
    const b = parseBytes(f.disk);
    if (b === undefined)
      throw new UsageError(`invalid --disk '${f.disk}'`, { hint: 'a size like 512M or 2G' });
    spec.diskBytes = b;
  }
  if (f.net !== undefined && f.bundle !== undefined) spec.network = f.net as NetworkMode;
  validateSpec(spec);
  return { spec, timeoutMs };
}

export function formatPhases(t: PhaseTimeline): string {
  const rows = t.phases.map((p, i) => {
    const prev = i === 0 ? t.launchNs : t.phases[i - 1]!.atNs;
    return `  ${p.name.padEnd(11)} +${((p.atNs - t.launchNs) / 1e6).toFixed(3).padStart(9)} ms  (${((p.atNs - prev) / 1e6).toFixed(3)} ms)`;
  });
  return ['phases (since launch):', ...rows].join('\n');
}

export function defineContainer(cmd: Command): void {
  cmd
    .command('run')
    .description('run CMD in a container (namespaces, cgroup limits, overlay rootfs) and exit with its code')
    .option('--rootfs <dir>', 'rootfs directory (default: the workload rootfs)')
    .option('--bundle <dir>', 'an OCI bundle (config.json subset)')
    .option('--memory <size>', 'memory limit, swap off (e.g. 64M)')
    .option('--cpus <n>', 'CPU quota as a fraction of CPUs (e.g. 0.5)')
    .option('--pids <n>', 'max number of processes')
    .option('--net <mode>', 'none | loopback | host | bridge (the lab network, src/net/)', 'none')
    .option('--hostname <name>', 'hostname inside')
    .option('--disk <size>', 'size of the writable layer (RAM-backed; writes past it get ENOSPC)', '1G')
    .option('--scratch <size>', 'a fresh ext4 scratch disk image of this size at /scratch (loop device)')
    .option('--seccomp-profile <file>', "an OCI linux.seccomp JSON profile instead of ctvm's default")
    .option('--no-seccomp', 'no seccomp filter (to measure what it costs)')
    .option('--timeout <duration>', 'kill after this long (e.g. 10s)')
    .option('--name <name>', 'instance name ([a-z0-9-])')
    .option('--phases', 'print the phase timeline to stderr')
    .argument('[cmd...]', 'command and arguments (after --)')
    .action(async (cmd: string[], flags: RunFlags) => {
      requireRoot('ctvm container run');
      // Before the rootfs is built: a bad size costs nothing.
      const io = flags.scratch !== undefined ? { scratch: parseScratchSize(flags.scratch, '--scratch') } : {};
      const { spec, timeoutMs } = await specFromFlags(flags, cmd);
      const c = await launchContainerOnNetwork(
        spec,
        { driver: selectCgroupDriver(detectHostCgroups()), stdout: 'inherit', stderr: 'inherit', timeoutMs },
        io,
      );
      const onSignal = (): void => void c.stop('signal');
      process.once('SIGINT', onSignal).once('SIGTERM', onSignal);
      if (c.labIp)
        console.error(
          `ctvm: container ${spec.name} on the lab bridge at ${c.labIp} (clients: nsenter --net=${NETNS_DIR}/${LAB_PREFIX}${process.pid} ...)`,
        );
      const exit = await c.exited;
      await destroyLab();
      process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
      if (flags.phases) console.error(formatPhases(c.events));
      if (exit.setupError) throw exit.setupError;
      if (exit.oomKilled)
        console.error(
          `ctvm: container ${spec.name} was OOM-killed (memory limit ${spec.limits.memoryBytes} bytes)`,
        );
      if (exit.timedOut)
        console.error(`ctvm: container ${spec.name} killed after the ${flags.timeout} timeout`);
      if (exit.cleanupError) console.error(`ctvm: cleanup: ${exit.cleanupError} (run ctvm gc)`);
      process.exitCode = exit.code ?? 128 + signalNumber(exit.signal);
    });
}

function signalNumber(name: string | null): number {
  return name === 'SIGKILL'
    ? 9
    : name === 'SIGTERM'
      ? 15
      : name === 'SIGINT'
        ? 2
        : name
          ? Number(name.replace(/\D/g, '')) || 1
          : 1;
}
