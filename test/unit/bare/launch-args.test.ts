// The launcher argv for a bare run: working directory, environment, then the rootfs copy of the
// command. No namespace, root, cgroup or capability keyword: the launcher then execs in place.
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

test('bare launch args: cwd, env, --, the rootfs copy of argv[0] and its arguments', () => {
  assert.deepEqual(bareLaunchArgs({ workload }), [
    'cwd',
    tmpdir(),
    'env',
    'PATH=/bin',
    'env',
    'LANG=C',
    '--',
    '/cache/rootfs/abc/bin/ctvm-probe',
    'cpu',
    '200',
  ]);
});

test('bare launch args never ask for isolation', () => {
  const args = bareLaunchArgs({ workload });
  const keywords = args.slice(0, args.indexOf('--')).filter((_, i) => i % 2 === 0);
  assert.deepEqual(keywords, ['cwd', 'env', 'env']);
  assert.throws(() => bareLaunchArgs({ workload: { ...workload, argv: [] } }), /empty argv/);
});
