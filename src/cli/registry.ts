// The commands `ctvm --help` lists, with their descriptions, and how to load each one. Only the
// command that runs is imported: its module pulls in the engine, the report renderer (chart.js,
// canvas) or the regression code, which `ctvm --help` and every other command do not need.
import type { Command } from 'commander';

/** Adds a command's arguments, options, sub-commands and action to `cmd` (named and described). */
export type DefineCommand = (cmd: Command) => void;

export interface CommandEntry {
  name: string;
  description: string;
  load: () => Promise<DefineCommand>;
  /**
   * Nothing of the command is still settling once main() returns (no unawaited clean-up), so
   * bin/ctvm.js may end the process at once instead of letting Node free its heap first.
   */
  exitsAtOnce?: boolean;
}

export const COMMANDS: readonly CommandEntry[] = [
  {
    name: 'doctor',
    description: 'probe this host: cgroups, KVM (by booting a tiny guest), TCG, qemu, runtimes',
    load: async () => (await import('./commands/doctor.js')).defineDoctor,
  },
  {
    name: 'bench',
    description: 'run the default scenario (scenarios/quick.yaml) and render its report',
    load: async () => (await import('./commands/bench.js')).defineBench,
  },
  {
    name: 'report',
    description: 'render charts, Figure 12.1, report.md, index.html and summary.csv for a run',
    load: async () => (await import('./commands/report.js')).defineReport,
  },
  {
    name: 'run',
    description: 'run a scenario (a path, or a name from scenarios/) and write results/<run-id>/',
    load: async () => (await import('./commands/run.js')).defineRun,
  },
  {
    name: 'compare',
    description:
      'compare a candidate run with a base run (or pooled saved baselines); exit 1 on a regression',
    load: async () => (await import('./commands/compare.js')).defineCompare,
  },
  {
    name: 'baseline',
    description: 'save and list reference runs for compare --baseline',
    load: async () => (await import('./commands/baseline.js')).defineBaseline,
  },
  {
    name: 'trend',
    description: 'chart each headline metric over the runs in a results dir (by date and git revision)',
    load: async () => (await import('./commands/trend.js')).defineTrend,
  },
  {
    name: 'vm',
    description: 'QEMU guests booted from the workload rootfs',
    load: async () => (await import('./commands/vm.js')).defineVm,
    // `vm run` awaits its guest, lab and files; its wall time beyond the boot is a goal (#17).
    exitsAtOnce: true,
  },
  {
    name: 'container',
    description: 'our own container engine',
    load: async () => (await import('./commands/container.js')).defineContainer,
  },
  {
    name: 'gc',
    description:
      'remove leftovers of crashed runs whose owner process is dead: cgroups, mounts, state dirs, processes, qemu, lab netns, scratch disks',
    load: async () => (await import('./commands/gc.js')).defineGc,
  },
  {
    name: 'completion',
    description: 'print a bash or zsh completion script for ctvm',
    load: async () => (await import('./commands/completion.js')).defineCompletion,
  },
  {
    name: 'fleet',
    description: 'the same scenario on many hosts, through Ansible',
    load: async () => (await import('./commands/fleet.js')).defineFleet,
  },
];

/**
 * The entries `argv` needs fully defined: the command it runs (`ctvm help X` shows X's help, so X
 * too), every command for `ctvm completion` (the script lists all options), none for `ctvm --help`.
 */
export function commandsToLoad(argv: readonly string[]): CommandEntry[] {
  const words = argv.slice(2).filter((a) => !a.startsWith('-'));
  let name = words[0];
  if (name === 'help') name = words[1];
  if (name === 'completion') return [...COMMANDS];
  return COMMANDS.filter((c) => c.name === name);
}
