// The docker environment's pure parts: which daemon (option `host`, DOCKER_HOST, unix sockets
// only), dockerd's flags (no host networking, state under its dir), `docker run`'s arguments and
// limits, and the events stream parser.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { requestedSocket, socketOf } from '../../../src/engine/docker/target.js';
import { dockerdArgs } from '../../../src/engine/docker/daemon.js';
import { limitFlags, runArgs } from '../../../src/engine/docker/launch.js';
import { parseEvents } from '../../../src/engine/docker/api.js';
import { UsageError } from '../../../src/errors.js';
import type { PreparedWorkload } from '../../../src/engine/environment.js';

test('the daemon: option host, else DOCKER_HOST, else none (ctvm starts its own); unix only', () => {
  const saved = process.env.DOCKER_HOST;
  try {
    delete process.env.DOCKER_HOST;
    assert.equal(requestedSocket({}), undefined);
    assert.equal(requestedSocket({ host: 'unix:///run/x.sock' }), '/run/x.sock');
    process.env.DOCKER_HOST = '/run/y.sock';
    assert.equal(requestedSocket({}), '/run/y.sock');
    assert.equal(requestedSocket({ host: '/run/x.sock' }), '/run/x.sock', 'the option wins');
    process.env.DOCKER_HOST = 'tcp://10.0.0.1:2375';
    assert.throws(
      () => requestedSocket({}),
      (e: unknown) =>
        e instanceof UsageError &&
        /DOCKER_HOST: "tcp:\/\/10\.0\.0\.1:2375" is not a unix socket/.test(e.message),
    );
    assert.throws(() => requestedSocket({ host: 42 }), /docker option host: expected a string/);
    assert.throws(
      () => socketOf('unix://relative.sock', 'host'),
      /host: "unix:\/\/relative.sock" is not a unix socket/,
    );
  } finally {
    if (saved === undefined) delete process.env.DOCKER_HOST;
    else process.env.DOCKER_HOST = saved;
  }
});

test("dockerd's flags: its roots, socket and cgroup parent under ctvm's, no host networking", () => {
  const args = dockerdArgs('/run/ctvm/docker.d/1-2-0', '1-2-0');
  const value = (flag: string) => args[args.indexOf(flag) + 1];
  assert.equal(value('--data-root'), '/run/ctvm/docker.d/1-2-0/data');
  assert.equal(value('--exec-root'), '/run/ctvm/docker.d/1-2-0/exec');
  assert.equal(value('--pidfile'), '/run/ctvm/docker.d/1-2-0/dockerd.pid');
  assert.equal(value('--host'), 'unix:///run/ctvm/docker.d/1-2-0/docker.sock');
  assert.equal(value('--config-file'), '/run/ctvm/docker.d/1-2-0/daemon.json');
  assert.equal(value('--cgroup-parent'), '/ctvm-docker/1-2-0');
  assert.equal(value('--exec-opt'), 'native.cgroupdriver=cgroupfs');
  for (const f of [
    '--iptables=false',
    '--ip6tables=false',
    '--ip-masq=false',
    '--ip-forward=false',
    '--bridge=none',
    '--userland-proxy=false',
  ])
    assert.ok(args.includes(f), f);
  assert.ok(!args.some((a) => a.includes('/var/lib/docker') || a.includes('/run/docker.sock')));
});

test('docker run: no network, no pull, no new privileges, the cgroup ctvm names, the limits', () => {
  const workload = {
    argv: ['/bin/ctvm-probe', 'noop'],
    env: { PATH: '/bin' },
  } as unknown as PreparedWorkload;
  const args = runArgs({ cgroupParent: 'ctvm-docker/1-2-0', key: '1-2-0' }, 'ctvm-rootfs:abc', {
    workload,
    instanceName: 'ctvm-x-1-0',
    timeoutMs: 0,
    limits: { memoryBytes: 64 * 1024 * 1024, pids: 64 },
  });
  assert.deepEqual(args.slice(0, 8), [
    'run',
    '--rm',
    '--network',
    'none',
    '--pull',
    'never',
    '--security-opt',
    'no-new-privileges',
  ]);
  assert.equal(args[args.indexOf('--cgroup-parent') + 1], '/ctvm-docker/1-2-0/ctvm-x-1-0');
  assert.equal(args[args.indexOf('--label') + 1], 'ctvm.session=1-2-0');
  assert.deepEqual(args.slice(-3), ['ctvm-rootfs:abc', '/bin/ctvm-probe', 'noop']);
  assert.ok(!args.includes('--privileged') && !args.includes('--cap-add'));
  assert.deepEqual(limitFlags({ memoryBytes: 1024, cpus: 0.5, cpuWeight: 100, pids: 8, cpuset: '0' }), [
    '--memory',
    '1024b',
    '--memory-swap',
    '1024b',
    '--cpus',
    '0.5',
    '--cpu-shares',
    '2597',
    '--pids-limit',
    '8',
    '--cpuset-cpus',
    '0',
  ]);
  assert.deepEqual(limitFlags(undefined), []);
});

test('the events stream: one JSON object per line, action and time kept', () => {
  const body =
    '{"status":"create","id":"x","Type":"container","Action":"create","Actor":{"Attributes":{"name":"n"}},"time":1,"timeNano":1700000000123456789}\n' +
    '{"Type":"container","Action":"start","Actor":{"Attributes":{"name":"n"}},"timeNano":1700000000223456789}\n\n';
  const ev = parseEvents(body);
  assert.deepEqual(
    ev.map((e) => e.action),
    ['create', 'start'],
  );
  assert.ok(Math.abs(ev[1]!.timeNano - ev[0]!.timeNano - 100_000_000) < 1000);
  assert.equal(ev[0]!.attributes.name, 'n');
});

test('scenario: docker takes `host` (a unix socket) and nothing else', async () => {
  const { parseScenario } = await import('../../../src/runner/scenario-load.js');
  const yaml = (opts: string) =>
    `name: t\nenvironments:\n  - { id: docker, options: ${opts} }\nworkloads: [noop]\nrepetitions: 1\n`;
  assert.deepEqual(parseScenario(yaml('{}'), 'ok.yaml').environments, [
    { id: 'docker', type: 'docker', options: {} },
  ]);
  assert.deepEqual(
    parseScenario(yaml('{ host: "unix:///run/d.sock" }'), 'ok.yaml').environments[0]?.options,
    {
      host: 'unix:///run/d.sock',
    },
  );
  assert.throws(
    () => parseScenario(yaml('{ host: "tcp://1.2.3.4:2375" }'), 'bad.yaml'),
    /environments\.0\.options\.host: host: "tcp:\/\/1\.2\.3\.4:2375" is not a unix socket/,
  );
  assert.throws(() => parseScenario(yaml('{ hots: "/x" }'), 'bad.yaml'), /hots/);
});
