// hostStatus: how a host ended a pass, from the files the playbook and Ansible's tree callback left
// (fault.json with stage + reason, the tree's unreachable result, nothing at all); the one line
// per host naming it and the cause; fleet run's exit code (2 for unreachable / not root).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeStatus, fleetRunExitCode, hostStatus, TREE_DIR } from '../../../src/fleet/host-status.js';

function fleetDir(files: Record<string, unknown>): string {
  const dir = mkdtempSync(join(tmpdir(), 'ctvm-host-status-'));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), typeof content === 'string' ? content : JSON.stringify(content));
  }
  return dir;
}

test('a host without root: the root stage and the playbook message, named by host', (t) => {
  const reason = 'connected as uid 1000, not root: ctvm needs root (namespaces, cgroups, mounts)';
  const dir = fleetDir({ 'h1/fault.json': { stage: 'root', task: 'root: ctvm needs root', reason } });
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const s = hostStatus(dir, 'h1');
  assert.deepEqual(s, { status: 'failed', stage: 'root', reason });
  assert.equal(describeStatus('h1', s), `h1: failed at root: ${reason}`);
  assert.equal(fleetRunExitCode([{ status: 'complete', runId: 'r' }, s]), 2);
});

test("an unreachable host: SSH's own error from the tree callback", (t) => {
  const msg =
    'Failed to connect to the host via ssh: ssh: connect to host 192.0.2.7 port 22: Connection refused\n';
  const dir = fleetDir({ [`${TREE_DIR}/gone`]: { unreachable: true, changed: false, msg } });
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const s = hostStatus(dir, 'gone');
  assert.deepEqual(s, { status: 'failed', stage: 'unreachable', reason: msg.trim() });
  assert.match(describeStatus('gone', s), /^gone: unreachable: .*192\.0\.2\.7 port 22: Connection refused$/);
  assert.equal(fleetRunExitCode([s]), 2);
});

test('a host Ansible left no result for, and an unknown stage, still name the host and say where to look', (t) => {
  const dir = fleetDir({ 'odd/fault.json': { stage: 'elsewhere', reason: 'boom' } });
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  assert.deepEqual(hostStatus(dir, 'odd'), { status: 'failed', stage: 'ansible', reason: 'boom' });
  const none = hostStatus(dir, 'silent');
  assert.equal(none.status, 'failed');
  assert.match(
    describeStatus('silent', none),
    /^silent: failed at ansible: .*without a result for this host.*ansible\.log/,
  );
});

test('fleet run exit code: 0 all complete, 3 set-up or run failures, 2 as soon as one host is bad input', () => {
  const ok = { status: 'complete', runId: 'r' } as const;
  const runFail = { status: 'failed', stage: 'run', reason: 'x' } as const;
  const incomplete = { status: 'incomplete', runId: 'r', reason: 'y' } as const;
  assert.equal(fleetRunExitCode([ok, ok]), 0);
  assert.equal(fleetRunExitCode([ok, runFail, incomplete]), 3);
  assert.equal(fleetRunExitCode([runFail, { status: 'failed', stage: 'unreachable', reason: 'z' }]), 2);
});
