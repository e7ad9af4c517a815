// #12 item 5: the VM's launchNs was taken before option parsing, kernel resolution, the
// initramfs lookup, doctor-cache reads and a PATH search, so its start latency included ctvm's
// own preparation while a container's did not. The clock now starts right before the instance
// (state dir, qemu spawn). A fake instance stands in for qemu: nothing boots.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { requires } from '../../helpers/requires.js';
import { createVmEnvironment } from '../../../src/engine/vm/environment.js';
import type { VmInstance, VmSpec } from '../../../src/engine/vm/vm-instance.js';
import { prepareWorkload } from '../../../src/workload/catalog.js';
import { monoNs } from '../../../src/units.js';

test(
  'vm launch: the clock starts after the preparation, right before the instance',
  { skip: requires('kernel', 'busybox', 'qemu') },
  async () => {
    // The least of five launches: a GC pause or a preemption can land in any window; work that
    // belongs to preparation is in every one of them.
    const workload = await prepareWorkload('noop');
    let least = Infinity;
    for (let i = 0; i < 5; i++) {
      let spec: VmSpec | undefined;
      let startedNs = 0;
      const env = createVmEnvironment({
        startInstance: (s) => {
          startedNs = monoNs();
          spec = s;
          return { connectQmp: async () => undefined, events: { facts: {} } } as unknown as VmInstance;
        },
      });
      const t0 = monoNs();
      const vm = await env.launch({
        workload,
        instanceName: 'ctvm-test-clock',
        timeoutMs: 0,
        options: { accel: 'tcg' },
      });
      if (!spec) {
        await vm.stop?.('test');
        assert.fail('launch ignored startInstance: a real qemu was started');
      }
      const s = spec as VmSpec;
      const prepNs = s.launchNs - t0;
      const clockToInstanceNs = startedNs - s.launchNs;
      console.log(
        `# preparation ${(prepNs / 1e6).toFixed(3)} ms, clock -> instance ${(clockToInstanceNs / 1e6).toFixed(3)} ms`,
      );
      least = Math.min(least, clockToInstanceNs);
      assert.equal(s.config.accel, 'tcg');
      assert.match(s.config.initrdPath, /\.cpio(\.gz)?$/);
    }
    assert.ok(least < 200_000, `clock -> instance ${least} ns at least: preparation inside the window`);
  },
);
