// #12 item 8: `ctvm vm run -- /bin/echo hi` without --rootfs used to boot noop, ignore the command
// and exit 0. It is now a usage error (exit 2) with a hint, before any guest boots.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { main } from '../../../src/cli/main.js';

test('vm run -- CMD without --rootfs or --workload: exit 2 and a hint, nothing booted', async () => {
  const err: string[] = [];
  const [log, error] = [console.log, console.error];
  console.log = () => undefined;
  console.error = (...a: unknown[]) => void err.push(a.map(String).join(' '));
  try {
    const t0 = Date.now();
    const code = await main(['node', 'ctvm', 'vm', 'run', '--', '/bin/echo', 'hi']);
    assert.equal(code, 2, err.join('\n'));
    assert.match(err.join('\n'), /ctvm: a command \(\/bin\/echo hi\) needs --rootfs DIR/);
    assert.match(err.join('\n'), /hint: ctvm vm run --rootfs DIR -- \/bin\/echo hi/);
    assert.ok(Date.now() - t0 < 2000, 'refused before booting');
  } finally {
    [console.log, console.error] = [log, error];
    process.exitCode = undefined;
  }
});
