// `ctvm container run` through the real CLI: exit code propagation, and bad input -> one line
// naming the value, exit code 2, nothing left behind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { PROJECT_DIR } from '../../../src/paths.js';
import { requires } from '../../helpers/requires.js';
import { PREFIX, leftovers } from './helpers.js';

const skip = requires('root', 'helper', 'probe', 'busybox', 'cgroupV1');
const none = { cgroupDirs: [], stateDirs: [], mounts: [], processes: [] };

function ctvm(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(PROJECT_DIR, 'bin/ctvm.js'), ...args], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('container run exits with the container exit code and prints phases', { skip }, () => {
  const r = ctvm([
    'container',
    'run',
    '--name',
    `${PREFIX}cli`,
    '--memory',
    '64M',
    '--cpus',
    '0.5',
    '--pids',
    '64',
    '--hostname',
    'h1',
    '--phases',
    '--',
    'sh',
    '-c',
    'hostname; exit 7',
  ]);
  assert.equal(r.code, 7, r.stderr);
  assert.equal(r.stdout, 'h1\n');
  for (const phase of ['helper', 'namespaces', 'rootfs', 'pivot', 'cgroup', 'exec', 'exited'])
    assert.match(r.stderr, new RegExp(`^  ${phase} `, 'm'));
  assert.deepEqual(leftovers(), none);
});

const BAD: Array<[string, string[], RegExp]> = [
  [
    'missing rootfs',
    ['--rootfs', '/nonexistent/rootfs', '--', 'true'],
    /^ctvm: rootfs '\/nonexistent\/rootfs' does not exist$/m,
  ],
  ['missing command', [], /^ctvm: missing command$/m],
  ['--memory banana', ['--memory', 'banana', '--', 'true'], /^ctvm: invalid --memory 'banana'$/m],
  ['a limit of 0', ['--pids', '0', '--', 'true'], /^ctvm: invalid --pids '0'$/m],
  [
    'a memory limit of 0',
    ['--memory', '0', '--', 'true'],
    /^ctvm: invalid --memory '0': must be greater than 0$/m,
  ],
  [
    'rootfs escaping with ..',
    ['--rootfs', '/tmp/../etc', '--', 'true'],
    /^ctvm: rootfs '\/tmp\/\.\.\/etc' contains '\.\.'$/m,
  ],
  ['--net bogus', ['--net', 'bogus', '--', 'true'], /^ctvm: invalid --net 'bogus'$/m],
];

for (const [what, args, message] of BAD) {
  test(`bad input: ${what} -> exit 2, one line naming the value, nothing left`, { skip }, () => {
    const r = ctvm(['container', 'run', '--name', `${PREFIX}bad`, ...args]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, message);
    assert.equal(r.stderr.split('\n').filter((l) => l.startsWith('ctvm:')).length, 1, r.stderr);
    assert.deepEqual(leftovers(), none);
  });
}
