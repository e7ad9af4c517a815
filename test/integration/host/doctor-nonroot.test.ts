// #12 item 3, as a real non-root user: `ctvm doctor --refresh` as uid 65534 used to end in
// "internal error: EACCES" (the root-owned cache dir); it now warns, prints the report, and says
// the container needs root. Needs root (to drop to 65534 with setpriv) and a checkout that other
// users can read; skips with the reason otherwise.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import { requires } from '../../helpers/requires.js';
import { CACHE_DIR, PROJECT_DIR } from '../../../src/paths.js';
import { which } from '../../../src/util/which.js';

/** Why uid 65534 cannot run this checkout, or null. */
function notWorldReadable(): string | null {
  const paths = [join(PROJECT_DIR, 'bin/ctvm.js'), join(PROJECT_DIR, 'node_modules/tsx/package.json')];
  for (const p of paths) {
    let d = p;
    for (;;) {
      let mode: number;
      try {
        mode = statSync(d).mode;
      } catch {
        return `${d} does not exist`;
      }
      if ((mode & 0o004) === 0 || (d !== p && (mode & 0o001) === 0)) return `${d} is not world-readable`;
      if (d === '/') break;
      d = dirname(d);
    }
  }
  return null;
}

const skip =
  requires('root') ||
  (which('setpriv') ? false : 'needs setpriv (util-linux)') ||
  (notWorldReadable() ?? false);
if (typeof skip === 'string') console.log(`# skip: ${skip}`);

test(
  'doctor --refresh as uid 65534 with a root-owned cache: a warning, the report, exit != 3',
  { skip },
  async () => {
    const r = await execa(
      'setpriv',
      [
        '--reuid=65534',
        '--regid=65534',
        '--clear-groups',
        process.execPath,
        join(PROJECT_DIR, 'bin/ctvm.js'),
        'doctor',
        '--refresh',
      ],
      { reject: false, env: { CTVM_CACHE_DIR: CACHE_DIR, HOME: '/nonexistent' }, timeout: 180_000 },
    );
    assert.notEqual(r.exitCode, 3, `${r.stdout}\n${r.stderr}`);
    assert.doesNotMatch(r.stderr, /internal error/);
    assert.match(r.stderr, /warning: cannot cache the doctor report in .*EACCES/);
    assert.match(r.stdout, /needs root/);
  },
);
