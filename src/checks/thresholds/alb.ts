/** ALB thresholds: shared by the alb.* checks and the stack's CloudWatch alarms. */
import type { Threshold } from "../model.js";

export const ALB_5XX_RATE = {
  maxPercent: {
    unit: "%",
    default: 1,
    min: 0,
    max: 100,
    description: "(HTTPCode_ELB_5XX_Count + HTTPCode_Target_5XX_Count) ÷ RequestCount over the window above this fails.",
  },
} satisfies Record<string, Threshold>;

export const ALB_P95_LATENCY = {
  warnSeconds: {
    unit: "s",
    default: 10,
    min: 0,
    description: "Peak p95 TargetResponseTime above this warns (10–20 s is expected during bursts).",
  },
  failSeconds: {
    unit: "s",
    default: 20,
    min: 0,
    description: "Peak p95 TargetResponseTime above this fails.",
  },
} satisfies Record<string, Threshold>;

export const ALB_UNHEALTHY_HOSTS = {
  maxUnhealthy: {
    unit: "count",
    default: 0,
    min: 0,
    description: "Targets not healthy above this fails.",
  },
} satisfies Record<string, Threshold>;
