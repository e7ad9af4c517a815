// Parsers of the network clients' output (sockperf, iperf3 -J, redis-benchmark --csv) into
// metrics. Each throws with the client's words when the figure it looks for is not there: a
// missing number is a failed sample, never a zero.

/** sockperf ping-pong --full-rtt: the median and p99 round trip (its `percentile` lines, in µs). */
export function parseSockperf(stdout: string): Record<string, number> {
  // Without --full-rtt sockperf reports half the round trip ("avg-latency", "Latency is"): refuse it.
  if (!/avg-rtt=/.test(stdout))
    throw new Error(`sockperf printed no round-trip figures (avg-rtt=…): ${tail(stdout)}`);
  const pct = (p: string): number => {
    const m = new RegExp(`percentile ${p.replace('.', '\\.')} =\\s*([0-9.]+)`).exec(stdout);
    if (!m) throw new Error(`sockperf printed no percentile ${p}: ${tail(stdout)}`);
    return Number(m[1]) * 1000; // µs -> ns
  };
  return { rttP50Ns: pct('50.000'), rttP99Ns: pct('99.000') };
}

/** iperf3 -J (client): the receiver's bits per second over the whole test. */
export function parseIperf3(stdout: string): Record<string, number> {
  let json: { error?: string; end?: { sum_received?: { bits_per_second?: number } } };
  try {
    json = JSON.parse(stdout) as typeof json;
  } catch {
    throw new Error(`iperf3 printed no JSON: ${tail(stdout)}`);
  }
  if (json.error) throw new Error(`iperf3: ${json.error}`);
  const bps = json.end?.sum_received?.bits_per_second;
  if (typeof bps !== 'number' || !(bps > 0))
    throw new Error('iperf3 JSON has no end.sum_received.bits_per_second');
  return { tcpBitsPerSec: bps };
}

/** redis-benchmark --csv (redis 7): per test, requests per second and p50/p99 latency (ms). */
export function parseRedisBenchmark(stdout: string): Record<string, number> {
  const lines = stdout.split('\n').filter((l) => l.trim() !== '');
  const head = lines.findIndex((l) => l.startsWith('"test"'));
  if (head < 0) throw new Error(`redis-benchmark printed no CSV header: ${tail(stdout)}`);
  const cols = csv(lines[head]!);
  const col = (name: string): number => {
    const i = cols.indexOf(name);
    if (i < 0) throw new Error(`redis-benchmark CSV has no column ${name} (has ${cols.join(', ')})`);
    return i;
  };
  const [rps, p50, p99] = [col('rps'), col('p50_latency_ms'), col('p99_latency_ms')];
  const out: Record<string, number> = {};
  for (const line of lines.slice(head + 1)) {
    const f = csv(line);
    const name = { GET: 'Get', SET: 'Set' }[f[0] ?? ''];
    if (!name) continue;
    out[`redis${name}OpsPerSec`] = Number(f[rps]);
    out[`redis${name}P50Ns`] = Number(f[p50]) * 1e6;
    out[`redis${name}P99Ns`] = Number(f[p99]) * 1e6;
  }
  for (const name of ['Get', 'Set'])
    if (
      !(out[`redis${name}OpsPerSec`]! > 0) ||
      !['P50Ns', 'P99Ns'].every((k) => out[`redis${name}${k}`]! >= 0)
    )
      throw new Error(`redis-benchmark printed no ${name.toUpperCase()} figures: ${tail(stdout)}`);
  return out;
}

/** One line of redis-benchmark's CSV: every field quoted, no embedded quotes or commas. */
function csv(line: string): string[] {
  return line.split(',').map((f) => f.trim().replace(/^"(.*)"$/, '$1'));
}

function tail(s: string): string {
  const lines = s.trim().split('\n');
  return lines.slice(-3).join(' | ') || '(no output)';
}
