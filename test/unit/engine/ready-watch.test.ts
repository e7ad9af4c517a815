// When an instance counts as ready: the launcher's stamp of the READY line when it relays the
// output (marked), our own read of the line otherwise or when the stamp never comes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ReadyWatch, resultAtNs } from '../../../src/engine/line-stream.js';
import type { PhaseTimeline } from '../../../src/engine/environment.js';

const timeline = (): PhaseTimeline => ({ launchNs: 0, phases: [], facts: {} });
const pending = Symbol('pending');
async function state<T>(p: Promise<T>): Promise<T | typeof pending> {
  return Promise.race([p, new Promise<typeof pending>((r) => setImmediate(() => r(pending)))]);
}

test('marked: the launcher stamp is the figure, whichever of stamp and line comes first', async () => {
  for (const order of ['mark-first', 'line-first'] as const) {
    const ev = timeline();
    const w = new ReadyWatch(ev, true);
    if (order === 'mark-first') {
      w.mark(100);
      assert.equal(await state(w.ready), pending, 'not ready before our read of the line');
      w.line(250);
    } else {
      w.line(250);
      assert.equal(await state(w.ready), pending, 'waits for the stamp');
      w.mark(100);
    }
    assert.deepEqual(await w.ready, { atNs: 100 }, order);
    assert.deepEqual(ev.phases, [], 'the stamp is already a phase (from the launcher); none added');
    assert.equal(w.seen, true);
  }
});

test('marked, stamp missing: our read counts after the grace period, and becomes the phase', async () => {
  const ev = timeline();
  const w = new ReadyWatch(ev, true);
  w.line(250);
  assert.deepEqual(await w.ready, { atNs: 250 });
  assert.deepEqual(ev.phases, [{ name: 'ready', atNs: 250 }]);
});

test('unmarked: our read of the line, at once; a later mark changes nothing', async () => {
  const ev = timeline();
  const w = new ReadyWatch(ev, false);
  w.line(250);
  assert.deepEqual(await state(w.ready), { atNs: 250 });
  w.mark(100);
  assert.deepEqual(await w.ready, { atNs: 250 });
  assert.deepEqual(ev.phases, [{ name: 'ready', atNs: 250 }]);
});

test('end before the line rejects with the reason; end after the line resolves', async () => {
  const w = new ReadyWatch(timeline(), true);
  assert.equal(w.seen, false);
  w.end(() => new Error('exited (code 3) before READY'));
  await assert.rejects(w.ready, /code 3/);
  const v = new ReadyWatch(timeline(), true);
  v.line(7);
  v.end(() => new Error('unused'));
  assert.deepEqual(await v.ready, { atNs: 7 });
});

test('result time: the launcher stamp when there is one', () => {
  const ev = timeline();
  assert.equal(resultAtNs(ev, 900), 900);
  ev.phases.push({ name: 'result', atNs: 800 });
  assert.equal(resultAtNs(ev, 900), 800);
});
