#!/usr/bin/env node
// ctvm set-up: installs only what is missing (Debian packages, npm packages, native helpers,
// the guest kernel) and says what it does. Dependency-free on purpose: it runs before `npm ci`.
// Usage: node scripts/setup.mjs [--for bench|test] [--with minimal-kernel] [--check]
//   --check: report, change nothing. --with minimal-kernel: also build the optional minimal guest
//   kernel (scripts/kernel/minimal.config; `--for test` builds it too, the tests boot it).
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildDist, distStale } from './dist.mjs';

const PROJECT = join(dirname(fileURLToPath(import.meta.url)), '..');
const CACHE = process.env.CTVM_CACHE_DIR ?? join(PROJECT, '.cache');
const BUILD = process.env.CTVM_BUILD_DIR ?? join(PROJECT, 'build');
export const KERNEL_DIR = join(CACHE, 'kernel');

/** Debian packages per purpose. `bench` is what measuring needs; `test` adds what tests drive. */
export const PACKAGES = {
  bench: [
    'qemu-system-x86', // the hypervisor
    'qemu-utils', // qemu-img: per-instance qcow2 overlays of the Debian guest's disk
    'debootstrap', // builds the Debian guest image (vm image: debian), once, into .cache/distro
    'e2fsprogs', // mkfs.ext4 -d: the Debian guest's raw ext4 disk without a loop device
    'busybox-static', // Bins/Libs of the default workload rootfs
    'gcc',
    'libc6-dev', // native helpers (static)
    'libseccomp-dev', // ctvm-nsexec's seccomp filter (libseccomp.a, linked statically)
    'xz-utils', // unpacks the guest vmlinux out of Debian's bzImage
    'iproute2',
    'procps',
    'util-linux',
    'runc',
    'crun', // reference OCI runtimes (oci:* rows, bench/container-start)
    'runsc', // gVisor (oci:runsc)
    'lxc', // lxc-execute (the lxc environment)
    'docker.io', // dockerd + containerd + the docker client (the docker environment; ctvm starts its own dockerd)
    'lxd', // the lxd environment: ctvm runs its own daemon per run (src/engine/lxd/)
    'sysbench',
    'stress-ng',
    'hyperfine', // host:* workloads and the accuracy benchmark
    // I/O workloads (#14): their closures go into the workload rootfs, the clients run in the lab netns
    'iperf3',
    'sockperf',
    'fio',
    'redis-server',
    'redis-tools',
    'python3',
    'make',
    'g++',
    'pkg-config', // node-canvas builds from source here
    'libcairo2-dev',
    'libpango1.0-dev',
    'libjpeg-dev',
    'libgif-dev',
    'librsvg2-dev',
    'git',
    'ansible-core', // `ctvm fleet run` drives hosts through ansible-playbook (controller side)
    'openssh-client', // ansible's ssh connection (only a Recommends of ansible-core: not installed by us)
  ],
  // openssh-server: the fleet test's simulated hosts each run their own sshd
  test: ['chromium', 'vagrant', 'vagrant-libvirt', 'openssh-server'],
  /** Building the minimal guest kernel from Debian's kernel source (see stepMinimalKernel). */
  'minimal-kernel': ['linux-source-6.1', 'flex', 'bison', 'bc', 'libelf-dev', 'make', 'gcc'],
};

export function requiredPackages(purpose, withMinimalKernel = purpose === 'test') {
  return [
    ...PACKAGES.bench,
    ...(purpose === 'test' ? PACKAGES.test : []),
    ...(withMinimalKernel ? PACKAGES['minimal-kernel'] : []),
  ];
}

/** Which of `wanted` are not installed, given `query(pkgs) -> Map<name, statusString>`. */
export function missingPackages(wanted, query) {
  const status = query(wanted);
  return wanted.filter((p) => !/^install ok installed$/.test(status.get(p) ?? ''));
}

/** Real package query: one dpkg-query call for all names. */
export function dpkgQuery(pkgs) {
  const r = spawnSync('dpkg-query', ['-W', '-f=${Package}\t${Status}\n', ...pkgs], { encoding: 'utf8' });
  const map = new Map();
  for (const line of (r.stdout ?? '').split('\n')) {
    const [name, status] = line.split('\t');
    if (name) map.set(name.split(':')[0], status ?? '');
  }
  return map;
}

function sha256(...parts) {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest('hex');
}

function stampOk(file, want) {
  try {
    return readFileSync(file, 'utf8').trim() === want;
  } catch {
    return false;
  }
}

function run(cmd, args, opts = {}) {
  console.log(`setup: $ ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', ...opts });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited with ${r.status ?? r.signal}`);
}

const isRoot = () => process.getuid?.() === 0;
const hasApt = () => existsSync('/usr/bin/apt-get');

/** A step that cannot be done by this user: print the exact command and stop. */
function needPerson(what, command) {
  console.error(`setup: ${what}\nsetup: run this as root, then retry:\n  ${command}`);
  process.exit(1);
}

function aptInstall(pkgs) {
  const command = `apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${pkgs.join(' ')}`;
  if (!isRoot() || !hasApt()) needPerson(`missing Debian packages: ${pkgs.join(' ')}`, command);
  run('sh', ['-c', command], { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
}

// ---- steps -------------------------------------------------------------------------------

function stepPackages(purpose, check, withMinimalKernel) {
  if (!hasApt() && !existsSync('/usr/bin/dpkg-query')) {
    console.log(
      'setup: not a Debian host: skipping package check (install the equivalents of: ' +
        requiredPackages(purpose, withMinimalKernel).join(' ') +
        ')',
    );
    return;
  }
  const missing = missingPackages(requiredPackages(purpose, withMinimalKernel), dpkgQuery);
  if (missing.length === 0) return;
  if (check) return console.log(`setup: missing Debian packages: ${missing.join(' ')}`);
  aptInstall(missing);
}

function stepNpm(check) {
  const lock = join(PROJECT, 'package-lock.json');
  // Only what npm installs counts: editing a script in package.json must not trigger `npm ci`.
  const pkg = JSON.parse(readFileSync(join(PROJECT, 'package.json'), 'utf8'));
  const deps = JSON.stringify([pkg.dependencies, pkg.devDependencies, pkg.allowScripts]);
  const want = sha256(deps, existsSync(lock) ? readFileSync(lock) : '');
  const stamp = join(PROJECT, 'node_modules', '.ctvm-npm-stamp');
  if (stampOk(stamp, want)) return;
  if (check) return console.log('setup: npm packages out of date');
  run('npm', [existsSync(lock) ? 'ci' : 'install', '--no-audit', '--no-fund'], { cwd: PROJECT });
  writeFileSync(stamp, want + '\n');
}

/** dist/: the CLI compiled ahead of time (scripts/dist.mjs), only the sources that changed. */
function stepDist(check) {
  const why = distStale(PROJECT);
  if (why === null) return;
  if (check) return console.log(`setup: dist/ out of date (${why})`);
  buildDist(PROJECT, (m) => console.log(`setup: ${m}`));
}

/**
 * A program is native/<name>.c (one file) or a directory native/<name>/ (every .c in it, with its
 * own headers) -> build/ctvm-<name>, static, rebuilt when any of its files, the shared headers
 * native/*.h or the flags change.
 */
export const CFLAGS = ['-O2', '-static', '-Wall', '-Wextra', '-Werror'];
/** Libraries per program, linked statically (their -dev packages are in PACKAGES.bench). */
export const LDLIBS = { nsexec: ['-lseccomp'] };
/** Most lines one file under native/ may have (test/unit/setup checks it): split it before. */
export const NATIVE_MAX_LINES = 400;

/**
 * The programs under `dir`: name, the .c files compiled into it, and every file its stamp
 * covers (sources, headers, shared headers).
 */
export function nativePrograms(dir) {
  const entries = readdirSync(dir, { withFileTypes: true }).sort((x, y) => (x.name < y.name ? -1 : 1));
  const shared = entries.filter((e) => e.isFile() && e.name.endsWith('.h')).map((e) => join(dir, e.name));
  const programs = [];
  for (const e of entries) {
    if (e.isFile() && e.name.endsWith('.c')) {
      const src = join(dir, e.name);
      programs.push({ name: e.name.slice(0, -2), sources: [src], inputs: [src, ...shared] });
    } else if (e.isDirectory()) {
      const files = readdirSync(join(dir, e.name))
        .filter((f) => f.endsWith('.c') || f.endsWith('.h'))
        .sort()
        .map((f) => join(dir, e.name, f));
      const sources = files.filter((f) => f.endsWith('.c'));
      if (sources.length > 0) programs.push({ name: e.name, sources, inputs: [...files, ...shared] });
    }
  }
  return programs;
}

function stepNative(check) {
  const nativeDir = join(PROJECT, 'native');
  if (!existsSync(nativeDir)) return;
  mkdirSync(BUILD, { recursive: true });
  for (const { name: base, sources, inputs } of nativePrograms(nativeDir)) {
    const name = 'ctvm-' + base;
    const out = join(BUILD, name);
    const libs = LDLIBS[base] ?? [];
    // Names too: a file renamed or moved between programs is a different build.
    const want = sha256(
      ...inputs.flatMap((f) => [relative(nativeDir, f), readFileSync(f)]),
      [...CFLAGS, ...libs].join(' '),
    );
    if (existsSync(out) && stampOk(out + '.stamp', want)) continue;
    if (check) {
      console.log(`setup: native helper ${name} needs building`);
      continue;
    }
    const cc = process.env.CC ?? 'cc';
    run(cc, [...CFLAGS, '-o', out + '.tmp', ...sources, ...libs]);
    renameSync(out + '.tmp', out);
    writeFileSync(out + '.stamp', want + '\n');
  }
}

/** Offset of the first xz stream in a bzImage (what the kernel's scripts/extract-vmlinux does). */
export function findXzPayload(buf) {
  const magic = Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]);
  return buf.indexOf(magic);
}

function stepKernel(check) {
  const vmlinuz = join(KERNEL_DIR, 'vmlinuz');
  const vmlinux = join(KERNEL_DIR, 'vmlinux');
  if (existsSync(vmlinuz) && existsSync(vmlinux) && existsSync(join(KERNEL_DIR, 'version'))) return;
  if (check) return console.log(`setup: guest kernel missing in ${KERNEL_DIR}`);
  // The guest kernel comes from Debian's linux-image package, unpacked into our cache: never
  // installed into /boot, so the host's boot set-up is untouched.
  const deps = execFileSync('apt-cache', ['depends', 'linux-image-amd64'], { encoding: 'utf8' });
  const pkg = /Depends:\s*(linux-image-[0-9][^\s]*-amd64)\b/.exec(deps)?.[1];
  if (!pkg)
    throw new Error(
      'apt-cache depends linux-image-amd64 named no linux-image-<version>-amd64 package (run apt-get update?)',
    );
  const tmp = mkdtempSync(join(tmpdir(), 'ctvm-kernel-'));
  try {
    run('apt-get', ['download', pkg], { cwd: tmp });
    const deb = readdirSync(tmp).find((f) => f.endsWith('.deb'));
    if (!deb) throw new Error(`apt-get download ${pkg} left no .deb`);
    // Only ./boot is needed; the module tree (~400 MB) stays packed.
    run(
      'sh',
      ['-c', `dpkg-deb --fsys-tarfile "${deb}" | tar -x --wildcards './boot/vmlinuz-*' './boot/config-*'`],
      { cwd: tmp },
    );
    const boot = join(tmp, 'boot');
    const image = readdirSync(boot).find((f) => f.startsWith('vmlinuz-'));
    if (!image) throw new Error(`${pkg} has no /boot/vmlinuz-*`);
    mkdirSync(KERNEL_DIR, { recursive: true });
    const bz = readFileSync(join(boot, image));
    const off = findXzPayload(bz);
    if (off < 0) throw new Error(`${image}: no xz payload found (not an xz-compressed bzImage?)`);
    // The embedded ELF vmlinux has a PVH entry point that QEMU boots directly, skipping the
    // in-guest decompression (~4 s under TCG).
    const elf = spawnSync('xz', ['-dc', '--single-stream'], { input: bz.subarray(off), maxBuffer: 1 << 30 });
    if (!elf.stdout || elf.stdout.length < 4 || elf.stdout.readUInt32BE(0) !== 0x7f454c46) {
      throw new Error(`${image}: xz payload did not decompress to an ELF vmlinux`);
    }
    writeFileSync(vmlinux + '.tmp', elf.stdout);
    renameSync(vmlinux + '.tmp', vmlinux);
    writeFileSync(vmlinuz, bz);
    const cfg = readdirSync(boot).find((f) => f.startsWith('config-'));
    if (cfg) writeFileSync(join(KERNEL_DIR, 'config'), readFileSync(join(boot, cfg)));
    writeFileSync(join(KERNEL_DIR, 'version'), `${pkg} ${image.replace('vmlinuz-', '')}\n`);
    console.log(
      `setup: guest kernel ${image} cached in ${KERNEL_DIR} (vmlinuz ${bz.length} B, vmlinux ${elf.stdout.length} B)`,
    );
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/**
 * Kernel modules the Debian guest kernel needs for the I/O devices (#14), from the same
 * linux-image package as its vmlinux: virtio-net for network `bridge`, virtio-blk + ext4 for the
 * scratch disk, and the virtio buses (virtio-mmio on microvm, virtio-pci on pc/q35). Debian
 * builds all of them as modules; the minimal kernel has them built in. Kept in
 * .cache/kernel/modules/ with `order.json` ({ net: [...], disk: [...] }, dependencies first, from
 * the package's modules.dep), which the VM's initramfs builder reads.
 */
export const GUEST_MODULE_ROOTS = {
  net: ['virtio_mmio', 'virtio_pci', 'virtio_net'],
  // crc32c_generic: ext4's metadata checksums ask the crypto API for crc32c (a softdep).
  disk: ['virtio_mmio', 'virtio_pci', 'virtio_blk', 'crc32c_generic', 'ext4'],
};

/** Load order (dependencies first) of `roots`, given each module's direct dependencies by name. */
export function moduleLoadOrder(roots, dependsOf) {
  const order = [];
  const visit = (name, chain) => {
    if (order.includes(name)) return;
    if (chain.includes(name)) throw new Error(`module dependency cycle: ${[...chain, name].join(' -> ')}`);
    for (const d of dependsOf(name)) visit(d, [...chain, name]);
    order.push(name);
  };
  for (const r of roots) visit(r, []);
  return order;
}

/** name -> path of every module file below `dir` (names with - and _ are the same module). */
function moduleFiles(dir, acc = new Map()) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) moduleFiles(p, acc);
    else if (/\.ko(\.xz)?$/.test(e.name)) acc.set(e.name.replace(/\.ko(\.xz)?$/, '').replace(/-/g, '_'), p);
  }
  return acc;
}

export function stepKernelModules(check) {
  const out = join(KERNEL_DIR, 'modules');
  if (!existsSync(join(KERNEL_DIR, 'version')))
    return console.log('setup: guest kernel modules wait for the guest kernel');
  const version = readFileSync(join(KERNEL_DIR, 'version'), 'utf8').trim().split(' ');
  const [pkg, release] = version;
  const want = sha256('ctvm-guest-modules-v1\0', pkg ?? '', JSON.stringify(GUEST_MODULE_ROOTS));
  if (stampOk(join(out, 'stamp'), want)) return;
  if (check) return console.log(`setup: guest kernel modules missing in ${out}`);
  const tmp = mkdtempSync(join(tmpdir(), 'ctvm-kmod-'));
  try {
    run('apt-get', ['download', pkg], { cwd: tmp });
    const deb = readdirSync(tmp).find((f) => f.endsWith('.deb'));
    if (!deb) throw new Error(`apt-get download ${pkg} left no .deb`);
    // Only the few subtrees the roots live in; the rest stays packed. The package has no
    // modules.dep (depmod makes it at install): dependencies come from each file's modinfo.
    const tree = `./lib/modules/${release}`;
    const subtrees = [
      'kernel/drivers/virtio',
      'kernel/drivers/net',
      'kernel/net/core',
      'kernel/drivers/block',
      'kernel/fs',
      'kernel/lib',
      'kernel/crypto',
    ];
    run(
      'sh',
      [
        '-c',
        `dpkg-deb --fsys-tarfile "${deb}" | tar -x --wildcards ${subtrees.map((d) => `'${tree}/${d}/*'`).join(' ')}`,
      ],
      { cwd: tmp },
    );
    const files = moduleFiles(join(tmp, tree));
    const pathOf = (name) => {
      const p = files.get(name.replace(/-/g, '_'));
      if (!p) throw new Error(`${pkg} has no module ${name}`);
      return p;
    };
    // `depends=` of the module's .modinfo section (NUL-separated key=value strings): no kmod needed.
    const dependsOf = (name) => {
      const src = pathOf(name);
      const b = src.endsWith('.xz')
        ? execFileSync('xz', ['-dc', src], { maxBuffer: 1 << 28 })
        : readFileSync(src);
      const at = b.indexOf('\0depends=');
      if (at < 0) return [];
      return b
        .toString('latin1', at + 9, b.indexOf(0, at + 9))
        .split(',')
        .filter(Boolean);
    };
    rmSync(out, { recursive: true, force: true });
    mkdirSync(out, { recursive: true });
    const order = {};
    for (const [need, roots] of Object.entries(GUEST_MODULE_ROOTS)) {
      order[need] = moduleLoadOrder(roots, dependsOf).map((name) => {
        const src = pathOf(name);
        const file = `${name.replace(/-/g, '_')}.ko`;
        if (!existsSync(join(out, file))) {
          if (src.endsWith('.xz'))
            writeFileSync(join(out, file), execFileSync('xz', ['-dc', src], { maxBuffer: 1 << 28 }));
          else copyFileSync(src, join(out, file));
        }
        return file;
      });
    }
    writeFileSync(join(out, 'order.json'), JSON.stringify(order, null, 2) + '\n');
    writeFileSync(join(out, 'stamp'), want + '\n');
    console.log(`setup: guest kernel modules for ${release} in ${out}: ${JSON.stringify(order)}`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/**
 * The optional minimal guest kernel: `make tinyconfig` of Debian's linux-source-6.1 plus our
 * fragment (scripts/kernel/minimal.config), PVH vmlinux only, no modules; ~6 min on 2 cores.
 * Kept in .cache/kernel/minimal/ (vmlinux, config, version) under a stamp of the fragment and
 * the source package version; the 1.5 GB build tree is deleted afterwards. Scenarios and the
 * CLI select it with `kernel: minimal`.
 */
export const MINIMAL_KERNEL_FRAGMENT = join(PROJECT, 'scripts', 'kernel', 'minimal.config');
const LINUX_SOURCE_PKG = 'linux-source-6.1';

/** The options a fragment sets (`CONFIG_X=v`) or unsets (`# CONFIG_X is not set`), in order. */
export function fragmentOptions(text) {
  const out = [];
  for (const line of text.split('\n')) {
    let m = /^(CONFIG_[A-Za-z0-9_]+)=(.*)$/.exec(line.trim());
    if (m) out.push({ name: m[1], value: m[2] });
    else if ((m = /^# (CONFIG_[A-Za-z0-9_]+) is not set$/.exec(line.trim())))
      out.push({ name: m[1], value: 'n' });
  }
  return out;
}

/** Options of the fragment that the final .config does not have as asked (a dropped dependency). */
export function fragmentMismatches(fragmentText, configText) {
  const have = new Map();
  for (const o of fragmentOptions(configText)) have.set(o.name, o.value);
  return fragmentOptions(fragmentText).filter((o) => (have.get(o.name) ?? 'n') !== o.value);
}

function stepMinimalKernel(check) {
  const out = join(KERNEL_DIR, 'minimal');
  const fragment = readFileSync(MINIMAL_KERNEL_FRAGMENT, 'utf8');
  const q = spawnSync('dpkg-query', ['-W', '-f=${Status}\t${Version}', LINUX_SOURCE_PKG], {
    encoding: 'utf8',
  });
  const [status = '', srcVersion = ''] = (q.stdout ?? '').trim().split('\t');
  const want = sha256('ctvm-minimal-kernel-v1\0', fragment, srcVersion);
  const stamp = join(out, 'stamp');
  if (stampOk(stamp, want) && existsSync(join(out, 'vmlinux'))) return;
  if (check) return console.log(`setup: minimal guest kernel missing or stale in ${out}`);
  if (!status.endsWith(' installed')) throw new Error(`${LINUX_SOURCE_PKG} is not installed`);
  const tarball = readdirSync('/usr/src')
    .filter((f) => /^linux-source-6\.1\.tar\.(xz|bz2|gz)$/.test(f))
    .map((f) => join('/usr/src', f))[0];
  if (!tarball) throw new Error(`${LINUX_SOURCE_PKG} left no /usr/src/linux-source-6.1.tar.*`);
  const tmp = mkdtempSync(join(tmpdir(), 'ctvm-kbuild-'));
  try {
    const t0 = Date.now();
    run('tar', ['-xf', tarball, '-C', tmp]);
    const src = join(tmp, 'linux-source-6.1');
    const obj = join(tmp, 'obj');
    mkdirSync(obj);
    run('make', ['-s', '-C', src, `O=${obj}`, 'tinyconfig']);
    run(join(src, 'scripts/kconfig/merge_config.sh'), [
      '-m',
      '-O',
      obj,
      join(obj, '.config'),
      MINIMAL_KERNEL_FRAGMENT,
    ]);
    run('make', ['-s', '-C', src, `O=${obj}`, 'olddefconfig']);
    const config = readFileSync(join(obj, '.config'), 'utf8');
    const bad = fragmentMismatches(fragment, config);
    if (bad.length)
      throw new Error(
        `the kernel config dropped what scripts/kernel/minimal.config asks for (a missing dependency?): ${bad.map((o) => `${o.name}=${o.value}`).join(' ')}`,
      );
    run('make', ['-s', '-C', src, `O=${obj}`, `-j${availableParallelism()}`, 'vmlinux']);
    mkdirSync(out, { recursive: true });
    copyFileSync(join(obj, 'vmlinux'), join(out, 'vmlinux.tmp'));
    renameSync(join(out, 'vmlinux.tmp'), join(out, 'vmlinux'));
    writeFileSync(join(out, 'config'), config);
    writeFileSync(join(out, 'version'), `${LINUX_SOURCE_PKG} ${srcVersion} minimal\n`);
    writeFileSync(stamp, want + '\n');
    const size = statSync(join(out, 'vmlinux')).size;
    console.log(
      `setup: minimal guest kernel built in ${Math.round((Date.now() - t0) / 1000)} s: ${out}/vmlinux (${size} B)`,
    );
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

export function main(argv) {
  const purpose = argv.includes('--for')
    ? argv[argv.indexOf('--for') + 1]
    : argv.includes('test')
      ? 'test'
      : 'bench';
  const check = argv.includes('--check');
  const withArg = argv.includes('--with') ? argv[argv.indexOf('--with') + 1] : undefined;
  if (withArg !== undefined && withArg !== 'minimal-kernel')
    throw new Error(`--with: expected minimal-kernel, got '${withArg}'`);
  const withMinimalKernel = withArg === 'minimal-kernel' || purpose === 'test';
  const t0 = Date.now();
  if (process.platform !== 'linux') {
    console.error('setup: ctvm measures Linux namespaces, cgroups and QEMU/KVM: it needs a Linux host.');
    process.exit(1);
  }
  stepPackages(purpose, check, withMinimalKernel);
  stepNpm(check);
  stepDist(check);
  stepNative(check);
  stepKernel(check);
  stepKernelModules(check);
  if (withMinimalKernel) stepMinimalKernel(check);
  const ms = Date.now() - t0;
  console.log(`setup: ${check ? 'checked' : 'ready'} in ${ms} ms (${purpose})`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    main(process.argv.slice(2));
  } catch (err) {
    console.error(`setup: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  }
}
