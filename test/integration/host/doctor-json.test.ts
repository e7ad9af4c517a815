import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { execa } from 'execa';
import { z } from 'zod';
import { requires } from '../../helpers/requires.js';

const accel = z.object({ usable: z.boolean(), reason: z.string().optional(), bootMs: z.number().optional() });
const runtime = z
  .object({
    present: z.boolean(),
    usable: z.boolean(),
    version: z.string().optional(),
    reason: z.string().optional(),
  })
  .passthrough();
const availability = z.union([
  z.object({ usable: z.literal(true), detail: z.string().optional(), accel: z.string().optional() }),
  z.object({ usable: z.literal(false), reason: z.string().min(1), accel: z.string().optional() }),
]);
const DoctorJson = z
  .object({
    format: z.literal(1),
    bootId: z.string().min(1),
    root: z.boolean(),
    host: z
      .object({
        cpuModel: z.string(),
        cores: z.number().int().positive(),
        memTotalBytes: z.number().positive(),
        kernel: z.string(),
        tscKhz: z.number().nullable(),
      })
      .passthrough(),
    cgroup: z
      .object({
        mode: z.enum(['v1', 'v2', 'hybrid', 'none']),
        driver: z.enum(['v1', 'v2']).nullable(),
        v1: z.record(z.string(), z.string()),
        v2Controllers: z.array(z.string()),
        missing: z.array(z.string()),
      })
      .passthrough(),
    kvm: accel.extend({ devicePresent: z.boolean(), module: z.string().nullable() }),
    tcg: accel,
    qemu: z
      .object({ version: z.string(), machines: z.array(z.string()) })
      .passthrough()
      .nullable(),
    runtimes: z.object({ runc: runtime, crun: runtime }),
    environments: z.record(z.string(), availability),
  })
  .passthrough();

test(
  'ctvm doctor --json: shape, and every "no" carries a reason',
  { skip: requires('root', 'qemu', 'kernel'), timeout: 120_000 },
  async () => {
    const r = await execa('node', ['bin/ctvm.js', 'doctor', '--json'], { reject: false });
    assert.ok(r.exitCode === 0 || r.exitCode === 1, `exit ${r.exitCode}: ${r.stderr}`);
    const report = DoctorJson.parse(JSON.parse(r.stdout));
    if (!report.kvm.usable)
      assert.ok(report.kvm.reason && report.kvm.reason.length > 0, 'unusable KVM says why');
    if (report.tcg.usable)
      assert.ok((report.tcg.bootMs ?? 0) > 0, 'TCG usable comes with a measured boot time');
    assert.equal(report.kvm.devicePresent, existsSync('/dev/kvm'));
    for (const [id, a] of Object.entries(report.environments))
      if (!a.usable) assert.ok(a.reason.length > 0, id);
    assert.equal(report.environments.bare?.usable, true);
    // exit 0 exactly when bare + container can be measured
    assert.equal(r.exitCode === 0, report.environments.container?.usable === true);
  },
);

test(
  'ctvm doctor (text) names the cgroup mode and accelerators',
  { skip: requires('root', 'qemu', 'kernel'), timeout: 120_000 },
  async () => {
    const r = await execa('node', ['bin/ctvm.js', 'doctor'], { reject: false });
    assert.match(r.stdout, /^cgroups\s+(v1|v2|hybrid|none);/m);
    assert.match(r.stdout, /^kvm\s+device (yes|no), module \S+, usable (yes|no)/m);
    assert.match(r.stdout, /^tcg\s+usable (yes|no)/m);
  },
);
