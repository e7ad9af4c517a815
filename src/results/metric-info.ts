// What ctvm knows about one metric (src/results/metrics.ts lists them; src/density/metrics.ts adds
// the density ones). A file of its own so that both can import it without a cycle.
export interface MetricInfo {
  unit: 'ns' | 'bytes' | 'ratio' | 'MB/s' | 'count' | 'cpu-s/s' | 'op/s' | 'Mup/s' | 'bit/s';
  label: string;
  smallerIsBetter: boolean;
  /** What it means exactly (README mirrors these). */
  definition: string;
  /** Can be 0 or negative, so a ratio of two values means nothing (0/0, a sign flip): no ratio. */
  mayBeNonPositive?: true;
}
