// The one reading of READY/RESULT lines shared by bare, container and oci instances.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ReadyWatch } from '../../../src/engine/line-stream.js';
import { isReadyLine, WorkloadOutput } from '../../../src/engine/workload-output.js';
import type { PhaseTimeline } from '../../../src/engine/environment.js';

const timeline = (): PhaseTimeline => ({ launchNs: 0, phases: [], facts: {} });

test('isReadyLine: READY with surrounding whitespace only', () => {
  for (const l of ['READY', 'READY\r', '  READY ', '\tREADY'])
    assert.equal(isReadyLine(l), true, JSON.stringify(l));
  for (const l of ['READY!', 'NOT READY', 'READYX', 'ready', '', 'RE ADY'])
    assert.equal(isReadyLine(l), false, JSON.stringify(l));
});

test('WorkloadOutput: READY tells the watch (our stamp), the last RESULT is kept, all lines tailed', async () => {
  const ev = timeline();
  const out = new WorkloadOutput(new ReadyWatch(ev, false));
  const watch = new ReadyWatch(ev, false);
  const o = new WorkloadOutput(watch);
  o.line('booting', 10);
  o.line('READY\r', 20);
  o.line('RESULT mode=cpu ns=5', 30);
  o.line(' RESULT mode=cpu ns=7 extra=x ', 40);
  o.other('a stderr line');
  assert.deepEqual(await watch.ready, { atNs: 20 });
  assert.deepEqual(o.result(ev), { atNs: 40, fields: { mode: 'cpu', ns: '7', extra: 'x' } });
  assert.deepEqual(o.tail.lines, [
    'booting',
    'READY\r',
    'RESULT mode=cpu ns=5',
    ' RESULT mode=cpu ns=7 extra=x ',
    'a stderr line',
  ]);
  assert.equal(out.result(ev), undefined, 'no RESULT line, no result');
});

test('WorkloadOutput: a line on the non-protocol stream is never READY or RESULT', () => {
  const ev = timeline();
  const watch = new ReadyWatch(ev, false);
  const o = new WorkloadOutput(watch);
  o.other('READY');
  o.other('RESULT mode=cpu ns=1');
  assert.equal(watch.seen, false);
  assert.equal(o.result(ev), undefined);
  assert.deepEqual(o.tail.lines, ['READY', 'RESULT mode=cpu ns=1']);
});

test("WorkloadOutput: the launcher's first `result` stamp replaces ours", () => {
  const ev = timeline();
  const o = new WorkloadOutput(new ReadyWatch(ev, true));
  o.line('RESULT mode=io ns=9', 500);
  ev.phases.push({ name: 'result', atNs: 321 });
  assert.deepEqual(o.result(ev), { atNs: 321, fields: { mode: 'io', ns: '9' } });
});
