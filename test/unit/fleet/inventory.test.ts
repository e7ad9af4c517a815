// parseInventoryList: `ansible-inventory --list` JSON -> hosts; no hosts and unusable names are errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseInventoryList } from '../../../src/fleet/inventory.js';
import { UsageError } from '../../../src/errors.js';

test('hosts come from hostvars and from groups, sorted, with their vars', () => {
  const inv = parseInventoryList(
    'inv.yaml',
    JSON.stringify({
      _meta: { hostvars: { b: { ctvm_skip_envs: ['vm'] } } },
      all: { children: ['ungrouped', 'lab'] },
      lab: { hosts: ['b', 'a'] },
    }),
  );
  assert.deepEqual(inv.hosts, ['a', 'b']);
  assert.deepEqual(inv.hostvars.b, { ctvm_skip_envs: ['vm'] });
  assert.deepEqual(inv.hostvars.a, {});
});

test('an inventory without hosts is an error naming the file', () => {
  assert.throws(
    () =>
      parseInventoryList(
        '/x/empty.ini',
        JSON.stringify({ _meta: { hostvars: {} }, all: { children: ['ungrouped'] } }),
      ),
    (e: unknown) =>
      e instanceof UsageError && e.exitCode === 2 && /\/x\/empty\.ini names no hosts/.test(e.message),
  );
});

test('a host name that cannot be a results directory is refused by name', () => {
  for (const bad of ['../etc', 'fleet.json', 'a b'])
    assert.throws(
      () => parseInventoryList('inv', JSON.stringify({ lab: { hosts: [bad] } })),
      (e: unknown) => e instanceof UsageError && e.message.includes(`'${bad}'`),
    );
});
