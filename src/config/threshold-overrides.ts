/** `--threshold <checkId>.<name>=<value>` and the config file's thresholds, validated against the registry. */
import type { Check } from "../checks/model.js";
import { UsageError } from "../errors.js";
import { didYouMeanClause } from "../suggest.js";

/** No threshold (percent, count, seconds, MiB) is meaningful beyond this; 1e308 is a typo or an attack. */
export const MAX_THRESHOLD_MAGNITUDE = 1e12;

export function parseThresholdFlags(values: readonly string[], flag = "--threshold"): Record<string, number> {
  const out: Record<string, number> = {};
  for (const raw of values) {
    const m = /^([a-z0-9-]+\.[a-z0-9-]+)\.([A-Za-z][A-Za-z0-9]*)=(.*)$/.exec(raw.trim());
    if (!m)
      throw new UsageError(
        `${flag} "${raw}": expected <check-id>.<threshold>=<number>, e.g. host.iowait.maxIowaitPercent=15`,
        flag,
      );
    // Plain decimal only: Number() would also take 0x10, 1e308, Infinity and " 5 ".
    if (!/^-?\d{1,12}(\.\d{1,12})?$/.test(m[3]!))
      throw new UsageError(
        `${flag} "${raw}": "${m[3]}" is not a decimal number (digits, an optional - and decimal point)`,
        flag,
      );
    const value = Number(m[3]);
    out[`${m[1]}.${m[2]}`] = value;
  }
  return out;
}

/** Every key must name a known check and one of its thresholds, and the value must be in range. */
export function validateOverrides(
  overrides: Readonly<Record<string, number>>,
  checks: readonly Check[],
  where: string,
): void {
  for (const [key, value] of Object.entries(overrides)) {
    const dot = key.lastIndexOf(".");
    const checkId = key.slice(0, dot);
    const name = key.slice(dot + 1);
    const check = checks.find((c) => c.id === checkId);
    if (!check)
      throw new UsageError(
        `${where} "${key}": unknown check "${checkId}"${didYouMeanClause(
          checkId,
          checks.map((c) => c.id),
        )} (pypictl doctor --list shows them)`,
        where,
      );
    const t = check.thresholds[name];
    if (!t) {
      const known = Object.keys(check.thresholds);
      throw new UsageError(
        `${where} "${key}": ${checkId} has no threshold "${name}"${didYouMeanClause(name, known)}${known.length ? ` (it has: ${known.join(", ")})` : " (it has none)"}`,
        where,
      );
    }
    if (!Number.isFinite(value) || Math.abs(value) > MAX_THRESHOLD_MAGNITUDE)
      throw new UsageError(
        `${where} "${key}": ${value} is out of range (at most ${MAX_THRESHOLD_MAGNITUDE} in size)`,
        where,
      );
    if (t.min !== undefined && value < t.min)
      throw new UsageError(`${where} "${key}": ${value} is below the minimum ${t.min} ${t.unit}`, where);
    if (t.max !== undefined && value > t.max)
      throw new UsageError(`${where} "${key}": ${value} is above the maximum ${t.max} ${t.unit}`, where);
  }
}
