// The optional minimal guest kernel (scripts/kernel/minimal.config, built by set-up; `--for test`
// builds it): it boots the same initramfs, the workload's exit code comes back through
// isa-debug-exit (/dev/port), the guest answers the meminfo request, and results name it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createVmEnvironment } from '../../../src/engine/vm/environment.js';
import { minimalKernelPath, resolveKernel } from '../../../src/engine/vm/kernel.js';
import type { VmInstance } from '../../../src/engine/vm/vm-instance.js';
import { prepareWorkload } from '../../../src/workload/catalog.js';
import { MiB } from '../../../src/units.js';
import { requires } from '../../helpers/requires.js';
import { alive } from './helpers.js';

const skip = requires('linux', 'qemu', 'minimalKernel', 'probe', 'busybox');
const OPTIONS = { accel: 'tcg', memory: '256M', kernel: 'minimal' };
const env = createVmEnvironment();
let seq = 0;

async function launch(workload: string, timeoutMs = 60_000): Promise<VmInstance> {
  const w = await prepareWorkload(workload);
  return (await env.launch({
    workload: w,
    instanceName: `tmin${process.pid}-${seq++}`,
    timeoutMs,
    options: OPTIONS,
  })) as VmInstance;
}

test('kernel: minimal resolves to the built PVH vmlinux and is named in the facts', { skip }, async () => {
  const k = resolveKernel('minimal');
  assert.equal(k.path, minimalKernelPath());
  assert.equal(k.form, 'pvh');
  assert.match(k.version, /^6\.1\..*-minimal$/);
  const facts = await env.describe!(OPTIONS);
  assert.equal(facts.kernel, minimalKernelPath());
  assert.match(facts.kernelVersion!, /-minimal$/);
});

test('minimal kernel: exit:5 boots to READY and the code reaches the host', { skip }, async () => {
  const vm = await launch('exit:5');
  await vm.ready;
  const exit = await vm.exited;
  assert.equal(exit.code, 5, exit.outputTail.join('\n'));
  assert.equal(vm.events.facts.qemuExitStatus, (5 << 1) | 1, 'isa-debug-exit via /dev/port');
  const at = (n: string) => vm.events.phases.find((p) => p.name === n)!.atNs - vm.events.launchNs;
  console.log(
    `# minimal kernel under TCG: READY after ${(at('ready') / 1e6).toFixed(0)} ms, guest uptime at /init ${((vm.events.facts.guestUptimeAtInitNs ?? 0) / 1e6).toFixed(0)} ms`,
  );
  assert.equal(alive(vm.pid), false);
});

test(
  'minimal kernel: an idle guest is measured like any other (PSS split, guest view)',
  { skip },
  async () => {
    const vm = await launch('idle');
    try {
      await vm.ready;
      const mem = await vm.sampleMemory();
      assert.ok(mem.split, 'PSS split by mapping');
      assert.ok(mem.split.kernelImageBytes < 32 * MiB, `kernel image ${mem.split.kernelImageBytes}`);
      assert.ok(
        mem.guestTotalBytes !== undefined && mem.guestTotalBytes > 128 * MiB,
        'MemTotal from the guest',
      );
      const cpu = await vm.sampleCpu();
      assert.ok(cpu.cpuNs > 0);
    } finally {
      await vm.stop('test');
    }
    assert.equal(alive(vm.pid), false);
  },
);
