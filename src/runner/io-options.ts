// The I/O options every environment entry of a scenario may carry (#14): `network` (the modes
// that environment has) and `scratch` (a scratch disk of that size). Checked when the scenario
// loads, so a bad value stops the run before anything starts, with the field named.
import { errorMessage } from '../errors.js';
import { NETWORK_MODES } from '../engine/container/spec.js';
import { VM_NETWORKS } from '../engine/vm/options.js';
import { parseScratchSize } from '../disk/scratch-spec.js';

/**
 * Network modes per environment type; the first is the default. bare runs in the host's netns
 * unless it is put on the lab bridge. Types not listed have no network option (yet).
 */
export const NETWORK_MODES_BY_TYPE: Readonly<Record<string, readonly string[]>> = {
  bare: ['host', 'bridge'],
  container: NETWORK_MODES,
  vm: VM_NETWORKS,
};

/** Types that can mount the scratch disk. */
export const SCRATCH_TYPES: readonly string[] = ['bare', 'container', 'vm'];

export interface OptionProblem {
  field: 'network' | 'scratch';
  message: string;
}

export function ioOptionProblems(type: string, options: Record<string, unknown>): OptionProblem[] {
  const problems: OptionProblem[] = [];
  if (options.network !== undefined) {
    const modes = NETWORK_MODES_BY_TYPE[type];
    if (!modes)
      problems.push({ field: 'network', message: `environment type ${type} has no network option` });
    else if (typeof options.network !== 'string' || !modes.includes(options.network))
      problems.push({
        field: 'network',
        message: `unknown network mode '${String(options.network)}' for ${type}; known: ${modes.join(', ')}`,
      });
  }
  if (options.scratch !== undefined) {
    if (!SCRATCH_TYPES.includes(type))
      problems.push({ field: 'scratch', message: `environment type ${type} cannot mount the scratch disk` });
    else
      try {
        parseScratchSize(options.scratch);
      } catch (err) {
        problems.push({ field: 'scratch', message: errorMessage(err) });
      }
  }
  return problems;
}

/** The network mode an environment entry runs with (its option, or the type's default). */
export function networkOf(type: string, options: Record<string, unknown>): string {
  return typeof options.network === 'string' ? options.network : (NETWORK_MODES_BY_TYPE[type]?.[0] ?? 'none');
}

/**
 * Whether an environment entry can give a workload what it needs (#14): `undefined` when it can;
 * `skip` when its TYPE cannot (no lab network, no scratch disk there yet): the cell is left out
 * of the plan with that reason; `error` when the entry's own options stand in the way (a network
 * mode other than bridge, no `scratch:`): bad input, naming the field.
 */
export type NeedVerdict = undefined | { skip: string } | { error: string; field: 'network' | 'scratch' };

export function needVerdict(
  need: 'disk' | 'network',
  type: string,
  options: Record<string, unknown>,
): NeedVerdict {
  if (need === 'disk') {
    if (!SCRATCH_TYPES.includes(type))
      return { skip: `environment type ${type} cannot mount the scratch disk` };
    if (options.scratch === undefined)
      return { field: 'scratch', error: "set scratch: SIZE (e.g. 256M) in this environment's options" };
    return undefined;
  }
  if (!NETWORK_MODES_BY_TYPE[type]?.includes('bridge'))
    return { skip: `environment type ${type} has no lab network (network: bridge) yet` };
  const net = networkOf(type, options);
  if (net !== 'bridge')
    return {
      field: 'network',
      error: `network '${net}'${options.network === undefined ? ` (the default for ${type})` : ''} is not the lab network its clients use; set network: bridge`,
    };
  return undefined;
}
