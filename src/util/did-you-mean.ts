// "did you mean" for a mistyped name: the closest candidates by edit distance (Levenshtein),
// within a third of the typed name's length, so a wild guess suggests nothing.

/** Candidates closest to `typed` (ties kept, in the given order); empty when none is close. */
export function closest(typed: string, candidates: readonly string[]): string[] {
  const limit = Math.max(1, Math.floor(typed.length / 3));
  const scored = candidates.map((c) => ({ c, d: editDistance(typed, c) })).filter((x) => x.d <= limit);
  const best = Math.min(...scored.map((x) => x.d));
  return scored.filter((x) => x.d === best).map((x) => x.c);
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++)
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length]!;
}
