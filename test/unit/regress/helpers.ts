// Shared test helpers: fixture paths and comparison sides built from fixture or synthetic runs.
import { join } from 'node:path';
import { loadRun } from '../../../src/results/read.js';
import { runSide } from '../../../src/regress/baseline.js';
import type { CompareSide } from '../../../src/regress/compare.js';
import { synthMeta, synthSamples, type RunSpec } from '../../fixtures/regress/synth.js';

export const FIXTURES = join(import.meta.dirname, '../../fixtures/regress');
export const RESULTS = join(FIXTURES, 'results');
export const BASE = join(RESULTS, '2025-03-01T10-00-00Z-quick');
export const SAME_A = join(RESULTS, '2025-03-02T10-00-00Z-quick');
export const SAME_B = join(RESULTS, '2025-03-03T10-00-00Z-quick');
export const SLOW = join(RESULTS, '2025-03-04T10-00-00Z-quick-slow');
export const BAD = join(FIXTURES, 'bad');

export function fixtureSide(dir: string): CompareSide {
  return runSide(loadRun(dir));
}

export function synthSide(spec: Partial<RunSpec> & { seed: number }): CompareSide {
  const full: RunSpec = {
    runId: `synth-${spec.seed}`,
    startedAt: '2025-01-01T00:00:00.000Z',
    revision: 'f'.repeat(40),
    ...spec,
  };
  const samples = synthSamples(full);
  return { label: `synth ${spec.seed}`, runs: [synthMeta(full, samples)], samples };
}
