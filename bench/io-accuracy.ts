// I/O accuracy (#14): ctvm's `bare` figures for iperf3, sockperf and fio against the same tools
// run by hand in the same topology, medians and the ratio ctvm/hand (goal: 0.9-1.1).
//   network: the server in a netns of its own joined to the lab bridge by a veth (what `bare` with
//   network: bridge gets), the client in the lab netns; same binaries, same arguments
//   (src/workload/net-workloads.ts). By hand: `nsenter --net=<netns> <server>` and `nsenter
//   --net=<lab> <client>`; ctvm: clientSample (launcher, READY watcher, client, parse).
//   fio: the same fresh ext4 image on a loop device in direct-I/O mode (src/disk/), the same fio
//   arguments; by hand fio runs directly on the mount, ctvm runs workSample on bare with scratch.
// Hand and ctvm alternate (A B B A) within each round. Root; the lab netns is removed at the end.
// Run: npx tsx bench/io-accuracy.ts [rounds, 3] [only: iperf3 | sockperf | fio]
import { execa, type ResultPromise } from 'execa';
import { readFileSync } from 'node:fs';
import { createBareEnvironment } from '../src/engine/bare/environment.js';
import type { Environment, PreparedWorkload } from '../src/engine/environment.js';
import { stopAll } from '../src/engine/reaper.js';
import { createScratchImage, loopMount } from '../src/disk/scratch.js';
import { scratchArgv } from '../src/disk/scratch-spec.js';
import { destroyLab, labNetwork } from '../src/net/lab.js';
import { clientSample } from '../src/runner/client-sample.js';
import { workSample } from '../src/runner/samplers.js';
import type { SampleTarget } from '../src/runner/sample-context.js';
import { median } from '../src/stats/quantile.js';
import { prepareWorkload } from '../src/workload/catalog.js';
import { IO_WORKLOADS } from '../src/workload/io-workloads.js';
import { NET_WORKLOADS } from '../src/workload/net-workloads.js';

const ROUNDS = Number(process.argv[2] ?? 3);
const ONLY = process.argv[3];
const SCRATCH = '256M';

interface Case {
  workload: string;
  metric: string;
  unit: string;
  scale: number;
  hand: () => Promise<number>;
}

/** The port a server listens on, seen in its netns's /proc/net/tcp{,6} (as the READY watcher does). */
async function waitListening(netnsPath: string, port: number): Promise<void> {
  const hex = `:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  for (let i = 0; i < 3000; i++) {
    const r = await execa('nsenter', [`--net=${netnsPath}`, 'cat', '/proc/net/tcp', '/proc/net/tcp6'], {
      reject: false,
    });
    if (
      r.stdout
        .split('\n')
        .some((l) => l.trim().split(/\s+/)[1]?.endsWith(hex) && l.trim().split(/\s+/)[3] === '0A')
    )
      return;
    await new Promise((res) => setTimeout(res, 10));
  }
  throw new Error(`nothing listens on ${port} in ${netnsPath}`);
}

/** By hand: the server (host binary) in its own veth netns, the client in the lab netns. */
async function handNet(name: string, port: number): Promise<Record<string, number>> {
  const w = NET_WORKLOADS[name]!;
  const lab = await labNetwork();
  const ep = await lab.vethEndpoint();
  let server: ResultPromise | undefined;
  try {
    server = execa('nsenter', [`--net=${ep.netnsPath!}`, w.program, ...w.args], {
      reject: false,
      stdout: 'ignore',
      stderr: 'ignore',
    });
    await waitListening(ep.netnsPath!, port);
    const r = await execa('nsenter', [`--net=${lab.netnsPath}`, w.client.program, ...w.client.args(ep.ip)], {
      timeout: w.client.timeoutMs,
    });
    return w.client.parse(r.stdout);
  } finally {
    server?.kill('SIGKILL');
    await server;
    await ep.release();
  }
}

/** By hand: fio on a fresh image, loop-mounted as ctvm does, the same arguments; terse v3 IOPS. */
async function handFio(workload: string): Promise<number> {
  const image = await createScratchImage(256 * 1024 * 1024);
  try {
    const m = await loopMount(image.path);
    try {
      const args = scratchArgv(IO_WORKLOADS[workload]!.args, m.dir);
      const f = (await execa('fio', args)).stdout.trim().split(';');
      return Number(f[7]) + Number(f[48]); // the same fields as FIO_SCRIPT's awk
    } finally {
      await m.release();
    }
  } finally {
    await image.remove();
  }
}

function target(
  env: Environment,
  workload: PreparedWorkload,
  options: Record<string, unknown>,
  i: number,
): SampleTarget {
  return {
    env,
    options,
    workload,
    namePrefix: `ioacc-${process.pid}-${i}`,
    timeoutMs: 60_000,
    settleMs: 0,
    idleWindowMs: 0,
  };
}

async function main(): Promise<void> {
  const env = createBareEnvironment();
  const cases: Case[] = [
    {
      workload: 'iperf3',
      metric: 'tcpBitsPerSec',
      unit: 'Gbit/s',
      scale: 1e-9,
      hand: async () => (await handNet('iperf3', 5201)).tcpBitsPerSec!,
    },
    {
      workload: 'sockperf',
      metric: 'rttP50Ns',
      unit: 'µs',
      scale: 1e-3,
      hand: async () => (await handNet('sockperf', 11111)).rttP50Ns!,
    },
    { workload: 'fio:randread', metric: 'iops', unit: 'IOPS', scale: 1, hand: () => handFio('fio:randread') },
  ];
  console.log(
    `io-accuracy: bare, ${ROUNDS} rounds, load ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`,
  );
  let n = 0;
  for (const c of cases.filter((k) => !ONLY || k.workload.startsWith(ONLY))) {
    const workload = await prepareWorkload(c.workload);
    await env.prepare(workload, {});
    const options = c.workload.startsWith('fio') ? { scratch: SCRATCH } : { network: 'bridge' };
    const ctvm = async (): Promise<number> => {
      const t = target(env, workload, options, n++);
      const out = c.workload.startsWith('fio') ? await workSample(t) : await clientSample(t);
      return out.metrics[c.metric]!;
    };
    const hand: number[] = [];
    const ours: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      // A B B A: neither side always goes first.
      if (r % 2 === 0) {
        hand.push(await c.hand());
        ours.push(await ctvm());
      } else {
        ours.push(await ctvm());
        hand.push(await c.hand());
      }
    }
    const [h, o] = [median(hand), median(ours)];
    const fmt = (v: number) => (v * c.scale).toFixed(c.unit === 'IOPS' ? 0 : 2);
    // Each round's own ratio too: its median cancels drift slower than a round.
    const paired = median(ours.map((v, i) => v / hand[i]!));
    console.log(
      `${c.workload.padEnd(13)} ${c.metric.padEnd(14)} hand ${fmt(h)} ${c.unit} [${hand.map(fmt).join(', ')}]  ` +
        `ctvm ${fmt(o)} ${c.unit} [${ours.map(fmt).join(', ')}]  ctvm/hand ${(o / h).toFixed(3)} ` +
        `(median of per-round ratios ${paired.toFixed(3)})`,
    );
  }
}

main()
  .catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(async () => {
    await stopAll('bench done');
    await destroyLab();
  });
