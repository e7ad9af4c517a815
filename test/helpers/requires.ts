// Declares what an integration test needs; returns a skip reason (printed by node:test) or false.
// An unknown requirement throws: a typo must not turn into a silently skipped test.
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { execFileSync, spawnSync } from 'node:child_process';
import { BUILD_DIR, KERNEL_DIR } from '../../src/paths.js';
import { join } from 'node:path';
import { DEBIAN_IMAGE, imagePaths } from '../../src/engine/vm/distro/image-spec.js';

const checks = {
  root: () => (process.getuid?.() === 0 ? null : 'needs root'),
  linux: () => (process.platform === 'linux' ? null : 'needs Linux'),
  qemu: () =>
    which('qemu-system-x86_64') ? null : 'needs qemu-system-x86_64 (apt-get install qemu-system-x86)',
  kernel: () =>
    existsSync(join(KERNEL_DIR, 'vmlinuz'))
      ? null
      : `needs the guest kernel in ${KERNEL_DIR} (npm run setup)`,
  minimalKernel: () =>
    existsSync(join(KERNEL_DIR, 'minimal', 'vmlinux'))
      ? null
      : `needs the minimal guest kernel in ${KERNEL_DIR}/minimal (npm run setup -- --with minimal-kernel)`,
  helper: () =>
    existsSync(join(BUILD_DIR, 'ctvm-nsexec')) ? null : 'needs build/ctvm-nsexec (npm run setup)',
  probe: () => (existsSync(join(BUILD_DIR, 'ctvm-probe')) ? null : 'needs build/ctvm-probe (npm run setup)'),
  busybox: () => (existsSync('/bin/busybox') ? null : 'needs /bin/busybox (apt-get install busybox-static)'),
  runc: () => (which('runc') ? null : 'needs runc'),
  debianImage: () => debianImageReason(),
  crun: () => (which('crun') ? null : 'needs crun'),
  runsc: () => (which('runsc') ? null : 'needs runsc (apt-get install runsc)'),
  lxc: () => (which('lxc-execute') ? null : 'needs lxc-execute (apt-get install lxc)'),
  docker: () =>
    existsSync('/usr/sbin/dockerd') && existsSync('/usr/bin/docker')
      ? null
      : 'needs dockerd and its client (apt-get install docker.io)',
  lxd: () => (which('lxd') || existsSync('/usr/sbin/lxd') ? null : 'needs lxd (apt-get install lxd)'),
  chromium: () => (which('chromium') ? null : 'needs chromium (apt-get install chromium)'),
  vagrant: () => (which('vagrant') ? null : 'needs vagrant (apt-get install vagrant)'),
  ansible: () => (which('ansible-playbook') ? null : 'needs ansible-playbook (apt-get install ansible-core)'),
  sshd: () => (existsSync('/usr/sbin/sshd') ? null : 'needs /usr/sbin/sshd (apt-get install openssh-server)'),
  cgroupV1: () =>
    existsSync('/sys/fs/cgroup/memory/memory.limit_in_bytes') ? null : 'needs cgroup v1 memory controller',
  ksm: () => (existsSync('/sys/kernel/mm/ksm/run') ? null : 'needs KSM (/sys/kernel/mm/ksm, CONFIG_KSM)'),
  cgroupV2: () => (isCgroup2('/sys/fs/cgroup') ? null : 'needs a pure cgroup v2 host'),
} satisfies Record<string, () => string | null>;

export type Requirement = keyof typeof checks;

/** `test('x', { skip: requires('root', 'qemu') }, fn)`: false when all are met, else the reason. */
export function requires(...needs: Requirement[]): string | false {
  for (const need of needs) {
    const check = (checks as Record<string, () => string | null>)[need];
    if (!check) throw new Error(`requires(): unknown requirement '${String(need)}'`);
    const reason = check();
    if (reason) {
      console.log(`# skip: ${reason}`);
      return reason;
    }
  }
  return false;
}

function which(cmd: string): boolean {
  for (const dir of (process.env.PATH ?? '/usr/bin:/bin').split(':')) {
    try {
      accessSync(join(dir, cmd), constants.X_OK);
      return true;
    } catch {
      /* next */
    }
  }
  return false;
}

/**
 * The Debian guest image (vm image: debian) is cached, or can be built: its tools are present and
 * its mirror answers (the first test run then builds it, minutes; later runs reuse the cache).
 */
function debianImageReason(): string | null {
  if (!which('debootstrap') || !which('qemu-img') || !which('mkfs.ext4'))
    return 'needs debootstrap, qemu-utils and e2fsprogs (npm run setup)';
  const image = imagePaths();
  if (existsSync(image.manifest)) return null;
  const url = `${DEBIAN_IMAGE.mirror}/dists/${DEBIAN_IMAGE.suite}/Release`;
  const probe = `fetch(${JSON.stringify(url)}, { method: 'HEAD', signal: AbortSignal.timeout(10000) })
    .then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))`;
  const r = spawnSync(process.execPath, ['-e', probe], { timeout: 15_000, stdio: 'ignore' });
  return r.status === 0
    ? null
    : `needs the Debian guest image: not cached in ${image.dir} and ${url} does not answer to build it`;
}

function isCgroup2(path: string): boolean {
  try {
    return readFileSync('/proc/self/mountinfo', 'utf8')
      .split('\n')
      .some((l) => l.split(' ')[4] === path && l.includes(' - cgroup2 '));
  } catch {
    return false;
  }
}

export { execFileSync };
