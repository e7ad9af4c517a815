// The subset of the OCI runtime-spec config.json that ctvm reads and writes: process, root,
// hostname, mounts, linux.namespaces, linux.resources (memory, cpu, pids), masked/readonly paths,
// linux.seccomp.
import type { OciSeccomp } from '../container/seccomp.js';

export interface OciMount {
  destination: string;
  type?: string;
  source?: string;
  options?: string[];
}

export type OciNamespaceType = 'pid' | 'mount' | 'uts' | 'ipc' | 'network' | 'cgroup' | 'user';

export interface OciConfig {
  ociVersion: string;
  process: {
    terminal?: boolean;
    user: { uid: number; gid: number };
    args: string[];
    env?: string[];
    cwd: string;
    capabilities?: Record<'bounding' | 'effective' | 'permitted' | 'inheritable' | 'ambient', string[]>;
    noNewPrivileges?: boolean;
  };
  root: { path: string; readonly?: boolean };
  hostname?: string;
  mounts?: OciMount[];
  linux?: {
    namespaces?: Array<{ type: OciNamespaceType; path?: string }>;
    resources?: {
      memory?: { limit?: number; swap?: number };
      cpu?: { quota?: number; period?: number; shares?: number; cpus?: string };
      pids?: { limit?: number };
    };
    cgroupsPath?: string;
    maskedPaths?: string[];
    readonlyPaths?: string[];
    seccomp?: OciSeccomp;
  };
}

/** OCI namespace type <-> the helper's name. */
export const OCI_TO_NS: Record<string, string> = {
  pid: 'pid',
  mount: 'mnt',
  uts: 'uts',
  ipc: 'ipc',
  network: 'net',
  cgroup: 'cgroup',
};
