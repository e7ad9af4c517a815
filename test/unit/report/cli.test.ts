// `ctvm report` end to end in-process: writes every file (timed, printed), exit 2 on an empty
// run with one clear message, a warning but exit 0 on a truncated run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../../src/cli/main.js';
import { writeReport } from '../../../src/report/index.js';
import { EMPTY, QUICK, TRUNCATED } from './fixtures.js';

const FILES = [
  'figure-12-1.png',
  'isolation-spectrum.png',
  'start-latency.png',
  // phases: small multiples, one linear chart per environment
  'start-phases-bare.png',
  'start-phases-container.png',
  'start-phases-oci-runc.png',
  'start-phases-vm.png',
  'exit-latency.png',
  'memory-idle.png',
  'density.png',
  'relative-to-native.png',
  'cpu-overhead.png',
  'idle-cpu.png',
  'dist-start.png',
  'dist-idle-pss.png',
  'report.md',
  'index.html',
  'summary.csv',
];

async function capture(fn: () => Promise<number>): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = console.log;
  const error = console.error;
  console.log = (...a: unknown[]) => void out.push(a.join(' '));
  console.error = (...a: unknown[]) => void err.push(a.join(' '));
  try {
    return { code: await fn(), out: out.join('\n'), err: err.join('\n') };
  } finally {
    console.log = log;
    console.error = error;
    process.exitCode = undefined;
  }
}

test('ctvm report <fixture> writes every file (time printed)', async () => {
  const out = mkdtempSync(join(tmpdir(), 'ctvm-report-test-'));
  try {
    const t0 = performance.now();
    const r = await capture(() => main(['node', 'ctvm', 'report', QUICK, '--out', out]));
    const ms = performance.now() - t0;
    console.log(
      `# ctvm report on the fixture took ${(ms / 1000).toFixed(2)} s (target < 5 s; noisy shared host)`,
    );
    assert.equal(r.code, 0, r.err);
    for (const f of FILES) assert.ok(existsSync(join(out, '20261129-010000-quick', f)), f);
    assert.match(r.out, /wrote 18 files to .* in \d+\.\d\d s/);
    const html = readFileSync(join(out, '20261129-010000-quick', 'index.html'), 'utf8');
    assert.equal(
      (html.match(/<img src="data:image\/png;base64,/g) ?? []).length,
      15,
      'all 15 images inlined',
    );
    assert.ok(!/(src|href)="(https?:)?\/\//.test(html), 'no external references');
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test('ctvm report on an empty run: one clear error, exit code 2, nothing written', async () => {
  const out = mkdtempSync(join(tmpdir(), 'ctvm-report-test-'));
  try {
    const r = await capture(() => main(['node', 'ctvm', 'report', EMPTY, '--out', out]));
    assert.equal(r.code, 2);
    assert.match(
      r.err,
      /^ctvm: run `.*20261129-030000-empty` has no successful samples: nothing to report\nhint: /,
    );
    assert.ok(!existsSync(join(out, '20261129-030000-empty')));
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test('ctvm report on a missing run: exit code 2', async () => {
  const r = await capture(() => main(['node', 'ctvm', 'report', 'no-such-run-id']));
  assert.equal(r.code, 2);
  assert.match(r.err, /no run 'no-such-run-id'/);
});

test('writeReport on a truncated run reports, warns about the line, labels it incomplete', async () => {
  const out = mkdtempSync(join(tmpdir(), 'ctvm-report-test-'));
  try {
    const r = await writeReport(TRUNCATED, out);
    assert.equal(r.dir, join(out, '20261129-020000-truncated'));
    assert.equal(r.files.length, 18);
    assert.ok(
      r.warnings.some((w) => /samples\.jsonl line 142: truncated last line/.test(w)),
      r.warnings.join('\n'),
    );
    const md = readFileSync(join(r.dir, 'report.md'), 'utf8');
    assert.match(md, /INCOMPLETE RUN: 141 of 142 planned samples/);
    assert.match(md, /## Warnings\n\n- skipped 20261129-020000-truncated\/samples\.jsonl line 142/);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
