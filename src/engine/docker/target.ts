// Which Docker daemon the `docker` environment talks to: one the user names (scenario option
// `host`, else DOCKER_HOST), which ctvm never starts, stops or cleans; or, when none is named,
// its own dockerd (daemon.ts). Only unix sockets: ctvm sends no traffic beyond this host.
import { isAbsolute } from 'node:path';
import { existsSync } from 'node:fs';
import { UsageError } from '../../errors.js';
import { which } from '../../util/which.js';

/** The daemon the user named, as a socket path, or undefined (ctvm starts its own). */
export function requestedSocket(options: Record<string, unknown> = {}): string | undefined {
  if (options.host !== undefined) {
    if (typeof options.host !== 'string')
      throw new UsageError(
        `docker option host: expected a string like "unix:///run/docker.sock", got ${JSON.stringify(options.host)}`,
      );
    return socketOf(options.host, 'docker option host');
  }
  const env = process.env.DOCKER_HOST;
  return env ? socketOf(env, 'DOCKER_HOST') : undefined;
}

/** `unix:///path` or `/path` -> `/path`; anything else is refused, naming where it came from. */
export function socketOf(host: string, field: string): string {
  const path = host.startsWith('unix://') ? host.slice('unix://'.length) : host;
  if (!isAbsolute(path))
    throw new UsageError(`${field}: "${host}" is not a unix socket`, {
      hint: 'ctvm talks to a Docker daemon on this host only: give unix:///path/to/docker.sock (or unset it to let ctvm start its own dockerd)',
    });
  return path;
}

/**
 * The client that matches Debian's dockerd: /usr/bin/docker from docker.io. Not PATH's first
 * `docker`, which may be another CLI (on this image /usr/local/bin/docker is a 28.x client).
 */
export function dockerClient(): string | null {
  return existsSync('/usr/bin/docker') ? '/usr/bin/docker' : which('docker');
}

export function dockerdPath(): string | null {
  return existsSync('/usr/sbin/dockerd') ? '/usr/sbin/dockerd' : which('dockerd');
}
