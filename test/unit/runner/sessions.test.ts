// Environment.session(): the runner opens each used environment's session once, skips (with the
// reason) one whose session cannot open, and closes the open ones, last opened first.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Environment } from '../../../src/engine/environment.js';
import {
  openSessions,
  type EnvironmentRecord,
  type UsedEnvironment,
} from '../../../src/runner/environments.js';

function used(id: string, session?: Environment['session']): UsedEnvironment {
  const env: Environment = {
    id,
    probe: async () => ({ usable: true }),
    prepare: async () => undefined,
    launch: async () => {
      throw new Error('not launched here');
    },
    ...(session ? { session } : {}),
  };
  return { id, type: id, env, options: {}, facts: {} };
}

test('sessions: opened once each, a failing one skipped with its reason, closed in reverse', async () => {
  const log: string[] = [];
  const opener = (name: string) => async () => {
    log.push(`open ${name}`);
    return { close: async () => void log.push(`close ${name}`) };
  };
  const list = [
    used('bare'),
    used('lxd', opener('lxd')),
    used('broken', async () => {
      throw new Error('lxd: the daemon did not come up: lxd exited before it was ready (exit 1)');
    }),
    used('other', opener('other')),
  ];
  const records: Record<string, EnvironmentRecord> = {};
  const warnings: string[] = [];
  const close = await openSessions(list, records, (m) => warnings.push(m));
  assert.deepEqual(
    list.map((u) => u.id),
    ['bare', 'lxd', 'other'],
  );
  assert.deepEqual(records.broken, {
    used: false,
    type: 'broken',
    reason: 'session failed: lxd: the daemon did not come up: lxd exited before it was ready (exit 1)',
  });
  assert.equal(warnings.length, 1);
  await close();
  assert.deepEqual(log, ['open lxd', 'open other', 'close other', 'close lxd']);
});
