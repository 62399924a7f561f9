/** Durations as the CLI takes them: `90s`, `30m`, `1h`, `2d`, `1w`. */
import { UsageError } from "../errors.js";
import type { Window } from "../window.js";

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

export function parseDuration(text: string, flag = "--since"): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*$/.exec(text);
  if (!m) throw new UsageError(`${flag}: "${text}" is not a duration (use e.g. 30m, 1h, 2d)`, flag);
  const ms = Number(m[1]) * UNIT_MS[m[2]!]!;
  if (ms <= 0) throw new UsageError(`${flag}: duration must be positive`, flag);
  if (ms > 15 * UNIT_MS.d!)
    throw new UsageError(`${flag}: at most 15d (CloudWatch keeps 1-minute data for 15 days)`, flag);
  return ms;
}

export function windowFor(since: string, end: Date, flag = "--since"): Window {
  const ms = parseDuration(since, flag);
  return { since, start: new Date(end.getTime() - ms).toISOString(), end: end.toISOString() };
}
