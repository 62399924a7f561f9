/**
 * A replayed `size.load` value is checked before it is sized: a bundle edited by hand or cut short must be
 * exit 2 naming the field, never a recommendation made from garbage.
 */
import { UsageError } from "../errors.js";

function fail(at: string, what: string): never {
  throw new UsageError(`${at}: ${what}`, "--replay");
}

const isObj = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);
const isTime = (v: unknown) => typeof v === "string" && !Number.isNaN(Date.parse(v));

export function validateSizeLoad(v: unknown, at: string): void {
  if (!isObj(v)) fail(at, "must be an object");
  for (const k of ["start", "end"]) if (!isTime(v[k])) fail(`${at}.${k}`, "must be an ISO-8601 time");
  const r = v.resolution;
  if (!isObj(r)) fail(`${at}.resolution`, "must be an object");
  for (const k of ["periodSeconds", "hostPeriodSeconds"]) {
    const p = r[k];
    if (typeof p !== "number" || !Number.isInteger(p) || p < 60 || p % 60 !== 0)
      fail(`${at}.resolution.${k}`, "must be a whole number of minutes in seconds (60, 300, 3600)");
  }
  if (typeof r.why !== "string") fail(`${at}.resolution.why`, "must be a string");
  if (!isObj(v.series)) fail(`${at}.series`, "must be an object");
  for (const [key, s] of Object.entries(v.series)) {
    const sa = `${at}.series.${key}`;
    if (!isObj(s)) fail(sa, "must be an object");
    if (typeof s.period !== "number" || !(s.period >= 60))
      fail(`${sa}.period`, "must be a number of seconds ≥ 60");
    if (!isTime(s.start)) fail(`${sa}.start`, "must be an ISO-8601 time");
    if (typeof s.status !== "string") fail(`${sa}.status`, "must be a string");
    if (!Array.isArray(s.values)) fail(`${sa}.values`, "must be an array");
    s.values.forEach((x, i) => {
      if (x !== null && (typeof x !== "number" || !Number.isFinite(x) || x < 0))
        fail(`${sa}.values[${i}]`, `must be a non-negative number or null (got ${JSON.stringify(x)})`);
    });
  }
  if (!isObj(v.unavailable)) fail(`${at}.unavailable`, "must be an object");
  if (typeof v.calls !== "number") fail(`${at}.calls`, "must be a number");
}
