// The /init script and the console protocol the host parses (they must agree).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { requires } from '../../helpers/requires.js';
import { ConsoleLines, parseConsoleLine } from '../../../src/engine/vm/console-parser.js';
import { renderInitScript, shQuote } from '../../../src/engine/vm/init-script.js';

test('init script: mounts, reports, runs the quoted argv, powers off through isa-debug-exit', () => {
  const s = renderInitScript({
    argv: ['/bin/ctvm-probe', 'exit', "it's"],
    env: { PATH: '/bin', 'BAD-KEY': 'x' },
  });
  assert.ok(s.startsWith('#!/bin/busybox sh\n'));
  for (const fs of ['proc', 'sysfs', 'devtmpfs']) assert.match(s, new RegExp(`mount -t ${fs} `));
  assert.match(s, /^'\/bin\/ctvm-probe' 'exit' 'it'\\''s' <\/dev\/null &$/m);
  assert.match(s, /^export PATH='\/bin'$/m);
  assert.doesNotMatch(s, /BAD-KEY/);
  assert.match(s, /echo "CTVM-EXIT code=\$rc"/);
  assert.match(s, /dd if=\/tmp\/\.ctvm-rc of=\/dev\/port bs=1 seek=244 count=1/);
  assert.ok(
    s.indexOf('ctvm_mem INIT') < s.indexOf("'/bin/ctvm-probe'"),
    'INIT is reported before the workload starts',
  );
  assert.throws(() => renderInitScript({ argv: [], env: {} }));
});

test(
  "the exit status byte /init writes to the debug-exit port is the workload's status & 255",
  { skip: requires('busybox') },
  () => {
    const lines = renderInitScript({ argv: ['/x'], env: {} }).split('\n');
    const octal = lines.find((l) => l.startsWith('o=$(('))!;
    const write = lines.find((l) => l.includes('.ctvm-rc'))!;
    assert.ok(octal && write);
    // The same two lines under the host's busybox sh, with the byte written to stdout instead.
    const byteOf = (rc: number): number[] => {
      const r = spawnSync('busybox', [
        'sh',
        '-c',
        `rc=${rc}; ${octal}; ${write.split(';')[0]!.replace('> /tmp/.ctvm-rc', '')}`,
      ]);
      assert.equal(r.status, 0, String(r.stderr));
      return [...r.stdout];
    };
    for (const rc of [0, 1, 3, 7, 8, 63, 64, 127, 128, 200, 255, 256 + 5])
      assert.deepEqual(byteOf(rc), [rc & 255], `rc ${rc}`);
  },
);

test('shQuote survives quotes and spaces', () => {
  assert.equal(shQuote("a b'c"), `'a b'\\''c'`);
});

test('protocol lines parse; kernel noise and partial markers do not', () => {
  assert.deepEqual(parseConsoleLine('READY'), { kind: 'ready' });
  assert.deepEqual(parseConsoleLine('RESULT mode=cpu ns=123 rounds=5'), {
    kind: 'result',
    fields: { mode: 'cpu', ns: '123', rounds: '5' },
  });
  assert.deepEqual(parseConsoleLine('CTVM-INIT uptime_s=0.77 mem_total_kb=210888 mem_available_kb=185368'), {
    kind: 'init',
    uptimeS: 0.77,
    memTotalBytes: 210888 * 1024,
    memAvailableBytes: 185368 * 1024,
  });
  assert.equal(parseConsoleLine('CTVM-MEM uptime_s=3.1 mem_total_kb=1 mem_available_kb=1')?.kind, 'mem');
  assert.deepEqual(parseConsoleLine('CTVM-EXIT code=3'), { kind: 'exit', code: 3 });
  assert.equal(parseConsoleLine('CTVM-EXIT code='), null);
  assert.equal(parseConsoleLine('[    0.3] PCI: Fatal: No config space access function found'), null);
  assert.equal(parseConsoleLine('NOT READY'), null);
});

test('console lines: CRLF stripped, split chunks joined, tail keeps the last 20, flush emits a partial line', () => {
  const seen: string[] = [];
  const c = new ConsoleLines((l) => seen.push(l));
  c.push('REA');
  c.push('DY\r\nRESULT mode=noop ns=1\r\n');
  assert.deepEqual(seen, ['READY', 'RESULT mode=noop ns=1']);
  for (let i = 0; i < 30; i++) c.push(`line ${i}\r\n`);
  c.push('half');
  c.flush();
  assert.equal(c.tail.length, 20);
  assert.equal(c.tail[19], 'half');
  assert.equal(c.tail[0], 'line 11');
});
