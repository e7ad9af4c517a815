// The network clients' parsers against output captured from the real tools on this project's
// Debian 12 host (sockperf 3.7, iperf 3.12, redis-benchmark 7.0.15; test/fixtures/net/), and
// their refusals: half-RTT figures, an iperf3 error, a missing test are errors, never zeros.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_DIR } from '../../../src/paths.js';
import { parseIperf3, parseRedisBenchmark, parseSockperf } from '../../../src/workload/net-parsers.js';
import { serverScript } from '../../../src/workload/net-workloads.js';

const fixture = (name: string): string => readFileSync(join(PROJECT_DIR, 'test/fixtures/net', name), 'utf8');

test('sockperf ping-pong --full-rtt: median and p99 round trip in ns; half-RTT output is refused', () => {
  assert.deepEqual(parseSockperf(fixture('sockperf-full-rtt.txt')), SOCKPERF_EXPECTED);
  assert.throws(() => parseSockperf(fixture('sockperf-half-rtt.txt')), /no round-trip figures \(avg-rtt=…\)/);
  assert.throws(() => parseSockperf('sockperf: avg-rtt=1.0\n'), /no percentile 50\.000/);
});

test('iperf3 -J: the receiver bits per second; an error is the error', () => {
  assert.deepEqual(parseIperf3(fixture('iperf3.json')), IPERF3_EXPECTED);
  assert.throws(
    () => parseIperf3(fixture('iperf3-refused.json')),
    /^Error: iperf3: unable to connect to server/,
  );
  assert.throws(() => parseIperf3('iperf3: error'), /iperf3 printed no JSON: iperf3: error/);
});

test('redis-benchmark --csv: GET/SET rate and p50/p99 in ns; a missing test is an error', () => {
  assert.deepEqual(parseRedisBenchmark(fixture('redis-benchmark.csv')), REDIS_EXPECTED);
  const onlySet = fixture('redis-benchmark.csv')
    .split('\n')
    .filter((l) => !l.startsWith('"GET"'))
    .join('\n');
  assert.throws(() => parseRedisBenchmark(onlySet), /redis-benchmark printed no GET figures/);
  assert.throws(() => parseRedisBenchmark('Could not connect to Redis at 10.0.0.1:6379'), /no CSV header/);
});

test('the server script prints READY once the port (hex, as /proc/net/tcp has it) listens, then execs the server', () => {
  const s = serverScript(6379);
  assert.match(s, /\$2 ~ \/:18EB\$\/ && \$4 == "0A"/);
  assert.match(s, /echo READY \) & exec "\$0" "\$@"$/);
});

// The figures in the fixtures, read by eye: sockperf's `percentile 50.000 = 17.543` and
// `99.000 = 76.645` (µs); iperf3's end.sum_received.bits_per_second; redis-benchmark's rows.
const SOCKPERF_EXPECTED = { rttP50Ns: 17_543, rttP99Ns: 76_645 };
const IPERF3_EXPECTED = { tcpBitsPerSec: 9624950124.40184 };
const REDIS_EXPECTED = {
  redisSetOpsPerSec: 28490.03,
  redisSetP50Ns: 183_000,
  redisSetP99Ns: 559_000,
  redisGetOpsPerSec: 33112.59,
  redisGetP50Ns: 167_000,
  redisGetP99Ns: 407_000,
};
