// Client/server workloads (#14, Felter et al.'s network rows): the server runs in the instance
// (its closure in the rootfs, the same bytes everywhere), the client is the host's binary run in
// the lab netns against the instance's address on the lab bridge (src/runner/client-sample.ts).
// The server is exec'd in place of the script's sh (so stopping the instance stops it); a
// watcher prints READY only once the server's socket is listening, seen in the instance's own
// /proc/net/tcp{,6}: start latency is then "until it accepts connections", and the client never
// races the server.
import { parseIperf3, parseRedisBenchmark, parseSockperf } from './net-parsers.js';

export interface NetClient {
  /** Host program run in the lab netns. */
  program: string;
  /** Its arguments against the server at `ip`. */
  args(ip: string): string[];
  /** Its stdout -> metrics; throws when the figures are not there. */
  parse(stdout: string): Record<string, number>;
  /** Longest the client may run before the sample fails. */
  timeoutMs: number;
}

export interface NetServer {
  program: string;
  args: string[];
  script: string;
  needs: ['network'];
  client: NetClient;
}

export const SOCKPERF_PORT = 11111;
export const IPERF3_PORT = 5201;
export const REDIS_PORT = 6379;

/** How long the watcher waits for the listening socket (3000 polls, 10 ms apart, plus their cost). */
const LISTEN_POLLS = 3000;

/** busybox sh: READY once a socket listens on `port` (state 0A), while the server (exec'd) runs. */
export function serverScript(port: number): string {
  const hex = port.toString(16).toUpperCase().padStart(4, '0');
  const listening =
    `/bin/busybox cat /proc/net/tcp /proc/net/tcp6 2>/dev/null | ` +
    `/bin/busybox awk '$2 ~ /:${hex}$/ && $4 == "0A" { f = 1 } END { exit !f }'`;
  return (
    `( i=0; until ${listening}; do ` +
    // $$ is the script's pid, which exec gives to the server: stop waiting once it is gone.
    `kill -0 $$ 2>/dev/null || exit 0; i=$((i+1)); [ $i -lt ${LISTEN_POLLS} ] || exit 0; ` +
    `/bin/busybox usleep 10000; done; echo READY ) & exec "$0" "$@"`
  );
}

/** Client durations are sized so that a sample takes well under 10 s even with a TCG guest. */
export const NET_WORKLOADS: Record<string, NetServer> = {
  // TCP ping-pong (netperf TCP_RR's equivalent): one 14-byte message (sockperf's minimum) each
  // way at a time for 2 s after sockperf's 400 ms warm-up; --full-rtt reports the round trip, not
  // sockperf's default half of it.
  sockperf: {
    program: 'sockperf',
    args: ['server', '--tcp', '-i', '0.0.0.0', '-p', String(SOCKPERF_PORT)],
    script: serverScript(SOCKPERF_PORT),
    needs: ['network'],
    client: {
      program: 'sockperf',
      args: (ip) => ['ping-pong', '--tcp', '-i', ip, '-p', String(SOCKPERF_PORT), '-t', '2', '--full-rtt'],
      parse: parseSockperf,
      timeoutMs: 20_000,
    },
  },
  // One TCP stream, client -> server, 3 s; the receiver's figure.
  iperf3: {
    program: 'iperf3',
    args: ['-s', '-B', '0.0.0.0', '-p', String(IPERF3_PORT)],
    script: serverScript(IPERF3_PORT),
    needs: ['network'],
    client: {
      program: 'iperf3',
      args: (ip) => ['-c', ip, '-p', String(IPERF3_PORT), '-t', '3', '-J'],
      parse: parseIperf3,
      timeoutMs: 20_000,
    },
  },
  // redis-server without persistence; redis-benchmark SET then GET, 10 clients.
  redis: {
    program: 'redis-server',
    args: [
      '--bind',
      '0.0.0.0',
      '--port',
      String(REDIS_PORT),
      '--protected-mode',
      'no',
      '--save',
      '',
      '--appendonly',
      'no',
    ],
    script: serverScript(REDIS_PORT),
    needs: ['network'],
    client: {
      program: 'redis-benchmark',
      args: (ip) => ['-h', ip, '-p', String(REDIS_PORT), '-t', 'set,get', '-n', '10000', '-c', '10', '--csv'],
      parse: parseRedisBenchmark,
      timeoutMs: 30_000,
    },
  },
};
