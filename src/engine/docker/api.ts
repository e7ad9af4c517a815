// The few Docker Engine API calls ctvm makes itself (ping, version, info, image lookup/removal,
// container kill/removal, past events), over the daemon's unix socket with node:http. Launches go
// through the `docker` client (launch.ts): that is the path users' start latency takes.
import { request } from 'node:http';
import { HostError } from '../../errors.js';

/** Docker Engine API version of docker.io 20.10 (Debian 12); newer daemons serve it too. */
const API = '/v1.41';
const DEFAULT_TIMEOUT_MS = 30_000;

export interface ApiResponse {
  status: number;
  body: string;
}

export class DockerApi {
  constructor(
    /** Path of the daemon's unix socket. */
    readonly socketPath: string,
  ) {}

  /** One request; rejects only when the socket cannot be reached (a non-2xx status is returned). */
  call(
    method: 'GET' | 'POST' | 'DELETE',
    path: string,
    opts: { body?: string; timeoutMs?: number } = {},
  ): Promise<ApiResponse> {
    return new Promise((resolve, reject) => {
      const req = request(
        {
          socketPath: this.socketPath,
          method,
          path: API + path,
          headers: {
            Host: 'docker',
            ...(opts.body !== undefined
              ? { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(opts.body) }
              : {}),
          },
          timeout: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS,
        },
        (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (body += c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
          res.on('error', reject);
        },
      );
      req.on('timeout', () =>
        req.destroy(new Error(`${method} ${path}: no answer in ${opts.timeoutMs ?? DEFAULT_TIMEOUT_MS} ms`)),
      );
      req.on('error', reject);
      req.end(opts.body);
    });
  }

  /** JSON of a 2xx answer; anything else is a HostError with the daemon's message. */
  async json<T>(method: 'GET' | 'POST' | 'DELETE', path: string): Promise<T> {
    const r = await this.call(method, path);
    if (r.status < 200 || r.status >= 300)
      throw new HostError(`docker ${method} ${path}: ${r.status} ${apiMessage(r.body)}`);
    return (r.body ? JSON.parse(r.body) : {}) as T;
  }

  /** True when the daemon answers /_ping with OK. */
  async ping(timeoutMs = 2000): Promise<boolean> {
    try {
      const r = await this.call('GET', '/_ping', { timeoutMs });
      return r.status === 200 && r.body === 'OK';
    } catch {
      return false;
    }
  }

  async imageExists(ref: string): Promise<boolean> {
    const r = await this.call('GET', `/images/${encodeURIComponent(ref)}/json`);
    if (r.status === 200) return true;
    if (r.status === 404) return false;
    throw new HostError(`docker image inspect ${ref}: ${r.status} ${apiMessage(r.body)}`);
  }

  async removeImage(ref: string): Promise<void> {
    const r = await this.call('DELETE', `/images/${encodeURIComponent(ref)}?noprune=0`);
    if (r.status !== 200 && r.status !== 404)
      throw new HostError(`docker rmi ${ref}: ${r.status} ${apiMessage(r.body)}`);
  }

  /** SIGKILL and removal of a container by name; a missing one is fine (already gone). */
  async forceRemove(name: string): Promise<void> {
    const r = await this.call('DELETE', `/containers/${encodeURIComponent(name)}?force=1&v=1`);
    if (r.status !== 204 && r.status !== 404 && r.status !== 409)
      throw new HostError(`docker rm -f ${name}: ${r.status} ${apiMessage(r.body)}`);
  }

  /** Names of the containers (any state) carrying `label`. */
  async containersLabelled(label: string): Promise<string[]> {
    const filters = encodeURIComponent(JSON.stringify({ label: [label] }));
    const list = await this.json<Array<{ Names?: string[] }>>(
      'GET',
      `/containers/json?all=1&filters=${filters}`,
    );
    return list.flatMap((c) => (c.Names ?? []).map((n) => n.replace(/^\//, '')));
  }

  /** Past events of one container between two wall-clock instants (seconds); returns at once. */
  async containerEvents(name: string, sinceS: number, untilS: number): Promise<DockerEvent[]> {
    const filters = encodeURIComponent(JSON.stringify({ type: ['container'], container: [name] }));
    const r = await this.call(
      'GET',
      `/events?since=${sinceS.toFixed(3)}&until=${untilS.toFixed(3)}&filters=${filters}`,
    );
    if (r.status !== 200) throw new HostError(`docker events: ${r.status} ${apiMessage(r.body)}`);
    return parseEvents(r.body);
  }
}

export interface DockerEvent {
  /** create, attach, start, die, destroy, ... */
  action: string;
  /** The daemon's wall clock, ns since the epoch. */
  timeNano: number;
  attributes: Record<string, string>;
}

/** The /events stream: one JSON object after another (newline-separated in practice). */
export function parseEvents(body: string): DockerEvent[] {
  const out: DockerEvent[] = [];
  for (const line of body.split('\n')) {
    if (!line.trim()) continue;
    const e = JSON.parse(line) as {
      Action?: string;
      status?: string;
      timeNano?: number;
      Actor?: { Attributes?: Record<string, string> };
    };
    const action = e.Action ?? e.status;
    if (action && typeof e.timeNano === 'number')
      out.push({ action, timeNano: e.timeNano, attributes: e.Actor?.Attributes ?? {} });
  }
  return out;
}

/** The daemon's `{"message": ...}` error text, or the raw body. */
function apiMessage(body: string): string {
  try {
    return (JSON.parse(body) as { message?: string }).message ?? body.trim();
  } catch {
    return body.trim();
  }
}
