// readInventory / parseInventoryList: a missing file, no hosts and unusable names are errors naming
// the file or the host; `ansible-inventory --list` JSON -> hosts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseInventoryList, readInventory } from '../../../src/fleet/inventory.js';
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

test('a missing inventory is an error naming its path, before Ansible is asked', async () => {
  const path = join(tmpdir(), `ctvm-no-such-inventory-${process.pid}.ini`);
  await assert.rejects(
    readInventory(path),
    (e: unknown) =>
      e instanceof UsageError &&
      e.exitCode === 2 &&
      e.message === `inventory ${path} does not exist` &&
      /-i <file>/.test(e.hint ?? ''),
  );
  await assert.rejects(
    readInventory(tmpdir()),
    (e: unknown) => e instanceof UsageError && /is not a file/.test(e.message),
  );
});
