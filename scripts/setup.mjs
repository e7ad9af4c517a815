#!/usr/bin/env node
// ctvm set-up: installs only what is missing (Debian packages, npm packages, native helpers,
// the guest kernel) and says what it does. Dependency-free on purpose: it runs before `npm ci`.
// Usage: node scripts/setup.mjs [--for bench|test] [--check]   (--check: report, change nothing)
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PROJECT = join(dirname(fileURLToPath(import.meta.url)), '..');
const CACHE = process.env.CTVM_CACHE_DIR ?? join(PROJECT, '.cache');
const BUILD = process.env.CTVM_BUILD_DIR ?? join(PROJECT, 'build');
export const KERNEL_DIR = join(CACHE, 'kernel');

/** Debian packages per purpose. `bench` is what measuring needs; `test` adds what tests drive. */
export const PACKAGES = {
  bench: [
    'qemu-system-x86', // the hypervisor
    'busybox-static', // Bins/Libs of the default workload rootfs
    'gcc',
    'libc6-dev', // native helpers (static)
    'xz-utils', // unpacks the guest vmlinux out of Debian's bzImage
    'iproute2',
    'procps',
    'util-linux',
    'runc',
    'crun', // reference OCI runtimes (oci:* rows, bench/container-start)
    'sysbench',
    'stress-ng',
    'hyperfine', // host:* workloads and the accuracy benchmark
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
  ],
  test: ['chromium', 'vagrant', 'vagrant-libvirt'],
};

export function requiredPackages(purpose) {
  return purpose === 'test' ? [...PACKAGES.bench, ...PACKAGES.test] : [...PACKAGES.bench];
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

function stepPackages(purpose, check) {
  if (!hasApt() && !existsSync('/usr/bin/dpkg-query')) {
    console.log(
      'setup: not a Debian host: skipping package check (install the equivalents of: ' +
        requiredPackages(purpose).join(' ') +
        ')',
    );
    return;
  }
  const missing = missingPackages(requiredPackages(purpose), dpkgQuery);
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

/** native/<name>.c -> build/<name>, static, rebuilt when the sources or flags change. */
export const CFLAGS = ['-O2', '-static', '-Wall', '-Wextra', '-Werror=implicit-function-declaration'];
function stepNative(check) {
  const nativeDir = join(PROJECT, 'native');
  if (!existsSync(nativeDir)) return;
  const files = readdirSync(nativeDir).sort();
  const headers = files.filter((f) => f.endsWith('.h')).map((f) => readFileSync(join(nativeDir, f)));
  mkdirSync(BUILD, { recursive: true });
  for (const src of files.filter((f) => f.endsWith('.c'))) {
    const name = 'ctvm-' + src.replace(/\.c$/, '');
    const out = join(BUILD, name);
    const want = sha256(readFileSync(join(nativeDir, src)), ...headers, CFLAGS.join(' '));
    if (existsSync(out) && stampOk(out + '.stamp', want)) continue;
    if (check) {
      console.log(`setup: native helper ${name} needs building`);
      continue;
    }
    const cc = process.env.CC ?? 'cc';
    run(cc, [...CFLAGS, '-o', out + '.tmp', join(nativeDir, src)]);
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

export function main(argv) {
  const purpose = argv.includes('--for')
    ? argv[argv.indexOf('--for') + 1]
    : argv.includes('test')
      ? 'test'
      : 'bench';
  const check = argv.includes('--check');
  const t0 = Date.now();
  if (process.platform !== 'linux') {
    console.error('setup: ctvm measures Linux namespaces, cgroups and QEMU/KVM: it needs a Linux host.');
    process.exit(1);
  }
  stepPackages(purpose, check);
  stepNpm(check);
  stepNative(check);
  stepKernel(check);
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
