// `ctvm vm run [--workload NAME | --rootfs DIR] [options] -- ARGS…`: boot one guest, mirror its
// console, exit with the workload's exit code (2 = bad input, 3 = the guest failed or timed out).
import type { Command } from 'commander';
import { HostError, UsageError } from '../../errors.js';
import { parseMemory, parseVcpus, parseVmOptions } from '../../engine/vm/options.js';
import { resolveKernel } from '../../engine/vm/kernel.js';
import { parseDurationMs } from '../../units.js';
import { parseScratchSize } from '../../disk/scratch-spec.js';
import { prepareWorkload } from '../../workload/catalog.js';

interface VmRunFlags {
  workload?: string;
  rootfs?: string;
  memory: string;
  vcpus: string;
  accel: string;
  machine?: string;
  image?: string;
  kernel?: string;
  timeout?: string;
  phases?: boolean;
  console?: boolean;
  net: string;
  scratch?: string;
}

/** Guest lines worth showing by default: the workload's output, not kernel noise or our markers. */
const isWorkloadLine = (l: string) =>
  !/^\s*\[\s*\d+\.\d+\]/.test(l) && !/CTVM-(INIT|MEM|EXIT|BOOT|ANALYZE)/.test(l);

export function defineVm(cmd: Command): void {
  cmd
    .command('run')
    .description('boot one guest running a workload; exits with its exit code')
    .option('--workload <name>', 'catalog workload (noop, idle, cpu, exit:3, ...)')
    .option('--rootfs <dir>', 'your own rootfs (needs /bin/busybox); the command comes after --')
    .option('--memory <size>', 'guest RAM', '256M')
    .option('--vcpus <n>', 'guest CPUs', '1')
    .option('--accel <auto|kvm|tcg>', 'accelerator (auto = KVM only where doctor booted a guest)', 'auto')
    .option('--machine <microvm|pc|q35>', 'machine type (default: microvm; q35 with --image debian)')
    .option(
      '--image <initramfs|debian>',
      'initramfs: the workload rootfs is the whole guest (default); debian: a Debian minbase with systemd on a virtio-blk disk (built once with debootstrap)',
    )
    .option(
      '--kernel <path>',
      "guest kernel (bzImage or PVH vmlinux), or 'minimal' for the kernel built from scripts/kernel/minimal.config; default: the cached Debian kernel",
    )
    .option('--timeout <duration>', 'kill the guest after this long (default: 60s; 5m with --image debian)')
    .option('--net <none|bridge>', 'bridge: virtio-net on a tap of the lab network (src/net/)', 'none')
    .option('--scratch <size>', 'a fresh ext4 scratch disk image of this size as virtio-blk, at /scratch')
    .option('--phases', 'print the phase timeline (host monotonic clock) to stderr')
    .option('--console', 'mirror every console line (kernel messages and /init markers too)')
    .argument('[args...]', 'command arguments (after --)')
    .action(async (args: string[], flags: VmRunFlags) => {
      process.exitCode = await vmRun(args, flags);
    });
}

async function vmRun(args: string[], f: VmRunFlags): Promise<number> {
  if (f.workload && f.rootfs) throw new UsageError('--workload and --rootfs are mutually exclusive');
  // Without either, the default workload is noop, which takes no command: the arguments would be
  // ignored and "success" printed for a command that never ran.
  if (!f.workload && !f.rootfs && args.length > 0)
    throw new UsageError(`a command (${args.join(' ')}) needs --rootfs DIR: without it the guest runs noop`, {
      hint: 'ctvm vm run --rootfs DIR -- /bin/echo hi  (or --workload NAME -- ARGS for a catalog workload)',
    });
  // A full distro boots systemd under TCG: tens of seconds, more on a loaded host.
  const timeout = f.timeout ?? (f.image === 'debian' ? '5m' : '60s');
  const timeoutMs = parseDurationMs(timeout);
  if (timeoutMs === undefined || timeoutMs <= 0)
    throw new UsageError(`--timeout '${timeout}' is not a duration`, { hint: 'e.g. 30s, 2m' });
  // Validate cheap inputs before building anything.
  parseMemory(f.memory);
  parseVcpus(f.vcpus);
  parseVmOptions({ network: f.net }); // names the option and the value
  // Loaded once the cheap checks passed: refusing bad input stays instant.
  const { formatPhases, rootfsWorkload, runVmOnce } = await import('../../engine/vm/run-once.js');
  // Only a bridged guest makes the lab network (and so loads its code).
  const lab = f.net === 'none' ? undefined : await import('../../net/lab.js');
  const scratch = f.scratch !== undefined ? parseScratchSize(f.scratch, '--scratch') : undefined;
  if (f.image !== 'debian') resolveKernel(f.kernel);
  const workload = f.rootfs
    ? rootfsWorkload(f.rootfs, args)
    : await prepareWorkload(f.workload ?? 'noop', args.length ? args : undefined);
  const options = {
    accel: f.accel,
    ...(f.machine ? { machine: f.machine } : {}),
    ...(f.image ? { image: f.image } : {}),
    vcpus: f.vcpus,
    memory: f.memory,
    network: f.net,
    ...(scratch !== undefined ? { scratch } : {}),
    ...(f.kernel ? { kernel: f.kernel } : {}),
  };
  const show = (l: string) => {
    if (f.console || isWorkloadLine(l)) console.log(l);
  };
  const r = await runVmOnce(workload, options, timeoutMs, show).finally(() => lab?.destroyLab());
  if (f.phases) {
    console.error(
      `vm: accel=${r.describe.accel} machine=${r.describe.machine} kernel=${r.describe.kernelVersion} (${r.describe.kernelForm})`,
    );
    for (const l of formatPhases(r.events)) console.error(l);
  }
  if (r.exit.timedOut)
    throw new HostError(`guest timed out after ${timeout} (qemu killed)`, {
      hint: `last console lines:\n${r.exit.outputTail.join('\n')}`,
    });
  if (r.exit.code === null)
    throw new HostError(
      r.readyError ?? `guest ended without reporting an exit status (${r.exit.signal ?? 'no signal'})`,
      {
        hint: `last console lines:\n${r.exit.outputTail.join('\n')}`,
      },
    );
  return r.exit.code;
}
