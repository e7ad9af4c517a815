// lxc after a SIGKILLed ctvm: the launcher takes lxc-execute and the workload down with it, but
// LXC's traces (the private lxcpath, its lock dir, the lxc.monitor/lxc.payload cgroups) stay until
// `ctvm gc` sees the dead owner in the lxcpath and removes them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { requires } from '../../helpers/requires.js';
import { LXC_STATE_DIR } from '../../../src/engine/lxc/environment.js';
import { lxcCgroupDirs } from '../../../src/engine/lxc/gc.js';
import { tempDir, writeScenario } from '../runner/helpers.js';
import {
  CTVM,
  instancePrefix,
  NO_RUN_LEFTOVERS,
  onlyRun,
  runLeftovers,
  waitFor,
} from '../density/helpers.js';

const skip = requires('root', 'lxc', 'helper', 'probe', 'busybox');
const SCENARIO =
  'environments: [lxc]\nworkloads: [idle]\nrepetitions: 1\nwarmup: 0\nsettle: 60s\nidleWindow: 1s\ntimeout: 120s\n';

/** The instances of this run that LXC runs right now (lxc-execute's -n NAME). */
function lxcExecuting(prefix: string): string[] {
  return readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .flatMap((p) => {
      try {
        const argv = readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0');
        const n = argv[argv.indexOf('-n') + 1];
        return argv[0]?.endsWith('lxc-execute') && n?.startsWith(prefix) ? [n] : [];
      } catch {
        return [];
      }
    });
}

test(
  'lxc: after SIGKILL of ctvm, ctvm gc removes the lxcpath, lock dir and LXC cgroups',
  { skip },
  async () => {
    const { dir, cleanup } = tempDir('lxc-kill');
    try {
      const out = join(dir, 'results');
      const child = execa(
        'node',
        [CTVM, 'run', writeScenario(dir, 'lxc-kill', SCENARIO), '--out', out, '--plain'],
        {
          reject: false,
        },
      );
      let name = '';
      await waitFor(() => {
        const run = onlyRun(out);
        name = run ? (lxcExecuting(instancePrefix(run))[0] ?? '') : '';
        return name !== '' && lxcCgroupDirs(name).length > 0;
      }, 120_000);
      child.kill('SIGKILL');
      await child;
      await new Promise((r) => setTimeout(r, 2000)); // the launcher dies with its Node (PDEATHSIG)
      const lxcpath = join(LXC_STATE_DIR, name);
      assert.ok(existsSync(lxcpath), `the killed run left ${lxcpath}`);
      assert.ok(lxcCgroupDirs(name).length > 0, 'and its LXC cgroups');

      const gc = await execa('node', [CTVM, 'gc'], { reject: false });
      assert.equal(gc.exitCode, 0, gc.stdout + gc.stderr);
      assert.match(gc.stdout, new RegExp(`gc: lxc: removed 1 instance\\(s\\): ${name}`));
      assert.equal(existsSync(lxcpath), false, 'lxcpath removed');
      assert.deepEqual(lxcCgroupDirs(name), [], 'LXC cgroups removed');
      assert.equal(existsSync(join('/run/lxc/lock', lxcpath)), false, 'lock dir removed');
      assert.deepEqual(lxcExecuting(instancePrefix(onlyRun(out)!)), [], 'no lxc-execute left');
      assert.deepEqual(await runLeftovers(onlyRun(out)!), NO_RUN_LEFTOVERS);
    } finally {
      cleanup();
    }
  },
);
