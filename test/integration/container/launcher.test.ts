// The resident launcher (ctvm-nsexec serve): concurrent launches keep their own output and exit
// codes, a SIGKILLed caller leaves no server/launcher/container behind, a killed server is
// replaced on the next launch, and an idle server never keeps Node alive.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launcherStateRoot, launchRoot } from '../../../src/engine/launcher/launcher-dir.js';
import { nsexecServer, spawnNsexec, type NsexecProcess } from '../../../src/engine/launcher/nsexec-spawn.js';
import { PROJECT_DIR } from '../../../src/paths.js';
import { requires } from '../../helpers/requires.js';
import { PREFIX, leftovers, run, streamText } from './helpers.js';

const skipBare = requires('helper');
const skip = requires('root', 'helper', 'probe', 'busybox', 'cgroupV1');
const none = { cgroupDirs: [], stateDirs: [], mounts: [], processes: [] };
const FIXTURE = join(PROJECT_DIR, 'test/integration/container/fixtures/launcher-hold.ts');

function collect(p: NsexecProcess): { out: Promise<string>; err: Promise<string> } {
  return { out: streamText(p.stdout), err: streamText(p.stderr) };
}

/** True while pid is a live (non-zombie) process that started at `startTicks`. */
function alive(pid: number, startTicks: string): boolean {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8')
      .slice(readFileSync(`/proc/${pid}/stat`, 'utf8').lastIndexOf(')') + 2)
      .split(' ');
    return f[0] !== 'Z' && f[19] === startTicks;
  } catch {
    return false;
  }
}
const startTicks = (pid: number): string => {
  const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return s.slice(s.lastIndexOf(')') + 2).split(' ')[19]!;
};

async function until(cond: () => boolean, ms: number): Promise<boolean> {
  for (const t0 = Date.now(); Date.now() - t0 < ms; await new Promise((r) => setTimeout(r, 50)))
    if (cond()) return true;
  return cond();
}

test(
  '50 concurrent launches each get their own stdout, stderr and exit code',
  { skip: skipBare },
  async () => {
    const launches = Array.from({ length: 50 }, (_, i) => {
      const p = spawnNsexec(['--', '/bin/sh', '-c', `echo out-${i}; echo err-${i} >&2; exit ${i % 7}`], {
        stdout: 'pipe',
        stderr: 'pipe',
        onStatus: () => undefined,
      });
      return { p, ...collect(p) };
    });
    const pids = new Set<number>();
    for (const [i, l] of launches.entries()) {
      const [end, out, err, pid] = await Promise.all([l.p.done, l.out, l.err, l.p.pid]);
      assert.equal(out, `out-${i}\n`, `launch ${i} stdout`);
      assert.equal(err, `err-${i}\n`, `launch ${i} stderr`);
      assert.equal(end.exitCode, i % 7, `launch ${i} exit code`);
      assert.equal(end.error, undefined);
      assert.ok((end.cpuNs ?? 0) > 0, `launch ${i} cpu`);
      pids.add(pid);
    }
    assert.equal(pids.size, 50, 'one launcher (here: the command itself) per launch');
  },
);

test('10 concurrent containers keep their own output and exit codes', { skip }, async () => {
  const runs = await Promise.all(
    Array.from({ length: 10 }, (_, i) =>
      run(['/bin/sh', '-c', `echo c-${i}; exit ${i + 1}`], { tag: 'conc' }),
    ),
  );
  for (const [i, r] of runs.entries()) {
    assert.equal(r.stdout, `c-${i}\n`);
    assert.equal(r.exit.code, i + 1);
  }
  assert.deepEqual(leftovers(), none);
});

test(
  'a killed server fails its pending launches clearly and is replaced on the next launch',
  { skip: skipBare },
  async () => {
    let resolveWorkload!: (pid: number) => void;
    const workload = new Promise<number>((r) => (resolveWorkload = r));
    const first = spawnNsexec(['--', '/bin/sleep', '100'], {
      stdout: 'ignore',
      stderr: 'ignore',
      onStatus: (m) => (m.kind === 'pid' ? resolveWorkload(m.pid) : undefined),
    });
    const launcherPid = await first.pid;
    const sleepPid = await workload;
    const server = nsexecServer()!;
    const ticks = startTicks(sleepPid);
    const launcherTicks = startTicks(launcherPid);
    process.kill(server.pid, 'SIGKILL');
    const end = await first.done;
    assert.match(end.error ?? '', new RegExp(`ctvm-nsexec serve \\(pid ${server.pid}\\) exited`));
    assert.equal(end.exitCode, undefined);
    assert.ok(
      await until(() => !alive(launcherPid, launcherTicks), 3000),
      'the launcher died with its server',
    );
    assert.ok(
      await until(() => !alive(sleepPid, ticks), 3000),
      'and the workload with its launcher (PDEATHSIG)',
    );
    assert.ok(await until(() => !existsSync(server.socketDir), 3000), 'socket dir removed');
    const second = spawnNsexec(['--', '/bin/sh', '-c', 'exit 4'], {
      stdout: 'ignore',
      stderr: 'ignore',
      onStatus: () => undefined,
    });
    assert.equal((await second.done).exitCode, 4);
    assert.notEqual(nsexecServer()?.pid, server.pid);
  },
);

test(
  'an idle launcher does not keep Node alive, and its socket dir goes with Node',
  { skip: skipBare },
  () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', FIXTURE, 'once'], {
      encoding: 'utf8',
      timeout: 20_000,
    });
    assert.equal(r.status, 0, `fixture: ${r.error?.message ?? ''} ${r.stderr}`);
    const out = JSON.parse(r.stdout.trim()) as { code: number; socketDir: string };
    assert.equal(out.code, 0);
    assert.ok(out.socketDir.startsWith(join(launcherStateRoot(), 'launch.d') + '/'), out.socketDir);
    assert.equal(existsSync(out.socketDir), false);
  },
);

test('SIGKILLing the Node side leaves no server, launcher or container running', { skip }, async () => {
  const name = `${PREFIX}lhold`;
  const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE, 'hold', name], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const pids = await new Promise<Record<string, number>>((resolve, reject) => {
    let acc = '';
    child.stdout.on('data', (b: Buffer) => {
      acc += b.toString();
      if (acc.includes('\n')) resolve(JSON.parse(acc.split('\n')[0]!) as Record<string, number>);
    });
    child.on('exit', (code) => reject(new Error(`fixture exited early (${code})`)));
  });
  assert.deepEqual(Object.keys(pids).sort(), [
    'bareLauncher',
    'bareWorkload',
    'containerInit',
    'containerLauncher',
    'server',
  ]);
  const ticks = Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, startTicks(pid)]));
  for (const [k, pid] of Object.entries(pids))
    assert.ok(alive(pid, ticks[k]!), `${k} (${pid}) runs before the kill`);
  child.kill('SIGKILL');
  await new Promise((r) => child.on('exit', r));
  for (const [k, pid] of Object.entries(pids))
    assert.ok(
      await until(() => !alive(pid, ticks[k]!), 3000),
      `${k} (pid ${pid}) still running after its caller died`,
    );
  assert.equal(leftovers().processes.length, 0);
  execFileSync(process.execPath, [join(PROJECT_DIR, 'bin/ctvm.js'), 'gc'], { encoding: 'utf8' });
  assert.deepEqual(leftovers(), none);
});

test(
  'a request too big for a spare (70 KB of argv) takes the fork path and still works',
  { skip: skipBare },
  async () => {
    const big = 'x'.repeat(70_000);
    const p = spawnNsexec(['--', '/bin/sh', '-c', 'echo ${#1}', 'sh', big], {
      stdout: 'pipe',
      stderr: 'pipe',
      onStatus: () => undefined,
    });
    const { out } = collect(p);
    const [end, text] = await Promise.all([p.done, out]);
    assert.equal(end.exitCode, 0, end.error);
    assert.equal(text, '70000\n');
  },
);

test(
  "a request over the helper's MAX_ARGS is refused before it is sent: the server lives on",
  { skip: skipBare },
  async () => {
    const quiet = { stdout: 'ignore', stderr: 'ignore', onStatus: () => undefined } as const;
    assert.equal((await spawnNsexec(['--', '/bin/true'], quiet).done).exitCode, 0);
    const server = nsexecServer()!;
    const many = Array.from({ length: 4100 }, () => 'x');
    assert.throws(() => spawnNsexec(['--', '/bin/echo', ...many], quiet), {
      name: 'UsageError',
      message: /a launch of 4102 arguments; ctvm-nsexec takes at most 4096/,
    });
    assert.equal((await spawnNsexec(['--', '/bin/sh', '-c', 'exit 3'], quiet).done).exitCode, 3);
    assert.equal(nsexecServer()?.pid, server.pid, 'the same server');
  },
);

test(
  "the socket lives under the state dir; a new server removes dead owners' dirs and follows no symlink",
  { skip: skipBare },
  async () => {
    const launch = launchRoot(launcherStateRoot());
    const stale = join(launch, '99999999-1-0'); // a pid above pid_max: its owner is dead
    mkdirSync(stale);
    const victim = mkdtempSync(join(tmpdir(), 'ctvm-victim-'));
    writeFileSync(join(victim, 'launch.sock'), 'precious');
    const planted = join(launch, '99999999-2-0');
    symlinkSync(victim, planted);
    try {
      const server = nsexecServer();
      if (server) process.kill(server.pid, 'SIGKILL'); // the next launch starts a new server
      await until(() => nsexecServer() === undefined, 3000);
      const p = spawnNsexec(['--', '/bin/true'], {
        stdout: 'ignore',
        stderr: 'ignore',
        onStatus: () => undefined,
      });
      assert.equal((await p.done).exitCode, 0, 'a refused entry does not stop the launch');
      assert.equal(existsSync(stale), false, `${stale} still there`);
      assert.equal(readFileSync(join(victim, 'launch.sock'), 'utf8'), 'precious', 'symlink not followed');
      const own = nsexecServer()!.socketDir;
      assert.ok(own.startsWith(launch + '/'), `socket dir ${own} is under ${launch}`);
      assert.ok(existsSync(join(own, 'launch.sock')), 'and our own is in use');
    } finally {
      rmSync(planted, { force: true });
      rmSync(victim, { recursive: true, force: true });
    }
  },
);
