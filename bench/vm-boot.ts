// Boot-to-READY of a noop guest across machine types, kernel forms, initramfs compression and
// kernel command-line choices, interleaved in a seeded random order. Prints medians (+ CI).
// Usage: npx tsx bench/vm-boot.ts [n=7] [--only a,b] [--memory]   (root not needed; qemu + kernel are)
import { describe, mulberry32, shuffled } from '../src/stats/index.js';
import { buildInitramfs } from '../src/engine/vm/initramfs.js';
import { existsSync } from 'node:fs';
import { defaultKernelPath, minimalKernelPath } from '../src/engine/vm/kernel.js';
import { DEFAULT_VM_OPTIONS } from '../src/engine/vm/options.js';
import { hostTscKhz, qemuBinary, resolveAccel } from '../src/engine/vm/environment.js';
import type { QemuLaunchConfig } from '../src/engine/vm/qemu-args.js';
import { VmInstance } from '../src/engine/vm/vm-instance.js';
import { prepareWorkload } from '../src/workload/catalog.js';
import { MiB, monoNs } from '../src/units.js';

type Variant = { name: string; config: Partial<Omit<QemuLaunchConfig, 'qmpSocket'>>; gzip?: boolean };

const NAIVE_OMIT = ['quiet', 'cryptomgr.notests', '8250.nr_uarts', 'pci', 'acpi', 'tsc_early_khz'];
const VARIANTS: Variant[] = [
  {
    name: 'naive: pc bzImage gz, plain cmdline',
    config: { machine: 'pc', kernelPath: defaultKernelPath('bzimage'), omitCmdline: NAIVE_OMIT },
    gzip: true,
  },
  { name: 'pc bzImage', config: { machine: 'pc', kernelPath: defaultKernelPath('bzimage') } },
  { name: 'pc pvh', config: { machine: 'pc' } },
  { name: 'q35 pvh', config: { machine: 'q35' } },
  { name: 'microvm bzImage', config: { kernelPath: defaultKernelPath('bzimage') } },
  { name: 'microvm pvh (default: tb-size=16, acpi=off)', config: {} },
  { name: 'microvm pvh tb-size=qemu default', config: { tbSizeMiB: undefined } },
  { name: 'microvm pvh gz', config: {}, gzip: true },
  { name: 'microvm pvh machine acpi=on', config: { microvmAcpi: true } },
  { name: 'microvm pvh -acpi=off(kernel)', config: { omitCmdline: ['acpi'] } },
  { name: 'microvm pvh -cryptomgr.notests', config: { omitCmdline: ['cryptomgr.notests'] } },
  { name: 'microvm pvh -quiet', config: { omitCmdline: ['quiet'] } },
  { name: 'microvm pvh tb-size=32', config: { tbSizeMiB: 32 } },
  // The optional minimal kernel (npm run setup -- --with minimal-kernel); left out if not built.
  ...(existsSync(minimalKernelPath())
    ? [
        {
          name: 'microvm minimal kernel (scripts/kernel/minimal.config)',
          config: { kernelPath: minimalKernelPath() },
        },
      ]
    : []),
];

interface Row {
  readyMs: number[];
  initMs: number[];
  guestUptimeMs: number[];
  failures: string[];
}

async function bootOnce(
  v: Variant,
  base: Omit<QemuLaunchConfig, 'qmpSocket'>,
  gzInitrd: string,
): Promise<VmInstance> {
  const launchNs = monoNs();
  const vm = new VmInstance({
    name: `bench-${process.pid}`,
    launchNs,
    timeoutMs: 60_000,
    qemuPath: qemuBinary(),
    config: { ...base, ...(v.gzip ? { initrdPath: gzInitrd } : {}), ...v.config },
  });
  await vm.connectQmp();
  return vm;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const n = Number(args.find((a) => /^\d+$/.test(a)) ?? 7);
  const only = args.includes('--only') ? args[args.indexOf('--only') + 1]!.split(',') : null;
  const variants = VARIANTS.filter((v) => !only || only.some((o) => v.name.includes(o)));
  const workload = await prepareWorkload('noop');
  const plain = buildInitramfs(workload);
  const gz = buildInitramfs(workload, { compress: true });
  const accel = await resolveAccel('auto');
  const base: Omit<QemuLaunchConfig, 'qmpSocket'> = {
    accel,
    machine: 'microvm',
    vcpus: 1,
    memoryBytes: 256 * MiB,
    kernelPath: defaultKernelPath('pvh'),
    initrdPath: plain.path,
    tscKhz: hostTscKhz(),
    tbSizeMiB: DEFAULT_VM_OPTIONS.tbSizeMiB,
  };
  console.log(
    `vm-boot: accel=${accel}, n=${n} per variant, ${variants.length} variants, noop workload, 256M, 1 vCPU`,
  );
  console.log(
    `initramfs: plain ${(plain.bytes / MiB).toFixed(1)} MiB, gzip ${(gz.bytes / MiB).toFixed(1)} MiB`,
  );
  const rows = new Map<string, Row>(
    variants.map((v) => [v.name, { readyMs: [], initMs: [], guestUptimeMs: [], failures: [] }]),
  );
  const rng = mulberry32(20261129);
  for (let round = 0; round < n; round++) {
    for (const v of shuffled(variants, rng)) {
      const row = rows.get(v.name)!;
      try {
        const vm = await bootOnce(v, base, gz.path);
        const ready = await vm.ready;
        await vm.exited;
        const at = (name: string) => vm.events.phases.find((p) => p.name === name)?.atNs;
        row.readyMs.push((ready.atNs - vm.events.launchNs) / 1e6);
        const init = at('init');
        if (init) row.initMs.push((init - vm.events.launchNs) / 1e6);
        if (vm.events.facts.guestUptimeAtInitNs)
          row.guestUptimeMs.push(vm.events.facts.guestUptimeAtInitNs / 1e6);
      } catch (err) {
        row.failures.push(err instanceof Error ? err.message : String(err));
      }
    }
    process.stderr.write(`round ${round + 1}/${n} done\n`);
  }
  printTable(rows);
  if (args.includes('--memory')) await memoryTable(base, workload);
}

function printTable(rows: Map<string, Row>): void {
  const f = (x: number) => x.toFixed(0).padStart(6);
  console.log(
    '\n| variant | n | READY median ms [95% CI] | /init median ms | guest uptime at /init ms | failures |',
  );
  console.log('| --- | --- | --- | --- | --- | --- |');
  for (const [name, r] of rows) {
    if (r.readyMs.length === 0) {
      console.log(`| ${name} | 0 | - | - | - | ${r.failures.length}: ${r.failures[0] ?? ''} |`);
      continue;
    }
    const d = describe(r.readyMs);
    const med = (xs: number[]) => (xs.length ? f(describe(xs).median) : '     -');
    console.log(
      `| ${name} | ${d.n} | ${f(d.median)} [${d.ciLow.toFixed(0)}-${d.ciHigh.toFixed(0)}] | ${med(r.initMs)} | ${med(r.guestUptimeMs)} | ${r.failures.length} |`,
    );
  }
}

/** Idle guest PSS split with QEMU's default TCG buffer vs a smaller tb-size (3 boots each). */
async function memoryTable(base: Omit<QemuLaunchConfig, 'qmpSocket'>, _w: unknown): Promise<void> {
  const idle = await prepareWorkload('idle');
  const initrd = buildInitramfs(idle).path;
  console.log('\n| tb-size | PSS MiB | guest RAM MiB | kernel image MiB | hypervisor MiB |');
  console.log('| --- | --- | --- | --- | --- |');
  for (const tb of [undefined, 64, 32, 16] as const) {
    const s: number[][] = [];
    for (let i = 0; i < 3; i++) {
      const vm = await bootOnce({ name: 'mem', config: { tbSizeMiB: tb, initrdPath: initrd } }, base, '');
      await vm.ready;
      await new Promise((r) => setTimeout(r, 1000));
      const m = await vm.sampleMemory();
      await vm.stop('bench');
      s.push([m.pssBytes, m.split!.guestRamBytes, m.split!.kernelImageBytes, m.split!.hypervisorBytes]);
    }
    const med = (i: number) => (describe(s.map((x) => x[i]!)).median / MiB).toFixed(1);
    console.log(`| ${tb ?? 'qemu default (1 GiB buffer)'} | ${med(0)} | ${med(1)} | ${med(2)} | ${med(3)} |`);
  }
}

await main();
