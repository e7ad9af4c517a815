// Builds the Debian guest image once per ImageSpec: debootstrap (minbase + systemd + Debian's
// kernel) into a temp tree, ctvm's guest files, the initramfs made by the image's own
// initramfs-tools (as an installed system does it), the kernel's PVH vmlinux, and a raw ext4
// disk made from the tree with `mkfs.ext4 -d` (no loop device, no mount on the host). Every
// command that mounts runs in a private mount namespace (unshare -m), so an interrupted build
// leaves no mount behind; the temp tree is removed, and a dead builder's tree by the next build.
import {
  createWriteStream,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
  chmodSync,
} from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { HostError } from '../../../errors.js';
import { which } from '../../../util/which.js';
import { guestFiles } from './guest-files.js';
import {
  DEBIAN_IMAGE,
  DISTRO_DIR,
  imageKey,
  imagePaths,
  type ImagePaths,
  type ImageSpec,
} from './image-spec.js';

const BUILD_PREFIX = '.build-';
const KERNEL_PACKAGE = 'linux-image-amd64';
/** Mounts made by the build live in a private mount namespace: they vanish with it, even on SIGKILL. */
const PRIVATE_MOUNTS = ['--mount', '--propagation', 'private', '--'];
const TOOLS = ['debootstrap', 'unshare', 'chroot', 'mkfs.ext4', 'xz', 'du'];

export interface ImageManifest {
  key: string;
  spec: ImageSpec;
  kernelRelease: string;
  packages: Record<string, string>;
  diskBytes: number;
  buildSeconds: number;
  builtAt: string;
}

/** The cached image for `spec`, or null when it has not been built. */
export function cachedImage(spec: ImageSpec = DEBIAN_IMAGE): ImagePaths | null {
  const p = imagePaths(imageKey(spec));
  return existsSync(p.manifest) ? p : null;
}

export function readManifest(p: ImagePaths): ImageManifest {
  return JSON.parse(readFileSync(p.manifest, 'utf8')) as ImageManifest;
}

/** The cached image, built first when missing (minutes: says so on `log`). */
export async function ensureImage(
  log: (line: string) => void = (l) => process.stderr.write(`${l}\n`),
  spec: ImageSpec = DEBIAN_IMAGE,
): Promise<ImagePaths> {
  const have = cachedImage(spec);
  if (have) return have;
  if ((process.getuid?.() ?? 0) !== 0)
    throw new HostError('the Debian guest image is not built, and building it needs root (debootstrap)', {
      hint: 'build it once as root: ctvm vm run --image debian (scenarios build it in their prepare step)',
    });
  for (const t of TOOLS)
    if (!which(t))
      throw new HostError(`${t} not found: it is needed to build the Debian guest image`, {
        hint: 'npm run setup',
      });
  return buildImage(spec, log);
}

async function buildImage(spec: ImageSpec, log: (line: string) => void): Promise<ImagePaths> {
  const key = imageKey(spec);
  const final = imagePaths(key);
  mkdirSync(DISTRO_DIR, { recursive: true });
  removeDeadBuilds();
  const tmp = mkdtempSync(join(DISTRO_DIR, `${BUILD_PREFIX}${process.pid}-`));
  const root = join(tmp, 'root');
  const logFile = join(tmp, 'build.log');
  const out = createWriteStream(logFile);
  const t0 = Date.now();
  log(
    `ctvm: building the Debian guest image ${key} (debootstrap ${spec.variant} ${spec.suite} from ${spec.mirror}; once, a few minutes; log: ${logFile})`,
  );
  const sh = shellFor(out, logFile, log);
  try {
    // The kernel is installed after ctvm's files are in place, so the one initramfs its postinst
    // builds already has MODULES=list (a MODULES=most one first takes many minutes under load).
    const base = spec.include.filter((p) => p !== KERNEL_PACKAGE);
    await sh('debootstrap', 'unshare', [
      ...PRIVATE_MOUNTS,
      'debootstrap',
      `--variant=${spec.variant}`,
      `--include=${base.join(',')}`,
      spec.suite,
      root,
      spec.mirror,
    ]);
    writeGuestFiles(root);
    await sh(
      `apt-get install ${KERNEL_PACKAGE} in the image (its postinst runs the image's update-initramfs)`,
      'unshare',
      [
        ...PRIVATE_MOUNTS,
        'sh',
        '-c',
        'mount -t proc proc "$1/proc" && mount --rbind /dev "$1/dev" && chroot "$1" apt-get install -y --no-install-recommends "$2"',
        'sh',
        root,
        KERNEL_PACKAGE,
      ],
    );
    return await finishImage({ tmp, root, key, spec, t0, sh, log, out, logFile, final });
  } finally {
    out.end();
    rmSync(tmp, { recursive: true, force: true, maxRetries: 3 });
  }
}

export function writeGuestFiles(root: string): void {
  for (const f of guestFiles()) {
    const path = join(root, f.path);
    mkdirSync(dirname(path), { recursive: true });
    rmSync(path, { force: true });
    if (f.symlink !== undefined) symlinkSync(f.symlink, path);
    else {
      writeFileSync(path, f.content ?? '');
      chmodSync(path, f.mode);
    }
  }
}

/** The one kernel release debootstrap installed (its /boot/vmlinuz-<release>). */
function bootRelease(root: string): string {
  const releases = readdirSync(join(root, 'boot'))
    .filter((f) => f.startsWith('vmlinuz-'))
    .map((f) => f.slice('vmlinuz-'.length));
  if (releases.length !== 1)
    throw new HostError(`the image's /boot holds ${releases.length} kernels, expected 1`);
  return releases[0]!;
}

/** The ELF vmlinux inside an xz bzImage: it has a PVH entry QEMU boots without in-guest unpacking. */
export function extractVmlinux(bzImage: Buffer): Buffer {
  const at = bzImage.indexOf(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]));
  if (at < 0) throw new HostError('the image kernel is not an xz-compressed bzImage');
  const r = spawnSync('xz', ['-dc', '--single-stream'], { input: bzImage.subarray(at), maxBuffer: 1 << 30 });
  if (!r.stdout || r.stdout.length < 4 || r.stdout.readUInt32BE(0) !== 0x7f454c46)
    throw new HostError("the image kernel's xz payload is not an ELF vmlinux");
  return r.stdout;
}

function dpkgPackages(root: string): Record<string, string> {
  const r = spawnSync(
    'dpkg-query',
    [`--admindir=${join(root, 'var/lib/dpkg')}`, '-W', '-f=${Package} ${Version}\n'],
    { encoding: 'utf8' },
  );
  const out: Record<string, string> = {};
  for (const line of (r.stdout ?? '').split('\n')) {
    const [p, v] = line.split(' ');
    if (p && v) out[p] = v;
  }
  return out;
}

/** Used bytes plus room for the guest's own writes (journal, logs), rounded to MiB. */
function diskSize(root: string): number {
  const r = spawnSync('du', ['-sb', '-x', root], { encoding: 'utf8' });
  const used = Number((r.stdout ?? '').split('\t')[0]);
  if (!Number.isFinite(used) || used <= 0) throw new HostError(`du -sb ${root} failed: ${r.stderr}`);
  return Math.ceil((used * 1.25 + 256 * 2 ** 20) / 2 ** 20) * 2 ** 20;
}

/** Temp trees of builders that died (their pid is gone) are removed before a new build. */
function removeDeadBuilds(): void {
  for (const name of readdirSync(DISTRO_DIR)) {
    const pid = Number(/^\.build-(\d+)-/.exec(name)?.[1]);
    if (!pid || existsSync(`/proc/${pid}`)) continue;
    const dir = join(DISTRO_DIR, name);
    if (lstatSync(dir).isDirectory()) rmSync(dir, { recursive: true, force: true });
  }
}

interface FinishArgs {
  tmp: string;
  root: string;
  key: string;
  spec: ImageSpec;
  t0: number;
  sh: (what: string, file: string, args: string[]) => Promise<void>;
  log: (line: string) => void;
  out: { end(): void };
  logFile: string;
  final: ImagePaths;
}

/** After debootstrap and the kernel: kernel, initramfs, disk, manifest out of the tree; then the rename. */
export async function finishImage(a: FinishArgs): Promise<ImagePaths> {
  const { tmp, root, key, spec, t0, sh, log, out, logFile, final } = a;
  const kernelRelease = bootRelease(root);
  mkdirSync(join(tmp, 'out'));
  const o = (f: string) => join(tmp, 'out', f);
  writeFileSync(o('initrd.img'), readFileSync(join(root, 'boot', `initrd.img-${kernelRelease}`)));
  writeFileSync(o('vmlinux'), extractVmlinux(readFileSync(join(root, 'boot', `vmlinuz-${kernelRelease}`))));
  const packages = dpkgPackages(root);
  // Downloaded .debs and apt lists are not part of an installed system's working set.
  for (const d of ['var/cache/apt/archives', 'var/lib/apt/lists'])
    for (const f of readdirSync(join(root, d)))
      if (f !== 'partial' && f !== 'lock') rmSync(join(root, d, f), { force: true, recursive: true });
  const diskBytes = diskSize(root);
  await sh(`mkfs.ext4 -d (${Math.round(diskBytes / 2 ** 20)} MiB raw disk)`, 'mkfs.ext4', [
    '-q',
    '-F',
    '-L',
    'ctvm-debian',
    '-d',
    root,
    o('disk.raw'),
    `${Math.round(diskBytes / 1024)}k`,
  ]);
  chmodSync(o('disk.raw'), 0o444); // the base is never written: instances get qcow2 overlays
  const manifest: ImageManifest = {
    key,
    spec,
    kernelRelease,
    packages,
    diskBytes,
    buildSeconds: Math.round((Date.now() - t0) / 100) / 10,
    builtAt: new Date().toISOString(),
  };
  writeFileSync(o('build.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  rmSync(root, { recursive: true, force: true });
  out.end();
  renameSync(logFile, o('build.log'));
  try {
    renameSync(join(tmp, 'out'), final.dir);
  } catch (err) {
    if (!existsSync(final.manifest)) throw err; // else another builder finished first: use theirs
  }
  log(
    `ctvm: Debian guest image ${key} built in ${manifest.buildSeconds} s (kernel ${kernelRelease}, ${Object.keys(packages).length} packages)`,
  );
  return final;
}

/** Runs one build command, its output appended to the build log; a failure names the step and shows the tail. */
export function shellFor(
  out: { write(s: string): unknown },
  logFile: string,
  log: (line: string) => void,
): (what: string, file: string, args: string[]) => Promise<void> {
  return async (what, file, args) => {
    log(`ctvm:   ${what}`);
    // Loaded here, not at the top: the VM path imports this module, and execa costs ~100 ms.
    const { execa } = await import('execa');
    const r = await execa(file, args, {
      reject: false,
      all: true,
      buffer: true,
      env: { DEBIAN_FRONTEND: 'noninteractive', LC_ALL: 'C' },
    });
    out.write(`$ ${file} ${args.join(' ')}\n${r.all ?? ''}\n`);
    if (r.exitCode !== 0)
      throw new HostError(
        `building the Debian guest image: ${what} failed (exit ${r.exitCode ?? r.signal})`,
        {
          hint: `last output: ${(r.all ?? '').trim().split('\n').slice(-4).join(' | ')} (full log ${logFile})`,
        },
      );
  };
}
