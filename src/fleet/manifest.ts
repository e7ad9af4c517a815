// results/fleet-<id>/fleet.json: what was asked (scenario, seed, revision, inventory) and how each
// host ended. Written by `ctvm fleet run` after every ansible-playbook pass; read by resume,
// report and compare.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { UsageError } from '../errors.js';

export const FLEET_FILE = 'fleet.json';

const hostStatus = z.discriminatedUnion('status', [
  z.object({ status: z.literal('complete'), runId: z.string() }),
  z.object({ status: z.literal('incomplete'), runId: z.string(), reason: z.string() }),
  z.object({
    status: z.literal('failed'),
    stage: z.enum(['unreachable', 'root', 'copy', 'setup', 'doctor', 'run', 'fetch', 'ansible']),
    reason: z.string(),
  }),
]);
export type HostStatus = z.infer<typeof hostStatus>;
export type FailedStage = Extract<HostStatus, { status: 'failed' }>['stage'];

const manifest = z.object({
  format: z.literal('ctvm-fleet/1'),
  fleetId: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  revision: z.string(),
  scenario: z.object({ name: z.string(), file: z.string(), doc: z.record(z.string(), z.unknown()) }),
  seed: z.number().int().nonnegative(),
  inventory: z.string(),
  serial: z.boolean(),
  /** One entry per ansible-playbook pass (the first run, then each --resume). */
  passes: z.array(z.object({ at: z.string(), hosts: z.array(z.string()), exitCode: z.number() })),
  hosts: z.record(z.string(), hostStatus),
});
export type FleetManifest = z.infer<typeof manifest>;

export const isFleetDir = (dir: string) => existsSync(join(dir, FLEET_FILE));

export function readManifest(dir: string): FleetManifest {
  const file = join(dir, FLEET_FILE);
  if (!existsSync(file))
    throw new UsageError(`${dir} is not a fleet: it has no ${FLEET_FILE}`, {
      hint: 'pass results/fleet-<id> (written by `ctvm fleet run`)',
    });
  const parsed = manifest.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success) {
    const iss = parsed.error.issues[0]!;
    throw new UsageError(`${file}: ${iss.path.join('.')}: ${iss.message} (not a fleet file ctvm wrote)`);
  }
  return parsed.data;
}

export function writeManifest(dir: string, m: FleetManifest): void {
  const file = join(dir, FLEET_FILE);
  writeFileSync(`${file}.tmp`, JSON.stringify(m, null, 2) + '\n');
  renameSync(`${file}.tmp`, file);
}

/** Hosts a --resume reruns: every host that did not complete. */
export const unfinishedHosts = (m: FleetManifest) =>
  Object.entries(m.hosts)
    .filter(([, s]) => s.status !== 'complete')
    .map(([h]) => h)
    .sort();
