// The cached doctor report, read without probing anything: what `ctvm vm run` and the runner
// need on every start (accel, TSC, qemu version). Kept apart from doctor.ts, whose probes import
// systeminformation and execa (~200 ms), so that reading the cache costs only a stat per input.
import { readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BUILD_DIR, CACHE_DIR, KERNEL_DIR, PROJECT_DIR } from '../paths.js';
import { which } from '../util/which.js';
import { doctorCacheKey, readCachedReport } from './doctor-cache.js';
import type { DoctorReport } from './facts.js';

export function bootId(): string {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return 'unknown';
  }
}

/**
 * doctor.ts itself (or its compiled doctor.js, whichever runs): a report written by older code
 * may lack what this code checks (an engine added since), so a changed doctor is a new key.
 */
export const DOCTOR_CODE = fileURLToPath(new URL(`./doctor${extname(import.meta.url)}`, import.meta.url));

/** This process's cache key: boot, uid, checkout, the doctor's code and the files the report describes. */
export function cacheKey(): string | null {
  const opt = (p: string | null) => (p ? [p] : []);
  return doctorCacheKey({
    bootId: bootId(),
    uid: process.getuid?.() ?? -1,
    projectDir: PROJECT_DIR,
    inputs: [
      DOCTOR_CODE,
      join(KERNEL_DIR, 'vmlinux'),
      join(KERNEL_DIR, 'version'),
      join(BUILD_DIR, 'ctvm-probe'),
      join(BUILD_DIR, 'ctvm-nsexec'),
      ...opt(which('qemu-system-x86_64')),
      ...opt(which('busybox')),
      '/bin/busybox',
      ...opt(which('runc')),
      ...opt(which('crun')),
      '/usr/sbin/dockerd',
      '/usr/bin/docker',
    ],
  });
}

/** A report found stays this process's for a few seconds: one launch reads it 4 times. */
const MEMO_MS = 5_000;
let memo: { report: DoctorReport; at: number } | undefined;

export function readCached(): DoctorReport | null {
  if (memo && performance.now() - memo.at < MEMO_MS) return memo.report;
  const report = readCachedReport(CACHE_DIR, cacheKey());
  memo = report ? { report, at: performance.now() } : undefined;
  return report;
}
