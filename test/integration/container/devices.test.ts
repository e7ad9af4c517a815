// The devices cgroup for real (issue #11 item 3: with CAP_MKNOD a container could mknod and open
// any host device). v1: a container made by the engine. v2: the helper's BPF device program,
// attached to a cgroup of this host's cgroup2 hierarchy (hybrid hosts mount one at .../unified;
// the kernel runs cgroup2 device programs there too) — against a control run without it.
// The engine's v2 driver end to end is in cgroup-v2-guest.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, rmdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deviceRulesArg } from '../../../src/engine/container/devices.js';
import { spawnNsexec } from '../../../src/engine/launcher/nsexec-spawn.js';
import type { StatusMessage } from '../../../src/engine/launcher/nsexec-protocol.js';
import { detectHostCgroups } from '../../../src/host/cgroup-mode.js';
import { requires } from '../../helpers/requires.js';
import { leftovers, run, streamText } from './helpers.js';
import { CONTAINED, UNCONTAINED, openProbe, probes, results } from './fixtures/device-probes.js';

test(
  'v1: inside a container, mknod of host devices is EPERM; its own nodes work',
  { skip: requires('root', 'helper', 'busybox', 'cgroupV1') },
  async () => {
    // In /dev: the container's /tmp is nodev, which would deny the opens for another reason.
    const { stdout, stderr, exit } = await run(['/bin/sh', '-c', probes('/dev')], { tag: 'dev' });
    assert.equal(exit.code, 0, stderr);
    assert.deepEqual(results(stdout), CONTAINED, stdout + stderr);
    assert.match(stderr, /mknod: \/dev\/hwrng: Operation not permitted/);
    assert.deepEqual(leftovers().cgroupDirs, []);
  },
);

/** One helper launch in `cgroupDir` running the probes; with `rules`, behind the BPF program. */
async function launch(
  cgroupDir: string,
  script: string,
  rules?: string,
): Promise<{ out: string; err: string; code: number | null; errors: StatusMessage[] }> {
  const errors: StatusMessage[] = [];
  let code: number | null = null;
  const p = spawnNsexec(
    [
      ...(rules !== undefined ? ['devices', cgroupDir, rules] : []),
      'cgroup',
      join(cgroupDir, 'cgroup.procs'),
      '--',
      '/bin/busybox',
      'sh',
      '-c',
      script,
    ],
    {
      stdout: 'pipe',
      stderr: 'pipe',
      onStatus: (m) => {
        if (m.kind === 'error') errors.push(m);
        if (m.kind === 'exit') code = m.code;
      },
    },
  );
  const [out, err, end] = await Promise.all([streamText(p.stdout), streamText(p.stderr), p.done]);
  return { out, err, code: code ?? end.exitCode ?? null, errors };
}

test(
  'v2 device program (helper `devices`): denies what the list lacks, allows its nodes; a control run without it does not',
  {
    skip:
      requires('root', 'helper', 'busybox') ||
      (detectHostCgroups().v2Mount ? false : 'needs a cgroup2 mount'),
  },
  async () => {
    const v2 = detectHostCgroups().v2Mount!;
    const tmp = mkdtempSync(join(tmpdir(), 'ctvm-devbpf-'));
    const cgroups = [join(v2, `ctvm-devtest-${process.pid}-a`), join(v2, `ctvm-devtest-${process.pid}-b`)];
    try {
      for (const d of cgroups) mkdirSync(d);
      // Nodes made outside the cgroup: the program must stop their open(), not only mknod.
      execFileSync('mknod', [join(tmp, 'kmsg'), 'c', '1', '11']);
      const openKmsg = openProbe(join(tmp, 'kmsg'), 'open-kmsg');
      const filtered = await launch(cgroups[0]!, `${probes(tmp)}; ${openKmsg}`, deviceRulesArg());
      assert.equal(filtered.code, 0, filtered.err);
      assert.deepEqual(results(filtered.out), { ...CONTAINED, 'open-kmsg': '1' }, filtered.err);
      rmSync(join(tmp, 'null2'), { force: true });
      const control = await launch(cgroups[1]!, `${probes(tmp)}; ${openKmsg}`);
      assert.deepEqual(
        results(control.out),
        { ...UNCONTAINED, 'open-kmsg': '0' },
        'without the program the same commands reach host devices',
      );
    } finally {
      rmSync(tmp, { recursive: true, force: true });
      for (const d of cgroups)
        try {
          rmdirSync(d);
        } catch {
          /* never created */
        }
    }
  },
);

test(
  'a malformed rule string is refused before anything runs: E parent devices rules EINVAL, exit 126',
  { skip: requires('helper') },
  async () => {
    for (const bad of [
      'c:1:3',
      'x:1:3:rwm',
      'c:1:3:rwx',
      'c:1:3:',
      'c:-1:3:r',
      'c:1:9999999999:r',
      ',c:1:3:r',
    ]) {
      const r = await launch('/nonexistent-cgroup', 'echo RAN', bad);
      assert.equal(r.code, 126, `${bad}: ${r.out}`);
      assert.doesNotMatch(r.out, /RAN/);
      assert.deepEqual(
        r.errors.map((e) => (e.kind === 'error' ? `${e.stage} ${e.op} ${e.errno}` : '')),
        ['parent devices rules EINVAL'],
        bad,
      );
    }
  },
);
