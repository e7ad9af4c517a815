// The launcher as the first reader of a command's stdout (`mark`): it relays every byte unchanged,
// stamps the first line with each prefix once, between exec and the reap; output left to a
// background child still arrives; a bad mark is a usage error. And how it starts the command:
// the caller's CPU affinity and the normal scheduling policy (the launcher's own pinning and
// SCHED_FIFO never reach it); a settled pool serves the next launch from a spare.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { StatusMessage } from '../../../src/engine/launcher/nsexec-protocol.js';
import { nsexecLaunchCounts, nsexecSettled, spawnNsexec } from '../../../src/engine/launcher/nsexec-spawn.js';
import { markArgs } from '../../../src/workload/protocol.js';
import { requires } from '../../helpers/requires.js';
import { streamText } from './helpers.js';

const skip = requires('helper');

async function launch(args: string[]) {
  const status: StatusMessage[] = [];
  const p = spawnNsexec(args, { stdout: 'pipe', stderr: 'pipe', onStatus: (m) => status.push(m) });
  const [end, out, err] = await Promise.all([p.done, streamText(p.stdout), streamText(p.stderr)]);
  const at = (phase: string): number[] =>
    status.flatMap((m) => (m.kind === 'time' && m.phase === phase ? [m.atNs] : []));
  return { end, out, err, status, at };
}

test('marks: output relayed byte for byte, the first matching line stamped once', { skip }, async () => {
  // 300 KB in many writes, a partial line before the marked ones, the marked prefix twice.
  const script = [
    'i=0; while [ $i -lt 3000 ]; do printf "%0100d\\n" $i; i=$((i+1)); done',
    'printf "no newline yet, "',
    'echo "then READY is not at a line start"',
    'echo READY',
    'echo READY again',
    'echo "RESULT mode=x ns=1"',
    'printf "trailing, unterminated"',
  ].join('; ');
  const r = await launch([
    ...markArgs(), // ready READY, result RESULT
    '--',
    '/bin/sh',
    '-c',
    script,
  ]);
  assert.equal(r.end.exitCode, 0, r.end.error);
  const expected =
    Array.from({ length: 3000 }, (_, i) => String(i).padStart(100, '0') + '\n').join('') +
    'no newline yet, then READY is not at a line start\nREADY\nREADY again\nRESULT mode=x ns=1\ntrailing, unterminated';
  assert.equal(r.out.length, expected.length);
  assert.ok(r.out === expected, 'stdout differs from what the command wrote');
  assert.equal(r.at('ready').length, 1, 'stamped once');
  assert.equal(r.at('result').length, 1);
  const [exec] = r.at('exec');
  const [exited] = r.at('exited');
  assert.ok(
    exec! < r.at('ready')[0]! && r.at('ready')[0]! <= r.at('result')[0]! && r.at('result')[0]! <= exited!,
  );
});

test(
  'marks: output waits with the status lines for the first 20 ms after the exec, then flows while the command runs',
  { skip },
  async () => {
    // The launcher holds what it relays (like its own lines) while the command starts, so that
    // waking the caller does not compete with the start being timed (#12 item 15); the stamp is
    // taken on read, so it stays before the caller sees the line. Same clock: CLOCK_MONOTONIC.
    const status: StatusMessage[] = [];
    const p = spawnNsexec([...markArgs(), '--', '/bin/sh', '-c', 'echo READY; sleep 2; echo bye'], {
      stdout: 'pipe',
      stderr: 'pipe',
      onStatus: (m) => status.push(m),
    });
    let firstNs = 0;
    p.stdout!.once('data', () => (firstNs = Number(process.hrtime.bigint())));
    const [end, out] = await Promise.all([p.done, streamText(p.stdout), streamText(p.stderr)]);
    assert.equal(end.exitCode, 0, end.error);
    assert.equal(out, 'READY\nbye\n');
    const at = (phase: string): number =>
      status.flatMap((m) => (m.kind === 'time' && m.phase === phase ? [m.atNs] : []))[0] ?? NaN;
    assert.ok(at('ready') < firstNs, 'stamped before the caller has the line');
    assert.ok(
      firstNs - at('exec') >= 20e6,
      `output reached the caller ${(firstNs - at('exec')) / 1e6} ms after the exec`,
    );
    assert.ok(firstNs < at('exited'), 'but it flows while the command runs, not only at the end');
  },
);

test('marks: a line that never comes is never stamped; stderr is not relayed', { skip }, async () => {
  const r = await launch(['mark', 'ready', 'READY', '--', '/bin/sh', '-c', 'echo READY >&2; echo notREADY']);
  assert.equal(r.end.exitCode, 0);
  assert.deepEqual(r.at('ready'), []);
  assert.equal(r.out, 'notREADY\n');
  assert.equal(r.err, 'READY\n');
});

test('marks: output of a child left running still arrives after the exit report', { skip }, async () => {
  const r = await launch([
    'mark',
    'ready',
    'READY',
    '--',
    '/bin/sh',
    '-c',
    '(sleep 0.3; echo late) & echo READY; exit 4',
  ]);
  assert.equal(r.end.exitCode, 4);
  assert.equal(r.out, 'READY\nlate\n');
  assert.equal(r.at('ready').length, 1);
});

test('marks: an empty prefix or a name with a space is a usage error (exit 125)', { skip }, async () => {
  for (const bad of [
    ['mark', 'ready', ''],
    ['mark', 'a b', 'READY'],
    ['mark', 'ready'],
  ]) {
    const r = await launch([...bad, '--', '/bin/true']);
    assert.equal(r.end.exitCode, 125, JSON.stringify(bad));
    assert.ok(
      r.status.some((m) => m.kind === 'error' && m.op === 'argv'),
      JSON.stringify(r.status),
    );
  }
});

test("the command gets the caller's CPU affinity and the normal scheduling policy", { skip }, async (t) => {
  const mine = /Cpus_allowed_list:\s*(\S+)/.exec(readFileSync('/proc/self/status', 'utf8'))![1];
  // $$ is the shell itself, i.e. the command the launcher started. Field 41 of stat: policy.
  const r = await launch([
    '--',
    '/bin/sh',
    '-c',
    'grep Cpus_allowed_list /proc/$$/status; s=$(cat /proc/$$/stat); echo "policy ${s##*) }"; p=$(cat /proc/$PPID/stat); echo "launcher ${p##*) }"',
  ]);
  assert.equal(r.end.exitCode, 0, r.err);
  assert.equal(/Cpus_allowed_list:\s*(\S+)/.exec(r.out)?.[1], mine, r.out);
  const fields = /policy (.*)/.exec(r.out)![1]!.trim().split(' ');
  // After "comm)": state is field 3, so policy (field 41) is index 41 - 3.
  assert.equal(fields[41 - 3], '0', 'SCHED_OTHER');
  // The launcher (its parent) runs SCHED_FIFO where allowed: then this shows the reset works.
  const launcher = /launcher (.*)/.exec(r.out)![1]!.trim().split(' ')[41 - 3];
  if (launcher === '1') t.diagnostic('the launcher itself runs SCHED_FIFO; the command does not');
  else
    t.diagnostic(
      `the launcher runs policy ${launcher} here (no RT allowed), so only the command's policy is checked`,
    );
});

test('after nsexecSettled() the next launch is served by an idle spare', { skip }, async () => {
  for (let i = 0; i < 3; i++) {
    await nsexecSettled(2000);
    const before = nsexecLaunchCounts();
    const r = await launch(['--', '/bin/true']);
    assert.equal(r.end.exitCode, 0);
    assert.equal(nsexecLaunchCounts().spare, before.spare + 1, `launch ${i} took the fork path`);
  }
});
