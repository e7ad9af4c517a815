// Network mode `bridge` (#14): a container and a VM each serve redis on the lab bridge and a
// client in the lab netns reaches them (SET then GET through the network); without a tap device
// or veth support `--net bridge` stops with the reason; nothing (netns, veth, tap) is left.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { requires } from '../../helpers/requires.js';
import { launchContainerOnNetwork } from '../../../src/engine/container/launch-net.js';
import { makeSpec } from '../../../src/engine/container/spec.js';
import { createVmEnvironment } from '../../../src/engine/vm/environment.js';
import { createBareEnvironment } from '../../../src/engine/bare/environment.js';
import type { PreparedWorkload } from '../../../src/engine/environment.js';
import { destroyLab, labNetwork } from '../../../src/net/lab.js';
import { ourNetns } from '../../helpers/netns.js';
import { PROJECT_DIR } from '../../../src/paths.js';
import { buildRootfs } from '../../../src/workload/rootfs.js';
import { NET_WORKLOADS } from '../../../src/workload/net-workloads.js';
import { hostDriver, PREFIX } from '../container/helpers.js';

/** redis-server as the `redis` workload runs it (no persistence, every address). */
const REDIS = ['/usr/bin/redis-server', ...NET_WORKLOADS.redis!.args];
const redisMissing =
  existsSync('/usr/bin/redis-server') && existsSync('/usr/bin/redis-cli')
    ? false
    : 'needs redis-server and redis-cli (apt-get install redis-server redis-tools)';

async function redisWorkload(): Promise<PreparedWorkload> {
  const rootfs = await buildRootfs({ hostPrograms: ['redis-server'] });
  return {
    name: 'redis-server',
    rootfsDir: rootfs.dir,
    rootfsHash: rootfs.hash,
    argv: REDIS,
    env: { PATH: '/bin:/usr/bin' },
    binarySha256: createHash('sha256')
      .update(readFileSync(join(rootfs.dir, REDIS[0]!)))
      .digest('hex'),
  };
}

/** redis-cli from the lab netns: waits (bounded) for the server, then SET and GET a value. */
async function setGet(ip: string, value: string, waitMs: number): Promise<string> {
  const lab = await labNetwork();
  const cli = (...a: string[]) => {
    const c = lab.clientCommand('redis-cli', ['-h', ip, '-p', '6379', ...a]);
    return execa(c.file, c.args, { reject: false, timeout: 10_000 });
  };
  const deadline = Date.now() + waitMs;
  let last = '';
  for (;;) {
    const r = await cli('PING');
    if (r.stdout.trim() === 'PONG') break;
    last = `${r.stdout}${r.stderr}`.trim();
    if (Date.now() > deadline) throw new Error(`redis at ${ip} not reachable from the lab netns: ${last}`);
    await new Promise((res) => setTimeout(res, 250));
  }
  const set = await cli('SET', 'ctvm-key', value);
  assert.equal(set.stdout.trim(), 'OK');
  return (await cli('GET', 'ctvm-key')).stdout.trim();
}

after(async () => {
  await destroyLab();
  assert.deepEqual(ourNetns(), [], 'netns left behind');
});

test(
  'container serves redis on the lab bridge; a client in the lab netns reaches it',
  { skip: requires('root', 'helper', 'busybox') || redisMissing },
  async () => {
    const w = await redisWorkload();
    const c = await launchContainerOnNetwork(
      makeSpec({ name: `${PREFIX}redis-c`, rootfs: w.rootfsDir, args: w.argv, network: 'bridge' }),
      { driver: hostDriver() },
    );
    try {
      assert.match(c.labIp ?? '', /^10\.213\.\d+\.\d+$/);
      assert.equal(await setGet(c.labIp!, 'from-container', 15_000), 'from-container');
      // The container's own view: an eth0, which the host's netns does not have.
      const pid = await c.initPid;
      assert.match(readFileSync(`/proc/${pid}/net/dev`, 'utf8'), /^\s*eth0:/m);
    } finally {
      await c.stop('test');
    }
    assert.deepEqual(
      ourNetns().filter((n) => n.startsWith('ctvm-in-')),
      [],
      'instance netns kept after stop',
    );
  },
);

test(
  'bare serves redis from its own netns on the lab bridge (the same topology)',
  { skip: requires('root', 'helper') || redisMissing },
  async () => {
    const w = await redisWorkload();
    const i = await createBareEnvironment().launch({
      workload: w,
      instanceName: `${PREFIX}redis-bare`,
      timeoutMs: 60_000,
      options: { network: 'bridge' },
    });
    try {
      assert.match(i.labIp ?? '', /^10\.213\.\d+\.\d+$/);
      assert.equal(await setGet(i.labIp!, 'from-bare', 15_000), 'from-bare');
    } finally {
      await i.stop('test');
    }
  },
);

for (const kernel of ['debian', 'minimal'] as const)
  test(
    `VM (${kernel} kernel, virtio-net on a tap) serves redis on the lab bridge`,
    {
      skip:
        requires('root', 'qemu', 'busybox', kernel === 'minimal' ? 'minimalKernel' : 'kernel') ||
        redisMissing,
      timeout: 120_000,
    },
    async () => {
      const w = await redisWorkload();
      const env = createVmEnvironment();
      const vm = await env.launch({
        workload: w,
        instanceName: `${PREFIX}redis-vm-${kernel}`,
        timeoutMs: 100_000,
        options: {
          accel: 'tcg',
          network: 'bridge',
          memory: '256M',
          ...(kernel === 'minimal' ? { kernel: 'minimal' } : {}),
        },
      });
      try {
        assert.match(vm.labIp ?? '', /^10\.213\.\d+\.\d+$/);
        assert.equal(await setGet(vm.labIp!, `from-vm-${kernel}`, 60_000), `from-vm-${kernel}`);
      } finally {
        await vm.stop('test');
      }
    },
  );

function ctvm(args: string[], env: Record<string, string>): { code: number | null; err: string } {
  const r = spawnSync(process.execPath, [join(PROJECT_DIR, 'bin/ctvm.js'), ...args], {
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, ...env },
  });
  return { code: r.status, err: r.stderr };
}

test(
  '--net bridge without a tap device or veth support stops with the reason',
  { skip: requires('root', 'helper') },
  () => {
    const vm = ctvm(['vm', 'run', '--net', 'bridge', '--accel', 'tcg'], {
      CTVM_TUN_DEVICE: '/nonexistent/tun',
    });
    assert.equal(vm.code, 3, vm.err);
    assert.match(vm.err, /needs a tap device, and \/nonexistent\/tun is missing/);
    const c = ctvm(['container', 'run', '--net', 'bridge', '--', '/bin/true'], {
      CTVM_VETH_KIND: 'ctvm-no-such-kind',
    });
    assert.equal(c.code, 3, c.err);
    assert.match(c.err, /needs veth support in the kernel/);
    const bad = ctvm(['container', 'run', '--net', 'bridged', '--', '/bin/true'], {});
    assert.equal(bad.code, 2, bad.err);
    assert.match(bad.err, /invalid --net 'bridged'/);
    const badVm = ctvm(['vm', 'run', '--net', 'bridged'], {});
    assert.equal(badVm.code, 2, badVm.err);
    assert.match(badVm.err, /vm option network: 'bridged'/);
  },
);
