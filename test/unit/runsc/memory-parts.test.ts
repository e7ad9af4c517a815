// Which gVisor process plays which part, from its argv as /proc shows it (measured on runsc
// 2022-12): only processes naming this instance's bundle count.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runscRole } from '../../../src/engine/runsc/memory-parts.js';

const B = '/run/ctvm/ctvm-abc-1-0';

test('sentry, gofer and the runsc run parent are told apart; other bundles are not ours', () => {
  assert.equal(
    runscRole(['runsc-sandbox', '--root=/r', 'boot', `--bundle=${B}`, '--cpu-num', '2'], B),
    'sentry',
  );
  assert.equal(runscRole(['runsc-gofer', '--root=/r', 'gofer', '--bundle', B, '--spec-fd=3'], B), 'gofer');
  assert.equal(runscRole(['/usr/bin/runsc', '--root', '/r', 'run', '--bundle', B, 'ctvm-x'], B), 'parent');
  assert.equal(runscRole(['runsc-sandbox', 'boot', `--bundle=${B}-2`], B), undefined, 'a prefix is not ours');
  assert.equal(runscRole(['/usr/bin/runsc', 'delete', '--force', 'ctvm-x'], B), undefined);
  assert.equal(runscRole(['sh', '-c', `echo ${B}`], B), undefined);
});
