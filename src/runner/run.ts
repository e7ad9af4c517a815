// `ctvm run`: validate everything first (a usage error writes nothing), then plan, execute,
// summarise. New runs and --resume share the same path from "environments resolved" onwards.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import type { PreparedWorkload } from '../engine/environment.js';
import { assertDensityFits } from '../density/budget.js';
import { caughtSignal, interruptSignal } from '../engine/reaper.js';
import { errorMessage, UsageError } from '../errors.js';
import { doctor } from '../host/doctor.js';
import type { DoctorReport } from '../host/facts.js';
import { RESULTS_DIR } from '../paths.js';
import { RESULTS_FORMAT, type RunMeta } from '../results/types.js';
import { summarize } from '../stats/summarize.js';
import {
  openSessions,
  resolveEnvironments,
  type EnvironmentRecord,
  type UsedEnvironment,
} from './environments.js';
import { executePlan } from './execute.js';
import { countByEnv, planRun } from './plan.js';
import { formatSkippedCell, skippedCells } from './cells.js';
import { createProgress, type Progress } from './progress.js';
import { readRunMeta, readSamples, RUN_FILE } from '../results/read.js';
import { RunWriter } from './results-writer.js';
import { gitInfo, toolVersions } from './run-facts.js';
import { loadScenario } from './scenario-load.js';
import { ENVIRONMENT_IDS, SCENARIO_BOUNDS, storedScenarioSchema, type Scenario } from './scenario-schema.js';
import { prepareForRun, workloadKey } from './workloads.js';
import { envOutcomes, type EnvOutcome } from './outcome.js';
import { checkRunAccel, type RequiredAccel } from './require-accel.js';
import { checkResumeFlags } from './resume-flags.js';
import { destroyLab } from '../net/lab.js';

export interface RunOptions {
  scenario?: string;
  resume?: string;
  outDir?: string;
  seed?: number;
  repetitions?: number;
  only?: string[];
  progress?: 'auto' | 'plain' | 'quiet';
  /** The vm environment must run with this accelerator, else a HostError before anything runs. */
  requireAccel?: RequiredAccel;
  /** Tests inject a doctor report; normally the cached one for this boot. */
  host?: DoctorReport;
}

export interface RunOutcome {
  runId: string;
  dir: string;
  status: RunMeta['status'];
  taken: number;
  planned: number;
  interrupted: NodeJS.Signals | null;
  skipped: Record<string, string>;
  /** Per environment: ok, failed (no successful sample) or skipped. */
  envs: EnvOutcome[];
}

export async function runScenario(opts: RunOptions): Promise<RunOutcome> {
  if (opts.resume) return resumeRun(opts.resume, opts);
  if (!opts.scenario)
    throw new UsageError('no scenario given', { hint: 'ctvm run quick  (or a path to a .yaml file)' });
  const { file, scenario } = loadScenario(opts.scenario);
  const s = applyOverrides(scenario, opts);
  const host = opts.host ?? (await doctor());
  const progress = createProgress(opts.progress);
  const { used, records } = await resolveEnvironments(s.environments, host);
  if (opts.requireAccel) checkRunAccel(records, opts.requireAccel);
  assertDensityFits(s.density, used); // before anything is prepared or started
  const closeSessions = await openSessions(used, records, (m) => progress.warn(m));
  try {
    return await runNew(s, file, host, used, records, progress, opts);
  } finally {
    await closeSessions();
    await destroyLab(); // the lab network of network: bridge, if any instance made it
  }
}

async function runNew(
  s: Scenario,
  file: string,
  host: DoctorReport,
  used: UsedEnvironment[],
  records: Record<string, EnvironmentRecord>,
  progress: Progress,
  opts: RunOptions,
): Promise<RunOutcome> {
  const workloads = await prepareAll(s, used, records, progress);
  const seed = opts.seed ?? s.seed ?? randomBytes(4).readUInt32LE(0);
  const runId = newRunId(s.name);
  const dir = join(resolve(opts.outDir ?? RESULTS_DIR), runId);
  const meta: RunMeta = {
    format: RESULTS_FORMAT,
    runId,
    scenarioName: s.name,
    scenarioFile: file,
    scenario: s,
    seed,
    startedAt: new Date().toISOString(),
    status: 'incomplete', // until the last planned sample is on disk; a crash leaves it so
    plannedSamples: 0,
    environments: records,
    host,
    tools: toolVersions(host),
    git: await gitInfo(),
  };
  return execute(meta, dir, used, workloads, progress, new Set());
}

async function resumeRun(ref: string, opts: RunOptions): Promise<RunOutcome> {
  const dir =
    isAbsolute(ref) || ref.includes('/') ? resolve(ref) : join(resolve(opts.outDir ?? RESULTS_DIR), ref);
  if (!existsSync(join(dir, RUN_FILE)))
    throw new UsageError(`no run to resume at ${dir}`, {
      hint: 'give a run id from results/ (or --out DIR and the id)',
    });
  const meta = readRunMeta(dir);
  if (meta.status === 'complete')
    throw new UsageError(`run ${meta.runId} is already complete`, { hint: 'nothing to resume' });
  const resumeIds = checkResumeFlags(meta, opts); // a flag that contradicts run.json: exit 2 here
  // The stored scenario is the validated one (durations already in ms): checked, then used as is.
  const stored = storedScenarioSchema.safeParse(meta.scenario);
  if (!stored.success) {
    const iss = stored.error.issues[0]!;
    throw new UsageError(
      `${join(dir, RUN_FILE)}: scenario.${iss.path.join('.')}: ${iss.message.replace(/^Invalid input: /, '')} (not a scenario ctvm recorded)`,
      { hint: 'a run can only be resumed from the run.json ctvm wrote; start a new run instead' },
    );
  }
  const s = stored.data as Scenario;
  const host = opts.host ?? (await doctor());
  const progress = createProgress(opts.progress);
  const wanted = s.environments.filter((e) => resumeIds.includes(e.id));
  const { used, records } = await resolveEnvironments(wanted, host);
  if (opts.requireAccel) checkRunAccel(records, opts.requireAccel);
  for (const [id, r] of Object.entries(records))
    if (!r.used)
      progress.warn(`${id} was used by this run but cannot run now (${r.reason}); its samples stay missing`);
  const closeSessions = await openSessions(used, records, (m) => progress.warn(m));
  try {
    const workloads = await prepareAll(s, used, records, progress);
    const quarantined: string[] = [];
    const samples = readSamples(dir, { tornTail: 'repair', warnings: quarantined });
    for (const w of quarantined) progress.warn(w);
    const done = new Set(samples.map((r) => r.seq));
    return await execute(meta, dir, used, workloads, progress, done);
  } finally {
    await closeSessions();
    await destroyLab(); // the lab network of network: bridge, if any instance made it
  }
}

async function execute(
  meta: RunMeta,
  dir: string,
  used: UsedEnvironment[],
  workloads: Map<string, PreparedWorkload>,
  progress: Progress,
  done: Set<number>,
): Promise<RunOutcome> {
  const s = meta.scenario as Scenario;
  const envIds = s.environments.map((e) => e.id).filter((id) => meta.environments[id]?.used);
  const plan = planRun(s, envIds, meta.seed);
  meta.plannedSamples = plan.length;
  const cells = skippedCells(s).filter((c) => envIds.includes(c.env));
  if (cells.length > 0) meta.skippedCells = cells;
  for (const c of cells) progress.warn(formatSkippedCell(c));
  const runnable = new Set(used.map((u) => u.id));
  const todo = plan.filter((p) => !done.has(p.seq) && runnable.has(p.env));
  const writer = RunWriter.create(dir);
  writer.writeMeta(meta);
  const signal = interruptSignal();
  progress.start(plan.length, plan.length - todo.length);
  let taken = 0;
  let envs: EnvOutcome[] = [];
  try {
    taken = await executePlan(
      {
        runId: meta.runId,
        scenario: s,
        envs: new Map(used.map((u) => [u.id, u])),
        workloads,
        writer,
        progress,
        signal,
      },
      todo,
    );
  } finally {
    progress.stop();
    writer.close();
    const samples = readSamples(dir, { tornTail: 'repair' }); // 'repair': no sample taken = no file yet
    const have = new Set(samples.map((r) => r.seq));
    meta.status = plan.every((p) => have.has(p.seq)) ? 'complete' : 'incomplete';
    meta.finishedAt = new Date().toISOString();
    writer.writeMeta(meta);
    writer.writeSummary(summarize(meta.runId, samples, { seed: meta.seed }));
    envs = envOutcomes(meta.environments, samples, cells, countByEnv(plan));
  }
  const skipped = Object.fromEntries(
    Object.entries(meta.environments).flatMap(([id, r]) => (r.used ? [] : [[id, r.reason ?? 'skipped']])),
  );
  return {
    runId: meta.runId,
    dir,
    status: meta.status,
    taken,
    planned: plan.length,
    interrupted: caughtSignal(),
    skipped,
    envs,
  };
}

/** Prepares every workload once, then each environment for each; a failing env is skipped. */
async function prepareAll(
  s: Scenario,
  used: UsedEnvironment[],
  records: Record<string, EnvironmentRecord>,
  progress: Progress,
): Promise<Map<string, PreparedWorkload>> {
  const list = [...s.workloads, ...(s.density ? [{ name: s.density.workload }] : [])];
  const workloads = new Map<string, PreparedWorkload>();
  for (const w of list)
    if (!workloads.has(workloadKey(w))) workloads.set(workloadKey(w), await prepareForRun(w));
  for (const u of [...used]) {
    try {
      for (const w of workloads.values()) await u.env.prepare(w, u.options);
      // An environment with per-run state knows more once prepared (docker: its daemon's version;
      // lxd: its image's fingerprint).
      if (u.env.session)
        Object.assign(u.facts, (await u.env.describe?.(u.options).catch(() => undefined)) ?? {});
    } catch (err) {
      records[u.id] = { used: false, type: u.type, reason: `prepare failed: ${errorMessage(err)}` };
      used.splice(used.indexOf(u), 1);
      progress.warn(`${u.id} skipped: prepare failed: ${errorMessage(err)}`);
    }
  }
  return workloads;
}

function applyOverrides(s: Scenario, opts: RunOptions): Scenario {
  const out = { ...s };
  if (opts.repetitions !== undefined) {
    if (
      !Number.isInteger(opts.repetitions) ||
      opts.repetitions < 1 ||
      opts.repetitions > SCENARIO_BOUNDS.maxRepetitions
    )
      throw new UsageError(
        `--repetitions ${opts.repetitions}: expected an integer 1..${SCENARIO_BOUNDS.maxRepetitions}`,
        {
          hint: "omit it to use the scenario's repetitions",
        },
      );
    out.repetitions = opts.repetitions;
    // It overrides every count: an environment's own repetitions as well.
    out.environments = s.environments.map((e) => ({ ...e, repetitions: undefined }));
  }
  if (opts.seed !== undefined && (!Number.isInteger(opts.seed) || opts.seed < 0))
    throw new UsageError(`--seed ${opts.seed}: expected a non-negative integer`, { hint: 'e.g. --seed 42' });
  if (opts.only) {
    for (const id of opts.only) {
      const labelled = s.environments.some((e) => e.id === id);
      if (!labelled && !(ENVIRONMENT_IDS as readonly string[]).includes(id))
        throw new UsageError(`--only: unknown environment '${id}'`, {
          hint: `known: ${ENVIRONMENT_IDS.join(', ')}`,
        });
      if (!labelled)
        throw new UsageError(`--only: environment '${id}' is not in scenario ${s.name}`, {
          hint: `the scenario has: ${s.environments.map((e) => e.id).join(', ')}`,
        });
    }
    out.environments = s.environments.filter((e) => opts.only!.includes(e.id));
  }
  return out;
}

function newRunId(name: string): string {
  const t = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${t}-${name}-${randomBytes(2).toString('hex')}`;
}
