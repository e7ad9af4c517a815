// The device allow list as policy: it covers exactly the container's nodes (+ the pty pair), the
// v1 driver denies everything then allows it (one write per rule), and only v2 asks the helper
// for a BPF program, with the rule string the helper parses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_DEVICES } from '../../../src/engine/container/defaults.js';
import { ALLOWED_DEVICES, deviceRulesArg, v1DeviceLine } from '../../../src/engine/container/devices.js';
import { CgroupV1Driver } from '../../../src/engine/container/cgroup/v1.js';
import { CgroupV2Driver } from '../../../src/engine/container/cgroup/v2.js';
import { buildNsexecArgs } from '../../../src/engine/container/nsexec-args.js';
import { PROJECT_DIR } from '../../../src/paths.js';
import { makeSpec } from '../../../src/engine/container/spec.js';
import { layoutFor } from '../../../src/engine/container/state-dir.js';

const rmdir = (d: string): void => rmSync(d, { recursive: true, force: true });

test('the allow list is the nodes /dev holds plus ptmx and /dev/pts, nothing wildcarded but pts minors', () => {
  for (const d of DEFAULT_DEVICES)
    assert.ok(
      ALLOWED_DEVICES.some((r) => r.type === 'c' && r.major === d.major && r.minor === d.minor),
      `${d.path} is allowed`,
    );
  assert.equal(ALLOWED_DEVICES.length, DEFAULT_DEVICES.length + 2);
  for (const r of ALLOWED_DEVICES) {
    assert.notEqual(r.major, '*', 'no rule for a whole type (runc allows mknod of any: we do not)');
    assert.match(r.access, /^r?w?m?$/);
  }
  assert.deepEqual(ALLOWED_DEVICES.filter((r) => r.minor === '*').map(v1DeviceLine), ['c 136:* rwm']);
});

test('rule string for the helper and v1 lines', () => {
  assert.equal(
    deviceRulesArg(),
    'c:1:3:rwm,c:1:5:rwm,c:1:7:rwm,c:1:8:rwm,c:1:9:rwm,c:5:0:rwm,c:5:2:rwm,c:136:*:rwm',
  );
  assert.equal(deviceRulesArg([{ type: 'b', major: 7, minor: '*', access: 'r' }]), 'b:7:*:r');
  assert.equal(v1DeviceLine({ type: 'c', major: 10, minor: 200, access: 'rw' }), 'c 10:200 rw');
});

test('v1: devices.deny gets "a", then devices.allow one rule per line; no BPF dir', () => {
  const root = mkdtempSync(join(tmpdir(), 'ctvm-dev1-'));
  try {
    const roots: Record<string, string> = {};
    for (const c of ['memory', 'cpu', 'cpuacct', 'pids', 'freezer', 'devices'])
      mkdirSync((roots[c] = join(root, c)), { recursive: true });
    const cg = new CgroupV1Driver(roots, { rmdir }).create('d1', {});
    const dir = join(roots.devices!, 'ctvm', 'd1');
    assert.equal(readFileSync(join(dir, 'devices.deny'), 'utf8'), 'a');
    assert.equal(
      readFileSync(join(dir, 'devices.allow'), 'utf8'),
      ALLOWED_DEVICES.map((r) => v1DeviceLine(r) + '\n').join(''),
    );
    assert.ok(cg.procsFiles.includes(join(dir, 'cgroup.procs')), 'the helper joins the devices cgroup');
    assert.equal(cg.deviceProgramDir, undefined);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('v1: a host without the devices hierarchy is refused, not run without a device list', () => {
  const v1 = { memory: '/m', cpu: '/c', cpuacct: '/a', pids: '/p', freezer: '/f' };
  assert.throws(() => new CgroupV1Driver(v1), /devices controller is not mounted/);
});

test('v2: the cgroup dir is handed to the helper as `devices DIR RULES`; v1 passes no keyword', () => {
  const mount = mkdtempSync(join(tmpdir(), 'ctvm-dev2-'));
  try {
    const cg = new CgroupV2Driver(mount, { rmdir }).create('d2', {});
    const dir = join(mount, 'ctvm', 'd2');
    assert.equal(cg.deviceProgramDir, dir);
    const spec = makeSpec({ name: 'd2', rootfs: '/r', args: ['/bin/true'], limits: {} });
    const layout = layoutFor('d2', '/run/ctvm');
    const a = buildNsexecArgs(spec, layout, cg.procsFiles, cg.deviceProgramDir);
    const i = a.indexOf('devices');
    assert.deepEqual(a.slice(i, i + 3), ['devices', dir, deviceRulesArg()]);
    assert.ok(i < a.indexOf('--'));
    assert.equal(buildNsexecArgs(spec, layout, ['/x/cgroup.procs']).includes('devices'), false);
  } finally {
    rmSync(mount, { recursive: true, force: true });
  }
});

test('the helper can hold the list (DEVICES_MAX_RULES) and setup links native/nsexec/devices.c into it', async () => {
  const header = readFileSync(join(PROJECT_DIR, 'native', 'nsexec', 'devices.h'), 'utf8');
  const max = Number(/#define DEVICES_MAX_RULES (\d+)/.exec(header)?.[1]);
  assert.ok(max >= ALLOWED_DEVICES.length, `DEVICES_MAX_RULES ${max}`);
  const setup = (await import(join(PROJECT_DIR, 'scripts', 'setup.mjs'))) as {
    nativePrograms: (dir: string) => Array<{ name: string; sources: string[] }>;
  };
  const programs = setup.nativePrograms(join(PROJECT_DIR, 'native'));
  const nsexec = programs.find((p) => p.name === 'nsexec');
  for (const part of ['devices.c', 'seccomp.c'])
    assert.ok(nsexec?.sources.includes(join(PROJECT_DIR, 'native', 'nsexec', part)), part);
  assert.ok(
    !programs.some((p) => ['devices', 'seccomp'].includes(p.name)),
    'parts are not programs of their own',
  );
});
