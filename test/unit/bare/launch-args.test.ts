// The launcher argv for a bare run: working directory, environment, the output lines to stamp,
// then the rootfs copy of the command. No namespace, root, cgroup or capability keyword: the
// launcher then vforks and execs it as a plain process.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { bareLaunchArgs } from '../../../src/engine/bare/instance.js';
import type { PreparedWorkload } from '../../../src/engine/environment.js';

const workload: PreparedWorkload = {
  name: 'cpu',
  rootfsDir: '/cache/rootfs/abc',
  rootfsHash: 'abc',
  argv: ['/bin/ctvm-probe', 'cpu', '200'],
  env: { PATH: '/bin', LANG: 'C' },
  binarySha256: '0',
};

test('bare launch args: cwd, env, marks, --, the rootfs copy of argv[0] and its arguments', () => {
  assert.deepEqual(bareLaunchArgs({ workload }), [
    'cwd',
    tmpdir(),
    'env',
    'PATH=/bin',
    'env',
    'LANG=C',
    'mark',
    'ready',
    'READY',
    'mark',
    'result',
    'RESULT',
    '--',
    '/cache/rootfs/abc/bin/ctvm-probe',
    'cpu',
    '200',
  ]);
});

test('bare launch args never ask for isolation', () => {
  const args = bareLaunchArgs({ workload });
  const arity: Record<string, number> = { cwd: 1, env: 1, mark: 2 };
  const keywords: string[] = [];
  for (let i = 0; args[i] !== '--'; i += 1 + (arity[args[i]!] ?? 0)) keywords.push(args[i]!);
  assert.deepEqual(keywords, ['cwd', 'env', 'env', 'mark', 'mark']);
  assert.throws(() => bareLaunchArgs({ workload: { ...workload, argv: [] } }), /empty argv/);
});
