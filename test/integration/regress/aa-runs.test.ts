// The false-positive check on real measurements: two back-to-back reduced quick runs (bare +
// container, 8 repetitions; ~45 s each on a 2-core host) must not flag a regression.
// On this shared 2-core dev host, wall-clock metrics (startNs, exitNs, workNs) drift between two
// sequential runs with the other load on the machine (observed: idle container startNs x3.9 at
// p=0.009, bare workNs x1.6), which no noise floor of a few % can absorb: that is host drift, not
// sampling noise. So here they are shown but not judged; load-independent metrics (PSS, RSS,
// cgroup memory, CPU time) are judged with the default 5% floor and must stay quiet.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { requires } from '../../helpers/requires.js';
import { compareSides, exitCodeFor } from '../../../src/regress/compare.js';
import { runSide } from '../../../src/regress/baseline.js';
import { loadRun } from '../../../src/regress/run-load.js';
import { groupLabel } from '../../../src/regress/groups.js';

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
  'two back-to-back real runs: load-independent metrics do not flag at the 5% floor',
  { skip: requires('root', 'linux', 'helper', 'probe', 'busybox'), timeout: 240_000 },
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ctvm-regress-aa-'));
    try {
      const scenario = join(dir, 'regress-aa.yaml');
      writeFileSync(scenario, SCENARIO);
      const out = join(dir, 'results');
      for (let i = 0; i < 2; i++) {
        const r = await execa(process.execPath, [BIN, 'run', scenario, '--out', out, '--quiet'], {
          reject: false,
        });
        assert.equal(r.exitCode, 0, `ctvm run #${i + 1}: ${r.stderr}`);
      }
      const [a, b] = readdirSync(out)
        .sort()
        .map((id) => loadRun(join(out, id)));
      const wallClock = ['startNs', 'exitNs', 'workNs'].map((metric) => ({
        match: { metric },
        ignore: true,
      }));
      const c = compareSides(runSide(a!), runSide(b!), { groups: wallClock });
      for (const r of c.rows) {
        console.log(
          `# ${groupLabel(r)}: ratio ${r.ratio.toFixed(3)} p=${r.pValue.toPrecision(2)} -> ${r.verdict} (${r.reason})`,
        );
      }
      const held = c.rows.filter((r) => r.pValue < 0.01 && r.verdict !== 'ignored');
      console.log(
        held.length === 0
          ? '# no group reached p < 0.01: the permutation test alone kept this A/A pair quiet (5% floor not needed)'
          : `# ${held.length} group(s) reached p < 0.01; the 5% noise floor decided: ${held.map((r) => `${groupLabel(r)} ${r.verdict}`).join(', ')}`,
      );
      assert.equal(
        c.regressions,
        0,
        c.rows
          .filter((r) => r.verdict === 'regression')
          .map((r) => `${groupLabel(r)}: ${r.reason}`)
          .join('\n'),
      );
      assert.equal(exitCodeFor(c), 0);
      const judged = c.rows.filter((r) => r.verdict !== 'ignored' && Number.isFinite(r.pValue));
      assert.ok(judged.length >= 8, `only ${judged.length} groups judged`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);
