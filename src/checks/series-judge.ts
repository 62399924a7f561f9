/**
 * One way to judge a CloudWatch series, shared by every metric check: by wall-clock time from the
 * timestamps, never by counting datapoints.
 *
 * - A datapoint stands for the interval that starts at its timestamp and lasts the series' own spacing.
 *   CloudWatch stamps an aggregated datapoint at the start of its period, and EC2 basic monitoring (the
 *   default of both fleets: our launch template's `Monitoring.Enabled: false`, the Terraform module's launch
 *   template without a `monitoring` block) publishes one AWS/EC2 datapoint per 5 minutes, stamped at the
 *   interval's start (AWS docs: ec2/viewing_metrics_with_cloudwatch "Instance metrics", "basic monitoring …
 *   5-minute periods"; FACTS §9). Asked with Period 60, GetMetricData answers those 5-minute points at
 *   their own stamps, so the spacing is read from the timestamps, not from the query period.
 * - A run of datapoints above a limit continues across a gap of up to one spacing (one missing datapoint)
 *   and lasts from its first point's start to its last point's end.
 * - Counts too small to judge alone (a minute with 3 requests; a percentile of 3 samples is their maximum)
 *   are judged in wider units: the low-volume minutes gathered into 5-, 10- or 15-minute blocks until
 *   the block has the volume. `describeWidening` says so in words.
 * - Trends take the steeper of the recent slope and the window's slope, so a balance that recharged for
 *   most of the hour and drains now is judged by the drain.
 *
 * Pure: no I/O, no clock. Property tests: test/unit/core/series-judge.property.test.ts.
 */

/** EC2 basic monitoring's datapoint spacing (5 minutes). */
export const BASIC_MONITORING_SECONDS = 300;

/** How far back "recent" reaches for a trend, in minutes. */
export const RECENT_TREND_MINUTES = 15;

/** The widths low-volume minutes are gathered into, in minutes (narrowest first). */
export const WIDENING_MINUTES = [5, 10, 15] as const;

export interface TimedPoint {
  /** Epoch milliseconds. */
  readonly t: number;
  readonly v: number;
}

/** `[ISO time, value]` pairs as time-sorted points; unparsable times and non-finite values are dropped. */
export function timed(points: ReadonlyArray<readonly [string, number]>): TimedPoint[] {
  const out: TimedPoint[] = [];
  for (const [iso, v] of points) {
    const t = Date.parse(iso);
    if (Number.isFinite(t) && Number.isFinite(v)) out.push({ t, v });
  }
  return out.sort((a, b) => a.t - b.t);
}

/**
 * The spacing of the series' own datapoints in seconds: the most common gap between consecutive points
 * (rounded to whole minutes, ties to the shorter), never below the query period. With fewer than two
 * points, `fallback` (the query period, or what the metric is known to publish at).
 */
export function spacingSeconds(
  pts: readonly TimedPoint[],
  queryPeriod: number,
  fallback = queryPeriod,
): number {
  if (pts.length < 2) return Math.max(queryPeriod, fallback);
  const counts = new Map<number, number>();
  for (let i = 1; i < pts.length; i++) {
    const gap = Math.max(60, Math.round((pts[i]!.t - pts[i - 1]!.t) / 60_000) * 60);
    counts.set(gap, (counts.get(gap) ?? 0) + 1);
  }
  let best = queryPeriod;
  let bestCount = 0;
  for (const [gap, n] of [...counts].sort((a, b) => a[0] - b[0]))
    if (n > bestCount) {
      best = gap;
      bestCount = n;
    }
  return Math.max(queryPeriod, best);
}

/** Words naming the spacing when it is coarser than a minute (empty for one-minute series). */
export function spacingNote(spacing: number): string {
  if (spacing >= BASIC_MONITORING_SECONDS && spacing % BASIC_MONITORING_SECONDS === 0)
    return spacing === BASIC_MONITORING_SECONDS
      ? "EC2 basic monitoring: one datapoint per 5 minutes, each standing for the 5 minutes it starts"
      : `one datapoint per ${spacing / 60} minutes`;
  return spacing > 60 ? `one datapoint per ${spacing / 60} minutes` : "";
}

/** A stretch of time, [start, end) in epoch ms, with the largest value seen in it. */
export interface Run {
  readonly start: number;
  readonly end: number;
  readonly minutes: number;
  readonly peak: number;
}

/** An interval of the series (a datapoint's span, or a widened unit) and whether it is above the limit. */
export interface Interval {
  readonly start: number;
  readonly end: number;
  readonly above: boolean;
  readonly value: number;
}

/**
 * Runs of consecutive above-limit intervals. A run continues while the next above interval starts no
 * later than `maxGapMs` after the previous one ended; any interval not above ends it.
 */
export function runsOver(intervals: readonly Interval[], maxGapMs: number): Run[] {
  const sorted = [...intervals].sort((a, b) => a.start - b.start);
  const out: Run[] = [];
  let cur: { start: number; end: number; peak: number } | undefined;
  const close = () => {
    if (cur) out.push({ ...cur, minutes: (cur.end - cur.start) / 60_000 });
    cur = undefined;
  };
  for (const x of sorted) {
    if (!x.above) {
      close();
      continue;
    }
    if (cur && x.start <= cur.end + maxGapMs) {
      cur.end = Math.max(cur.end, x.end);
      cur.peak = Math.max(cur.peak, x.value);
    } else {
      close();
      cur = { start: x.start, end: x.end, peak: x.value };
    }
  }
  close();
  return out;
}

/** Each datapoint as the interval it stands for. */
export function pointIntervals(pts: readonly TimedPoint[], spacing: number, limit: number): Interval[] {
  return pts.map((p) => ({ start: p.t, end: p.t + spacing * 1000, above: p.v > limit, value: p.v }));
}

/** Runs of datapoints above `limit`, in wall-clock time (a gap of up to one spacing continues a run). */
export function runsAbove(pts: readonly TimedPoint[], limit: number, spacing: number): Run[] {
  return runsOver(pointIntervals(pts, spacing, limit), spacing * 1000);
}

/** Minutes the series spent above `limit` in total (each datapoint counts for its spacing). */
export function minutesAbove(pts: readonly TimedPoint[], limit: number, spacing: number): number {
  return (pts.filter((p) => p.v > limit).length * spacing) / 60;
}

/** The longest of some runs (the earliest among equals), or undefined. */
export function longest(runs: readonly Run[]): Run | undefined {
  return runs.reduce<Run | undefined>((a, r) => (!a || r.minutes > a.minutes ? r : a), undefined);
}

/** A limit that fails only when held: a run of failMinutes fails; shorter runs and single extremes warn. */
export interface SustainedRule {
  /** A datapoint above this counts. */
  readonly limit: number;
  /** A run at least this long fails. */
  readonly failMinutes: number;
  /** A shorter run at least this long warns (default: any run above the limit). */
  readonly warnMinutes?: number;
  /** A single datapoint above this warns even when its run is short. */
  readonly extreme?: number;
}

export interface SustainedJudgement {
  readonly status: "fail" | "warn" | "pass";
  /** fail: "sustained"; warn: "short-run" or "extreme"; pass: "ok". */
  readonly why: "sustained" | "short-run" | "extreme" | "ok";
  readonly runs: readonly Run[];
  readonly longest?: Run;
  readonly minutesAbove: number;
  readonly peak: number;
  /** Seconds between the series' own datapoints. */
  readonly spacing: number;
}

/** Judge a series against a sustained rule, by time. */
export function judgeSustained(
  pts: readonly TimedPoint[],
  spacing: number,
  rule: SustainedRule,
): SustainedJudgement {
  const runs = runsAbove(pts, rule.limit, spacing);
  const top = longest(runs);
  const peak = pts.reduce((a, p) => Math.max(a, p.v), -Infinity);
  const base = { runs, minutesAbove: minutesAbove(pts, rule.limit, spacing), peak, spacing };
  const withLongest = top ? { ...base, longest: top } : base;
  if (top && top.minutes >= rule.failMinutes) return { ...withLongest, status: "fail", why: "sustained" };
  if (top && top.minutes >= (rule.warnMinutes ?? 0))
    return { ...withLongest, status: "warn", why: "short-run" };
  if (rule.extreme !== undefined && peak > rule.extreme)
    return { ...withLongest, status: "warn", why: "extreme" };
  return { ...withLongest, status: "pass", why: "ok" };
}

/** Runs ending at the newest datapoint: how long the condition has held up to now (0 when it does not). */
export function trailingMinutes(
  pts: readonly TimedPoint[],
  spacing: number,
  holds: (v: number) => boolean,
): number {
  const runs = runsOver(
    pts.map((p) => ({ start: p.t, end: p.t + spacing * 1000, above: holds(p.v), value: p.v })),
    spacing * 1000,
  );
  const last = pts[pts.length - 1];
  const tail = runs[runs.length - 1];
  return last && tail && tail.end === last.t + spacing * 1000 ? tail.minutes : 0;
}

/** "11:05–11:20 UTC" for a run. */
export function runSpan(r: Run): string {
  const hm = (ms: number) => new Date(ms).toISOString().slice(11, 16);
  return `${hm(r.start)}–${hm(r.end)} UTC`;
}

// ---- volume ----------------------------------------------------------------------------------------

/** One judged unit: a minute with enough volume alone, or low-volume minutes gathered into a block. */
export interface VolumeUnit {
  readonly start: number;
  readonly end: number;
  /** Indices of the rows in the unit. */
  readonly members: readonly number[];
  readonly volume: number;
  /** Gathered from low-volume minutes (the width in minutes), or 0 for a minute judged alone. */
  readonly widenedTo: number;
  /** The unit reached the minimum volume (a block still short of it after the widest width does not). */
  readonly enough: boolean;
}

export interface VolumeUnits {
  readonly units: readonly VolumeUnit[];
  /** Minutes below the minimum volume on their own. */
  readonly lowMinutes: number;
  /** Of those, minutes that stayed short of the volume even in the widest block. */
  readonly shortMinutes: number;
  /** The block widths used, in minutes. */
  readonly widths: readonly number[];
}

/**
 * Units of at least `minVolume`: a row (one datapoint's interval) with enough volume is its own unit;
 * rows short of it are gathered, from the earliest on, with the other short rows that start within 5
 * minutes of it — or 10, or 15 when 5 is not enough. Rows need not be consecutive: a block collects the
 * quiet minutes of its stretch.
 */
export function unitsByVolume(
  rows: ReadonlyArray<{ readonly t: number; readonly volume: number }>,
  minVolume: number,
  spacing: number,
  widths: readonly number[] = WIDENING_MINUTES,
): VolumeUnits {
  const order = rows.map((_, i) => i).sort((a, b) => rows[a]!.t - rows[b]!.t);
  const units: VolumeUnit[] = [];
  const low: number[] = [];
  for (const i of order) {
    const r = rows[i]!;
    if (r.volume >= minVolume)
      units.push({
        start: r.t,
        end: r.t + spacing * 1000,
        members: [i],
        volume: r.volume,
        widenedTo: 0,
        enough: true,
      });
    else low.push(i);
  }
  const used = new Set<number>();
  let shortMinutes = 0;
  let k = 0;
  while (k < low.length) {
    const t0 = rows[low[k]!]!.t;
    let members: number[] = [];
    let volume = 0;
    let width = widths[0] ?? 5;
    for (const w of widths) {
      width = w;
      members = [];
      volume = 0;
      for (let j = k; j < low.length && rows[low[j]!]!.t < t0 + w * 60_000; j++) {
        members.push(low[j]!);
        volume += rows[low[j]!]!.volume;
      }
      if (volume >= minVolume) break;
    }
    const enough = volume >= minVolume;
    if (!enough) shortMinutes += (members.length * spacing) / 60;
    used.add(width);
    const last = rows[members[members.length - 1]!]!.t;
    units.push({ start: t0, end: last + spacing * 1000, members, volume, widenedTo: width, enough });
    k += members.length;
  }
  units.sort((a, b) => a.start - b.start);
  return {
    units,
    lowMinutes: (low.length * spacing) / 60,
    shortMinutes,
    widths: [...used].sort((a, b) => a - b),
  };
}

/**
 * Honest words for the widening, e.g. "12 minutes had fewer than 10 requests and were judged in 5-minute
 * blocks"; empty when every minute had the volume.
 */
export function describeWidening(u: VolumeUnits, minVolume: number, noun: string): string {
  if (u.lowMinutes === 0) return "";
  const widths =
    u.widths.length === 1
      ? `${u.widths[0]}-minute`
      : `${u.widths[0]}- to ${u.widths[u.widths.length - 1]}-minute`;
  const n = round(u.lowMinutes);
  const judged = `${n} minute${n === 1 ? "" : "s"} had fewer than ${minVolume} ${noun} and ${n === 1 ? "was" : "were"} judged in ${widths} blocks`;
  if (u.shortMinutes === 0) return judged;
  const s = round(u.shortMinutes);
  return `${judged}; ${s} of them had too few ${noun} even in ${WIDENING_MINUTES[WIDENING_MINUTES.length - 1]} minutes to be judged alone`;
}

// ---- trends ----------------------------------------------------------------------------------------

/** Least-squares slope in value units per hour (0 with fewer than two distinct times). */
export function slopePerHour(pts: readonly TimedPoint[]): number {
  if (pts.length < 2) return 0;
  const xs = pts.map((p) => p.t / 3_600_000);
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const my = pts.reduce((a, p) => a + p.v, 0) / pts.length;
  let num = 0;
  let den = 0;
  for (let i = 0; i < pts.length; i++) {
    num += (xs[i]! - mx) * (pts[i]!.v - my);
    den += (xs[i]! - mx) ** 2;
  }
  return den > 0 ? num / den : 0;
}

export interface Trend {
  /** Value units per hour over the last `recentMinutes` (needs two points there; else the window's). */
  readonly recent: number;
  readonly window: number;
  /** The steeper fall of the two (the more negative slope); a rise when neither falls. */
  readonly falling: number;
  /** Which slope `falling` is. */
  readonly from: "recent" | "window";
}

/** The trend of a balance: the steeper of the recent and the whole window's slope. */
export function trendOf(pts: readonly TimedPoint[], recentMinutes = RECENT_TREND_MINUTES): Trend {
  const window = slopePerHour(pts);
  const last = pts[pts.length - 1];
  const tail = last ? pts.filter((p) => p.t > last.t - recentMinutes * 60_000) : [];
  const recent = tail.length >= 2 ? slopePerHour(tail) : window;
  return recent < window
    ? { recent, window, falling: recent, from: "recent" }
    : { recent, window, falling: window, from: "window" };
}

function round(v: number): number {
  return Math.round(v * 10) / 10;
}
