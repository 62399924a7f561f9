/** EC2 thresholds (burstable credits, CPU skew across instances). */
import type { Threshold } from "../model.js";

export const EC2_CPU_CREDITS = {
  minCredits: {
    unit: "credits",
    default: 1,
    min: 0,
    description:
      "Burstable instance: lowest CPUCreditBalance below this counts as out of credits: fails in standard mode (held to baseline), not in unlimited mode (keeps bursting, billed surplus).",
  },
} satisfies Record<string, Threshold>;

export const EC2_CPU_SKEW = {
  maxSkewPoints: {
    unit: "percentage points",
    default: 30,
    min: 0,
    max: 100,
    description:
      "Busiest minus idlest mean CPU among the instances running pypiserver tasks above this warns: one host does more work (uneven task placement or another process on it). A judgement call.",
  },
  minCompareMinutes: {
    unit: "min",
    default: 15,
    min: 5,
    max: 1440,
    description:
      "An instance whose pypiserver tasks have run for less than this is not compared (three 5-minute EC2 basic-monitoring datapoints; a judgement call).",
  },
} satisfies Record<string, Threshold>;
