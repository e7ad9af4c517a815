// The launcher's socket dir lives in the state dir, and the reaper of dead launchers' dirs removes
// only what ctvm created: no symlink is followed, nothing but the socket is unlinked, and no
// problem it meets is thrown (issue #11 item 4).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createLauncherDir,
  LAUNCH_DIR,
  reapLauncherDirs,
  removeLauncherDir,
} from '../../../src/engine/launcher/launcher-dir.js';
import { processStartTicks } from '../../../src/engine/container/state-dir.js';

/** A pid above any pid_max: its owner is certainly dead. */
const DEAD = 99_999_999;

function withRoot(fn: (stateRoot: string, launch: string) => Promise<void> | void) {
  return async () => {
    const stateRoot = mkdtempSync(join(tmpdir(), 'ctvm-ld-'));
    const launch = join(stateRoot, LAUNCH_DIR);
    mkdirSync(launch, { mode: 0o700 });
    try {
      await fn(stateRoot, launch);
    } finally {
      rmSync(stateRoot, { recursive: true, force: true });
    }
  };
}

function listen(path: string): Promise<Server> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(path, () => resolve(s));
  });
}

test(
  'the socket dir is created 0700 under <state dir>/launch.d',
  withRoot((stateRoot, launch) => {
    const { dir, socketPath } = createLauncherDir(stateRoot);
    assert.equal(socketPath, join(dir, 'launch.sock'));
    assert.ok(dir.startsWith(launch + '/'), dir);
    assert.equal(lstatSync(dir).mode & 0o777, 0o700);
    assert.match(dir, new RegExp(`/${process.pid}-${processStartTicks(process.pid)}-\\d+$`));
  }),
);

test('a state dir too long for a unix socket path is refused with a hint', () => {
  const long = join(tmpdir(), `ctvm-ld-${'x'.repeat(90)}`);
  try {
    assert.throws(() => createLauncherDir(long), {
      name: 'HostError',
      message: /a unix socket path holds at most 107/,
      hint: /CTVM_STATE_DIR/,
    });
  } finally {
    rmSync(long, { recursive: true, force: true });
  }
});

test(
  "a dead owner's dir goes; a live owner's and the kept one stay",
  withRoot(async (stateRoot, launch) => {
    const dead = join(launch, `${DEAD}-1-0`);
    mkdirSync(dead);
    const server = await listen(join(dead, 'launch.sock'));
    const empty = join(launch, `${DEAD}-2-0`);
    mkdirSync(empty);
    const live = join(launch, `${process.pid}-${processStartTicks(process.pid)}-7`);
    mkdirSync(live);
    const kept = join(launch, `${DEAD}-3-0`);
    mkdirSync(kept);
    const warnings: string[] = [];
    try {
      const removed = reapLauncherDirs({ stateRoot, keep: kept, warn: (m) => warnings.push(m) });
      assert.deepEqual(removed.sort(), [dead, empty].sort());
      assert.ok(!existsSync(dead) && !existsSync(empty));
      assert.ok(existsSync(live) && existsSync(kept));
      assert.deepEqual(warnings, []);
    } finally {
      server.close();
    }
  }),
);

test(
  'a symlink planted where the reaper looks is not followed: its target survives',
  withRoot((stateRoot, launch) => {
    const victim = mkdtempSync(join(tmpdir(), 'ctvm-ld-victim-'));
    try {
      writeFileSync(join(victim, 'launch.sock'), 'precious sock');
      writeFileSync(join(victim, 'precious'), 'precious');
      // 1. the entry itself is a symlink to a dir
      symlinkSync(victim, join(launch, `${DEAD}-1-0`));
      // 2. a real dir whose launch.sock is a symlink to a file
      const real = join(launch, `${DEAD}-2-0`);
      mkdirSync(real);
      symlinkSync(join(victim, 'precious'), join(real, 'launch.sock'));
      // 3. a real dir with something besides the socket
      const extra = join(launch, `${DEAD}-3-0`);
      mkdirSync(extra);
      writeFileSync(join(extra, 'other'), 'x');
      const warnings: string[] = [];
      const removed = reapLauncherDirs({ stateRoot, warn: (m) => warnings.push(m) });
      assert.deepEqual(removed, []);
      assert.equal(readFileSync(join(victim, 'launch.sock'), 'utf8'), 'precious sock');
      assert.equal(readFileSync(join(victim, 'precious'), 'utf8'), 'precious');
      assert.ok(lstatSync(join(real, 'launch.sock')).isSymbolicLink(), 'the planted link itself stays too');
      assert.ok(existsSync(join(extra, 'other')));
      assert.equal(warnings.length, 1, 'one warning for all of them');
      assert.match(warnings[0]!, /refused.*\(and 2 more\)/);
    } finally {
      rmSync(victim, { recursive: true, force: true });
    }
  }),
);

test('launch.d itself being a symlink is refused: nothing below it is touched', () => {
  const stateRoot = mkdtempSync(join(tmpdir(), 'ctvm-ld-'));
  const victim = mkdtempSync(join(tmpdir(), 'ctvm-ld-victim-'));
  try {
    mkdirSync(join(victim, `${DEAD}-1-0`));
    symlinkSync(victim, join(stateRoot, LAUNCH_DIR));
    const warnings: string[] = [];
    assert.deepEqual(reapLauncherDirs({ stateRoot, warn: (m) => warnings.push(m) }), []);
    assert.ok(existsSync(join(victim, `${DEAD}-1-0`)));
    assert.match(warnings[0] ?? '', /not a directory \(or a symlink\)/);
    assert.throws(() => createLauncherDir(stateRoot), { name: 'HostError' });
  } finally {
    rmSync(stateRoot, { recursive: true, force: true });
    rmSync(victim, { recursive: true, force: true });
  }
});

test('removal errors are reported, never thrown', () => {
  const file = join(mkdtempSync(join(tmpdir(), 'ctvm-ld-')), 'not-a-dir');
  writeFileSync(file, '');
  try {
    const warnings: string[] = [];
    assert.doesNotThrow(() => reapLauncherDirs({ stateRoot: file, warn: (m) => warnings.push(m) }));
    assert.equal(warnings.length, 1);
    // A missing state dir is not a problem: nothing to reap yet.
    assert.deepEqual(
      reapLauncherDirs({ stateRoot: join(file, '..', 'missing'), warn: (m) => warnings.push(m) }),
      [],
    );
    assert.equal(warnings.length, 1);
    assert.throws(() => removeLauncherDir(join(file, '..', 'missing')), { code: 'ENOENT' });
  } finally {
    rmSync(join(file, '..'), { recursive: true, force: true });
  }
});
