// Shared by the container integration tests: run a container and collect its output, and count
// what a test prefix left on the host (cgroup dirs, state dirs, mounts, processes).
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Limits } from '../../../src/engine/environment.js';
import { selectCgroupDriver } from '../../../src/engine/container/cgroup/select.js';
import type { CgroupDriver } from '../../../src/engine/container/cgroup/types.js';
import { launchContainer, type Container } from '../../../src/engine/container/launch.js';
import type { ContainerExit } from '../../../src/engine/container/lifecycle.js';
import { readLines } from '../../../src/engine/line-stream.js';
import { makeSpec, type ContainerSpec, type NetworkMode } from '../../../src/engine/container/spec.js';
import { detectHostCgroups } from '../../../src/host/cgroup-mode.js';
import { STATE_DIR } from '../../../src/paths.js';
import { buildRootfs } from '../../../src/workload/rootfs.js';

/** Everything a stream delivers, as text, once it ends. */
export function streamText(s: NodeJS.ReadableStream | null): Promise<string> {
  return new Promise((resolve) => {
    let acc = '';
    s!.setEncoding('utf8');
    s!.on('data', (c: string) => (acc += c));
    s!.on('end', () => resolve(acc));
  });
}

let driver: CgroupDriver | undefined;
export const hostDriver = (): CgroupDriver => (driver ??= selectCgroupDriver(detectHostCgroups()));

let seq = 0;
/** A unique prefix per test process, so leak counts see only what this process created. */
export const PREFIX = `it${process.pid}-`;
export const nextName = (tag: string): string => `${PREFIX}${tag}-${seq++}`;

export interface RunResult {
  stdout: string;
  stderr: string;
  exit: ContainerExit;
  container: Container;
}

export async function run(
  args: string[],
  opts: {
    limits?: Limits;
    network?: NetworkMode;
    hostname?: string;
    timeoutMs?: number;
    tag?: string;
    /** Anything else of the spec (seccomp, diskBytes, mounts, rootfs). */
    spec?: Partial<ContainerSpec>;
  } = {},
): Promise<RunResult> {
  const rootfs = (await buildRootfs()).dir;
  const name = nextName(opts.tag ?? 'c');
  const spec = makeSpec({
    name,
    rootfs,
    args,
    limits: opts.limits ?? {},
    network: opts.network ?? 'none',
    ...opts.spec,
  });
  if (opts.hostname) spec.hostname = opts.hostname;
  const container = launchContainer(spec, { driver: hostDriver(), timeoutMs: opts.timeoutMs ?? 20_000 });
  let stdout = '';
  let stderr = '';
  const out = readLines(container.stdout!, (l) => (stdout += l + '\n'));
  const err = readLines(container.stderr!, (l) => (stderr += l + '\n'));
  const [exit] = await Promise.all([container.exited, out, err]);
  return { stdout, stderr, exit, container };
}

export interface Leftovers {
  cgroupDirs: string[];
  stateDirs: string[];
  mounts: string[];
  processes: number[];
}

/** Everything on the host whose name carries `prefix` (or that lives in such a cgroup). */
export function leftovers(prefix = PREFIX): Leftovers {
  const cgroupDirs: string[] = [];
  for (const root of new Set(Object.values(detectHostCgroups().v1))) {
    for (const parent of ['ctvm', 'ctvm-oci']) {
      try {
        for (const d of readdirSync(join(root, parent)))
          if (d.startsWith(prefix)) cgroupDirs.push(join(root, parent, d));
      } catch {
        /* no such parent in this hierarchy */
      }
    }
  }
  let stateDirs: string[] = [];
  try {
    stateDirs = readdirSync(STATE_DIR).filter((d) => d.startsWith(prefix));
  } catch {
    /* none */
  }
  const mounts = readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .filter((l) => l.includes(prefix));
  const processes: number[] = [];
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try {
      if (readFileSync(`/proc/${p}/cgroup`, 'utf8').includes(`/ctvm/${prefix}`)) processes.push(Number(p));
    } catch {
      /* exited */
    }
  }
  return { cgroupDirs, stateDirs, mounts, processes };
}

/** LXC's per-container cgroups (lxc.monitor.<name>, lxc.payload.<name>) naming `prefix`, in every
 * hierarchy (LXC and LXD containers alike). */
export function lxcContainerCgroups(prefix = PREFIX): string[] {
  return ['', ...readdirSync('/sys/fs/cgroup')].flatMap((h) => {
    try {
      return readdirSync(`/sys/fs/cgroup/${h}`)
        .filter((n) => /^lxc\.(monitor|payload)\./.test(n) && n.includes(prefix))
        .map((n) => `/sys/fs/cgroup/${h}/${n}`);
    } catch {
      return [];
    }
  });
}
