// Where ctvm keeps things: project-relative build/cache dirs, host-wide state dirs.
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

export const PROJECT_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');
/** Native helpers compiled by setup (native/*.c -> build/<name>). */
export const BUILD_DIR = process.env.CTVM_BUILD_DIR ?? join(PROJECT_DIR, 'build');
/** Downloaded/derived artefacts: guest kernel, rootfs trees, initramfs images. */
export const CACHE_DIR = process.env.CTVM_CACHE_DIR ?? join(PROJECT_DIR, '.cache');
export const KERNEL_DIR = join(CACHE_DIR, 'kernel');
/** Per-instance runtime state (one dir per live instance; `ctvm gc` reaps dead owners' dirs). */
export const STATE_DIR = process.env.CTVM_STATE_DIR ?? '/run/ctvm';
export const RESULTS_DIR = join(PROJECT_DIR, 'results');
export const REPORTS_DIR = join(PROJECT_DIR, 'reports');
