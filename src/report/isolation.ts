// The isolation table: the escape suite's verdicts (samples of kind `attack`), one row per attack,
// one column per environment, what "escaped" means for each, and the evidence behind every cell.
import type { SampleRecord } from '../results/types.js';
import { ATTACK_MEANINGS, type AttackOutcome, type AttackVerdict } from '../workload/attack-protocol.js';
import type { Block } from './doc.js';
import type { EnvInfo, ReportModel } from './model.js';

/** Verdicts of one attack in one environment, over its repetitions. */
export interface IsolationCell {
  verdicts: AttackVerdict[];
  /** Distinct evidence strings, in order of first appearance. */
  evidence: string[];
}

export interface IsolationMatrix {
  envs: EnvInfo[];
  /** Attack names in the suite's order. */
  attacks: string[];
  /** `${attack}\0${env}` -> cell. */
  cells: Map<string, IsolationCell>;
}

const key = (attack: string, env: string) => `${attack}\u0000${env}`;
const SEVERITY: Record<AttackVerdict, number> = { escaped: 2, contained: 1, skipped: 0 };

export function isolationMatrix(samples: readonly SampleRecord[], envs: readonly EnvInfo[]): IsolationMatrix {
  const attacks: string[] = [];
  const cells = new Map<string, IsolationCell>();
  const measuredAttacks = samples.filter((s) => s.kind === 'attack' && s.ok && !s.warmup && s.attacks);
  for (const s of measuredAttacks)
    for (const a of s.attacks as AttackOutcome[]) {
      if (!attacks.includes(a.name)) attacks.push(a.name);
      const cell = cells.get(key(a.name, s.env)) ?? { verdicts: [], evidence: [] };
      cell.verdicts.push(a.verdict);
      if (!cell.evidence.includes(a.evidence)) cell.evidence.push(a.evidence);
      cells.set(key(a.name, s.env), cell);
    }
  const used = new Set(measuredAttacks.map((s) => s.env));
  return { envs: envs.filter((e) => used.has(e.id)), attacks, cells };
}

/** "escaped", or "escaped 1/3" when repetitions disagree (the most severe verdict is shown). */
export function cellText(cell: IsolationCell | undefined): string {
  if (!cell || cell.verdicts.length === 0) return '–';
  const worst = cell.verdicts.reduce((a, b) => (SEVERITY[b] > SEVERITY[a] ? b : a));
  const n = cell.verdicts.filter((v) => v === worst).length;
  return n === cell.verdicts.length ? worst : `${worst} ${n}/${cell.verdicts.length}`;
}

export const ISOLATION_CAPTION =
  'One row per attack of the escape suite (workload `attack`, native/attack/), one column per environment. ' +
  '"escaped" means the attack got past the check the environment should impose; the last column says what that is for each attack. ' +
  'Every probe is chosen so that getting past the check changes nothing on the host. ' +
  '`bare` is the reference: a plain host process, it "escapes" by definition wherever the host allows the operation, which shows that each attack can detect what it looks for. ' +
  'In `vm` the attacks meet the guest\'s own kernel: an "escaped" there reaches the guest, and the boundary to the host is the hypervisor. ' +
  '"skipped": the host or guest kernel lacks the feature (ENOSYS, no such file), or the attack timed out.';

/** The section's blocks, or none when the run has no attack samples. */
export function isolationBlocks(model: ReportModel): Block[] {
  const m = isolationMatrix(model.run.samples, model.envs);
  if (m.attacks.length === 0) return [];
  const table: Block = {
    type: 'table',
    head: ['attack', ...m.envs.map((e) => e.label), '"escaped" means'],
    rows: m.attacks.map((a) => [
      a,
      ...m.envs.map((e) => cellText(m.cells.get(key(a, e.id)))),
      ATTACK_MEANINGS[a] ?? 'see native/attack/',
    ]),
  };
  const evidence: Block = {
    type: 'table',
    head: ['attack', 'environment', 'verdict', 'evidence'],
    rows: m.attacks.flatMap((a) =>
      m.envs.flatMap((e) => {
        const cell = m.cells.get(key(a, e.id));
        return cell ? [[a, e.label, cellText(cell), cell.evidence.join(' / ')]] : [];
      }),
    ),
  };
  const escapes = m.envs
    .filter((e) => e.id !== 'bare')
    .map((e) => {
      const n = m.attacks.filter((a) => m.cells.get(key(a, e.id))?.verdicts.includes('escaped')).length;
      return `${e.label}: ${n} of ${m.attacks.length}`;
    });
  return [
    { type: 'h2', text: 'Isolation (escape suite)' },
    { type: 'p', role: 'note', text: ISOLATION_CAPTION },
    ...(escapes.length
      ? [{ type: 'p' as const, text: `Attacks not contained: ${escapes.join('; ')}.` }]
      : []),
    table,
    { type: 'h3', text: 'Evidence' },
    evidence,
  ];
}
