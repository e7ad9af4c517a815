// `ctvm fleet run` over three simulated hosts (network namespaces on a lab bridge, each with its
// own sshd), Ansible running in a controller namespace: one host is made to fail mid-run, the
// merged report lists it with its reason, `--resume` reruns only it, and everything is torn down.
// Set-up on each host is the real scripts/setup.mjs; its `npm ci` runs offline from a copy of
// this machine's npm cache, and canvas installs through its documented prebuild path from a
// tarball of the canvas this checkout built (instead of compiling it three times).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { PROJECT_DIR } from '../../../src/paths.js';
import { requires } from '../../helpers/requires.js';
import {
  inNetns,
  labLeftovers,
  NOT_ROOT_PORT,
  simulatedHostEnv,
  startLab,
  type Lab,
} from '../../helpers/fleet-lab.js';

const skip = requires('root', 'linux', 'ansible', 'sshd', 'helper', 'busybox');
const CTVM = join(PROJECT_DIR, 'bin/ctvm.js');
let lab: Lab | undefined;
/** Inventory vars every simulated host gets (set-up environment). */
let common: Record<string, unknown> = {};
const t0 = Date.now();

function ctvm(args: string[]) {
  assert.ok(lab);
  return execa(...inNetns(lab.controllerNetns, [process.execPath, CTVM, ...args]), {
    reject: false,
    env: lab.controllerEnv,
    cwd: PROJECT_DIR,
  });
}

/** `ctvm fleet run` of the tiny scenario over `inventory` into `results`, Ansible's output not echoed. */
const fleetRun = (inventory: string, results: string) =>
  ctvm(['fleet', 'run', join(lab!.tmp, 'tiny.yaml'), '-i', inventory, '--results', results, '--quiet']);

before(async () => {
  if (skip) return;
  lab = await startLab(3);
  const tmp = lab.tmp;
  writeFileSync(
    join(tmp, 'tiny.yaml'),
    'name: tiny\nseed: 7\nenvironments: [bare, container]\nworkloads: [noop]\nrepetitions: 1\nwarmup: 0\n',
  );
  common = { ctvm_env: simulatedHostEnv(tmp) };
});

after(async () => {
  if (!lab) return;
  const { tag, tmp } = lab;
  const problems = await lab.teardown();
  assert.deepEqual(problems, []);
  assert.deepEqual(labLeftovers(tag, tmp), [], 'the lab left something behind');
  console.log(`# fleet lab test: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
});

test(
  'bad inventories: missing, no hosts, unreachable host (exit 2, host and cause named)',
  { skip },
  async () => {
    assert.ok(lab);
    const scenario = join(lab.tmp, 'tiny.yaml');
    const missing = await ctvm(['fleet', 'run', scenario, '-i', join(lab.tmp, 'nope.ini')]);
    assert.equal(missing.exitCode, 2);
    assert.match(missing.stderr, /inventory .*nope\.ini does not exist/);
    writeFileSync(join(lab.tmp, 'empty.ini'), '# no hosts\n');
    const empty = await ctvm(['fleet', 'run', scenario, '-i', join(lab.tmp, 'empty.ini')]);
    assert.equal(empty.exitCode, 2);
    assert.match(empty.stderr, /empty\.ini names no hosts/);
    const inv = join(lab.tmp, 'unreachable.yaml');
    writeFileSync(
      inv,
      JSON.stringify({
        all: { hosts: { gone: { ansible_host: '10.231.0.1', ansible_port: 2, ansible_user: 'root' } } },
      }),
    );
    const gone = await fleetRun(inv, join(lab.tmp, 'results-bad'));
    assert.equal(gone.exitCode, 2, gone.stderr);
    assert.match(gone.stderr, /host gone: unreachable: .*Connection refused/);
  },
);

test(
  'a host without root: the login runs as uid 65534 (exit 2, host and cause named, nothing copied)',
  { skip },
  async () => {
    assert.ok(lab);
    const h1 = lab.hosts[0]!;
    // h1's sshd on the port where every command runs as nobody (Ansible would skip a become to
    // root here: the login's name is root, so the become case is not simulated).
    const inv = join(lab.tmp, 'not-root.yaml');
    const notRoot = {
      ansible_host: h1.address,
      ansible_port: NOT_ROOT_PORT,
      ansible_remote_tmp: '/tmp',
      ctvm_dir: join(lab.tmp, 'not-root-ctvm'),
    };
    writeFileSync(inv, JSON.stringify({ all: { vars: lab.connectVars, hosts: { 'not-root': notRoot } } }));
    const results = join(lab.tmp, 'results-not-root');
    const r = await fleetRun(inv, results);
    assert.equal(r.exitCode, 2, r.stdout + r.stderr);
    assert.match(
      r.stderr,
      /host not-root: failed at root: connected as uid 65534, not root: ctvm needs root/,
    );
    assert.equal(existsSync(notRoot.ctvm_dir), false, 'nothing copied to a host that is not root');
  },
);

test('three hosts, one fails mid-run, merged report, --resume completes it', { skip }, async () => {
  assert.ok(lab);
  const results = join(lab.tmp, 'results');
  const bad = { h3: { ctvm_scenario_overrides: { workloads: ['no-such-workload'] } } };
  const inv = lab.writeInventory(bad, common);
  const first = await fleetRun(inv, results);
  assert.equal(first.exitCode, 3, first.stdout + first.stderr);
  const fleetId = /fleet (fleet-\S+) /.exec(first.stdout)?.[1];
  assert.ok(fleetId, first.stdout);
  const manifest = () =>
    JSON.parse(readFileSync(join(results, fleetId, 'fleet.json'), 'utf8')) as {
      hosts: Record<string, { status: string; stage?: string; reason?: string }>;
      passes: { hosts: string[] }[];
    };
  const m1 = manifest();
  assert.equal(m1.hosts.h1?.status, 'complete');
  assert.equal(m1.hosts.h2?.status, 'complete');
  assert.equal(m1.hosts.h3?.status, 'failed');
  assert.equal(m1.hosts.h3?.stage, 'run');
  assert.match(m1.hosts.h3?.reason ?? '', /no-such-workload/);
  assert.ok(existsSync(join(results, fleetId, 'h1', 'doctor.json')));
  assert.ok(existsSync(join(results, fleetId, 'h1', 'samples.jsonl')));

  const reports = join(lab.tmp, 'reports');
  const r1 = await ctvm(['report', join(results, fleetId), '--out', reports]);
  assert.equal(r1.exitCode, 0, r1.stderr);
  const md1 = readFileSync(join(reports, fleetId, 'report.md'), 'utf8');
  assert.match(md1, /3 hosts: 2 complete, 1 failed/);
  assert.match(md1, /h3.*failed at run.*no-such-workload/);

  lab.writeInventory({}, common);
  const second = await ctvm(['fleet', 'run', '--resume', fleetId, '--results', results, '--quiet']);
  assert.equal(second.exitCode, 0, second.stdout + second.stderr);
  const m2 = manifest();
  assert.deepEqual(
    m2.passes.map((p) => p.hosts),
    [['h1', 'h2', 'h3'], ['h3']],
  );
  for (const h of ['h1', 'h2', 'h3']) assert.equal(m2.hosts[h]?.status, 'complete', h);
  const r2 = await ctvm(['report', fleetId, '--results', results, '--out', reports]);
  assert.equal(r2.exitCode, 0, r2.stderr);
  const md2 = readFileSync(join(reports, fleetId, 'report.md'), 'utf8');
  assert.match(md2, /3 hosts: 3 complete/);
  for (const h of ['h1', 'h2', 'h3']) assert.match(md2, new RegExp(`## Host ${h}`));
  assert.match(md2, /\| CPU model \|/);
  assert.match(md2, /Findings that depend on the host/);

  // The fleet against itself, host by host: every host compared, none flagged as another machine
  // (n = 1 per cell is too small for the test: exit 3, "nothing judged", said per host).
  const cmp = await ctvm(['compare', fleetId, fleetId, '--results', results]);
  for (const h of ['h1', 'h2', 'h3']) assert.match(cmp.stdout, new RegExp(`== host ${h}: no regression ==`));
  assert.doesNotMatch(cmp.stdout, /FINGERPRINT DIFFERS/);
  assert.equal(cmp.exitCode, 3, cmp.stdout + cmp.stderr);
});
