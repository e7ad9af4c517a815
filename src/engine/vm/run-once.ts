// Runs one guest to completion (what `ctvm vm run` does): launch, wait for exit, report phases.
// Also turns a user rootfs directory + argv into a PreparedWorkload.
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, readFileSync, readdirSync, readlinkSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../../errors.js';
import type { ExitInfo, PhaseTimeline, PreparedWorkload } from '../environment.js';
import { createVmEnvironment } from './environment.js';

/** Content hash of a directory tree (paths, modes, link targets, file bytes). */
export function hashTree(root: string): string {
  const h = createHash('sha256');
  const walk = (rel: string) => {
    for (const name of readdirSync(join(root, rel)).sort()) {
      const path = rel ? `${rel}/${name}` : name;
      const st = lstatSync(join(root, path));
      h.update(`${path}\0${st.mode}\0`);
      if (st.isSymbolicLink()) h.update(readlinkSync(join(root, path)));
      else if (st.isDirectory()) walk(path);
      else if (st.isFile()) h.update(readFileSync(join(root, path)));
    }
  };
  walk('');
  return h.digest('hex').slice(0, 16);
}

/** A user-supplied rootfs: it must hold /bin/busybox (the guest /init runs on it) and argv[0]. */
export function rootfsWorkload(dir: string, argv: string[]): PreparedWorkload {
  if (!existsSync(dir) || !statSync(dir).isDirectory())
    throw new UsageError(`--rootfs ${dir} is not a directory`);
  if (!existsSync(join(dir, 'bin/busybox')))
    throw new UsageError(`--rootfs ${dir} has no /bin/busybox (the guest's /init needs it)`, {
      hint: 'copy busybox-static into <rootfs>/bin/busybox',
    });
  if (argv.length === 0)
    throw new UsageError('--rootfs needs a command after --', {
      hint: 'ctvm vm run --rootfs DIR -- /bin/sh -c "echo READY"',
    });
  const bin = join(dir, argv[0]!);
  return {
    name: `rootfs:${dir}`,
    rootfsDir: dir,
    rootfsHash: hashTree(dir),
    argv,
    env: { PATH: '/bin:/usr/bin:/sbin:/usr/sbin', HOME: '/root' },
    binarySha256: existsSync(bin) ? createHash('sha256').update(readFileSync(bin)).digest('hex') : '',
  };
}

export interface RunOnceResult {
  exit: ExitInfo;
  events: PhaseTimeline;
  readyError: string | null;
  describe: Record<string, string>;
}

export async function runVmOnce(
  workload: PreparedWorkload,
  options: Record<string, unknown>,
  timeoutMs: number,
  onConsoleLine?: (line: string) => void,
): Promise<RunOnceResult> {
  const env = createVmEnvironment(onConsoleLine ? { onConsoleLine: (_n, l) => onConsoleLine(l) } : {});
  await env.prepare(workload, options);
  const vm = await env.launch({ workload, instanceName: `cli-${process.pid}`, timeoutMs, options });
  // While the guest boots (`ctvm vm run` waits for what comes before the launch), and after
  // prepare: a Debian image built just now is described by its build.
  let describe: Record<string, string>;
  try {
    describe = (await env.describe?.(options)) ?? {};
  } catch (err) {
    await vm.stop('describe failed');
    throw err;
  }
  const readyError = await vm.ready.then(
    () => null,
    (err: unknown) => (err instanceof Error ? err.message : String(err)),
  );
  const exit = await vm.exited;
  return { exit, events: vm.events, readyError, describe };
}

/** "spawn +12 ms, qmp +80 ms, ..." relative to launch, plus the guest's own view of its boot. */
export function formatPhases(events: PhaseTimeline): string[] {
  const lines = events.phases.map(
    (p) => `  ${p.name.padEnd(9)} +${((p.atNs - events.launchNs) / 1e6).toFixed(1).padStart(8)} ms`,
  );
  const up = events.facts.guestUptimeAtInitNs;
  if (up !== undefined)
    lines.push(`  guest uptime at /init: ${(up / 1e6).toFixed(0)} ms (kernel boot as the guest saw it)`);
  const ready = events.phases.find((p) => p.name === 'ready');
  if (ready)
    lines.push(`  start latency (launch -> READY): ${((ready.atNs - events.launchNs) / 1e6).toFixed(1)} ms`);
  return lines;
}
