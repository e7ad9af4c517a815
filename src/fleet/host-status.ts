// How one host ended an ansible-playbook pass, from what the pass left in results/fleet-<id>/:
// <host>/fault.json (the playbook's rescue: stage + reason), <host>/done.json + run.json (the run
// was fetched), or ansible-tree/<host> (the tree callback's last result: unreachable hosts).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readRunMeta } from '../results/read.js';
import type { FailedStage, HostStatus } from './manifest.js';

export const TREE_DIR = 'ansible-tree';
const STAGES: FailedStage[] = ['root', 'copy', 'setup', 'doctor', 'run', 'fetch'];

export function hostStatus(fleetDir: string, host: string): HostStatus {
  const dir = join(fleetDir, host);
  const fault = readJson(join(dir, 'fault.json'));
  if (fault) {
    const stage = STAGES.find((s) => s === fault.stage) ?? 'ansible';
    return { status: 'failed', stage, reason: String(fault.reason ?? 'no reason recorded') };
  }
  if (existsSync(join(dir, 'done.json')) && existsSync(join(dir, 'run.json'))) {
    const meta = readRunMeta(dir);
    if (meta.status === 'complete') return { status: 'complete', runId: meta.runId };
    return {
      status: 'incomplete',
      runId: meta.runId,
      reason: `run ${meta.runId} is ${meta.status} (${meta.plannedSamples} samples planned)`,
    };
  }
  const last = readJson(join(fleetDir, TREE_DIR, host));
  if (last?.unreachable === true)
    return { status: 'failed', stage: 'unreachable', reason: String(last.msg ?? 'unreachable').trim() };
  const msg = typeof last?.msg === 'string' ? `: ${last.msg}` : '';
  return {
    status: 'failed',
    stage: 'ansible',
    reason: `ansible-playbook ended without a result for this host${msg} (see ansible.log)`,
  };
}

function readJson(file: string): Record<string, unknown> | undefined {
  if (!existsSync(file)) return undefined;
  try {
    const v: unknown = JSON.parse(readFileSync(file, 'utf8'));
    return typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : undefined;
  } catch {
    return { reason: `unreadable ${file}` };
  }
}

/**
 * `ctvm fleet run`'s exit code: 0 when every host completed; 2 when a host was unreachable or not
 * root (bad input: the inventory names a host ctvm cannot use); else 3 (set-up or run failed).
 */
export function fleetRunExitCode(statuses: HostStatus[]): 0 | 2 | 3 {
  const bad = statuses.filter((s) => s.status !== 'complete');
  if (bad.length === 0) return 0;
  const input = bad.some((s) => s.status === 'failed' && (s.stage === 'unreachable' || s.stage === 'root'));
  return input ? 2 : 3;
}

/** One line per host for the terminal and the report. */
export function describeStatus(host: string, s: HostStatus): string {
  if (s.status === 'complete') return `${host}: complete (run ${s.runId})`;
  if (s.status === 'incomplete') return `${host}: incomplete: ${s.reason}`;
  if (s.stage === 'unreachable') return `${host}: unreachable: ${s.reason}`;
  return `${host}: failed at ${s.stage}: ${s.reason}`;
}
