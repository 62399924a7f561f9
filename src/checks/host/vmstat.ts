/** The judged vmstat samples of a host: every row after the first (which is the average since boot). */
import type { HostSnapshot } from "../../sources/host/model.js";
import { guards, isoAt, num, probeStart, sectionOf } from "./common.js";

export type Judged =
  | { ok: true; rows: Array<Record<string, number>>; times?: string[] }
  | { ok: false; error: string; tooFew?: boolean };

export function judgedSamples(snap: HostSnapshot, columns: readonly string[]): Judged {
  const s = sectionOf(snap, "vmstat", guards.vmstat);
  if (!s.ok) return { ok: false, error: s.error };
  const all = s.value.rows;
  if (all.length < 2)
    return {
      ok: false,
      tooFew: true,
      error: `only ${all.length} vmstat sample (the since-boot average, not judged): need 2 or more (--samples)`,
    };
  const rows: Array<Record<string, number>> = [];
  for (const [i, r] of all.slice(1).entries()) {
    const row: Record<string, number> = {};
    for (const c of columns) {
      const v = num(r[c]);
      if (v === undefined) return { ok: false, error: `vmstat sample ${i + 2} has no valid ${c} value` };
      row[c] = v;
    }
    rows.push(row);
  }
  const start = probeStart(snap);
  return start === undefined
    ? { ok: true, rows }
    : { ok: true, rows, times: rows.map((_, i) => isoAt(start, i + 1)) };
}

export function seriesOf(
  j: Extract<Judged, { ok: true }>,
  f: (r: Record<string, number>) => number,
): Array<[string, number]> | undefined {
  const times = j.times;
  return times ? j.rows.map((r, i) => [times[i]!, f(r)] as [string, number]) : undefined;
}
