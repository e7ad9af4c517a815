// The published fleet example (reports/example-fleet/): `ctvm fleet run` of a scenario over three
// simulated hosts (network namespaces with their own sshd, test/helpers/fleet-lab.ts), one host
// at a time (--serial: they share this machine's CPUs), then the merged report; the lab is torn
// down afterwards. Root only. Usage: npx tsx bench/fleet-example.ts [scenario] [reports-name]
import { join } from 'node:path';
import { execa } from 'execa';
import { PROJECT_DIR, REPORTS_DIR, RESULTS_DIR } from '../src/paths.js';
import { inNetns, labLeftovers, simulatedHostEnv, startLab } from '../test/helpers/fleet-lab.js';

const scenario = process.argv[2] ?? 'quick';
const name = process.argv[3] ?? 'example-fleet';
const lab = await startLab(3);
let code = 1;
try {
  const inventory = lab.writeInventory({}, { ctvm_env: simulatedHostEnv(lab.tmp) });
  const ctvm = (args: string[]) =>
    execa(...inNetns(lab.controllerNetns, [process.execPath, join(PROJECT_DIR, 'bin/ctvm.js'), ...args]), {
      env: lab.controllerEnv,
      stdio: 'inherit',
      reject: false,
    });
  const t0 = Date.now();
  const run = await ctvm(['fleet', 'run', scenario, '-i', inventory, '--serial', '--results', RESULTS_DIR]);
  console.log(`fleet run: exit ${run.exitCode} in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  const fleets = (await execa('ls', ['-t', RESULTS_DIR])).stdout
    .split('\n')
    .filter((f) => f.startsWith('fleet-'));
  const report = await ctvm(['report', fleets[0]!, '--out', REPORTS_DIR, '--name', name]);
  code = run.exitCode === 0 && report.exitCode === 0 ? 0 : 1;
} finally {
  const problems = await lab.teardown();
  const left = labLeftovers(lab.tag, lab.tmp);
  if (problems.length || left.length) console.error(`lab left behind: ${[...problems, ...left].join('; ')}`);
}
process.exitCode = code;
