// Shared by the density integration tests: run the CLI on a scenario, find the run it wrote, and
// list what its instances could have left behind.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_DIR } from '../../../src/paths.js';
import { listVmStateDirs } from '../../../src/engine/vm/vm-state.js';
import type { SampleRecord } from '../../../src/results/types.js';
import { leftovers } from '../container/helpers.js';
import { pidsMatching } from '../runner/helpers.js';

export const CTVM = join(PROJECT_DIR, 'bin/ctvm.js');

export function onlyRun(out: string): string | undefined {
  if (!existsSync(out)) return undefined;
  const runs = readdirSync(out).filter((d) => existsSync(join(out, d, 'run.json')));
  return runs.length === 1 ? join(out, runs[0]!) : undefined;
}

export function samples(runDir: string): SampleRecord[] {
  const f = join(runDir, 'samples.jsonl');
  if (!existsSync(f)) return [];
  return readFileSync(f, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as SampleRecord);
}

/** The instance-name prefix the runner gives a run's instances (src/runner/execute.ts). */
export const instancePrefix = (runDir: string): string =>
  `ctvm-${runDir.slice(-6)}`.toLowerCase().replace(/[^a-z0-9-]/g, '-');

/** What runLeftovers returns when a run left nothing behind. */
export const NO_RUN_LEFTOVERS = {
  cgroupDirs: [],
  stateDirs: [],
  mounts: [],
  processes: [],
  qemu: [],
  vmStateDirs: [],
} as const;

/** Cgroups, state dirs, mounts, processes, qemu and VM state dirs named after the run's instances. */
export async function runLeftovers(runDir: string): Promise<Record<string, unknown[]>> {
  const prefix = instancePrefix(runDir);
  return {
    ...leftovers(prefix),
    qemu: await pidsMatching(prefix),
    vmStateDirs: listVmStateDirs().filter((d) => d.includes(prefix)),
  };
}

export async function waitFor(cond: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`condition not reached within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
