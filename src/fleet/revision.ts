// The controller's git revision, shipped to each host as `git archive` of that commit (what is
// committed, nothing else: a dirty tree is a warning, since hosts would run other code).
import { join } from 'node:path';
import { execa } from 'execa';
import { UsageError } from '../errors.js';
import { PROJECT_DIR } from '../paths.js';

export async function headRevision(): Promise<{ revision: string; dirty: boolean }> {
  const rev = await execa('git', ['rev-parse', 'HEAD'], { cwd: PROJECT_DIR, reject: false });
  if (rev.exitCode !== 0)
    throw new UsageError(`${PROJECT_DIR} is not a git checkout: a fleet ships a git revision to each host`, {
      hint: 'run ctvm fleet from a git clone of ctvm',
    });
  const st = await execa('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: PROJECT_DIR });
  return { revision: rev.stdout.trim(), dirty: st.stdout.trim() !== '' };
}

/** Writes `git archive` of `revision` as a .tar.gz into `dir`; returns its path. */
export async function archiveRevision(revision: string, dir: string): Promise<string> {
  const file = join(dir, `ctvm-${revision.slice(0, 12)}.tar.gz`);
  const r = await execa('git', ['archive', '--format=tar.gz', '-o', file, revision], {
    cwd: PROJECT_DIR,
    reject: false,
  });
  if (r.exitCode !== 0)
    throw new UsageError(`git archive ${revision} failed: ${r.stderr.trim()}`, {
      hint: "is the revision in this clone? (--resume ships the fleet's original revision)",
    });
  return file;
}
