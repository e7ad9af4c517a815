// sha256File's memo: a remembered digest is reused only while the file's identity (inode, size,
// mtime, ctime) holds; a rewrite — even one that restores the mtime — is hashed again, and a
// corrupt or unwritable memo costs only the hashing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sha256File } from '../../../src/util/file-digest.js';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

test('the digest is right, remembered in the memo file, and recomputed after a rewrite', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ctvm-digest-test-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'bin');
  const memo = join(dir, 'memo.json');
  writeFileSync(file, 'first');
  assert.equal(sha256File(file, memo), sha('first'));
  const saved = JSON.parse(readFileSync(memo, 'utf8')) as Record<string, string>;
  assert.deepEqual(Object.values(saved), [sha('first')]);

  // Same length, mtime put back: only the ctime (and the bytes) differ. The memo must not answer.
  const before = statSync(file);
  writeFileSync(file, 'other');
  utimesSync(file, before.atime, before.mtime);
  assert.equal(sha256File(file, memo), sha('other'));
});

test('a corrupt memo is ignored, and one that cannot be written still yields the digest', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ctvm-digest-test-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'bin');
  writeFileSync(file, 'bytes');
  const corrupt = join(dir, 'corrupt.json');
  writeFileSync(corrupt, '{not json');
  assert.equal(sha256File(file, corrupt), sha('bytes'));
  // A memo path that cannot be written, even by root: a file stands where its directory should be.
  writeFileSync(join(dir, 'afile'), '');
  assert.equal(sha256File(file, join(dir, 'afile', 'memo.json')), sha('bytes'));
});
