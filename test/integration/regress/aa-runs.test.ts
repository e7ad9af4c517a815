// The false-positive check on real measurements: two back-to-back reduced quick runs (bare +
// container, 8 repetitions; ~35 s each on a 2-core host) must not flag a regression when judged
// with the thresholds the project ships (docs/ci/thresholds.yaml: 5% for memory, 10% for
// latencies, work and CPU time). A regression needs p < 0.01 AND a change past that floor; the
// test prints, per group, which of the two kept it quiet. If a group is flagged, a third run is
// judged against the second and the same group must not be flagged again: on this shared host
// a whole run sometimes drifts (run 2 slower in every wall-clock metric by 4-30%, start latency
// flagged at +27%, p=0.003, while the next pair was quiet), which a confirmation run separates
// from a reproducible difference. Caveat measured while other heavy jobs shared the host:
// wall-clock metrics then drift far past any floor (idle container startNs x3.9 at p=0.009) —
// gate on a dedicated runner (README, Regression tracking).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { requires } from '../../helpers/requires.js';
import { compareSides, exitCodeFor } from '../../../src/regress/compare.js';
import { runSide } from '../../../src/regress/baseline.js';
import { groupLabel, loadRun } from '../../../src/results/read.js';
import { loadThresholds } from '../../../src/regress/thresholds.js';

const BIN = join(import.meta.dirname, '../../../bin/ctvm.js');
const SCENARIO = `name: regress-aa
description: A/A false-positive check for ctvm compare (bare + container, reduced)
seed: 7
environments: [bare, container]
workloads: [noop, idle, cpu]
repetitions: 8
warmup: 1
settle: 500ms
idleWindow: 1s
timeout: 30s
`;

test(
  'two back-to-back real runs do not flag with the shipped thresholds (docs/ci/thresholds.yaml)',
  { skip: requires('root', 'linux', 'helper', 'probe', 'busybox'), timeout: 360_000 },
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ctvm-regress-aa-'));
    try {
      const scenario = join(dir, 'regress-aa.yaml');
      writeFileSync(scenario, SCENARIO);
      const out = join(dir, 'results');
      const runOnce = async (i: number) => {
        const r = await execa(process.execPath, [BIN, 'run', scenario, '--out', out, '--quiet'], {
          reject: false,
        });
        assert.equal(r.exitCode, 0, `ctvm run #${i}: ${r.stderr}`);
        const ids = readdirSync(out).sort();
        return loadRun(join(out, ids[ids.length - 1]!));
      };
      // The shipped floors: 5% for memory, 10% for latencies / work / CPU time, 15% for vm.
      const thresholds = loadThresholds(join(import.meta.dirname, '../../../docs/ci/thresholds.yaml'));
      const judge = (a: ReturnType<typeof loadRun>, b: ReturnType<typeof loadRun>) => {
        const c = compareSides(runSide(a), runSide(b), thresholds);
        for (const r of c.rows) {
          console.log(
            `# ${groupLabel(r)}: ratio ${r.ratio.toFixed(3)} p=${r.pValue.toPrecision(2)} -> ${r.verdict} (${r.reason})`,
          );
        }
        const held = c.rows.filter((r) => r.pValue < 0.01 && r.verdict !== 'ignored');
        console.log(
          held.length === 0
            ? '# no group reached p < 0.01: the permutation test alone kept this A/A pair quiet (floors not needed)'
            : `# ${held.length} group(s) reached p < 0.01; the noise floors of docs/ci/thresholds.yaml decided: ${held.map((r) => `${groupLabel(r)} ${r.verdict}`).join(', ')}`,
        );
        return c;
      };
      const a = await runOnce(1);
      const b = await runOnce(2);
      let c = judge(a, b);
      const flagged = (x: typeof c) => x.rows.filter((r) => r.verdict === 'regression').map(groupLabel);
      const first = flagged(c);
      if (first.length > 0) {
        // What a CI gate does with a flag on a shared host (README, Regression tracking): confirm
        // it against a fresh run before believing it. Host drift between two sequential runs
        // (seen here: every wall-clock metric of run 2 slower by 4-30%) does not repeat on cue;
        // a real regression would.
        console.log(`# run 2 flagged ${first.join(', ')}: confirming with a third run against run 2`);
        c = judge(b, await runOnce(3));
        const again = flagged(c).filter((g) => first.includes(g));
        assert.deepEqual(again, [], `flagged twice in a row: ${again.join(', ')}`);
      } else {
        assert.equal(exitCodeFor(c), 0);
      }
      const judged = c.rows.filter((r) => r.verdict !== 'ignored' && Number.isFinite(r.pValue));
      assert.ok(judged.length >= 8, `only ${judged.length} groups judged`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);
