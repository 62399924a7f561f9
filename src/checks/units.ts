/**
 * The quantities findings compare (issue 22: "EFS burst credits 50000000000 bytes vs 2 h" compared bytes
 * with hours). Every unit a check writes is known here, with its dimension and its size in the dimension's
 * base unit, so a test can hold every verdict to "observed and threshold are the same quantity", and the
 * renderers can print 46.6 GiB, 2 h or 15 min instead of raw bytes, seconds or minutes.
 */

export type Dimension = "count" | "percent" | "percentage points" | "time" | "bytes" | "rate" | "ratio";

interface UnitInfo {
  dimension: Dimension;
  /** Size of one unit in the dimension's base (seconds, bytes, bytes/s, 1). */
  base: number;
}

const KIB = 1024;
/** Things counted: any of these against any other is a count against a count. */
const COUNT_NOUNS = [
  "count",
  "tasks",
  "targets",
  "events",
  "credits",
  "hosts",
  "files",
  "packages",
  "kills",
  "instances",
  "requests",
];

const UNITS: Record<string, UnitInfo> = {
  ...Object.fromEntries(COUNT_NOUNS.map((n) => [n, { dimension: "count", base: 1 } as UnitInfo])),
  "%": { dimension: "percent", base: 1 },
  "% of hard limit": { dimension: "percent", base: 1 },
  "% of workers": { dimension: "percent", base: 1 },
  "percentage points": { dimension: "percentage points", base: 1 },
  ms: { dimension: "time", base: 0.001 },
  s: { dimension: "time", base: 1 },
  min: { dimension: "time", base: 60 },
  h: { dimension: "time", base: 3600 },
  d: { dimension: "time", base: 86400 },
  bytes: { dimension: "bytes", base: 1 },
  KiB: { dimension: "bytes", base: KIB },
  MiB: { dimension: "bytes", base: KIB ** 2 },
  GiB: { dimension: "bytes", base: KIB ** 3 },
  TiB: { dimension: "bytes", base: KIB ** 4 },
  "bytes/s": { dimension: "rate", base: 1 },
  "KiB/s": { dimension: "rate", base: KIB },
  "MiB/s": { dimension: "rate", base: KIB ** 2 },
  "pages/s": { dimension: "rate", base: 4096 },
  "tasks per CPU": { dimension: "ratio", base: 1 },
};

export function unitInfo(unit: string): UnitInfo | undefined {
  return UNITS[unit];
}

export function knownUnit(unit: string): boolean {
  return unit in UNITS;
}

/** Same dimension: a value in one converts to the other (MiB and bytes, min and h, tasks and count). */
export function sameQuantity(a: string, b: string): boolean {
  const x = UNITS[a];
  const y = UNITS[b];
  return x !== undefined && y !== undefined && x.dimension === y.dimension;
}

/** Significant, not noisy: 3 significant digits below 100, whole numbers above. */
function short(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const a = Math.abs(n);
  if (a >= 100 || Number.isInteger(n)) return String(Math.round(n));
  return String(Number(n.toPrecision(3)));
}

const BYTE_STEPS: ReadonlyArray<[string, number]> = [
  ["TiB", KIB ** 4],
  ["GiB", KIB ** 3],
  ["MiB", KIB ** 2],
  ["KiB", KIB],
];

/**
 * A value with its unit for people: bytes in KiB…TiB, durations in ms, s, min or h (the largest unit the
 * value is at least one of), counts without the word "count". Other units as given.
 */
export function humanise(value: number, unit: string): string {
  const info = UNITS[unit];
  if (!info || !Number.isFinite(value)) return unit === "count" ? short(value) : `${short(value)} ${unit}`;
  const inBase = value * info.base;
  if (info.dimension === "bytes" || (info.dimension === "rate" && unit !== "pages/s")) {
    const suffix = info.dimension === "rate" ? "/s" : "";
    for (const [name, size] of BYTE_STEPS)
      if (Math.abs(inBase) >= size) return `${short(inBase / size)} ${name}${suffix}`;
    return `${short(inBase)} ${info.dimension === "rate" ? "bytes/s" : "bytes"}`;
  }
  if (info.dimension === "time") {
    const a = Math.abs(inBase);
    if (a >= 2 * 3600) return `${short(inBase / 3600)} h`;
    if (a >= 120) return `${short(inBase / 60)} min`;
    if (a >= 1 || a === 0) return `${short(inBase)} s`;
    return `${short(inBase * 1000)} ms`;
  }
  if (unit === "count") return short(value);
  return `${short(value)} ${unit}`;
}
