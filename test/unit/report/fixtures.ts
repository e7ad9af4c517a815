// Paths of the fixture runs the report tests read (made-up but type-exact result dirs).
import { join } from 'node:path';
import { PROJECT_DIR } from '../../../src/paths.js';

export const FIXTURES = join(PROJECT_DIR, 'test/fixtures/results');
export const QUICK = join(FIXTURES, '20261129-010000-quick');
export const TRUNCATED = join(FIXTURES, '20261129-020000-truncated');
export const EMPTY = join(FIXTURES, '20261129-030000-empty');
export const GOLDEN = join(PROJECT_DIR, 'test/unit/report/golden');
