// Which environments a run uses: each scenario entry is loaded from the registry, checked against
// doctor's verdict, then its own probe(); one the host cannot run is skipped with the reason.
import type { Environment, EnvironmentSession, Limits } from '../engine/environment.js';
import { loadEnvironment } from '../engine/registry.js';
import type { DoctorReport } from '../host/facts.js';
import { errorMessage } from '../errors.js';
import { requestedSocket } from '../engine/docker/target.js';
import type { ScenarioEnvironment } from './scenario-schema.js';

export interface UsedEnvironment {
  /** The scenario's label for it (samples, results and the report name it so). */
  id: string;
  /** What runs it: 'vm', 'docker', ... (equal to id unless the scenario gave a `type`). */
  type: string;
  env: Environment;
  options: Record<string, unknown>;
  limits?: Limits;
  /** Accelerator actually used (vm only). */
  accel?: string;
  facts: Record<string, string>;
}

export type EnvironmentRecord = {
  used: boolean;
  /** Absent only in records read back from runs made before labels. */
  type?: string;
  reason?: string;
  facts?: Record<string, string>;
};

/** doctor's availability key: the VM's depends on the accel asked for, lxd's on `vm: true`. */
export function doctorKey(e: ScenarioEnvironment): string {
  // docker on a daemon the user names does not need ctvm's own dockerd to work here.
  if (e.type === 'docker') return requestedSocket(e.options) ? 'docker:external' : 'docker';
  if (e.type === 'lxd') return (e.options as { vm?: boolean }).vm === true ? 'lxd:vm' : 'lxd';
  if (e.type !== 'vm') return e.type;
  const accel = (e.options as { accel?: string }).accel ?? 'auto';
  return accel === 'auto' ? 'vm' : `vm:${accel}`;
}

export async function resolveEnvironments(
  entries: readonly ScenarioEnvironment[],
  host: DoctorReport,
): Promise<{ used: UsedEnvironment[]; records: Record<string, EnvironmentRecord> }> {
  const used: UsedEnvironment[] = [];
  const records: Record<string, EnvironmentRecord> = {};
  for (const e of entries) {
    // doctor decides availability from the host's facts; probe() adds only what the engine itself
    // knows (docs/architecture.md, "Availability").
    const avail = host.environments[doctorKey(e)];
    if (!avail || !avail.usable) {
      const reason = avail ? avail.reason : `doctor did not assess ${doctorKey(e)}`;
      records[e.id] = { used: false, type: e.type, reason };
      continue;
    }
    const loaded = await loadEnvironment(e.type);
    if (!loaded.ok) {
      records[e.id] = { used: false, type: e.type, reason: loaded.reason };
      continue;
    }
    const probe = await loaded.env
      .probe(host)
      .catch((err: unknown) => ({ usable: false as const, reason: errorMessage(err) }));
    if (!probe.usable) {
      records[e.id] = { used: false, type: e.type, reason: probe.reason };
      continue;
    }
    const described = (await loaded.env.describe?.(e.options).catch(() => undefined)) ?? {};
    const accel = described.accel ?? avail?.accel;
    const facts: Record<string, string> = { ...described, ...(accel ? { accel } : {}) };
    if (avail && 'detail' in avail && avail.detail) facts.doctor = avail.detail;
    used.push({
      id: e.id,
      type: e.type,
      env: loaded.env,
      options: e.options,
      ...(e.limits ? { limits: e.limits } : {}),
      ...(accel ? { accel } : {}),
      facts,
    });
    records[e.id] = { used: true, type: e.type, facts };
  }
  return { used, records };
}

/**
 * Opens each used environment's per-run session (docker, lxd: its daemon) before anything is prepared;
 * one that cannot open is skipped with the reason. Returns the closer the runner calls after the
 * last sample, in a finally (so also after SIGINT/SIGTERM); closing errors are warnings.
 */
export async function openSessions(
  used: UsedEnvironment[],
  records: Record<string, EnvironmentRecord>,
  warn: (m: string) => void,
): Promise<() => Promise<void>> {
  const open: Array<{ id: string; session: EnvironmentSession }> = [];
  for (const u of [...used]) {
    if (!u.env.session) continue;
    try {
      open.push({ id: u.id, session: await u.env.session(u.options) });
    } catch (err) {
      records[u.id] = { used: false, type: u.type, reason: `session failed: ${errorMessage(err)}` };
      used.splice(used.indexOf(u), 1);
      warn(`${u.id} skipped: ${errorMessage(err)}`);
    }
  }
  return async () => {
    for (const { id, session } of open.reverse())
      await session.close().catch((err: unknown) => warn(`${id}: closing its session: ${errorMessage(err)}`));
  };
}
