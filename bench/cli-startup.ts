// How fast the CLI starts: `ctvm --help` against `node -e 0` (median of N runs each, interleaved
// in a seeded random order, same machine), and what `ctvm vm run` costs beyond the guest's own
// boot: its wall time minus the launch -> READY it reports with --phases.
// Usage: npx tsx bench/cli-startup.ts [n=21] [--vm-runs 3] [--bin path/to/ctvm.js]
//   (vm run needs qemu + the kernel; --bin times another checkout's entry point, e.g. the "before")
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { PROJECT_DIR } from '../src/paths.js';
import { median, mulberry32, shuffled } from '../src/stats/index.js';
import { distStaleFor } from '../scripts/dist.mjs';

const HELP_RATIO_GOAL = 3;
const VM_OVERHEAD_GOAL_S = 0.3;
const flag = (name: string): string | undefined => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const BIN = flag('--bin') ?? join(PROJECT_DIR, 'bin/ctvm.js');

function wallS(
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
): { s: number; stdout: string; stderr: string; status: number | null } {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', cwd: PROJECT_DIR, env });
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  return { s, stdout: r.stdout, stderr: r.stderr, status: r.status };
}

const verdict = (met: boolean): string => (met ? 'MET' : 'NOT MET');

/**
 * NODE_EXTRA_CA_CERTS makes every node start read and parse that file before any script runs
 * (~45 ms for Debian's bundle on this project's CI machines, whose environment sets it). It is in
 * every figure here, ctvm's and `node -e 0`'s alike; this says how much of them it is.
 */
function extraCaCost(n: number): void {
  if (!process.env.NODE_EXTRA_CA_CERTS) return;
  const without = { ...process.env };
  delete without.NODE_EXTRA_CA_CERTS;
  const runs = { with: [] as number[], without: [] as number[] };
  for (let i = 0; i < n; i++)
    for (const which of i % 2 ? (['with', 'without'] as const) : (['without', 'with'] as const))
      runs[which].push(wallS(['-e', '0'], which === 'with' ? process.env : without).s);
  const cost = median(runs.with) - median(runs.without);
  console.log(
    `NODE_EXTRA_CA_CERTS=${process.env.NODE_EXTRA_CA_CERTS} is set: node -e 0 median ${(median(runs.with) * 1000).toFixed(1)} ms with it, ${(median(runs.without) * 1000).toFixed(1)} ms without (n=${n}): ~${(cost * 1000).toFixed(0)} ms of every node start above is that file`,
  );
}

function helpRatio(n: number): void {
  const runs = { node: [] as number[], help: [] as number[] };
  const order = shuffled([...Array(n).fill('node'), ...Array(n).fill('help')], mulberry32(17)) as (
    'node' | 'help'
  )[];
  for (const which of ['node', 'help'] as const) wallS(which === 'node' ? ['-e', '0'] : [BIN, '--help']); // warm-up
  for (const which of order) {
    const r = which === 'node' ? wallS(['-e', '0']) : wallS([BIN, '--help']);
    if (r.status !== 0) throw new Error(`${which} exited ${r.status}: ${r.stderr}`);
    runs[which].push(r.s);
  }
  const node = median(runs.node);
  const help = median(runs.help);
  const ratio = help / node;
  console.log(`node -e 0     median ${(node * 1000).toFixed(1)} ms  (n=${n})`);
  console.log(`ctvm --help   median ${(help * 1000).toFixed(1)} ms  (n=${n})`);
  console.log(
    `ratio ctvm --help / node -e 0 = ${ratio.toFixed(2)} (goal <= ${HELP_RATIO_GOAL}): ${verdict(ratio <= HELP_RATIO_GOAL)}`,
  );
}

function vmOverhead(n: number): void {
  const overheads: number[] = [];
  // node's own start and exit, timed right before each vm run: what of the overhead is node's in
  // this sitting (this host's speed drifts by more than the goal's margin from one to the next).
  const nodes: number[] = [];
  // Not counted: the first run after a build refreshes doctor's cached report (its key covers
  // doctor's code) and builds the noop initramfs if it is not cached yet.
  const warm = wallS([BIN, 'vm', 'run', '--workload', 'noop']);
  if (warm.status !== 0) throw new Error(`ctvm vm run (warm-up) exited ${warm.status}:\n${warm.stderr}`);
  console.log(`vm run warm-up (not counted): wall ${warm.s.toFixed(3)} s`);
  for (let i = 0; i < n; i++) {
    nodes.push(wallS(['-e', '0']).s);
    const r = wallS([BIN, 'vm', 'run', '--phases', '--workload', 'noop']);
    const m = /start latency \(launch -> READY\): ([\d.]+) ms/.exec(r.stderr);
    if (r.status !== 0 || !m)
      throw new Error(`ctvm vm run exited ${r.status} without a READY time:\n${r.stderr}`);
    const readyS = Number(m[1]) / 1000;
    overheads.push(r.s - readyS);
    console.log(
      `vm run ${i + 1}: wall ${r.s.toFixed(3)} s, launch -> READY ${readyS.toFixed(3)} s, rest ${(r.s - readyS).toFixed(3)} s`,
    );
  }
  const o = median(overheads);
  console.log(
    `vm run wall - boot-to-READY, median ${o.toFixed(3)} s (n=${n}, goal <= ${VM_OVERHEAD_GOAL_S} s): ${verdict(o <= VM_OVERHEAD_GOAL_S)}`,
  );
  const own = median(overheads.map((x, i) => x - nodes[i]!));
  console.log(
    `  of which node -e 0 (timed before each run) median ${median(nodes).toFixed(3)} s; the rest, ctvm's own, median ${own.toFixed(3)} s`,
  );
}

const vmRuns = Number(flag('--vm-runs') ?? 3);
const first = process.argv[2];
const n = first !== undefined && /^\d+$/.test(first) ? Number(first) : 21;
// What bin/ctvm.js checks before `vm run` (main.ts's static imports, the vm command's closure).
const stale = distStaleFor(join(BIN, '../..'), {
  staticRoots: ['src/cli/main.ts'],
  roots: ['src/cli/commands/vm.ts'],
});
console.log(
  `${BIN} runs ${stale === null ? 'dist/' : `src/ through tsx (dist/: ${stale})`}; TSX_DISABLE_CACHE=${process.env.TSX_DISABLE_CACHE ?? ''}`,
);
helpRatio(n);
if (vmRuns > 0) vmOverhead(vmRuns);
extraCaCost(n);
