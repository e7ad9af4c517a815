// The one place that runs ansible-playbook: the shipped playbook (fleet/run.yml) with its config
// (fleet/ansible.cfg unless ANSIBLE_CONFIG is set), output streamed to the terminal and appended
// to results/fleet-<id>/ansible.log.
import { createWriteStream } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { UsageError } from '../errors.js';
import { PROJECT_DIR } from '../paths.js';

export const PLAYBOOK = join(PROJECT_DIR, 'fleet', 'run.yml');
export const ANSIBLE_CFG = join(PROJECT_DIR, 'fleet', 'ansible.cfg');

export interface PlaybookPass {
  inventory: string;
  /** JSON file of extra vars. */
  varsFile: string;
  /** Hosts to run on (--limit). */
  hosts: string[];
  serial: boolean;
  treeDir: string;
  logFile: string;
  quiet?: boolean;
}

/** Runs one pass; returns ansible-playbook's exit code (2 = some host failed, 4 = unreachable; 128+N killed by signal N). */
export async function runPlaybook(p: PlaybookPass): Promise<number> {
  const log = createWriteStream(p.logFile, { flags: 'a' });
  const args = ['-i', p.inventory, PLAYBOOK, '-e', `@${p.varsFile}`, '--limit', p.hosts.join(',')];
  if (p.serial) args.push('--forks', '1');
  const child = execa('ansible-playbook', args, {
    reject: false,
    all: true,
    buffer: false,
    env: {
      ANSIBLE_CONFIG: process.env.ANSIBLE_CONFIG ?? ANSIBLE_CFG,
      ANSIBLE_CALLBACK_TREE_DIR: p.treeDir,
      ANSIBLE_FORCE_COLOR: 'false',
    },
  });
  child.all?.on('data', (chunk: Buffer) => {
    log.write(chunk);
    if (!p.quiet) process.stderr.write(chunk);
  });
  const r = await child;
  await new Promise<void>((done) => log.end(done));
  // Killed (Ctrl-C, SIGTERM): what the hosts finished is still recorded by the caller.
  if (r.signal !== undefined) return 128 + (os.constants.signals[r.signal] ?? 0);
  if (r.exitCode === undefined)
    throw new UsageError(`ansible-playbook could not be started: ${r.shortMessage ?? r.message}`, {
      hint: 'the controller needs ansible-core (apt-get install ansible-core, or node scripts/setup.mjs)',
    });
  return r.exitCode;
}
