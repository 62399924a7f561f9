/**
 * The comparison that decided a finding, in people's units (46.6 GiB, 2 h, 15 min): one wording for the
 * human, markdown and HTML reports. observed and threshold are the same quantity (test/unit/core/
 * observed-threshold.test.ts holds every check to it), so they read as one comparison.
 */
import type { Finding } from "../../checks/model.js";
import { humanise } from "../../checks/units.js";

export function observedText(f: Pick<Finding, "observed">): string | undefined {
  return f.observed ? humanise(f.observed.value, f.observed.unit) : undefined;
}

export function thresholdText(f: Pick<Finding, "threshold">): string | undefined {
  return f.threshold ? `${f.threshold.name} ${humanise(f.threshold.value, f.threshold.unit)}` : undefined;
}

/** "observed 46.6 GiB vs minBalanceBytes 9.31 GiB", "threshold maxPercent 80 %", or undefined. */
export function comparisonText(f: Pick<Finding, "observed" | "threshold">): string | undefined {
  const o = observedText(f);
  const t = thresholdText(f);
  if (o !== undefined) return `observed ${o}${t !== undefined ? ` vs ${t}` : ""}`;
  return t !== undefined ? `threshold ${t}` : undefined;
}
