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
    let spec: VmSpec | undefined;
    let startedNs = 0;
    const env = createVmEnvironment({
      startInstance: (s) => {
        startedNs = monoNs();
        spec = s;
        return { connectQmp: async () => undefined } as unknown as VmInstance;
      },
    });
    const workload = await prepareWorkload('noop');
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
    const prepNs = spec.launchNs - t0;
    const clockToInstanceNs = startedNs - spec.launchNs;
    console.log(
      `# preparation ${(prepNs / 1e6).toFixed(3)} ms, clock -> instance ${(clockToInstanceNs / 1e6).toFixed(3)} ms`,
    );
    assert.ok(
      clockToInstanceNs < 200_000,
      `clock -> instance ${clockToInstanceNs} ns: preparation inside the window`,
    );
    assert.equal(spec.config.accel, 'tcg');
    assert.match(spec.config.initrdPath, /\.cpio(\.gz)?$/);
  },
);
