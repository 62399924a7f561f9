/**
 * `a.localeCompare(b)` without the locale machinery when it cannot matter (issue 12). The first
 * localeCompare of a process loads ICU's collator: ~20 ms, a tenth of Node's whole start-up, spent
 * sorting instance ids and timestamps. Sorted strings that are ASCII up to their first difference, where
 * both characters are lowercase letters, digits, "-" or ".", order the same by code unit as by the
 * collator (its order of those characters is the same, and the first difference decides); any other
 * pair is handed to localeCompare, so the order is localeCompare's for every input.
 */

/** a–z, 0–9, "-", ".": ordered alike by code unit and by the root collation. */
function plain(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2e;
}

export function compareText(a: string, b: string): number {
  if (a === b) return 0; // two targets per instance: equal ids are common
  const n = Math.min(a.length, b.length);
  let k = 0;
  for (; k < n; k++) {
    const c = a.charCodeAt(k);
    if (c !== b.charCodeAt(k)) break;
    if (c < 0x20 || c > 0x7e) return a.localeCompare(b); // ignorable or beyond ASCII: the collator decides
  }
  if (k === n) {
    // One is a prefix of the other (equal strings returned above).
    const next = a.length > n ? a.charCodeAt(n) : b.charCodeAt(n);
    if (!plain(next)) return a.localeCompare(b);
    return a.length < b.length ? -1 : 1;
  }
  const x = a.charCodeAt(k);
  const y = b.charCodeAt(k);
  return plain(x) && plain(y) ? (x < y ? -1 : 1) : a.localeCompare(b);
}
