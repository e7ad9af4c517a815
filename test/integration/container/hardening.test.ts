// Escapes closed in our engine (issue #11), each tried from inside a container: its own session
// (no host terminal, no host process group), seccomp, empty inheritable caps, a bounded writable
// layer, mount destinations resolved inside the rootfs, and stderr that reaches the caller.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { requires } from '../../helpers/requires.js';
import { PROJECT_DIR } from '../../../src/paths.js';
import { buildRootfs } from '../../../src/workload/rootfs.js';
import { leftovers, PREFIX, run } from './helpers.js';

const skip = requires('root', 'helper', 'probe', 'busybox', 'cgroupV1');
const execFileP = promisify(execFile);
const CTVM = join(PROJECT_DIR, 'bin', 'ctvm.js');

/** `ctvm container run` through a shell: returns stdout+stderr and the shell's exit code. */
async function sh(script: string): Promise<{ out: string; code: number }> {
  try {
    const r = await execFileP('/bin/sh', ['-c', script], {
      timeout: 60_000,
      env: { ...process.env, CTVM: CTVM },
    });
    return { out: r.stdout + r.stderr, code: 0 };
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; code?: number };
    return { out: (e.stdout ?? '') + (e.stderr ?? ''), code: e.code ?? -1 };
  }
}

test(
  'own session: pid 1 leads its own session and process group, no controlling terminal',
  { skip },
  async () => {
    const { stdout, exit } = await run([
      '/bin/sh',
      '-c',
      'cut -d" " -f5,6,7 /proc/self/stat; (: > /dev/tty) 2>&1 && echo TTY-OPEN || echo TTY-NONE',
    ]);
    assert.equal(exit.code, 0, stdout);
    // cut itself: pgrp 1 (sh is PID 1), session 1, tty_nr 0 (none).
    assert.match(stdout, /^1 1 0$/m, stdout);
    assert.match(stdout, /TTY-NONE/, stdout);
  },
);

test(
  'from a terminal: /dev/tty inside is not the host terminal (TIOCSTI has nothing to inject into)',
  { skip },
  async () => {
    // script(1) gives the caller a real pty as its controlling terminal, as an interactive shell has.
    const { out } = await sh(
      `script -qec "node $CTVM container run -- /bin/sh -c '(echo x > /dev/tty) 2>&1; echo tty-rc=\\$?'" /dev/null`,
    );
    assert.match(out, /tty-rc=[1-9]/, out);
    assert.match(out, /No such device or address/, out);
  },
);

test('kill -TERM 0 inside reaches neither ctvm nor the caller’s process group', { skip }, async () => {
  // A sentinel in the caller's process group: before the fix, kill(0) inside killed it, the shell and ctvm.
  const { out, code } = await sh(
    `setsid /bin/sh -c 'sleep 30 & s=$!; node $CTVM container run -- /bin/sh -c "kill -TERM 0; sleep 0.2; exit 7"; ` +
      `echo ctvm-rc=$?; kill -0 $s && echo sentinel-alive; kill $s'`,
  );
  assert.equal(code, 0, out);
  // PID 1 of a pid namespace ignores signals it has no handler for: the script runs on to exit 7.
  assert.match(out, /ctvm-rc=7/, `ctvm survived and reported the container's own exit: ${out}`);
  assert.match(out, /sentinel-alive/, out);
});

test(
  'seccomp: unshare of a user+mount namespace is denied; with the filter off the same attempt works',
  { skip },
  async () => {
    const probe =
      'grep -E "^(Seccomp|CapInh):" /proc/self/status; unshare -U -r -m /bin/true && echo UNSHARE-OK || echo UNSHARE-DENIED';
    const on = await run(['/bin/sh', '-c', probe], { tag: 'sc' });
    assert.match(on.stdout, /^Seccomp:\s+2$/m, on.stdout);
    assert.match(on.stdout, /^CapInh:\s+0{16}$/m, 'inheritable capabilities are empty');
    assert.match(on.stdout, /UNSHARE-DENIED/, on.stdout + on.stderr);
    const off = await run(['/bin/sh', '-c', probe], { tag: 'nosc', spec: { seccomp: null } });
    assert.match(off.stdout, /^Seccomp:\s+0$/m, off.stdout);
    assert.match(
      off.stdout,
      /UNSHARE-OK/,
      `without the filter the same attempt works: ${off.stdout}${off.stderr}`,
    );
  },
);

test('a bad seccomp profile is a usage error before anything is created', { skip }, async () => {
  const { out, code } = await sh(
    `echo '{"defaultAction":"SCMP_ACT_NOPE"}' > /tmp/${PREFIX}bad.json; node $CTVM container run --seccomp-profile /tmp/${PREFIX}bad.json -- /bin/true; echo rc=$?; rm -f /tmp/${PREFIX}bad.json`,
  );
  assert.equal(code, 0);
  assert.match(out, /unknown action 'SCMP_ACT_NOPE'/, out);
  assert.match(out, /rc=2/, out);
});

test(
  'the writable layer is bounded: writing past --disk gets ENOSPC inside; /tmp and /dev/shm have sizes',
  { skip },
  async () => {
    const { stdout, exit } = await run(
      [
        '/bin/sh',
        '-c',
        'dd if=/dev/zero of=/big bs=1M count=100 2>&1 | grep -o "No space left on device"; df -k / /tmp /dev/shm | tail -3',
      ],
      { spec: { diskBytes: 32 * 1024 * 1024 } },
    );
    assert.equal(exit.code, 0, stdout);
    assert.match(stdout, /No space left on device/, stdout);
    const sizes = stdout
      .split('\n')
      .filter((l) => /^(overlay|tmpfs|shm)/.test(l))
      .map((l) => Number(l.split(/\s+/)[1]));
    assert.deepEqual(sizes, [32768, 65536, 65536], stdout);
  },
);

test(
  'mount destinations are resolved inside the rootfs (a symlink to a host dir is not followed)',
  { skip },
  async () => {
    const base = (await buildRootfs()).dir;
    const work = mkdtempSync(join(tmpdir(), `${PREFIX}evil-`));
    try {
      const rootfs = join(work, 'rootfs');
      cpSync(base, rootfs, { recursive: true, verbatimSymlinks: true });
      const hostDir = join(work, 'host-dir');
      mkdirSync(hostDir);
      const src = join(work, 'src');
      mkdirSync(src);
      writeFileSync(join(src, 'f'), 'bound\n');
      rmSync(join(rootfs, 'mnt'), { recursive: true, force: true });
      symlinkSync(hostDir, join(rootfs, 'mnt')); // absolute: to the host dir, if resolved on the host
      symlinkSync('../../../../../../../..' + hostDir, join(rootfs, 'rel')); // relative, climbing out
      symlinkSync('/etc', join(rootfs, 'inside')); // to a dir inside the rootfs: fine
      for (const dest of ['/mnt/x/y', '/rel/x/y']) {
        const r = await run(['/bin/true'], {
          spec: { rootfs, mounts: [{ source: src, destination: dest }] },
        });
        assert.equal(readdirSync(hostDir).length, 0, `nothing created on the host through ${dest}`);
        assert.notEqual(r.exit.code, 0, `${dest}: the dangling target is an error, not a host path`);
      }
      const ok = await run(['/bin/cat', '/etc/x/f'], {
        spec: { rootfs, mounts: [{ source: src, destination: '/inside/x' }] },
      });
      assert.equal(ok.stdout, 'bound\n', 'a symlink inside the rootfs resolves inside it');
      assert.ok(!existsSync('/etc/x'), 'and not on the host');
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  },
);

test('container run passes the command’s stderr through', { skip }, async () => {
  const { out } = await sh(`node $CTVM container run -- /bin/sh -c 'echo TO-ERR >&2' 2>&1 >/dev/null`);
  assert.match(out, /TO-ERR/, out);
});

test('as non-root, container run says it needs root, exits 2 and creates nothing', { skip }, async (t) => {
  const asNobody = `setpriv --reuid=65534 --regid=65534 --clear-groups env HOME=/tmp`;
  const readable = await sh(`${asNobody} test -r $CTVM && cd /tmp && ${asNobody} node $CTVM --help`);
  if (readable.code !== 0) return t.skip(`uid 65534 cannot run ${CTVM} (a parent dir is not world-readable)`);
  const before = existsSync('/run/ctvm') ? readdirSync('/run/ctvm').length : 0;
  const { out } = await sh(`cd /tmp && ${asNobody} node $CTVM container run -- /bin/true; echo rc=$?`);
  assert.match(out, /container run needs root \(namespaces, cgroups, mounts\); you are uid 65534/, out);
  assert.match(out, /rc=2/, out);
  assert.doesNotMatch(out, /internal error/, out);
  assert.equal(existsSync('/run/ctvm') ? readdirSync('/run/ctvm').length : 0, before, 'no state dir created');
});

test('hardening tests leave nothing behind', { skip }, () => {
  assert.deepEqual(leftovers(), { cgroupDirs: [], stateDirs: [], mounts: [], processes: [] });
});
