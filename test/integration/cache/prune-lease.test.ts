// `ctvm gc --cache-days`: a running container's overlay lower is a cache entry nobody "used" for
// 30 days (old mtime), and its mount lives only in the container's own mount namespace. Pruning
// with maxAgeDays 0 must keep it (the state dir's lease) while the container runs, and remove it
// once the container is gone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pruneCaches } from '../../../src/cache/prune.js';
import { launchContainer } from '../../../src/engine/container/launch.js';
import { makeSpec } from '../../../src/engine/container/spec.js';
import { readLines } from '../../../src/engine/line-stream.js';
import { STATE_DIR } from '../../../src/paths.js';
import { buildRootfs } from '../../../src/workload/rootfs.js';
import { createOciEnvironment } from '../../../src/engine/oci/environment.js';
import { prepareWorkload } from '../../../src/workload/catalog.js';
import { requires } from '../../helpers/requires.js';
import { hostDriver, nextName } from '../container/helpers.js';

const skip = requires('root', 'helper', 'probe', 'busybox');
const DAY = 86_400_000;

/** A copy of the workload rootfs as an entry of a private cache, last used 30 days ago. */
async function oldEntry(t: { after(fn: () => void): void }): Promise<{ cache: string; lower: string }> {
  const cache = mkdtempSync(join(tmpdir(), 'ctvm-lease-cache-'));
  t.after(() => rmSync(cache, { recursive: true, force: true }));
  const lower = join(cache, 'rootfs', 'leased');
  mkdirSync(join(cache, 'rootfs'));
  cpSync((await buildRootfs()).dir, lower, { recursive: true, verbatimSymlinks: true });
  const old = new Date(Date.now() - 30 * DAY);
  utimesSync(lower, old, old);
  return { cache, lower };
}

test(
  'a running container keeps its cache-entry lower through prune; afterwards prune removes it',
  { skip },
  async (t) => {
    const { cache, lower } = await oldEntry(t);

    // The workload runs a program from the lower every 50 ms and says so.
    const spec = makeSpec({
      name: nextName('lease'),
      rootfs: lower,
      args: [
        '/bin/sh',
        '-c',
        'echo READY; while /bin/busybox true; do echo tick; sleep 0.05; done; echo LOST',
      ],
    });
    const c = launchContainer(spec, { driver: hostDriver(), timeoutMs: 60_000 });
    t.after(() => c.stop('test end'));
    let ticks = 0;
    let lost = false;
    const ready = new Promise<void>(
      (resolve) =>
        void readLines(c.stdout!, (l) => {
          if (l === 'READY') resolve();
          if (l === 'tick') ticks++;
          if (l === 'LOST') lost = true;
        }),
    );
    await ready;
    // The host's own mount table does not show the overlay: only the lease (or the container's
    // namespace) can tell prune that the entry is in use.
    assert.equal(readFileSync('/proc/self/mountinfo', 'utf8').includes(lower), false);
    assert.deepEqual(
      JSON.parse(readFileSync(join(STATE_DIR, spec.name, 'owner.json'), 'utf8')).uses,
      [lower],
      'the state dir leases the lower',
    );

    const during = pruneCaches({ maxAgeDays: 0, cacheDir: cache });
    assert.deepEqual(during.removed, []);
    assert.ok(existsSync(join(lower, 'bin/busybox')), 'the lower survived');
    const before = ticks;
    await new Promise((r) => setTimeout(r, 500));
    assert.ok(ticks > before + 2, `the container still runs programs from its lower (${before} -> ${ticks})`);
    assert.equal(lost, false);
    assert.equal(c.state().status, 'running');

    await c.stop('done');
    await c.exited;
    const after = pruneCaches({ maxAgeDays: 0, cacheDir: cache });
    assert.deepEqual(after.removed, ['rootfs/leased']);
    assert.equal(existsSync(lower), false);
  },
);

for (const runtime of ['runc', 'crun'] as const) {
  test(
    `oci:${runtime}: the bundle's root (a cache entry) is leased while the instance runs`,
    { skip: requires('root', runtime, 'helper', 'probe', 'busybox', 'cgroupV1') },
    async (t) => {
      const { cache, lower } = await oldEntry(t);
      const workload = { ...(await prepareWorkload('idle')), rootfsDir: lower };
      const inst = await createOciEnvironment(runtime).launch({
        workload,
        instanceName: nextName(`lease-${runtime}`),
        timeoutMs: 30_000,
      });
      t.after(() => inst.stop('test end'));
      await inst.ready;
      assert.deepEqual(pruneCaches({ maxAgeDays: 0, cacheDir: cache }).removed, []);
      assert.ok(existsSync(join(lower, 'bin/ctvm-probe')), 'the root survived');
      await inst.stop('done');
      await inst.exited;
      assert.deepEqual(pruneCaches({ maxAgeDays: 0, cacheDir: cache }).removed, ['rootfs/leased']);
    },
  );
}
