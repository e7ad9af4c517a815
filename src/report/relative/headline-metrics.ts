// Which metric(s) of a workload the relative-to-native table shows: one small table, first match
// wins; a workload it does not name (or whose named metrics the run lacks) gets every metric it
// reported except the by-products every sampler adds, so new metrics appear without code changes.

export interface HeadlineRule {
  workload: RegExp;
  metrics: readonly string[];
  /** Said under the table when the workload is in it: how its rows are not like with like. */
  caveat?: string;
}

export const HEADLINE_RULES: readonly HeadlineRule[] = [
  // fio reports both figures; one is the other times the block size, so each job shows its own.
  { workload: /^fio:rand/, metrics: ['iops'] },
  { workload: /^fio:seq/, metrics: ['throughputMBps'] },
  { workload: /^(xz|cpu|syscall|sysbench|host:.+)$/, metrics: ['workNs'] },
  { workload: /^mem$/, metrics: ['throughputMBps'] },
  { workload: /^gups$/, metrics: ['randomAccessMups'] },
  {
    workload: /^io$/,
    metrics: ['throughputMBps'],
    caveat:
      "io (the probe writes and fsyncs a file in its working directory) does not use the scratch disk: each environment writes to its own root (the host disk for bare and containers, the guest's RAM-backed root for a VM), so its ratios compare different media",
  },
  { workload: /^sockperf/, metrics: ['rttP50Ns', 'rttP99Ns'] },
  { workload: /^iperf3/, metrics: ['tcpBitsPerSec'] },
  {
    workload: /^redis/,
    metrics: [
      'redisGetOpsPerSec',
      'redisSetOpsPerSec',
      'redisGetP50Ns',
      'redisGetP99Ns',
      'redisSetP50Ns',
      'redisSetP99Ns',
    ],
  },
];

/**
 * Metrics a sample carries beside the workload's own figure: host CPU over the instance's whole
 * life (a VM's boot included) and guest facts that travel as metrics. workNs is a by-product too
 * when the workload reports a figure of its own (a client's run time, fio's lay-out included).
 */
const BY_PRODUCT = (metric: string): boolean => metric === 'cpuNs' || /^guest[A-Z]/.test(metric);

/** The headline metrics of `workload` among the metrics the run has for it, in table order. */
export function headlineMetrics(workload: string, present: ReadonlySet<string>): string[] {
  const rule = HEADLINE_RULES.find((r) => r.workload.test(workload));
  const named = rule?.metrics.filter((m) => present.has(m)) ?? [];
  if (named.length) return named;
  const own = [...present].filter((m) => !BY_PRODUCT(m) && m !== 'workNs' && m !== '-').sort();
  if (own.length) return own;
  return present.has('workNs') ? ['workNs'] : [];
}

/** The caveat of `workload`'s rule, if it has one. */
export function headlineCaveat(workload: string): string | undefined {
  return HEADLINE_RULES.find((r) => r.workload.test(workload))?.caveat;
}
