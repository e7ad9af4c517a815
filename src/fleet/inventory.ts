// An Ansible inventory, read through `ansible-inventory --list` (so every format Ansible reads is
// accepted) and checked before anything runs: it exists, it names hosts, and each host name can
// be a directory name under results/fleet-<id>/.
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { execa } from 'execa';
import { UsageError } from '../errors.js';

export interface Inventory {
  path: string;
  /** Host names, sorted. */
  hosts: string[];
  /** Per-host variables as Ansible resolved them (groups merged). */
  hostvars: Record<string, Record<string, unknown>>;
}

const HOST_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
/** Names the fleet directory itself uses next to the host directories. */
export const RESERVED_NAMES = new Set(['fleet.json', 'ansible.log', 'ansible-tree']);

export async function readInventory(path: string): Promise<Inventory> {
  const abs = resolve(path);
  if (!existsSync(abs))
    throw new UsageError(`inventory ${abs} does not exist`, {
      hint: 'pass -i <file>: an Ansible inventory (INI or YAML) naming the hosts, see README "Fleet runs"',
    });
  if (!statSync(abs).isFile()) throw new UsageError(`inventory ${abs} is not a file`);
  const r = await execa('ansible-inventory', ['-i', abs, '--list'], {
    reject: false,
    env: { ANSIBLE_INVENTORY_UNPARSED_FAILED: 'true' },
  });
  if (r.failed && r.exitCode === undefined)
    throw new UsageError('ansible-inventory is not installed (the controller needs ansible-core)', {
      hint: 'apt-get install ansible-core (or: node scripts/setup.mjs)',
    });
  if (r.exitCode !== 0)
    throw new UsageError(`inventory ${abs}: ansible-inventory cannot parse it: ${lastLines(r.stderr)}`);
  return parseInventoryList(abs, r.stdout);
}

/** `ansible-inventory --list` JSON -> hosts and their vars. */
export function parseInventoryList(path: string, json: string): Inventory {
  const doc = JSON.parse(json) as {
    _meta?: { hostvars?: Record<string, Record<string, unknown>> };
    [group: string]: { hosts?: string[] } | unknown;
  };
  const hostvars = doc._meta?.hostvars ?? {};
  const names = new Set(Object.keys(hostvars));
  for (const [group, value] of Object.entries(doc))
    if (group !== '_meta' && typeof value === 'object' && value !== null)
      for (const h of (value as { hosts?: string[] }).hosts ?? []) names.add(h);
  const hosts = [...names].sort();
  if (hosts.length === 0)
    throw new UsageError(`inventory ${path} names no hosts`, {
      hint: 'list at least one host, e.g. an INI line `h1 ansible_host=192.0.2.10 ansible_user=root`',
    });
  for (const h of hosts)
    if (!HOST_NAME.test(h) || RESERVED_NAMES.has(h))
      throw new UsageError(`inventory ${path}: host name '${h}' cannot be a results directory name`, {
        hint: "use letters, digits, '.', '_' or '-' (not fleet.json, ansible.log, ansible-tree), and ansible_host for the address",
      });
  return { path, hosts, hostvars: Object.fromEntries(hosts.map((h) => [h, hostvars[h] ?? {}])) };
}

function lastLines(text: string): string {
  return (
    text
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean)
      .slice(-3)
      .join(' / ') || 'no message'
  );
}
