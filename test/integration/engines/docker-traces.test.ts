// Docker's host-wide dirs (daemon.ts HOST_TRACES: /run/containerd/s, /run/docker/plugins, ...)
// that ctvm's dockerds make go with the last of them, even when two overlapped: the second found
// the first's dirs present, and its containerd made them again after the first stopped (a CI
// run once left an empty /run/containerd/s that way). `ctvm gc` removes them after a SIGKILL. A
// dir that was there before any ctvm daemon (a user's Docker) stays. No dockerd runs here: the
// daemons' dirs and records are real, their containerd's mkdir is done by the test.
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  DOCKER_STATE_DIR,
  DOCKER_TRACES_DIR,
  HOST_TRACES,
  createDaemonDir,
  readDaemonRecord,
  teardown,
} from '../../../src/engine/docker/daemon.js';
import { gcDocker } from '../../../src/engine/docker/gc.js';
import { writeRecord } from '../../../src/engine/container/state-dir.js';
import { requires } from '../../helpers/requires.js';

const present = (): string[] =>
  [...HOST_TRACES, DOCKER_STATE_DIR, DOCKER_TRACES_DIR].filter((p) => existsSync(p));
/** Before: /etc/docker is docker.io's own (an empty dir from the package); the rest must be absent. */
const before = present();
const busy = before.filter((p) => !p.startsWith('/etc/docker'));
const skip =
  requires('root') ||
  (busy.length ? `a Docker or a ctvm run uses this host's docker paths: ${busy.join(', ')}` : false);
const absentBefore = HOST_TRACES.filter((p) => !before.includes(p));
/** The list as an earlier ctvm wrote it: one JSON file. */
const LEGACY = join(DOCKER_STATE_DIR, '..', 'docker-traces.json');

// A failed assertion leaves no daemon dir, list or host dir behind.
afterEach(async () => {
  for (const name of existsSync(DOCKER_STATE_DIR) ? readdirSync(DOCKER_STATE_DIR) : []) {
    const dir = join(DOCKER_STATE_DIR, name);
    await teardown(dir, readDaemonRecord(dir));
  }
  rmSync(LEGACY, { force: true });
});

/** What a daemon's containerd and dockerd make outside their roots. */
function daemonMakesTraces(): void {
  for (const d of ['/run/containerd/s', '/run/docker/plugins']) mkdirSync(d, { recursive: true });
}

test(
  'two overlapping ctvm dockerds: the last one out removes the host dirs either one made',
  { skip },
  async () => {
    const a = createDaemonDir('owned');
    daemonMakesTraces(); // a's containerd starts a shim
    const b = createDaemonDir('owned'); // finds them present
    await teardown(a.dir, a.record);
    assert.ok(existsSync('/run/containerd/s'), 'b still runs: its shims use the dir');
    assert.deepEqual(
      readdirSync(DOCKER_TRACES_DIR).map(decodeURIComponent).sort(),
      [...absentBefore].sort(),
      'listed: what a found absent',
    );
    daemonMakesTraces(); // b's containerd starts another shim
    await teardown(b.dir, b.record);
    assert.deepEqual(present(), before, 'no docker.d, no list, none of the host dirs it made');
  },
);

test('`ctvm gc` after a SIGKILLed run removes the host dirs its dockerd made', { skip }, async () => {
  const a = createDaemonDir('owned');
  daemonMakesTraces();
  // The run was SIGKILLed: its record names a process that is gone.
  const dead = spawnSync('true').pid!;
  writeRecord(a.dir, { ...readDaemonRecord(a.dir)!, ownerPid: dead });
  const r = await gcDocker();
  assert.deepEqual(r.reaped, [a.dir], JSON.stringify(r));
  assert.deepEqual(present(), before);
});

test("a host dir that was there before ctvm's dockerd stays; the ones it made go", { skip }, async () => {
  mkdirSync('/run/docker'); // a user's Docker
  try {
    const a = createDaemonDir('owned');
    daemonMakesTraces();
    await teardown(a.dir, a.record);
    assert.ok(existsSync('/run/docker'), "the user's dir");
    assert.deepEqual(
      present(),
      [...before, '/run/docker'].sort((x, y) => HOST_TRACES.indexOf(x) - HOST_TRACES.indexOf(y)),
    );
  } finally {
    rmdirSync('/run/docker');
  }
});

test(
  'a list left in the earlier one-file format is still honoured by the last one out',
  { skip },
  async () => {
    // What an earlier ctvm recorded for a dir its containerd made.
    mkdirSync('/run/containerd/s', { recursive: true });
    writeFileSync(LEGACY, JSON.stringify(['/run/containerd/s', '/run/containerd']) + '\n');
    const a = createDaemonDir('owned'); // finds /run/containerd/s present: lists nothing itself
    await teardown(a.dir, a.record);
    assert.deepEqual(present(), before, 'the dirs the old list named are gone');
    assert.equal(existsSync(LEGACY), false, 'and so is the old list');
  },
);
