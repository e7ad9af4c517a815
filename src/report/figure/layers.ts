// Figure 12.1's column shape and layer heights: pure data, no drawing (columns: spectrum/).
// Heights are proportional to memory (host PSS) with a floor so every layer stays readable.

export interface Layer {
  /** Figure 12.1's layer name(s); two names = one measured box split in two (Apps | Bins/Libs). */
  names: string[];
  lines: string[];
  /** Memory this layer keeps resident, when measured. */
  bytes?: number;
  fill: string;
}

export interface Column {
  title: string;
  /** Big numbers under the title. */
  summary: string;
  /** Phase path, e.g. "spawn 0.4 → namespaces 1.7 → … → ready 5.6 ms". */
  phases: string;
  /** Top to bottom. */
  layers: Layer[];
  totalBytes?: number;
  /** Said in the space a shorter stack leaves empty. */
  emptyNote?: string;
}

/** Pixel heights for memory layers: proportional to bytes on one scale shared by both columns,
 *  floored at `minPx` for legibility; the scale is the largest at which the tallest column fits. */
export function layerHeights(columns: Column[], availablePx: number, minPx: number): number[][] {
  const heightsAt = (pxPerByte: number) =>
    columns.map((c) => c.layers.map((l) => Math.max(minPx, (l.bytes ?? 0) * pxPerByte)));
  const tallest = (pxPerByte: number) =>
    Math.max(0, ...heightsAt(pxPerByte).map((hs) => hs.reduce((a, b) => a + b, 0)));
  let lo = 0;
  let hi = availablePx; // px per byte can't exceed this for any layer of >= 1 byte
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (tallest(mid) <= availablePx) lo = mid;
    else hi = mid;
  }
  return heightsAt(lo);
}
