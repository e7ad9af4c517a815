// The lab network's pure parts: addresses, MACs, which netns names are ctvm's (gc), the NIC on
// the qemu command line and the container helper's `netns` argument.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inNetns } from '../../../src/net/in-netns.js';
import { instanceAddress, instanceMac } from '../../../src/net/lab.js';
import { netnsOwner } from '../../../src/net/gc.js';
import { kernelCmdline, netArgs } from '../../../src/engine/vm/qemu-args.js';
import { buildNsexecArgs } from '../../../src/engine/container/nsexec-args.js';
import { makeSpec, validateSpec } from '../../../src/engine/container/spec.js';
import { UsageError } from '../../../src/errors.js';

test('instance addresses count up from .0.2 in the /16, never the bridge, and stop when full', () => {
  assert.equal(instanceAddress(0), '10.213.0.2');
  assert.equal(instanceAddress(253), '10.213.0.255');
  assert.equal(instanceAddress(254), '10.213.1.0');
  assert.throws(() => instanceAddress(65_533), /lab network is full/);
  assert.equal(instanceMac(0), '52:54:00:00:00:00');
  assert.equal(instanceMac(258), '52:54:00:00:01:02');
});

test('gc knows ctvm netns names and their owner pid, and nothing else', () => {
  assert.equal(netnsOwner('ctvm-lab-1234'), 1234);
  assert.equal(netnsOwner('ctvm-in-1234-7'), 1234);
  assert.equal(netnsOwner('ctvm-in-probe-99'), 99);
  assert.equal(netnsOwner('ctvm-lab-'), undefined);
  assert.equal(netnsOwner('docker-1234'), undefined);
  assert.equal(netnsOwner('ctvm-lab-12x'), undefined);
});

test('clients and qemu enter a netns with nsenter, exec in place', () => {
  assert.deepEqual(inNetns('/run/netns/ctvm-lab-1', 'redis-cli', ['PING']), {
    file: 'nsenter',
    args: ['--net=/run/netns/ctvm-lab-1', '--', 'redis-cli', 'PING'],
  });
});

test('vm NIC: virtio-net-device on microvm, virtio-net-pci on pc/q35, tap without scripts; address on the cmdline', () => {
  const net = { tap: 'tap3', mac: '52:54:00:00:00:03', cidr: '10.213.0.5/16' };
  assert.deepEqual(netArgs({ machine: 'microvm', net }), [
    '-netdev',
    'tap,id=n0,ifname=tap3,script=no,downscript=no',
    '-device',
    'virtio-net-device,netdev=n0,mac=52:54:00:00:00:03',
  ]);
  assert.match(netArgs({ machine: 'q35', net })[3]!, /^virtio-net-pci,/);
  assert.deepEqual(netArgs({ machine: 'pc', net: undefined }), []);
  assert.match(kernelCmdline({ machine: 'microvm', tscKhz: null, net }), / ctvm\.ip=10\.213\.0\.5\/16/);
  assert.doesNotMatch(kernelCmdline({ machine: 'microvm', tscKhz: null }), /ctvm\.ip/);
});

test('container bridge: no fresh net namespace, the helper joins the wired netns', () => {
  const spec = makeSpec({ name: 'b', rootfs: '/', args: ['/bin/true'], network: 'bridge' });
  assert.ok(!spec.namespaces.includes('net'));
  const layout = {
    stateDir: '/s',
    rootDir: '/s/r',
    scratchDir: '/s/x',
    upperDir: '/s/x/u',
    workDir: '/s/x/w',
  };
  assert.throws(() => buildNsexecArgs(spec, layout, []), /network bridge without a wired netns/);
  const args = buildNsexecArgs({ ...spec, netnsPath: '/run/netns/ctvm-in-1-0' }, layout, []);
  const i = args.indexOf('netns');
  assert.equal(args[i + 1], '/run/netns/ctvm-in-1-0');
  assert.ok(!args.includes('lo'));
  assert.throws(
    () => validateSpec({ ...spec, network: 'bridged' as never }),
    (e: unknown) => e instanceof UsageError && /invalid network mode 'bridged'/.test(e.message),
  );
});
