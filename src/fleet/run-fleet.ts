// `ctvm fleet run`: a new fleet (scenario + inventory) or `--resume fleet-<id>` (the hosts that
// did not finish), one ansible-playbook pass each, then fleet.json updated per host.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes, randomInt } from 'node:crypto';
import { parse } from 'yaml';
import { UsageError } from '../errors.js';
import { loadScenario } from '../runner/scenario-load.js';
import { readInventory } from './inventory.js';
import { readManifest, unfinishedHosts, writeManifest, type FleetManifest } from './manifest.js';
import { archiveRevision, headRevision } from './revision.js';
import { hostStatus, TREE_DIR } from './host-status.js';
import { runPlaybook } from './ansible.js';
import { resolveFleetDir } from './fleet-dir.js';

export interface NewFleet {
  scenario: string;
  inventory: string;
  resultsDir: string;
  serial: boolean;
  seed?: number;
  quiet?: boolean;
}

export interface ResumeFleet {
  resume: string;
  /** Another inventory (e.g. with a host fixed); default: the one the fleet was started with. */
  inventory?: string;
  resultsDir: string;
  serial?: boolean;
  quiet?: boolean;
}

export interface FleetOutcome {
  dir: string;
  manifest: FleetManifest;
  /** Hosts this pass ran on. */
  ran: string[];
  warnings: string[];
}

export async function startFleet(o: NewFleet): Promise<FleetOutcome> {
  const inventory = await readInventory(o.inventory);
  const { file, scenario } = loadScenario(o.scenario);
  const { revision, dirty } = await headRevision();
  const warnings = dirty
    ? ['the checkout has uncommitted changes: hosts run the committed revision, not them']
    : [];
  const now = new Date();
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  const fleetId = `fleet-${stamp}-${scenario.name}-${randomBytes(2).toString('hex')}`;
  const dir = join(o.resultsDir, fleetId);
  mkdirSync(dir, { recursive: true });
  const manifest: FleetManifest = {
    format: 'ctvm-fleet/1',
    fleetId,
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
    revision,
    scenario: {
      name: scenario.name,
      file,
      doc: parse(readFileSync(file, 'utf8')) as Record<string, unknown>,
    },
    seed: o.seed ?? scenario.seed ?? randomInt(2 ** 31),
    inventory: inventory.path,
    serial: o.serial,
    passes: [],
    hosts: {},
  };
  writeManifest(dir, manifest);
  await pass(dir, manifest, inventory.path, inventory.hosts, o.serial, o.quiet);
  return { dir, manifest, ran: inventory.hosts, warnings };
}

export async function resumeFleet(o: ResumeFleet): Promise<FleetOutcome> {
  const dir = resolveFleetDir(o.resume, o.resultsDir);
  const manifest = readManifest(dir);
  const inventory = await readInventory(o.inventory ?? manifest.inventory);
  const todo = unfinishedHosts(manifest);
  const gone = todo.filter((h) => !inventory.hosts.includes(h));
  if (gone.length)
    throw new UsageError(`inventory ${inventory.path} no longer names ${gone.join(', ')}`, {
      hint: 'resume with the inventory the fleet ran with (or one that still lists those hosts)',
    });
  if (todo.length > 0) {
    // A rerun host starts from an empty directory: nothing of the failed attempt is mixed in.
    for (const h of todo) rmSync(join(dir, h), { recursive: true, force: true });
    await pass(dir, manifest, inventory.path, todo, o.serial ?? manifest.serial, o.quiet);
  }
  return { dir, manifest, ran: todo, warnings: [] };
}

async function pass(
  dir: string,
  m: FleetManifest,
  inventory: string,
  hosts: string[],
  serial: boolean,
  quiet?: boolean,
): Promise<void> {
  const tmp = mkdtempSync(join(tmpdir(), 'ctvm-fleet-'));
  try {
    const archive = await archiveRevision(m.revision, tmp);
    const varsFile = join(tmp, 'vars.json');
    writeFileSync(
      varsFile,
      JSON.stringify({
        fleet_id: m.fleetId,
        fleet_dir: dir,
        archive,
        revision: m.revision,
        scenario_doc: m.scenario.doc,
        scenario_envs: scenarioEnvs(m),
        seed: m.seed,
      }),
    );
    const treeDir = join(dir, TREE_DIR);
    rmSync(treeDir, { recursive: true, force: true });
    for (const h of hosts) mkdirSync(join(dir, h), { recursive: true });
    const exitCode = await runPlaybook({
      inventory,
      varsFile,
      hosts,
      serial,
      treeDir,
      logFile: join(dir, 'ansible.log'),
      quiet,
    });
    for (const h of hosts) m.hosts[h] = hostStatus(dir, h);
    m.passes.push({ at: new Date().toISOString(), hosts, exitCode });
    m.updatedAt = new Date().toISOString();
    writeManifest(dir, m);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** Environment ids of the fleet's scenario (a host's ctvm_skip_envs removes some of them). */
function scenarioEnvs(m: FleetManifest): string[] {
  const envs = m.scenario.doc.environments;
  if (!Array.isArray(envs)) return [];
  return envs.flatMap((e: unknown) =>
    typeof e === 'string' ? [e] : typeof e === 'object' && e && 'id' in e ? [String(e.id)] : [],
  );
}
