// Container start latency, ours vs runc vs crun vs gVisor runsc vs lxc-execute vs docker vs LXD vs
// util-linux unshare, on the same busybox rootfs
// running /bin/true, interleaved in a seeded random order. Run: npx tsx bench/container-start.ts [n]
// Each sample is host monotonic time from the spawn call to the runtime having exited and cleaned
// up (ours: launchContainer() -> exited, which includes cgroup + state dir removal; docker: the
// client's `docker run --rm` -> exited, i.e. after dockerd removed the container).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { pruneEmptyParents } from '../src/engine/container/cgroup/fs.js';
import { selectCgroupDriver } from '../src/engine/container/cgroup/select.js';
import { launchContainer } from '../src/engine/container/launch.js';
import { nsexecLaunchCounts, spawnNsexec } from '../src/engine/launcher/nsexec-spawn.js';
import { makeSpec, type ContainerSpec } from '../src/engine/container/spec.js';
import { specToOciConfig, writeBundle } from '../src/engine/oci/bundle.js';
import { runtimeCommand } from '../src/engine/oci/launch.js';
import { CRUN_HYBRID_PREFIX } from '../src/host/crun-workaround.js';
import { runscCommand, runscPlatform } from '../src/engine/runsc/invocation.js';
import { lxcConfig } from '../src/engine/lxc/config.js';
import { removeLxcInstance } from '../src/engine/lxc/environment.js';
import { existsSync, writeFileSync } from 'node:fs';
import { closeSession, openSession, type DockerSession } from '../src/engine/docker/session.js';
import { clientEnv, ensureImage } from '../src/engine/docker/image.js';
import { limitFlags, RUN_FLAGS } from '../src/engine/docker/launch.js';
import { dockerClient, dockerdPath } from '../src/engine/docker/target.js';
import { errorMessage } from '../src/errors.js';
import { lxdBinaries, startLxdDaemon } from '../src/engine/lxd/daemon.js';
import { ensureImage as ensureLxdImage } from '../src/engine/lxd/image.js';
import { which } from '../src/util/which.js';
import { launcherEnvArgs } from '../src/engine/bare/instance.js';
import { detectHostCgroups } from '../src/host/cgroup-mode.js';
import { describe, median, mulberry32, ratioOfMediansCI, shuffled } from '../src/stats/index.js';
import { monoNs, MiB } from '../src/units.js';
import { buildRootfs } from '../src/workload/rootfs.js';

const N = Number(process.argv[2] ?? 100);
const WARMUP = 10;
const facts = detectHostCgroups();
const hybrid = facts.mode === 'hybrid';
const driver = selectCgroupDriver(facts, { parent: 'ctvm' });
const { dir: rootfs, hash: rootfsHash } = await buildRootfs();
const limits = { memoryBytes: 64 * MiB, cpus: 1, pids: 64 };
const bundle = mkdtempSync(join(tmpdir(), 'ctvm-bench-'));
writeBundle(
  bundle,
  specToOciConfig(makeSpec({ name: 'bench', rootfs, args: ['/bin/true'], limits }), `/ctvm-bench/oci`),
);
// gVisor (ptrace here: no KVM; src/engine/runsc) and LXC (lxc-execute, ctvm's generated config,
// a private lxcpath) on the same rootfs; both reached through the same launcher as runc/crun.
const runscRoot = mkdtempSync(join(tmpdir(), 'ctvm-bench-runsc-'));
const lxcpath = mkdtempSync(join(tmpdir(), 'ctvm-bench-lxc-'));
writeFileSync(join(lxcpath, 'config'), lxcConfig({ rootfs, name: 'bench', limits, v2: facts.mode === 'v2' }));
// Docker: ctvm's own dockerd, started once for the whole bench (a daemon users keep running), the
// rootfs imported once; each sample is one `docker run --rm --network none` through the launcher.
const docker = await openDocker();
// LXD: ctvm's own daemon (src/engine/lxd, one for the whole bench), the rootfs as an image; a sample
// is `lxc launch` + `lxc exec -- /bin/true` + `lxc delete --force`, each through the launcher.
const lxd = which('lxd') ? await startLxdDaemon('bench') : undefined;
const lxdImage = lxd ? (await ensureLxdImage(lxd, { rootfsDir: rootfs, rootfsHash }, new Map())).alias : '';
const phaseDeltas = new Map<string, number[]>();
let seq = 0;

async function openDocker(): Promise<{ session: DockerSession; client: string; image: string } | undefined> {
  const client = dockerClient();
  if (!client || !dockerdPath() || process.getuid?.() !== 0) {
    console.log('docker row skipped: needs root and docker.io (dockerd + /usr/bin/docker)');
    return undefined;
  }
  const session = await openSession(undefined).catch((err: unknown) => {
    console.log(`docker row skipped: ${errorMessage(err)}`);
    return undefined;
  });
  if (!session) return undefined;
  return {
    session,
    client,
    image: await ensureImage(session, { rootfsDir: rootfs, rootfsHash: rootfsHash }),
  };
}

/** One LXD container from launch to deleted; `timed` with the daemon's LXD_DIR/LXD_CONF. */
async function lxdRow(): Promise<number> {
  const env = launcherEnvArgs(lxd!.env);
  const lxc = lxdBinaries().lxc;
  const name = `ctvm-bench-lxd-${seq++}`;
  const t0 = monoNs();
  for (const args of [
    ['launch', lxdImage, name],
    ['exec', name, '--force-noninteractive', '--', '/bin/true'],
    ['delete', '--force', name],
  ]) {
    const p = spawnNsexec([...env, '--', lxc, ...args], {
      stdout: 'ignore',
      stderr: 'ignore',
      onStatus: () => undefined,
    });
    const end = await p.done;
    if (end.exitCode !== 0) throw new Error(`lxc ${args.join(' ')}: exit ${end.exitCode} ${end.error ?? ''}`);
  }
  return monoNs() - t0;
}

/**
 * Reference commands are started through the same resident launcher as ours (a plain vfork+exec,
 * no namespaces), so no row pays Node's own ~10 ms spawn and the ratio compares runtimes only.
 */
async function timed(file: string, args: string[], env: Record<string, string> = {}): Promise<number> {
  const t0 = monoNs();
  const envArgs = Object.entries(env).flatMap(([k, v]) => ['env', `${k}=${v}`]);
  const p = spawnNsexec([...envArgs, '--', file, ...args], {
    stdout: 'ignore',
    stderr: 'ignore',
    onStatus: () => undefined,
  });
  const end = await p.done;
  if (end.exitCode !== 0)
    throw new Error(`${file} ${args.join(' ')}: exit ${end.exitCode} ${end.error ?? ''}`);
  return monoNs() - t0;
}

/** Node spawning a command itself (execa): the floor every row would pay without the launcher. */
async function nodeSpawned(file: string, args: string[]): Promise<number> {
  const t0 = monoNs();
  const r = await execa(file, args, { stdio: 'ignore', reject: false });
  if (r.exitCode !== 0) throw new Error(`${file} ${args.join(' ')}: exit ${r.exitCode}`);
  return monoNs() - t0;
}

/** Our engine; `seccomp: null` for the row that shows what the filter costs (compile + install). */
async function ours(extra: Partial<ContainerSpec>, phases: Map<string, number[]>): Promise<number> {
  const spec = makeSpec({
    name: `bench-${process.pid}-${seq++}`,
    rootfs,
    args: ['/bin/true'],
    limits,
    ...extra,
  });
  const c = launchContainer(spec, { driver, stdout: 'ignore', stderr: 'ignore' });
  const exit = await c.exited;
  if (exit.code !== 0) throw new Error(`ours: exit ${exit.code} ${exit.setupError?.message ?? ''}`);
  let prev = c.events.launchNs;
  for (const p of c.events.phases) {
    const list = phases.get(p.name) ?? [];
    list.push(p.atNs - prev);
    phases.set(p.name, list);
    prev = p.atNs;
  }
  return exit.atNs - c.events.launchNs;
}
const noSeccompPhases = new Map<string, number[]>();

const variants: Record<string, () => Promise<number>> = {
  ours: () => ours({}, phaseDeltas),
  'ours-no-seccomp': () => ours({ seccomp: null }, noSeccompPhases),
  runc: () => {
    const c = runtimeCommand('runc', ['run', '--bundle', bundle, `ctvm-bench-runc-${seq++}`], hybrid);
    return timed(c.file, c.args);
  },
  crun: () => {
    const c = runtimeCommand('crun', ['run', '--bundle', bundle, `ctvm-bench-crun-${seq++}`], hybrid);
    return timed(c.file, c.args);
  },
  runsc: () => {
    const c = runscCommand(
      ['run', '--bundle', bundle, `ctvm-bench-runsc-${seq++}`],
      runscPlatform(existsSync('/dev/kvm')),
      runscRoot,
    );
    return timed(c.file, c.args);
  },
  'lxc-execute': () =>
    timed('lxc-execute', [
      '-P',
      lxcpath,
      '-n',
      `bench-${seq++}`,
      '-f',
      join(lxcpath, 'config'),
      '--',
      '/bin/true',
    ]),
  ...(docker
    ? {
        docker: () =>
          timed(
            docker.client,
            [
              '--host',
              docker.session.host,
              ...RUN_FLAGS,
              ...limitFlags(limits),
              '--cgroup-parent',
              `/${docker.session.cgroupParent}/bench`,
              docker.image,
              '/bin/true',
            ],
            clientEnv(docker.session),
          ),
      }
    : {}),
  ...(lxd ? { lxd: lxdRow } : {}),
  unshare: () =>
    timed('unshare', [
      '--fork',
      '--pid',
      '--mount',
      '--uts',
      '--ipc',
      '--net',
      '--mount-proc',
      `--root=${rootfs}`,
      '/bin/true',
    ]),
  // What the crun workaround alone costs (subtract from crun for crun "as it would run on v2").
  'crun-workaround-only': () =>
    hybrid
      ? timed(CRUN_HYBRID_PREFIX[0]!, [...CRUN_HYBRID_PREFIX.slice(1), '/bin/true'])
      : Promise.resolve(0),
  'launcher-true': () => timed('/bin/true', []),
  'node-spawn-true': () => nodeSpawned('/bin/true', []),
};

const samples = new Map<string, number[]>(Object.keys(variants).map((k) => [k, []]));
const rng = mulberry32(42);
for (let round = 0; round < WARMUP + N; round++) {
  for (const name of shuffled(Object.keys(variants), rng)) {
    const ns = await variants[name]!();
    if (round >= WARMUP) samples.get(name)!.push(ns);
  }
  if (round === WARMUP - 1) for (const m of [phaseDeltas, noSeccompPhases]) m.clear();
}
rmSync(bundle, { recursive: true, force: true });
rmSync(runscRoot, { recursive: true, force: true });
await removeLxcInstance(lxcpath, 'bench');
// The daemon, its containerd, image store and the per-sample cgroup parent go with the session.
if (docker) await closeSession(docker.session);
await lxd?.stop();
if (!lxd) console.log('lxd: not installed, no row');
// runc/crun remove the container's cgroup but not the parents we named in cgroupsPath (in every
// hierarchy they touch, name=systemd included).
pruneEmptyParents(['ctvm-bench/oci', 'ctvm-bench']);

const ms = (ns: number): string => (ns / 1e6).toFixed(2);
console.log(
  `container start, /bin/true, n=${N} each after ${WARMUP} warm-up rounds, interleaved (host: ${facts.mode} cgroups)`,
);
console.log('variant                 median ms   95% CI            p95 ms   cv');
for (const [name, v] of samples) {
  const d = describe(v.map((x) => x / 1e6));
  console.log(
    `${name.padEnd(22)} ${d.median.toFixed(2).padStart(9)}   [${d.ciLow.toFixed(2)}, ${d.ciHigh.toFixed(2)}]`.padEnd(
      52,
    ) + `${d.p95.toFixed(2).padStart(7)}   ${d.cv.toFixed(2)}`,
  );
}
const r = ratioOfMediansCI(samples.get('ours')!, samples.get('crun')!);
console.log(
  `ours/crun = ${r.ratio.toFixed(3)} (95% CI ${r.ciLow.toFixed(3)}-${r.ciHigh.toFixed(3)}); target <= 0.5`,
);
const wk = median(samples.get('crun-workaround-only')!);
const nodeTrue = median(samples.get('launcher-true')!);
const crunNoWk = median(samples.get('crun')!) - wk + nodeTrue;
console.log(
  `ours/(crun minus its hybrid workaround, ~${ms(wk - nodeTrue)} ms) = ${(median(samples.get('ours')!) / crunNoWk).toFixed(3)}`,
);
const served = nsexecLaunchCounts();
console.log(
  `ours: launches served by an idle pre-forked launcher: ${served.spare}, by a fork: ${served.forked}`,
);
const sc = ratioOfMediansCI(samples.get('ours')!, samples.get('ours-no-seccomp')!);
console.log(
  `seccomp (compile before the clone + install before exec): ${ms(median(samples.get('ours')!) - median(samples.get('ours-no-seccomp')!))} ms, ours/ours-no-seccomp = ${sc.ratio.toFixed(3)} (95% CI ${sc.ciLow.toFixed(3)}-${sc.ciHigh.toFixed(3)})`,
);
console.log('\nours, phase timeline (median of each step, ms; without seccomp in brackets):');
for (const [phase, v] of phaseDeltas)
  console.log(
    `  ${phase.padEnd(11)} ${ms(median(v)).padStart(7)}  [${ms(median(noSeccompPhases.get(phase) ?? [0])).padStart(7)}]`,
  );
