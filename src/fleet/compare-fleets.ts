// `ctvm compare fleet-A fleet-B`: the two fleets host by host (same host name = same machine),
// each pair judged as `ctvm compare` judges two runs; a pair whose fingerprints differ is flagged
// (and is exit 2 with --strict) rather than silently read as a regression or an improvement.
import { join } from 'node:path';
import { UsageError, type ExitCode } from '../errors.js';
import { compareSides, exitCodeFor, type Comparison } from '../regress/compare.js';
import { runSide } from '../regress/baseline.js';
import { loadRun } from '../results/read.js';
import type { Thresholds } from '../regress/thresholds.js';
import { readManifest } from './manifest.js';
import { fingerprint, fingerprintDiff } from './report/fingerprint.js';

export interface HostComparison {
  host: string;
  comparison: Comparison;
  /** Fingerprint facts that differ between the host's base and candidate run. */
  fingerprintDiffs: string[];
}

export interface FleetComparison {
  base: string;
  candidate: string;
  hosts: HostComparison[];
  /** Hosts not compared, with why (only in one fleet, or not complete in one). */
  notCompared: string[];
  strict: boolean;
}

export function compareFleets(
  baseDir: string,
  candDir: string,
  thresholds: Thresholds,
  opts: { minN?: number; strict: boolean },
): FleetComparison {
  const base = readManifest(baseDir);
  const cand = readManifest(candDir);
  const names = [...new Set([...Object.keys(base.hosts), ...Object.keys(cand.hosts)])].sort();
  const hosts: HostComparison[] = [];
  const notCompared: string[] = [];
  for (const host of names) {
    const b = base.hosts[host];
    const c = cand.hosts[host];
    if (!b || !c) {
      notCompared.push(`${host}: only in ${b ? base.fleetId : cand.fleetId}`);
      continue;
    }
    if (b.status === 'failed' || c.status === 'failed') {
      const which = b.status === 'failed' ? `base ${base.fleetId}` : `candidate ${cand.fleetId}`;
      notCompared.push(`${host}: failed in ${which}, nothing to compare`);
      continue;
    }
    const br = loadRun(join(baseDir, host), { tornTail: 'strict' });
    const cr = loadRun(join(candDir, host), { tornTail: 'strict' });
    hosts.push({
      host,
      comparison: compareSides(runSide(br), runSide(cr), thresholds, opts),
      fingerprintDiffs: fingerprintDiff(fingerprint(br), fingerprint(cr)),
    });
  }
  if (hosts.length === 0)
    throw new UsageError(`fleets ${base.fleetId} and ${cand.fleetId} have no host measured in both`, {
      hint: notCompared.join('; ') || 'run both fleets over the same inventory',
    });
  return { base: base.fleetId, candidate: cand.fleetId, hosts, notCompared, strict: opts.strict };
}

/** Worst over hosts: 2 (strict and a fingerprint differs) > 3 (harness) > 1 (regression) > 0. */
export function fleetExitCode(f: FleetComparison): ExitCode {
  const codes = f.hosts.map((h) =>
    f.strict && h.fingerprintDiffs.length > 0 ? 2 : exitCodeFor(h.comparison),
  );
  for (const c of [2, 3, 1] as const) if (codes.includes(c)) return c;
  return 0;
}

/** Text output: one section per host, each formatted by `format` (a compare exporter). */
export function formatFleetComparison(f: FleetComparison, format: (c: Comparison) => string): string {
  const out = [`fleet ${f.candidate} vs ${f.base}, host by host`];
  for (const h of f.hosts) {
    const regress = h.comparison.regressions;
    out.push(
      '',
      `== host ${h.host}: ${regress ? `${regress} REGRESSION${regress > 1 ? 'S' : ''}` : 'no regression'} ==`,
    );
    if (h.fingerprintDiffs.length)
      out.push(
        `host ${h.host}: FINGERPRINT DIFFERS (${h.fingerprintDiffs.join('; ')}): not a like-for-like comparison${f.strict ? ' (--strict: exit 2)' : ''}`,
      );
    out.push(format(h.comparison).trimEnd());
  }
  if (f.notCompared.length) out.push('', 'not compared:', ...f.notCompared.map((n) => `  ${n}`));
  return out.join('\n') + '\n';
}
