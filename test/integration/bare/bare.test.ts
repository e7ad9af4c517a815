// `bare` through the resident launcher: READY/RESULT stamping, exit info, PSS and CPU (live from
// schedstat, final from the launcher's rusage), timeout kill, idempotent stop, a missing binary.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createBareEnvironment } from '../../../src/engine/bare/environment.js';
import { prepareWorkload } from '../../../src/workload/catalog.js';
import { requires } from '../../helpers/requires.js';

const skip = requires('helper', 'probe', 'busybox');
const env = createBareEnvironment();
let seq = 0;
const name = (): string => `bare-it-${process.pid}-${seq++}`;

test('noop: READY after launch, RESULT parsed, exit 0, phases in order', { skip }, async () => {
  const workload = await prepareWorkload('noop');
  await env.prepare(workload);
  const inst = await env.launch({ workload, instanceName: name(), timeoutMs: 10_000 });
  const ready = await inst.ready;
  const exit = await inst.exited;
  assert.ok(ready.atNs > inst.events.launchNs);
  assert.ok(exit.atNs >= ready.atNs);
  assert.equal(exit.code, 0, exit.outputTail.join('\n'));
  assert.equal(exit.signal, null);
  assert.equal(exit.result?.fields.mode, 'noop');
  const at = Object.fromEntries(inst.events.phases.map((p) => [p.name, p.atNs]));
  assert.deepEqual(Object.keys(at).sort(), [
    'exec',
    'exit',
    'exited',
    'forked',
    'helper',
    'launcher',
    'ready',
    'result',
  ]);
  // launcher = has its request, helper = streams wired, exec = about to execve the workload;
  // ready / result / exited are the launcher's own stamps (it relays stdout, it reaps).
  assert.ok(inst.events.launchNs < at.launcher! && at.launcher! <= at.helper! && at.helper! <= at.exec!);
  assert.ok(at.exec! < at.ready! && at.ready! <= at.result! && at.result! <= at.exited!);
  assert.equal(ready.atNs, at.ready, 'start latency ends at the launcher stamp');
  assert.equal(exit.atNs, at.exited, 'exit latency ends when the launcher reaped the workload');
  assert.equal(exit.result?.atNs, at.result);
  assert.equal(at.exit, at.exited);
  const cpu = await inst.sampleCpu();
  assert.ok(cpu.cpuNs > 0 && cpu.cpuNs < 1e9, `final cpu ${cpu.cpuNs}`);
});

test('cpu: final CPU from rusage covers the work the probe reports', { skip }, async () => {
  const workload = await prepareWorkload('cpu', ['30000000']);
  const inst = await env.launch({ workload, instanceName: name(), timeoutMs: 20_000 });
  const exit = await inst.exited;
  assert.equal(exit.code, 0, exit.outputTail.join('\n'));
  const cpu = await inst.sampleCpu();
  const workNs = Number(exit.result?.fields.ns);
  // CPU time can only be below the wall time of the loop when the host preempted the probe.
  assert.ok(cpu.cpuNs > 0.3 * workNs, `cpu ${cpu.cpuNs} vs loop wall ${workNs}`);
});

test('idle: live PSS and CPU, stop() kills once and is idempotent', { skip }, async () => {
  const workload = await prepareWorkload('idle');
  const inst = await env.launch({ workload, instanceName: name(), timeoutMs: 20_000 });
  await inst.ready;
  const mem = await inst.sampleMemory();
  assert.ok(mem.pssBytes > 0 && mem.pssBytes < 16 * 1024 * 1024, `pss ${mem.pssBytes}`);
  const cpu = await inst.sampleCpu();
  assert.ok(cpu.cpuNs > 0, `live cpu ${cpu.cpuNs}`);
  await Promise.all([inst.stop('test'), inst.stop('again')]);
  const exit = await inst.exited;
  assert.equal(exit.signal, 'SIGKILL');
  assert.equal(exit.stoppedBy, 'test');
  assert.equal(exit.timedOut, false);
  await inst.stop('late'); // after exit: no error, no change
  assert.equal((await inst.exited).stoppedBy, 'test');
});

test('a hang is killed at the timeout and reported as timed out', { skip }, async () => {
  const workload = await prepareWorkload('hang');
  const inst = await env.launch({ workload, instanceName: name(), timeoutMs: 300 });
  const exit = await inst.exited;
  assert.equal(exit.timedOut, true);
  assert.equal(exit.signal, 'SIGKILL');
});

test('a missing binary: ready rejects naming execve and the path, exit 127', { skip }, async () => {
  const workload = await prepareWorkload('noop');
  const broken = { ...workload, argv: ['/bin/no-such-probe'] };
  const inst = await env.launch({ workload: broken, instanceName: name(), timeoutMs: 5000 });
  await assert.rejects(inst.ready, /execve .*no-such-probe: ENOENT/);
  const exit = await inst.exited;
  assert.equal(exit.code, 127);
  assert.match(exit.outputTail.join('\n'), /execve .*no-such-probe: ENOENT/);
});
