// The doctor report cache: one file per key, and the key is everything the report depends on —
// this boot, this user (root sees a usable container, others do not), this checkout (its build/
// and kernel paths) and the input files (guest kernel, native helpers, qemu, runtimes). A copied
// checkout or another user never reads a report that was true elsewhere. Failing to write the
// cache is a warning: the report is still right, it is only probed again next time.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { errorMessage } from '../errors.js';
import type { DoctorReport } from './facts.js';

export interface CacheContext {
  bootId: string;
  uid: number;
  projectDir: string;
  /** Files whose change makes the report stale (missing ones count as "missing"). */
  inputs: string[];
}

/** path:size:mtime:inode for a file, path:- for a missing one. */
function fingerprint(path: string): string {
  try {
    const st = statSync(path);
    return `${path}:${st.size}:${st.mtimeMs}:${st.ino}`;
  } catch {
    return `${path}:-`;
  }
}

/** null when there is no boot id: then nothing is cached, since nothing would say it is stale. */
export function doctorCacheKey(ctx: CacheContext): string | null {
  if (ctx.bootId === 'unknown') return null;
  const text = [
    `boot ${ctx.bootId}`,
    `uid ${ctx.uid}`,
    `project ${ctx.projectDir}`,
    ...ctx.inputs.map(fingerprint),
  ];
  return createHash('sha256').update(text.join('\n')).digest('hex');
}

const fileFor = (cacheDir: string, key: string) => join(cacheDir, `doctor-${key.slice(0, 16)}.json`);

export function readCachedReport(cacheDir: string, key: string | null): DoctorReport | null {
  if (key === null) return null;
  try {
    const c = JSON.parse(readFileSync(fileFor(cacheDir, key), 'utf8')) as {
      key?: string;
      report?: DoctorReport;
    };
    return c.key === key && c.report?.format === 1 ? c.report : null;
  } catch {
    return null;
  }
}

/** Writes the cache; returns a warning instead of throwing when it cannot (read-only, not ours). */
export function writeCachedReport(cacheDir: string, key: string | null, report: DoctorReport): string | null {
  if (key === null) return 'no boot id (/proc/sys/kernel/random/boot_id): the doctor report is not cached';
  const file = fileFor(cacheDir, key);
  try {
    mkdirSync(cacheDir, { recursive: true });
    writeFileSync(`${file}.${process.pid}.tmp`, JSON.stringify({ key, report }, null, 2));
    renameSync(`${file}.${process.pid}.tmp`, file);
    return null;
  } catch (err) {
    return `cannot cache the doctor report in ${cacheDir} (${errorMessage(err)}): it is probed again next time`;
  }
}
