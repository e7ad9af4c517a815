// Output floods without newlines (issue #11): splitting stays linear in the output's size, no
// line passes MAX_LINE_CHARS, and what error messages quote (tails) stays short.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import {
  LineSplitter,
  MAX_LINE_CHARS,
  MAX_TAIL_LINE_CHARS,
  readLines,
  Tail,
} from '../../../src/engine/line-stream.js';
import { ConsoleLines } from '../../../src/engine/vm/console-parser.js';

test('lines across chunks, empty lines and an unterminated rest', () => {
  const s = new LineSplitter();
  assert.deepEqual(s.push('a'), []);
  assert.deepEqual(s.push('b\n\nc\nd'), ['ab', '', 'c']);
  assert.deepEqual(s.push('\n'), ['d']);
  assert.equal(s.end(), undefined);
  assert.deepEqual(s.push('tail'), []);
  assert.equal(s.end(), 'tail');
});

test('a run without a newline is cut at MAX_LINE_CHARS, losing nothing', () => {
  const s = new LineSplitter();
  const out = [...s.push('x'.repeat(MAX_LINE_CHARS - 1)), ...s.push('yy'), ...s.push('z\n')];
  assert.deepEqual(
    out.map((l) => l.length),
    [MAX_LINE_CHARS, 2],
  );
  assert.equal(out.join(''), 'x'.repeat(MAX_LINE_CHARS - 1) + 'yyz');
  const big = [...s.push('q'.repeat(3 * MAX_LINE_CHARS + 5) + '\n')];
  assert.deepEqual(
    big.map((l) => l.length),
    [MAX_LINE_CHARS, MAX_LINE_CHARS, MAX_LINE_CHARS, 5],
  );
});

/** 4 MiB in 1 KiB writes, no newline until the end: the old splitter took ~86 s here, this ~0.1 s. */
async function flood(push: (chunk: string) => void, yieldEvery = 64): Promise<void> {
  const chunk = 'x'.repeat(1024);
  for (let i = 0; i < 4096; i++) {
    push(chunk);
    if (i % yieldEvery === 0) await new Promise((r) => setImmediate(r));
  }
}

test('readLines: a 4 MiB flood without newlines is split in linear time', { timeout: 10_000 }, async () => {
  const s = new PassThrough();
  const lines: string[] = [];
  const done = readLines(s, (l) => void lines.push(l));
  const t0 = performance.now();
  await flood((c) => void s.write(c));
  s.end('READY\n');
  await done;
  const ms = performance.now() - t0;
  assert.ok(ms < 5000, `took ${ms.toFixed(0)} ms`);
  assert.ok(
    lines.every((l) => l.length <= MAX_LINE_CHARS),
    'no line over MAX_LINE_CHARS',
  );
  assert.equal(lines.join('').length, 4096 * 1024 + 'READY'.length);
});

test(
  'the VM console reader: a flood is split in linear time and its tail stays short',
  { timeout: 10_000 },
  async () => {
    const seen: number[] = [];
    const c = new ConsoleLines((l) => void seen.push(l.length));
    const t0 = performance.now();
    await flood((chunk) => c.push(Buffer.from(chunk)));
    c.flush();
    const ms = performance.now() - t0;
    assert.ok(ms < 5000, `took ${ms.toFixed(0)} ms`);
    assert.ok(Math.max(...seen) <= MAX_LINE_CHARS);
    assert.ok(
      c.tail.every((l) => l.length < MAX_TAIL_LINE_CHARS + 40),
      'tail lines are cut',
    );
    assert.ok(c.tail.join(' | ').length < 20 * (MAX_TAIL_LINE_CHARS + 40));
  },
);

test('a Tail keeps at most MAX_TAIL_LINE_CHARS of a line and says how much it cut', () => {
  const t = new Tail(3);
  t.push('short');
  t.push('y'.repeat(2 * 1024 * 1024));
  assert.equal(t.lines[0], 'short');
  assert.equal(
    t.lines[1],
    `${'y'.repeat(MAX_TAIL_LINE_CHARS)}… (${2 * 1024 * 1024 - MAX_TAIL_LINE_CHARS} more characters)`,
  );
});
