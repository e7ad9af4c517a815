// Order statistics every other stats module builds on; imports nothing else from stats/, so
// describe, bootstrap and outliers can all use it without a cycle. Quantiles interpolate linearly
// between order statistics (Hyndman-Fan type 7: numpy's default, Python's
// statistics.quantiles(method='inclusive')).

/** A sorted copy; the brand keeps unsorted arrays out of quantile(). */
export type Sorted = readonly number[] & { readonly __sorted: true };

export function sortAsc(values: readonly number[]): Sorted {
  return [...values].sort((a, b) => a - b) as unknown as Sorted;
}

export function quantile(sorted: Sorted, q: number): number {
  if (sorted.length === 0) return NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

export function median(values: readonly number[]): number {
  return quantile(sortAsc(values), 0.5);
}
