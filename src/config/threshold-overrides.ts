/** `--threshold <checkId>.<name>=<value>` and the config file's thresholds, validated against the registry. */
import type { Check } from "../checks/model.js";
import { UsageError } from "../errors.js";

export function parseThresholdFlags(values: readonly string[], flag = "--threshold"): Record<string, number> {
  const out: Record<string, number> = {};
  for (const raw of values) {
    const m = /^([a-z0-9-]+\.[a-z0-9-]+)\.([A-Za-z][A-Za-z0-9]*)=(.*)$/.exec(raw.trim());
    if (!m) throw new UsageError(`${flag} "${raw}": expected <check-id>.<threshold>=<number>, e.g. host.iowait.maxIowaitPercent=15`, flag);
    const value = Number(m[3]);
    if (m[3]!.trim() === "" || !Number.isFinite(value)) throw new UsageError(`${flag} "${raw}": "${m[3]}" is not a number`, flag);
    out[`${m[1]}.${m[2]}`] = value;
  }
  return out;
}

/** Every key must name a known check and one of its thresholds, and the value must be in range. */
export function validateOverrides(overrides: Readonly<Record<string, number>>, checks: readonly Check[], where: string): void {
  for (const [key, value] of Object.entries(overrides)) {
    const dot = key.lastIndexOf(".");
    const checkId = key.slice(0, dot);
    const name = key.slice(dot + 1);
    const check = checks.find((c) => c.id === checkId);
    if (!check) throw new UsageError(`${where} "${key}": unknown check "${checkId}" (pypictl doctor --list shows them)`, where);
    const t = check.thresholds[name];
    if (!t) {
      const known = Object.keys(check.thresholds);
      throw new UsageError(
        `${where} "${key}": ${checkId} has no threshold "${name}"${known.length ? ` (it has: ${known.join(", ")})` : " (it has none)"}`,
        where,
      );
    }
    if (t.min !== undefined && value < t.min) throw new UsageError(`${where} "${key}": ${value} is below the minimum ${t.min} ${t.unit}`, where);
    if (t.max !== undefined && value > t.max) throw new UsageError(`${where} "${key}": ${value} is above the maximum ${t.max} ${t.unit}`, where);
  }
}
