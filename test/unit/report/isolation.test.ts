// The isolation table on a made-up run: one row per attack in suite order, one column per
// environment, disagreeing repetitions shown as "escaped 1/2", and the same table in Markdown/HTML.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SampleRecord } from '../../../src/results/types.js';
import type { AttackOutcome } from '../../../src/workload/attack-protocol.js';
import { cellText, isolationBlocks, isolationMatrix } from '../../../src/report/isolation.js';
import type { ReportModel } from '../../../src/report/model.js';
import { exportMarkdown } from '../../../src/report/export-markdown.js';
import { exportHtml } from '../../../src/report/export-html.js';

const ENVS = [
  { id: 'bare', type: 'bare', label: 'bare' },
  { id: 'container', type: 'container', label: 'container' },
  { id: 'vm', type: 'vm', label: 'vm (tcg)' },
];

let seq = 0;
function sample(env: string, attacks: AttackOutcome[], extra: Partial<SampleRecord> = {}): SampleRecord {
  return {
    runId: 'r',
    seq: seq++,
    kind: 'attack',
    env,
    workload: 'attack',
    repetition: 0,
    warmup: false,
    density: 1,
    ok: true,
    metrics: { workNs: 1e9 },
    attacks,
    timeMs: 0,
    ...extra,
  };
}
const a = (name: string, verdict: AttackOutcome['verdict'], evidence = 'e'): AttackOutcome => ({
  name,
  verdict,
  evidence,
});

const SAMPLES: SampleRecord[] = [
  sample('bare', [a('userns', 'escaped', 'unshare=0'), a('tiocsti', 'contained', 'ENXIO')]),
  sample('container', [a('userns', 'contained', 'EPERM'), a('tiocsti', 'contained', 'ENXIO')]),
  sample('container', [a('userns', 'escaped', 'unshare=0'), a('tiocsti', 'contained', 'ENXIO')], {
    repetition: 1,
  }),
  sample('container', [a('userns', 'escaped')], { warmup: true }), // warm-ups never count
  sample('vm', [a('userns', 'skipped', 'ENOSYS')], { ok: false }), // failed samples never count
  { ...sample('bare', []), kind: 'work', attacks: undefined, workload: 'cpu' },
];

test('matrix: attacks in suite order, environments with attack samples only, repetitions kept', () => {
  const m = isolationMatrix(SAMPLES, ENVS);
  assert.deepEqual(m.attacks, ['userns', 'tiocsti']);
  assert.deepEqual(
    m.envs.map((e) => e.id),
    ['bare', 'container'],
  );
  const cell = m.cells.get('userns\u0000container');
  assert.deepEqual(cell, { verdicts: ['contained', 'escaped'], evidence: ['EPERM', 'unshare=0'] });
  assert.equal(cellText(cell), 'escaped 1/2', 'the most severe verdict, with how often');
  assert.equal(cellText(m.cells.get('tiocsti\u0000container')), 'contained');
  assert.equal(cellText(undefined), '–');
});

test('blocks: caption, a row per attack with its meaning, evidence, and nothing without attack samples', () => {
  const model = { run: { samples: SAMPLES }, envs: ENVS } as unknown as ReportModel;
  const blocks = isolationBlocks(model);
  const md = exportMarkdown(blocks);
  assert.match(md, /^## Isolation \(escape suite\)$/m);
  assert.match(md, /`bare` is the reference/);
  assert.match(md, /"escaped" means/);
  assert.match(md, /^\| attack \| bare \| container \| "escaped" means \|$/m);
  assert.match(md, /^\| userns \| escaped \| escaped 1\/2 \| unshare\(CLONE_NEWUSER\) succeeded/m);
  assert.match(md, /^\| tiocsti \| contained \| contained \| the caller's terminal/m);
  assert.match(md, /^\| userns \| container \| escaped 1\/2 \| EPERM \/ unshare=0 \|$/m);
  assert.match(md, /Attacks not contained: container: 1 of 2\./);
  const html = exportHtml(blocks, { title: 't', images: new Map() });
  assert.match(html, /<th>container<\/th>/);
  assert.match(html, /<td>escaped 1\/2<\/td>/);
  const none = { run: { samples: SAMPLES.filter((s) => s.kind !== 'attack') }, envs: ENVS };
  assert.deepEqual(isolationBlocks(none as unknown as ReportModel), []);
});
