// SIGKILL the runner mid-run: every completed sample is on disk and parseable, the run is marked
// incomplete, and `ctvm run --resume` completes it without taking any sample twice. SIGINT:
// instances stopped, results finalised, exit 130.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { requires } from '../../helpers/requires.js';
import { PROJECT_DIR } from '../../../src/paths.js';
import { readRunMeta as readMeta } from '../../../src/results/read.js';
import type { SampleRecord } from '../../../src/results/types.js';
import { tempDir, writeScenario } from './helpers.js';

const CTVM = join(PROJECT_DIR, 'bin/ctvm.js');

function lines(dir: string): string[] {
  const f = join(dir, 'samples.jsonl');
  return existsSync(f)
    ? readFileSync(f, 'utf8')
        .split('\n')
        .filter((l) => l !== '')
    : [];
}

async function waitFor(cond: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

function onlyRun(out: string): string {
  const runs = readdirSync(out).filter((d) => existsSync(join(out, d, 'run.json')));
  assert.equal(runs.length, 1, `one run dir in ${out}`);
  return join(out, runs[0]!);
}

test(
  'SIGKILL mid-run keeps every sample; --resume completes the run',
  { skip: requires('probe') },
  async () => {
    const { dir, cleanup } = tempDir('kill');
    try {
      const file = writeScenario(
        dir,
        'kill',
        'environments: [bare]\nworkloads: [noop, {name: cpu, args: ["20000000"]}]\nrepetitions: 20\nwarmup: 0\n',
      );
      const out = join(dir, 'results');
      const child = execa('node', [CTVM, 'run', file, '--out', out, '--plain', '--seed', '3'], {
        reject: false,
      });
      await waitFor(
        () => existsSync(out) && readdirSync(out).some((d) => lines(join(out, d)).length >= 5),
        60_000,
      );
      child.kill('SIGKILL');
      const r = await child;
      assert.equal(r.signal, 'SIGKILL');
      const runDir = onlyRun(out);
      const kept = lines(runDir).map((l) => JSON.parse(l) as SampleRecord);
      assert.ok(kept.length >= 5 && kept.length < 40, `kept ${kept.length}`);
      assert.equal(readMeta(runDir).status, 'incomplete');

      const resumed = await execa('node', [CTVM, 'run', '--resume', runDir, '--plain'], { reject: false });
      assert.equal(resumed.exitCode, 0, resumed.stderr);
      assert.match(resumed.stdout, /complete: \d+ samples taken this time, 40 planned/);
      const all = lines(runDir).map((l) => JSON.parse(l) as SampleRecord);
      assert.deepEqual(
        all.map((s) => s.seq).sort((a, b) => a - b),
        [...Array(40).keys()],
        'each seq exactly once',
      );
      assert.deepEqual(all.slice(0, kept.length), kept, 'resume appended; nothing rewritten');
      const meta = readMeta(runDir);
      assert.equal(meta.status, 'complete');
      assert.equal(meta.seed, 3);
      assert.ok(existsSync(join(runDir, 'summary.csv')));
    } finally {
      cleanup();
    }
  },
);

test(
  '--resume after a garbage line keeps every valid sample and quarantines the line',
  { skip: requires('probe') },
  async () => {
    const { dir, cleanup } = tempDir('garbage');
    try {
      const file = writeScenario(
        dir,
        'garbage',
        'environments: [bare]\nworkloads: [noop]\nrepetitions: 9\nwarmup: 0\n',
      );
      const out = join(dir, 'results');
      const first = await execa('node', [CTVM, 'run', file, '--out', out, '--quiet'], { reject: false });
      assert.equal(first.exitCode, 0, first.stderr);
      const runDir = onlyRun(out);
      const before = lines(runDir);
      assert.equal(before.length, 9);
      // Line 3 of 9 becomes garbage; the run is marked incomplete as a crash would leave it.
      const damaged = [...before];
      damaged[2] = 'garbage, not a sample';
      writeFileSync(join(runDir, 'samples.jsonl'), damaged.join('\n') + '\n');
      const meta = JSON.parse(readFileSync(join(runDir, 'run.json'), 'utf8')) as { status: string };
      writeFileSync(join(runDir, 'run.json'), JSON.stringify({ ...meta, status: 'incomplete' }));

      const resumed = await execa('node', [CTVM, 'run', '--resume', runDir, '--quiet'], { reject: false });
      assert.equal(resumed.exitCode, 0, resumed.stderr);
      assert.match(
        resumed.stderr,
        /samples\.jsonl line 3 is not a sample \(not JSON.*\): moved to samples\.quarantine\.jsonl; the 8 valid samples are kept/,
      );
      assert.match(
        resumed.stdout,
        /complete: 1 samples taken this time, 9 planned/,
        'only the bad one again',
      );
      const after = lines(runDir);
      assert.deepEqual(
        after.slice(0, 8),
        [...before.slice(0, 2), ...before.slice(3)],
        'valid lines untouched',
      );
      assert.deepEqual(
        after.map((l) => (JSON.parse(l) as SampleRecord).seq).sort((a, b) => a - b),
        [...Array(9).keys()],
      );
      const q = readFileSync(join(runDir, 'samples.quarantine.jsonl'), 'utf8').trim().split('\n');
      assert.equal(q.length, 1);
      assert.deepEqual(JSON.parse(q[0]!), { ...JSON.parse(q[0]!), line: 3, text: 'garbage, not a sample' });
    } finally {
      cleanup();
    }
  },
);

test(
  'SIGINT stops the live idle instance, finalises results as incomplete, exits 130',
  { skip: requires('probe') },
  async () => {
    const { dir, cleanup } = tempDir('int');
    const marker = `ctvm-int-${process.pid}`;
    try {
      // `idle` with a long idle window: the signal lands while an instance is running.
      const file = writeScenario(
        dir,
        marker,
        'environments: [bare]\nworkloads: [idle]\nrepetitions: 3\nwarmup: 0\nidleWindow: 30s\n',
      );
      const out = join(dir, 'results');
      const t0 = Date.now();
      const child = execa('node', [CTVM, 'run', file, '--out', out, '--plain'], { reject: false });
      let probes: number[] = [];
      await waitFor(() => {
        probes = childProbes(child.pid!);
        return probes.length > 0; // the first idle instance is up
      }, 30_000);
      child.kill('SIGINT');
      const r = await child;
      assert.equal(r.exitCode, 130, r.stderr);
      const runDir = onlyRun(out);
      assert.equal(readMeta(runDir).status, 'incomplete');
      assert.equal(lines(runDir).length, 0, 'the interrupted sample is not recorded');
      assert.ok(existsSync(join(runDir, 'summary.json')));
      assert.match(r.stdout, /--resume/);
      assert.ok(Date.now() - t0 < 25_000, 'interrupted promptly, not after the 30 s idle window');
      assert.deepEqual(
        probes.filter((p) => existsSync(`/proc/${p}`) && !isZombie(p)),
        [],
        'idle instance stopped',
      );
    } finally {
      cleanup();
    }
  },
);

/** ctvm-probe processes descended from `parent` (the runner under test; bare launches them
 * through its resident ctvm-nsexec launcher, so they are grandchildren and further down). */
function childProbes(parent: number): number[] {
  const ppid = new Map<number, number>();
  const probes: number[] = [];
  for (const p of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      ppid.set(Number(p), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
      if (stat.includes('(ctvm-probe)')) probes.push(Number(p));
    } catch {
      /* gone */
    }
  }
  const descends = (p: number): boolean => {
    for (let q = ppid.get(p), hops = 0; q !== undefined && q > 1 && hops < 16; q = ppid.get(q), hops++)
      if (q === parent) return true;
    return false;
  };
  return probes.filter(descends);
}

function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return true;
  }
}
