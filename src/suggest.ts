/**
 * "Did you mean …?" for names the user typed (check ids, config keys, example names), as git and gh do:
 * the known names within a small edit distance, nearest first.
 */

/** Levenshtein distance (insert, delete, substitute), case-insensitive. */
export function editDistance(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  let prev = Array.from({ length: t.length + 1 }, (_, i) => i);
  for (let i = 1; i <= s.length; i++) {
    const cur = [i];
    for (let j = 1; j <= t.length; j++)
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (s[i - 1] === t[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[t.length]!;
}

/** Known names close to `typed` (a third of its length, at least 2 edits), nearest first, at most 3. */
export function suggestions(typed: string, known: readonly string[]): string[] {
  const limit = Math.max(2, Math.floor(typed.length / 3));
  return (
    known
      .map((k) => ({ k, d: editDistance(typed, k) }))
      // Distance 0 is a case-only difference (mountpath for mountPath): the likeliest typo of all.
      .filter((x) => x.d <= limit && x.k !== typed)
      .sort((x, y) => x.d - y.d || x.k.localeCompare(y.k))
      .slice(0, 3)
      .map((x) => x.k)
  );
}

/** " Did you mean x?" (leading space), or "" when nothing is close. */
export function didYouMean(typed: string, known: readonly string[]): string {
  const s = suggestions(typed, known);
  if (s.length === 0) return "";
  return ` Did you mean ${s.map((x) => `"${x}"`).join(" or ")}?`;
}

/** ". Did you mean x?" to close a clause mid-message, or "" when nothing is close. */
export function didYouMeanClause(typed: string, known: readonly string[]): string {
  const s = didYouMean(typed, known);
  return s ? `.${s}` : "";
}
