// Waiting for KSM to settle: ksmd merges in passes over every mergeable page (full scans); the
// first pass only fills its unstable tree, later ones merge. Settled = pages_sharing moved by at
// most 1% (or 64 pages) between the ends of two consecutive full scans, after at least three.
// With no mergeable memory on the host ksmd has nothing to walk and full_scans never moves: after
// IDLE_MS without a scan or a scanned page, that is settled (at zero) too.
import { readKsmStats, type KsmPaths, defaultKsmPaths } from '../host/ksm.js';
import { sleep } from '../runner/sample-context.js';
import { monoNs, type Nanoseconds } from '../units.js';

export interface KsmSettle {
  settled: boolean;
  fullScans: number;
  elapsedNs: Nanoseconds;
}

const POLL_MS = 250;
const MIN_SCANS = 3;
const IDLE_MS = 3000;

export function stableBetweenScans(previous: number, current: number): boolean {
  return Math.abs(current - previous) <= Math.max(64, previous * 0.01);
}

export async function waitKsmSettled(
  capMs: number,
  signal?: AbortSignal,
  p: KsmPaths = defaultKsmPaths(),
): Promise<KsmSettle> {
  const t0 = monoNs();
  const first = readKsmStats(p);
  let lastScan = first.fullScans;
  const atScanEnd: number[] = [];
  for (;;) {
    const now = readKsmStats(p);
    if (now.fullScans !== lastScan) {
      lastScan = now.fullScans;
      atScanEnd.push(now.pagesSharing);
      const n = atScanEnd.length;
      if (n >= MIN_SCANS && stableBetweenScans(atScanEnd[n - 2]!, atScanEnd[n - 1]!))
        return { settled: true, fullScans: now.fullScans - first.fullScans, elapsedNs: monoNs() - t0 };
    }
    const idle = now.fullScans === first.fullScans && now.pagesScanned === first.pagesScanned;
    if (idle && (monoNs() - t0) / 1e6 >= IDLE_MS)
      return { settled: true, fullScans: 0, elapsedNs: monoNs() - t0 };
    if ((monoNs() - t0) / 1e6 >= capMs)
      return { settled: false, fullScans: now.fullScans - first.fullScans, elapsedNs: monoNs() - t0 };
    await sleep(POLL_MS, signal);
  }
}
