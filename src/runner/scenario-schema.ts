// The scenario file format (scenarios/*.yaml), as a zod schema: the one place that says what a
// field means, its default and what is accepted. Loading + error positions live in scenario-load.ts.
import { z } from 'zod';
import { isKnownWorkload, KNOWN_WORKLOADS } from '../workload/catalog.js';
import { parseBytes, parseDurationMs } from '../units.js';
import { errorMessage } from '../errors.js';
import { parseVmOptions } from '../engine/vm/options.js';
import { socketOf } from '../engine/docker/target.js';
import { ioOptionProblems, needVerdict } from './io-options.js';
import { workloadNeeds } from '../workload/io-workloads.js';
import { limitProblems } from '../engine/limits.js';
import { commandArgsProblem } from '../engine/launcher/nsexec-protocol.js';
import { totalmem } from 'node:os';
import { MiB } from '../units.js';

/** Environment types the runner knows (whether this host can run them is doctor's business). */
export const ENVIRONMENT_IDS = [
  'bare',
  'chroot',
  'container',
  'oci:runc',
  'oci:crun',
  'oci:runsc',
  'lxc',
  'docker',
  'lxd',
  'vm',
] as const;
export type EnvironmentId = (typeof ENVIRONMENT_IDS)[number];

/** An environment's label (its `id`): names it in results, compare and the report. */
const LABEL = /^[a-z0-9][a-z0-9:._-]{0,62}$/;

/** Bounds of the plan (documented in README, Scenarios): beyond them a run cannot finish here. */
export const SCENARIO_BOUNDS = {
  /** Per workload and environment; 10,000 start samples take minutes, not days. */
  maxRepetitions: 10_000,
  maxWarmup: 1_000,
  /** Instances at once: 1,024, and no more than one per 16 MiB of this host's RAM. */
  maxDensity: (): number => Math.min(1024, Math.floor(totalmem() / (16 * MiB))),
  /** settle, idleWindow, timeout. */
  maxDurationMs: 24 * 3_600_000,
};

const duration = z.union([z.number().nonnegative(), z.string()]).transform((v, ctx) => {
  const ms = typeof v === 'number' ? v * 1000 : parseDurationMs(v);
  if (ms !== undefined && !(ms <= SCENARIO_BOUNDS.maxDurationMs)) {
    ctx.addIssue({ code: 'custom', message: `"${v}" is longer than the maximum, 24h` });
    return z.NEVER;
  }
  if (ms === undefined) {
    ctx.addIssue({
      code: 'custom',
      message: `expected a duration like "2s", "500ms" or a number of seconds, got "${v}"`,
    });
    return z.NEVER;
  }
  return ms;
});

const size = z.union([z.number().int().positive(), z.string()]).transform((v, ctx) => {
  const bytes = typeof v === 'number' ? v : parseBytes(v);
  if (bytes === undefined || bytes <= 0) {
    ctx.addIssue({ code: 'custom', message: `expected a size like "256M" or "1G", got "${v}"` });
    return z.NEVER;
  }
  return bytes;
});

const limits = z
  .strictObject({
    memory: size.optional(),
    cpus: z.number().positive().optional(),
    cpuWeight: z.number().int().min(1).max(10000).optional(),
    pids: z.number().int().positive().optional(),
    cpuset: z
      .string()
      .regex(/^[0-9,-]+$/, 'expected a cpuset list like "0" or "0-1"')
      .optional(),
  })
  .superRefine((l, ctx) => {
    // The same bounds as `container run`'s flags (src/engine/limits.ts).
    const { memory, ...rest } = l;
    for (const p of limitProblems({ ...rest, ...(memory === undefined ? {} : { memoryBytes: memory }) }))
      ctx.addIssue({
        code: 'custom',
        path: [p.field === 'memoryBytes' ? 'memory' : p.field],
        message: `${p.message} (allowed: ${p.hint})`,
      });
  });

/** The documented VM options are typed here; the VM's own parser (parseVmOptions) checks the rest. */
const vmOptions = z
  .looseObject({
    accel: z.enum(['auto', 'kvm', 'tcg']).default('auto'),
    machine: z.string().min(1).optional(),
    vcpus: z.number().int().min(1).optional(),
    memory: z.union([z.number().int().positive(), z.string()]).optional(),
  })
  .superRefine((o, ctx) => {
    try {
      parseVmOptions(o);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: errorMessage(err) });
    }
    // network is parseVmOptions' (above); the scratch disk is checked here like everywhere.
    for (const p of ioOptionProblems('vm', o).filter((q) => q.field === 'scratch'))
      ctx.addIssue({ code: 'custom', path: [p.field], message: p.message });
  });

/** docker: `host` names an existing daemon's socket (else DOCKER_HOST, else ctvm's own dockerd). */
const dockerOptions = z.strictObject({ host: z.string().min(1).optional() }).superRefine((o, ctx) => {
  try {
    if (o.host !== undefined) socketOf(o.host, 'host');
  } catch (err) {
    ctx.addIssue({ code: 'custom', path: ['host'], message: errorMessage(err) });
  }
});

const label = z.string().regex(LABEL, 'expected a label like "vm-minimal" (a-z, 0-9, ":._-", ≤ 63 chars)');

/**
 * Per environment, fewer (or more) samples than the scenario's: a full-distro guest that takes a
 * minute to boot under TCG can run 2 repetitions while the others run 5.
 */
const sampleCounts = {
  repetitions: z.number().int().min(1).max(SCENARIO_BOUNDS.maxRepetitions).optional(),
  warmup: z.number().int().nonnegative().max(SCENARIO_BOUNDS.maxWarmup).optional(),
};

export const envEntry = z.discriminatedUnion('type', [
  z.strictObject({
    id: label,
    type: z.literal('vm'),
    options: vmOptions.default({ accel: 'auto' }),
    limits: limits.optional(),
    ...sampleCounts,
  }),
  z.strictObject({
    id: label,
    type: z.literal('docker'),
    options: dockerOptions.default({}),
    limits: limits.optional(),
    ...sampleCounts,
  }),
  z.strictObject({
    id: label,
    type: z.literal('lxd'),
    /** vm: an LXD virtual machine (`lxc launch --vm`) instead of a container. */
    options: z.strictObject({ vm: z.boolean().default(false) }).default({ vm: false }),
    limits: limits
      .refine((l) => l.cpuWeight === undefined, {
        error: 'lxd has no equivalent of cpuWeight (use cpus: limits.cpu.allowance)',
        path: ['cpuWeight'],
      })
      .optional(),
    ...sampleCounts,
  }),
  ...ENVIRONMENT_IDS.filter((t) => t !== 'vm' && t !== 'docker' && t !== 'lxd').map((type) =>
    z.strictObject({
      id: label,
      type: z.literal(type),
      options: z
        .record(z.string(), z.unknown())
        .default({})
        .superRefine((o, ctx) => {
          for (const p of ioOptionProblems(type, o))
            ctx.addIssue({ code: 'custom', path: [p.field], message: p.message });
        }),
      limits: limits.optional(),
      ...sampleCounts,
    }),
  ),
]);

const isType = (t: unknown): t is EnvironmentId => (ENVIRONMENT_IDS as readonly unknown[]).includes(t);

/**
 * `- vm` is shorthand for `- id: vm`; `id` is the label and also the type unless `type` is given,
 * so one type can be listed twice with different options: `{id: vm-minimal, type: vm, ...}`.
 */
export const environment = z.preprocess(
  (v) => (typeof v === 'string' ? { id: v } : v),
  z
    .looseObject({ id: z.string(), type: z.string().optional() })
    .superRefine((e, ctx) => {
      const field = e.type === undefined ? 'id' : 'type';
      const t = e.type ?? e.id;
      if (!isType(t))
        ctx.addIssue({
          code: 'custom',
          path: [field],
          message: `unknown environment ${field === 'type' ? 'type ' : ''}"${t}"; known: ${ENVIRONMENT_IDS.join(', ')}`,
        });
    })
    .transform((e) => ({ ...e, type: e.type ?? e.id }))
    .pipe(envEntry),
);

const workloadName = z.string().refine(isKnownWorkload, {
  error: (iss) => `unknown workload "${String(iss.input)}"; known: ${KNOWN_WORKLOADS.join(', ')}`,
});

export const workloadEntry = z.strictObject({
  name: workloadName,
  args: z
    .array(z.string())
    .superRefine((args, ctx) => {
      const problem = commandArgsProblem(args);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })
    .optional(),
});

/** `- noop` is shorthand for `- name: noop`. */
export const workload = z.preprocess((v) => (typeof v === 'string' ? { name: v } : v), workloadEntry);

const density = z.strictObject({
  /** Instances running at once, e.g. [1, 2, 4, 8, 16]. */
  levels: z
    .array(
      z
        .number()
        .int()
        .min(1)
        .refine((n) => n <= SCENARIO_BOUNDS.maxDensity(), {
          error: () =>
            `more instances than this host can hold at once (at most ${SCENARIO_BOUNDS.maxDensity()}: 1024, and one per 16 MiB of RAM)`,
        }),
    )
    .min(1),
  repetitions: z.number().int().min(1).max(SCENARIO_BOUNDS.maxRepetitions).default(1),
  workload: workloadName.default('idle'),
  /** Per environment id, the highest level it runs (e.g. { vm: 64 } while containers go on to 512). */
  maxLevel: z.record(z.string(), z.number().int().min(1)).default({}),
  /** Instances launched at once while a level is created (its creation rate). */
  concurrency: z.number().int().min(1).max(64).default(1),
  /** Measure every level a second time with KSM on (hosts with /sys/kernel/mm/ksm). */
  ksm: z.boolean().default(false),
  /** Longest wait for KSM to settle (pages_sharing stable over full scans). */
  ksmSettleTimeout: duration.default(120_000),
  /** ksmd pages_to_scan while ctvm holds KSM (sleep_millisecs is 20, the kernel default). */
  ksmPagesToScan: z.number().int().min(1).max(1_000_000).default(5000),
  /** MemAvailable a level must leave; default max(1 GiB, 10% of MemTotal). */
  safetyMargin: size.optional(),
});

const scenarioFields = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'expected a lowercase name like "quick" (a-z, 0-9, -)'),
  description: z.string().default(''),
  /** Plan shuffle seed; a random one is drawn (and recorded) when absent. */
  seed: z.number().int().nonnegative().optional(),
  environments: z.array(environment).min(1),
  /** noop/exit:* -> start samples; idle -> idle samples; anything else -> fixed-work samples. */
  workloads: z.array(workload).min(1),
  repetitions: z.number().int().min(1).max(SCENARIO_BOUNDS.maxRepetitions),
  warmup: z.number().int().nonnegative().max(SCENARIO_BOUNDS.maxWarmup).default(1),
  /** After READY, before memory is sampled (idle and density). */
  settle: duration.default(1000),
  /** How long idle CPU is measured, after settle. */
  idleWindow: duration.default(2000),
  /** Per-sample timeout: the instance is killed and the sample recorded as failed. */
  timeout: duration.default(60_000),
  density: density.optional(),
});

function uniqueEnvironments(s: { environments: { id: string }[] }, ctx: z.RefinementCtx): void {
  const seen = new Set<string>();
  s.environments.forEach((e, i) => {
    if (seen.has(e.id))
      ctx.addIssue({
        code: 'custom',
        path: ['environments', i],
        message: `environment "${e.id}" is listed twice (give each a distinct id, with \`type\` naming what it runs)`,
      });
    seen.add(e.id);
  });
}

/**
 * A workload that needs a disk or a network, in an environment whose own options stand in the
 * way (network: none, no scratch:), is bad input naming the field (#14). Where the TYPE cannot
 * provide it the cell is skipped instead (cells.ts), not refused.
 */
function workloadNeedsMet(
  s: {
    environments: { id: string; type: string; options: Record<string, unknown> }[];
    workloads: { name: string }[];
  },
  ctx: z.RefinementCtx,
): void {
  for (const w of s.workloads)
    for (const need of workloadNeeds(w.name))
      s.environments.forEach((e, i) => {
        const v = needVerdict(need, e.type, e.options);
        if (v && 'error' in v)
          ctx.addIssue({
            code: 'custom',
            path: ['environments', i, 'options', v.field],
            message: `workload ${w.name} needs ${need === 'disk' ? 'the scratch disk' : 'a network'}: ${v.error}`,
          });
      });
}

/** density.maxLevel may only name environments of the scenario (a typo would cap nothing). */
function densityEnvKeys(
  s: { environments: { id: string }[]; density?: { maxLevel: Record<string, number> } },
  ctx: z.RefinementCtx,
): void {
  const ids = new Set(s.environments.map((e) => e.id));
  for (const key of Object.keys(s.density?.maxLevel ?? {}))
    if (!ids.has(key))
      ctx.addIssue({
        code: 'custom',
        path: ['density', 'maxLevel', key],
        message: `"${key}" is not an environment of this scenario (${[...ids].join(', ')})`,
      });
}

function scenarioChecks(
  s: Parameters<typeof densityEnvKeys>[0] & Parameters<typeof workloadNeedsMet>[0],
  ctx: z.RefinementCtx,
): void {
  uniqueEnvironments(s, ctx);
  densityEnvKeys(s, ctx);
  workloadNeedsMet(s, ctx);
}

export const scenarioSchema = scenarioFields.superRefine(scenarioChecks);

/**
 * The validated scenario as run.json records it, checked again on --resume (a hand-edited or
 * foreign run.json must be a usage error, not a crash): the same fields, durations already in ms.
 */
const storedMs = z.number().nonnegative().max(SCENARIO_BOUNDS.maxDurationMs);
export const storedScenarioSchema = scenarioFields
  .extend({
    settle: storedMs,
    idleWindow: storedMs,
    timeout: storedMs,
    density: density.extend({ ksmSettleTimeout: storedMs }).optional(),
  })
  .superRefine(scenarioChecks);

export type Scenario = z.output<typeof scenarioSchema>;
export type ScenarioEnvironment = Scenario['environments'][number];
export type ScenarioWorkload = Scenario['workloads'][number];
