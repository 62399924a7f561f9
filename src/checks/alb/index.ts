/** The alb.* checks, in the order they are reported. */
import type { Check } from "../model.js";
import { alb5xxRate, albIdleTimeout, albP95Latency, albTargetHealth } from "./checks.js";

export const ALB_CHECKS: Check[] = [
  albTargetHealth,
  alb5xxRate,
  albP95Latency,
  albIdleTimeout,
] as unknown as Check[];
