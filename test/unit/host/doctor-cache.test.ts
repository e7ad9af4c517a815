// #12 item 3: the doctor cache was keyed on boot_id only (a copied checkout saw another's kernel
// path, a non-root user saw root's "container usable: yes"), and an unwritable cache dir killed
// `doctor --refresh` with EACCES. The key now covers boot, uid, checkout and input files; a write
// failure is a warning.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  doctorCacheKey,
  readCachedReport,
  writeCachedReport,
  type CacheContext,
} from '../../../src/host/doctor-cache.js';
import type { DoctorReport } from '../../../src/host/facts.js';
import { DOCTOR_CODE } from '../../../src/host/doctor-read.js';

test('the cache key changes with uid, checkout and any input file; a report under another key is not read', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ctvm-doctor-cache-'));
  try {
    const input = join(dir, 'vmlinux');
    writeFileSync(input, 'kernel');
    const ctx: CacheContext = { bootId: 'b1', uid: 0, projectDir: '/a', inputs: [input] };
    const key = doctorCacheKey(ctx)!;
    assert.equal(doctorCacheKey({ ...ctx }), key, 'stable');
    for (const other of [
      { ...ctx, uid: 65534 },
      { ...ctx, projectDir: '/copy-of-a' },
      { ...ctx, bootId: 'b2' },
      { ...ctx, inputs: [join(dir, 'missing')] },
    ])
      assert.notEqual(doctorCacheKey(other), key, JSON.stringify(other));
    assert.equal(doctorCacheKey({ ...ctx, bootId: 'unknown' }), null);

    const report = { format: 1, root: true } as DoctorReport;
    assert.equal(writeCachedReport(dir, key, report), null);
    assert.deepEqual(readCachedReport(dir, key), report);
    assert.equal(
      readCachedReport(dir, doctorCacheKey({ ...ctx, uid: 65534 })),
      null,
      "root's report, other user",
    );
    utimesSync(input, new Date(), new Date(Date.now() + 5000)); // the kernel was rebuilt
    assert.equal(readCachedReport(dir, doctorCacheKey(ctx)), null, 'stale after an input changed');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an unwritable cache dir is a warning, not an error', () => {
  // /dev/null/x cannot be created even by root (ENOTDIR), like a root-owned dir for other users.
  const w = writeCachedReport('/dev/null/x', 'k'.repeat(64), { format: 1 } as DoctorReport);
  assert.match(
    w ?? '',
    /^cannot cache the doctor report in \/dev\/null\/x \(.*ENOTDIR.*\): it is probed again/,
  );
});

test("the key covers the doctor's own code: a report written by older code is not read", () => {
  // A missing file would fingerprint as "path:-" and silently never change the key.
  assert.ok(existsSync(DOCTOR_CODE), `${DOCTOR_CODE} exists`);
  assert.match(DOCTOR_CODE, /\/host\/doctor\.(ts|js)$/);
});
