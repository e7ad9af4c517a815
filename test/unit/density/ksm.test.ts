// KSM settings saved, switched and restored against a fake sysfs dir (no privileges needed).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { enableKsm, gcKsm, readKsmSettings, readKsmStats, type KsmPaths } from '../../../src/host/ksm.js';
import { stableBetweenScans } from '../../../src/density/ksm-settle.js';

function fakeSysfs(): { p: KsmPaths; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'ctvm-ksm-'));
  const files = {
    run: 0,
    pages_to_scan: 100,
    sleep_millisecs: 20,
    pages_shared: 3,
    pages_sharing: 7,
    full_scans: 2,
  };
  for (const [k, v] of Object.entries(files)) writeFileSync(join(dir, k), `${v}\n`);
  return {
    p: { dir, recordFile: join(dir, 'state', 'ksm.json') },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

test('enableKsm saves the settings to disk before switching KSM on, restore() puts them back once', () => {
  const { p, cleanup } = fakeSysfs();
  try {
    const s = enableKsm({ pagesToScan: 5000, sleepMs: 10 }, p);
    assert.deepEqual(readKsmSettings(p), { pages_to_scan: 5000, sleep_millisecs: 10, run: 1 });
    const rec = JSON.parse(readFileSync(p.recordFile, 'utf8')) as { saved: unknown; ownerPid: number };
    assert.deepEqual(rec.saved, { pages_to_scan: 100, sleep_millisecs: 20, run: 0 });
    assert.equal(rec.ownerPid, process.pid);
    assert.throws(
      () => enableKsm({ pagesToScan: 1, sleepMs: 1 }, p),
      /KSM is in use by another ctvm process \(pid \d+/,
    );
    s.restore();
    s.restore();
    assert.deepEqual(readKsmSettings(p), { pages_to_scan: 100, sleep_millisecs: 20, run: 0 });
    assert.equal(existsSync(p.recordFile), false);
    assert.deepEqual(readKsmStats(p), { pagesShared: 3, pagesSharing: 7, fullScans: 2 });
  } finally {
    cleanup();
  }
});

test('gcKsm restores what a dead owner saved, and leaves a live owner alone', () => {
  const { p, cleanup } = fakeSysfs();
  try {
    enableKsm({ pagesToScan: 5000, sleepMs: 10 }, p); // never restored: we "crash"
    assert.equal(gcKsm(p), undefined, 'we are alive: nothing to do');
    assert.equal(readKsmSettings(p).run, 1);
    const rec = JSON.parse(readFileSync(p.recordFile, 'utf8')) as Record<string, unknown>;
    writeFileSync(p.recordFile, JSON.stringify({ ...rec, ownerStartTicks: -1 })); // a dead process
    assert.match(
      gcKsm(p)!,
      /restored KSM settings saved by dead pid \d+: pages_to_scan=100 sleep_millisecs=20 run=0/,
    );
    assert.deepEqual(readKsmSettings(p), { pages_to_scan: 100, sleep_millisecs: 20, run: 0 });
    assert.equal(existsSync(p.recordFile), false);
    assert.equal(gcKsm(p), undefined);
  } finally {
    cleanup();
  }
});

test('a host without KSM is an error that names the dir', () => {
  assert.throws(
    () =>
      enableKsm({ pagesToScan: 1, sleepMs: 1 }, { dir: '/nonexistent/ksm', recordFile: '/nonexistent/x' }),
    /\/nonexistent\/ksm does not exist: this kernel has no KSM/,
  );
});

test('settled: pages_sharing moved by at most 1% or 64 pages between two full scans', () => {
  assert.equal(stableBetweenScans(0, 64), true);
  assert.equal(stableBetweenScans(0, 65), false);
  assert.equal(stableBetweenScans(100_000, 100_999), true);
  assert.equal(stableBetweenScans(100_000, 101_001), false);
});
