/**
 * `size --since`: days to months. CloudWatch keeps hourly data for 455 days (CloudWatch concepts, "Metrics
 * retention"), so that is the longest window; doctor's 15-day cap (1-minute data) does not apply here.
 */
import { UsageError } from "../../errors.js";
import type { Window } from "../../window.js";
import { MAX_SIZE_WINDOW_DAYS } from "../../capacity/evidence.js";

const UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
export const DEFAULT_SIZE_SINCE = "14d";

export function sizeWindow(since: string | undefined, end: Date): Window {
  const text = since ?? DEFAULT_SIZE_SINCE;
  const m = /^\s*(\d+(?:\.\d+)?)\s*([mhdw])\s*$/.exec(text);
  if (!m) throw new UsageError(`--since: "${text}" is not a duration (use e.g. 14d, 30d, 12w)`, "--since");
  const ms = Number(m[1]) * UNIT_MS[m[2]!]!;
  if (ms < 3_600_000)
    throw new UsageError(`--since: at least 1h (sizing needs bursts to compare), got ${text}`, "--since");
  if (ms > MAX_SIZE_WINDOW_DAYS * UNIT_MS.d!)
    throw new UsageError(
      `--since: at most ${MAX_SIZE_WINDOW_DAYS}d (CloudWatch keeps hourly data for 455 days), got ${text}`,
      "--since",
    );
  return { since: text, start: new Date(end.getTime() - ms).toISOString(), end: end.toISOString() };
}
