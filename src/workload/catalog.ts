// Workload catalog: a name -> the command run identically in every environment.
import { join } from 'node:path';
import type { PreparedWorkload } from '../engine/environment.js';
import { UsageError } from '../errors.js';
import { which } from '../util/which.js';
import { ATTACK_IN_ROOTFS, buildRootfs, DIGEST_MEMO, PROBE_IN_ROOTFS } from './rootfs.js';
import { sha256File } from '../util/file-digest.js';
import { IO_WORKLOADS } from './io-workloads.js';

/** Built-in probe modes and their default arguments (sized for ~0.2-1 s of work on this host). */
export const PROBE_WORKLOADS: Record<string, string[]> = {
  noop: ['noop'],
  idle: ['idle'],
  cpu: ['cpu', '200000000'],
  mem: ['mem', '64'],
  gups: ['gups', '64', '10000000'],
  syscall: ['syscall', '500000'],
  io: ['io', '32'],
  hang: ['hang'],
};

/**
 * The escape suite (native/attack/), default arguments: every attack, fills bounded at 256 MiB.
 * Explicit args replace these, e.g. ['--fill-mib', '64', 'all'] or ['tiocsti', 'userns'].
 */
export const ATTACK_WORKLOAD = 'attack';
export const ATTACK_DEFAULT_ARGS = ['all'];

/** Host programs known to work as fixed-work workloads, with their arguments. */
export const HOST_WORKLOADS: Record<string, string[]> = {
  sysbench: ['cpu', '--cpu-max-prime=4000', '--events=1000', '--time=0', '--threads=1', 'run'],
  'stress-ng': ['--cpu', '1', '--cpu-ops', '2000', '--metrics-brief'],
};

export function isKnownWorkload(name: string): boolean {
  if (name in PROBE_WORKLOADS || name === ATTACK_WORKLOAD || name in IO_WORKLOADS) return true;
  if (/^exit:\d{1,3}$/.test(name)) return true;
  const host = /^host:(.+)$/.exec(name)?.[1];
  return host !== undefined && host in HOST_WORKLOADS;
}

export const KNOWN_WORKLOADS = [
  ...Object.keys(PROBE_WORKLOADS),
  ATTACK_WORKLOAD,
  'exit:<code>',
  ...Object.keys(HOST_WORKLOADS).map((h) => `host:${h}`),
  ...Object.keys(IO_WORKLOADS),
];

/**
 * Resolves a workload name ('cpu', 'exit:3', 'host:sysbench') or explicit args ('cpu' + ['1000'])
 * into a PreparedWorkload whose rootfs includes everything it needs.
 */
export async function prepareWorkload(name: string, args?: string[]): Promise<PreparedWorkload> {
  if (!isKnownWorkload(name)) {
    throw new UsageError(`unknown workload '${name}'`, { hint: `known: ${KNOWN_WORKLOADS.join(', ')}` });
  }
  const host = /^host:(.+)$/.exec(name)?.[1];
  const io = IO_WORKLOADS[name];
  const program = host ?? io?.program;
  const rootfs = await buildRootfs({ hostPrograms: program ? [program] : [] });
  let argv: string[];
  let binaryPath: string | undefined;
  if (io) {
    binaryPath = which(io.program) ?? undefined;
    if (!binaryPath)
      throw new UsageError(`workload ${name} needs '${io.program}'`, {
        hint: `npm run setup (apt-get install ${io.program})`,
      });
    // A client/server workload's client runs on the host (in the lab netns): it must be there too.
    if (io.client && !which(io.client.program))
      throw new UsageError(
        `workload ${name} needs '${io.client.program}' (its client, run from the lab netns)`,
        {
          hint: 'npm run setup (apt-get install sockperf iperf3 redis-tools)',
        },
      );
    argv = ['/bin/sh', '-c', io.script, binaryPath, ...(args ?? io.args)];
  } else if (host) {
    const path = which(host);
    if (!path) throw new UsageError(`host program '${host}' not found`, { hint: `apt-get install ${host}` });
    argv = [path, ...(args ?? HOST_WORKLOADS[host] ?? [])];
  } else if (name === ATTACK_WORKLOAD) {
    argv = [ATTACK_IN_ROOTFS, ...(args ?? ATTACK_DEFAULT_ARGS)];
  } else {
    const exit = /^exit:(\d+)$/.exec(name)?.[1];
    argv = [
      PROBE_IN_ROOTFS,
      ...(exit !== undefined
        ? ['exit', exit]
        : args
          ? [PROBE_WORKLOADS[name]![0]!, ...args]
          : PROBE_WORKLOADS[name]!),
    ];
  }
  // The program that does the work (not the sh that wraps an I/O workload).
  const binary = join(rootfs.dir, binaryPath ?? argv[0]!);
  return {
    name,
    rootfsDir: rootfs.dir,
    rootfsHash: rootfs.hash,
    argv,
    env: { PATH: '/bin:/usr/bin:/sbin:/usr/sbin', HOME: '/root' },
    binarySha256: sha256File(binary, DIGEST_MEMO),
  };
}
