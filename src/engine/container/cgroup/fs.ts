// cgroupfs file access with crun-style errors: "write `path` = `data`: ERRNO", plus a diagnosis
// of the usual cause (a controller that is not mounted / not enabled for this cgroup).
import {
  closeSync,
  existsSync,
  openSync,
  readFileSync,
  readdirSync,
  rmdirSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { SystemError } from '../../../errors.js';
import { parseMountinfo } from '../../../host/cgroup-mode.js';

function errnoOf(err: unknown): string {
  return (err as NodeJS.ErrnoException | undefined)?.code ?? 'EIO';
}

/** Says why writing `file` failed when the answer is "the controller is not there". */
export function diagnose(file: string, errno: string): string | undefined {
  const controller = basename(file).split('.')[0] ?? '';
  const dir = dirname(file);
  if (errno === 'ENOENT' && !existsSync(dir)) return `cgroup ${dir} does not exist`;
  if (errno !== 'ENOENT' && errno !== 'EOPNOTSUPP') return undefined;
  const v2List = join(dirname(dir), 'cgroup.subtree_control');
  if (existsSync(join(dir, 'cgroup.controllers'))) {
    const have = readText(join(dir, 'cgroup.controllers')).trim();
    return `controller '${controller}' is not enabled for ${dir} (cgroup.controllers: '${have}'; enable it in ${v2List})`;
  }
  return `controller '${controller}' is not available here (is the ${controller} hierarchy mounted?)`;
}

export function writeCgroupFile(file: string, data: string): void {
  try {
    writeFileSync(file, data);
  } catch (err) {
    const errno = errnoOf(err);
    throw new SystemError(`write ${JSON.stringify(data)} to`, file, errno, {
      hint: diagnose(file, errno),
      cause: err,
    });
  }
}

/**
 * One write() per line on one open file: cgroupfs takes each write as one rule (devices.allow
 * parses a single rule and ignores the rest of a buffer). A regular file collects them all.
 */
export function writeCgroupLines(file: string, lines: readonly string[]): void {
  let fd: number | undefined;
  let line = '';
  try {
    fd = openSync(file, 'w');
    for (line of lines) writeSync(fd, line + '\n');
  } catch (err) {
    const errno = errnoOf(err);
    throw new SystemError(`write ${JSON.stringify(line)} to`, file, errno, {
      hint: diagnose(file, errno),
      cause: err,
    });
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

export function readText(file: string): string {
  return readFileSync(file, 'utf8');
}

/** Reads a number file; undefined when the file does not exist (optional kernel feature). */
export function readNumber(file: string): number | undefined {
  try {
    const text = readFileSync(file, 'utf8').trim();
    return text === 'max' ? Infinity : Number(text);
  } catch (err) {
    if (errnoOf(err) === 'ENOENT') return undefined;
    throw new SystemError('read', file, errnoOf(err), { cause: err });
  }
}

/** "key value" lines (memory.stat, cpu.stat, memory.events, memory.oom_control). */
export function readKeyed(file: string): Record<string, number> {
  const out: Record<string, number> = {};
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if (errnoOf(err) === 'ENOENT') return out;
    throw new SystemError('read', file, errnoOf(err), { cause: err });
  }
  for (const line of text.split('\n')) {
    const [k, v] = line.split(' ');
    if (k && v !== undefined) out[k] = Number(v);
  }
  return out;
}

export function readPids(procsFile: string): number[] {
  try {
    return readFileSync(procsFile, 'utf8').split('\n').filter(Boolean).map(Number);
  } catch (err) {
    if (errnoOf(err) === 'ENOENT') return [];
    throw new SystemError('read', procsFile, errnoOf(err), { cause: err });
  }
}

export function listDirs(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name);
  } catch {
    return [];
  }
}

/**
 * `dir` and every cgroup below it, children before their parent (the order rmdir needs). A
 * workload can create sub-cgroups, so teardown must see the whole tree, not the top dir.
 */
export function cgroupTree(dir: string): string[] {
  const out: string[] = [];
  for (const child of listDirs(dir)) out.push(...cgroupTree(join(dir, child)));
  out.push(dir);
  return out;
}

/** Every pid in the trees below `dirs` (each cgroup.procs lists only its own cgroup's). */
export function treePids(dirs: Iterable<string>): number[] {
  const all = new Set<number>();
  for (const top of dirs)
    for (const dir of cgroupTree(top)) for (const p of readPids(join(dir, 'cgroup.procs'))) all.add(p);
  return [...all];
}

/** rmdir that tolerates "already gone". Cgroup dirs hold only virtual files, so rmdir suffices. */
export function rmdirCgroup(dir: string): void {
  try {
    rmdirSync(dir);
  } catch (err) {
    if (errnoOf(err) !== 'ENOENT') throw new SystemError('rmdir', dir, errnoOf(err), { cause: err });
  }
}

export const sleepMs = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Trimmed file content, or '' when it cannot be read (optional files, e.g. cpuset.mems). */
export function readOr(file: string): string {
  try {
    return readText(file).trim();
  } catch {
    return '';
  }
}

/** Mount points of every cgroup hierarchy on this host: v1 controllers, named ones, cgroup2. */
export function cgroupMountPoints(mountinfo = readFileSync('/proc/self/mountinfo', 'utf8')): string[] {
  return parseMountinfo(mountinfo)
    .filter((m) => m.fsType === 'cgroup' || m.fsType === 'cgroup2')
    .map((m) => m.mountPoint);
}

/**
 * rmdir `<hierarchy>/<parent>` wherever it exists and is empty, so no ctvm-named cgroup outlives
 * the process that used it. A parent another process still uses fails with EBUSY and is left.
 * Returns the dirs removed.
 */
export function pruneEmptyParents(parents: string[], mounts = cgroupMountPoints()): string[] {
  const removed: string[] = [];
  for (const mount of mounts)
    for (const parent of parents) {
      const dir = join(mount, parent);
      if (!existsSync(dir)) continue;
      try {
        rmdirSync(dir);
        removed.push(dir);
      } catch {
        /* in use (EBUSY) or raced away: leave it */
      }
    }
  return removed;
}

const pruneHooked = new Set<string>();
/** Prune `parent` when this process exits (sync: exit handlers cannot await). */
export function pruneParentAtExit(parent: string): void {
  if (pruneHooked.has(parent)) return;
  pruneHooked.add(parent);
  process.once('exit', () => pruneEmptyParents([parent]));
}
