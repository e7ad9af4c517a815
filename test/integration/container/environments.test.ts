// The `container`, `oci:runc` and `oci:crun` Environments run the same prepared workload, started
// by the same resident launcher (which stamps READY / RESULT):
// READY arrives, RESULT is parsed, memory/CPU samples are real, nothing is left behind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createContainerEnvironment } from '../../../src/engine/container/environment.js';
import { createOciEnvironment } from '../../../src/engine/oci/environment.js';
import type { Environment } from '../../../src/engine/environment.js';
import { prepareWorkload } from '../../../src/workload/catalog.js';
import { requires } from '../../helpers/requires.js';
import { leftovers, nextName } from './helpers.js';

const none = { cgroupDirs: [], stateDirs: [], mounts: [], processes: [] };
const cases: Array<[string, () => Environment, string | false]> = [
  ['container', createContainerEnvironment, requires('root', 'helper', 'probe', 'busybox', 'cgroupV1')],
  ['oci:runc', () => createOciEnvironment('runc'), requires('root', 'runc', 'probe', 'busybox', 'cgroupV1')],
  ['oci:crun', () => createOciEnvironment('crun'), requires('root', 'crun', 'probe', 'busybox', 'cgroupV1')],
];

for (const [id, make, skip] of cases) {
  test(
    `${id}: idle workload -> READY, memory and CPU samples, stop() idempotent, nothing left`,
    { skip },
    async () => {
      const env = make();
      const workload = await prepareWorkload('idle');
      await env.prepare(workload);
      const inst = await env.launch({
        workload,
        instanceName: nextName(id.replace(':', '-')),
        timeoutMs: 20_000,
        limits: { memoryBytes: 64 * 1024 * 1024, pids: 32 },
      });
      const ready = await inst.ready;
      assert.ok(ready.atNs > inst.events.launchNs);
      // One mechanism for every environment: started by the resident launcher, which stamps READY.
      const at = (n: string) => inst.events.phases.find((p) => p.name === n)?.atNs;
      assert.ok(at('launcher') !== undefined, 'started by the resident launcher');
      assert.equal(ready.atNs, at('ready'), 'READY stamped by the launcher');
      const mem = await inst.sampleMemory();
      assert.ok(mem.pssBytes > 0 && mem.pssBytes < 16 * 1024 * 1024, `pss ${mem.pssBytes}`);
      assert.ok((mem.cgroupBytes ?? 0) > 0, `cgroup bytes ${mem.cgroupBytes}`);
      const cpu = await inst.sampleCpu();
      assert.ok(cpu.cpuNs > 0, `cpu ${cpu.cpuNs}`);
      await Promise.all([inst.stop('test'), inst.stop('again')]);
      const exit = await inst.exited;
      assert.equal(exit.stoppedBy, 'test');
      assert.equal(exit.signal, id === 'container' ? 'SIGKILL' : exit.signal);
      assert.deepEqual(leftovers(), none);
    },
  );

  test(`${id}: cpu workload prints RESULT and exits 0`, { skip }, async () => {
    const env = make();
    const workload = await prepareWorkload('cpu', ['20000000']);
    const inst = await env.launch({
      workload,
      instanceName: nextName(id.replace(':', '-')),
      timeoutMs: 20_000,
    });
    const exit = await inst.exited;
    assert.equal(exit.code, 0, exit.outputTail.join('\n'));
    assert.equal(exit.result?.fields.mode, 'cpu');
    assert.equal(
      exit.result?.atNs,
      inst.events.phases.find((p) => p.name === 'result')?.atNs,
      'RESULT stamped by the launcher',
    );
    assert.ok(Number(exit.result?.fields.ns) > 0);
    // After the exit: ctvm's engine read its cgroup before removing it; an OCI runtime removed its
    // own, so its CPU time is "not measured", never a 0 in a report.
    if (id === 'container') assert.ok((await inst.sampleCpu()).cpuNs > 0);
    else await assert.rejects(inst.sampleCpu(), /CPU time not measured/);
  });
}
