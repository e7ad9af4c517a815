// Client/server samples (#14): the server runs in the instance (on the lab bridge), the client is
// a host binary run in the lab netns against the instance's address; its output becomes the
// sample's metrics. A client that fails, times out or prints no figure fails the sample with its
// own words; a server that dies under load does too. The instance is stopped in any case.
import { execa } from 'execa';
import type { Instance } from '../engine/environment.js';
import { labNetwork } from '../net/lab.js';
import type { NetClient } from '../workload/net-workloads.js';
import { workloadClient } from '../workload/io-workloads.js';
import { launchTracked, stopTracked, type SampleTarget } from './sample-context.js';
import type { SampleOutcome } from './samplers.js';

export async function clientSample(t: SampleTarget): Promise<SampleOutcome> {
  const client = workloadClient(t.workload.name);
  if (!client) throw new Error(`workload ${t.workload.name} has no client`);
  const tracked = await launchTracked(t, 0);
  try {
    const { inst } = tracked;
    await inst.ready; // the server listens (net-workloads.ts: READY comes after its socket)
    const ip = labAddress(inst);
    const stdout = await runClient(client, ip, t.signal);
    if (tracked.gone()) {
      const exit = await inst.exited;
      throw new Error(
        `the server exited during the client's run; last output: ${exit.outputTail.slice(-3).join(' | ')}`,
      );
    }
    return { metrics: client.parse(stdout) };
  } finally {
    await stopTracked([tracked], 'sample done');
  }
}

function labAddress(inst: Instance): string {
  if (!inst.labIp)
    throw new Error(`${inst.name} has no address on the lab bridge (its environment needs network: bridge)`);
  return inst.labIp;
}

/** The client in the lab netns, bounded by its timeout; its stdout, or an error with its stderr. */
export async function runClient(client: NetClient, ip: string, signal?: AbortSignal): Promise<string> {
  const lab = await labNetwork();
  const cmd = lab.clientCommand(client.program, client.args(ip));
  const r = await execa(cmd.file, cmd.args, {
    reject: false,
    stdin: 'ignore',
    timeout: client.timeoutMs,
    ...(signal ? { cancelSignal: signal } : {}),
  });
  if (r.timedOut) throw new Error(`${client.program} did not finish within ${client.timeoutMs} ms`);
  if (r.exitCode !== 0) {
    const said = (r.stderr.trim() || r.stdout.trim()).split('\n').slice(-3).join(' | ');
    throw new Error(
      `${client.program} ${client.args(ip).join(' ')} failed (${r.exitCode === undefined ? r.signal : `exit ${r.exitCode}`}): ${said || 'no output'}`,
    );
  }
  return r.stdout;
}
