// The escape suite's protocol: ATTACK lines, the verdicts carried by the RESULT line (as the
// bare/container and VM console parsers read it), and the attack names mirrored in C and TS.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_DIR } from '../../../src/paths.js';
import { parseConsoleLine } from '../../../src/engine/vm/console-parser.js';
import { kindFor } from '../../../src/runner/plan.js';
import { isKnownWorkload } from '../../../src/workload/catalog.js';
import { parseResultLine } from '../../../src/workload/protocol.js';
import {
  ATTACK_MEANINGS,
  attacksFromResult,
  parseAttackLine,
} from '../../../src/workload/attack-protocol.js';

const RESULT =
  'RESULT mode=attack ns=829445170 escaped=1 contained=1 skipped=1 ' +
  'attack.tiocsti=contained:open(/dev/tty)=ENXIO ' +
  'attack.cgroup-limit=escaped:/sys/fs/cgroup/memory:rewrote-memory.limit_in_bytes=9223372036854771712 ' +
  'attack.iopl=skipped:iopl=ENOSYS,not-in-kernel-or-filtered';

const EXPECTED = [
  { name: 'tiocsti', verdict: 'contained', evidence: 'open(/dev/tty)=ENXIO' },
  {
    name: 'cgroup-limit',
    verdict: 'escaped',
    evidence: '/sys/fs/cgroup/memory:rewrote-memory.limit_in_bytes=9223372036854771712',
  },
  { name: 'iopl', verdict: 'skipped', evidence: 'iopl=ENOSYS,not-in-kernel-or-filtered' },
];

test('ATTACK lines parse into name, verdict and evidence; other lines do not', () => {
  assert.deepEqual(parseAttackLine('ATTACK userns escaped unshare(CLONE_NEWUSER)=0'), {
    name: 'userns',
    verdict: 'escaped',
    evidence: 'unshare(CLONE_NEWUSER)=0',
  });
  assert.deepEqual(parseAttackLine('ATTACK net-visible contained'), {
    name: 'net-visible',
    verdict: 'contained',
    evidence: '',
  });
  assert.equal(parseAttackLine('ATTACK userns maybe x'), undefined, 'unknown verdict');
  assert.equal(parseAttackLine('READY'), undefined);
});

test('the RESULT line carries every verdict, whether read from a pipe or a VM console', () => {
  assert.deepEqual(attacksFromResult(parseResultLine(RESULT)!), EXPECTED);
  const vm = parseConsoleLine(RESULT);
  assert.equal(vm?.kind, 'result');
  assert.deepEqual(attacksFromResult(vm.kind === 'result' ? vm.fields : {}), EXPECTED);
  assert.deepEqual(attacksFromResult({ mode: 'cpu', ns: '1' }), [], 'no verdicts in other workloads');
  assert.deepEqual(attacksFromResult({ 'attack.x': 'bogus:y' }), [], 'an unknown verdict is dropped');
});

test('`attack` is a known workload whose samples are of kind attack', () => {
  assert.ok(isKnownWorkload('attack'));
  assert.equal(kindFor('attack'), 'attack');
});

test('every attack of native/attack/main.c has a meaning for the report, and no other', () => {
  const c = readFileSync(join(PROJECT_DIR, 'native/attack/main.c'), 'utf8');
  const table = /ATTACKS\[\] = \{([\s\S]*?)\n\};/.exec(c)?.[1] ?? '';
  const names = [...table.matchAll(/\{"([a-z0-9-]+)", a_/g)].map((m) => m[1]);
  assert.ok(names.length >= 25, `parsed ${names.length} attacks from attack/main.c`);
  assert.deepEqual([...names].sort(), Object.keys(ATTACK_MEANINGS).sort());
});
