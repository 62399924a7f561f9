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

/**
 * Whether swap is under pressure in the judged samples: pages written out (`so`, memory is being taken
 * away now) in any sample, or pages read back in (`si`) for a sustained run of consecutive samples. A
 * single page-in is an idle process touching a page it parked long ago — normal on the Terraform
 * module's hosts, which carry a 2×RAM swapfile (terraform-aws-ecs datasources.tf) — not pressure.
 */
export function swapPressure(
  rows: ReadonlyArray<Record<string, number>>,
  limitKiBps: number,
  minSwapInSamples: number,
): { siMax: number; soMax: number; siRun: number; soSamples: number; moving: boolean } {
  let run = 0;
  let siRun = 0;
  let soSamples = 0;
  for (const r of rows) {
    run = r.si! > limitKiBps ? run + 1 : 0;
    siRun = Math.max(siRun, run);
    if (r.so! > limitKiBps) soSamples++;
  }
  const siMax = Math.max(...rows.map((r) => r.si!));
  const soMax = Math.max(...rows.map((r) => r.so!));
  // With fewer judged samples than the run asked for, every sample swapping in is as sustained as it gets.
  const needed = Math.min(minSwapInSamples, rows.length);
  return { siMax, soMax, siRun, soSamples, moving: soSamples > 0 || (siRun > 0 && siRun >= needed) };
}
