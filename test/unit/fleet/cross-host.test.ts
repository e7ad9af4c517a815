// The fleet's cross-host logic: medians of stacks field by field, and findings that hold on every
// host vs findings that depend on the host (decided on non-overlapping 95% CIs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { medianOf } from '../../../src/fleet/report/fleet-figure.js';
import { findings, type CrossRow, HEADLINE_METRICS } from '../../../src/fleet/report/cross-host.js';
import type { LoadedFleet } from '../../../src/fleet/report/load-fleet.js';
import type { Distribution } from '../../../src/results/types.js';
import { fingerprintDiff, type Fingerprint } from '../../../src/fleet/report/fingerprint.js';

test("medianOf: numbers become medians over hosts, strings stay the first host's", () => {
  const m = medianOf([
    { env: { id: 'vm' }, startNs: 1, pss: { a: 10 } },
    { env: { id: 'vm' }, startNs: 5, pss: { a: 30 } },
    { env: { id: 'vm' }, startNs: 3 },
  ]);
  assert.deepEqual(m, { env: { id: 'vm' }, startNs: 3, pss: { a: 20 } });
});

const d = (median: number, ci = 1): Distribution =>
  ({ n: 5, median, ciLow: median - ci, ciHigh: median + ci }) as Distribution;
const fleet = (hosts: string[]) =>
  ({ hosts: hosts.map((name) => ({ name, run: {} })) }) as unknown as LoadedFleet;
const row = (env: string, byHost: Record<string, Distribution>): CrossRow => ({
  metric: HEADLINE_METRICS[0]!,
  env,
  byHost: new Map(Object.entries(byHost)),
  medianOverHosts: 0,
  min: 0,
  max: 0,
});

test('a finding that holds on every host, and one that depends on the host', () => {
  const rows = [
    row('bare', { h1: d(2), h2: d(2) }),
    row('container', { h1: d(20), h2: d(2.5) }),
    row('vm', { h1: d(2000), h2: d(1800) }),
  ];
  const f = findings(fleet(['h1', 'h2']), rows);
  const everywhere = f.filter((x) => x.everywhere).map((x) => x.text);
  const depends = f.filter((x) => !x.everywhere).map((x) => x.text);
  assert.ok(
    everywhere.some((t) =>
      /start latency: vm higher than container on every host \(2; vm\/container 100–720x/.test(t),
    ),
    everywhere.join('\n'),
  );
  assert.ok(
    depends.some((t) => /container vs bare: higher on h1; not told apart on h2/.test(t)),
    depends.join('\n'),
  );
});

test('without CIs (n < 3) nothing holds everywhere', () => {
  const noCi = (m: number) => ({ ...d(m), ciLow: NaN, ciHigh: NaN });
  const f = findings(fleet(['h1']), [row('container', { h1: noCi(20) }), row('vm', { h1: noCi(2000) })]);
  assert.equal(f.filter((x) => x.everywhere).length, 0);
});

test('fingerprintDiff names each differing fact', () => {
  const a: Fingerprint = {
    cpuModel: 'A',
    cores: '2',
    kernel: '6.1',
    cgroupMode: 'v2',
    accelerator: 'kvm',
    qemu: '7.2',
  };
  assert.deepEqual(fingerprintDiff(a, { ...a, cpuModel: 'B', accelerator: 'tcg' }), [
    'CPU model: A vs B',
    'VM accelerator: kvm vs tcg',
  ]);
});
