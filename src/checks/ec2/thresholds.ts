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
      "Busiest minus idlest instance's mean CPU above this warns: traffic concentrates on one host.",
  },
} satisfies Record<string, Threshold>;
