/** ALB thresholds: shared by the alb.* checks and the stack's CloudWatch alarms. */
import type { Threshold } from "../model.js";

export const ALB_5XX_RATE = {
  maxPercent: {
    unit: "%",
    default: 1,
    min: 0,
    max: 100,
    description:
      "(HTTPCode_ELB_5XX_Count + HTTPCode_Target_5XX_Count) ÷ RequestCount over the window above this fails.",
  },
  maxMinutePercent: {
    unit: "%",
    default: 5,
    min: 0,
    max: 100,
    description:
      "The worst single minute's 5xx share above this fails, so one bad minute inside a quiet hour is not averaged away. A judgement call (the window limit is 1 %); minutes with fewer than minMinuteRequests requests are not judged alone.",
  },
  minMinuteRequests: {
    unit: "count",
    default: 10,
    min: 1,
    description:
      "A minute needs at least this many requests (or 5xx responses) for its own share to be judged.",
  },
} satisfies Record<string, Threshold>;

export const ALB_P95_LATENCY = {
  warnSeconds: {
    unit: "s",
    default: 10,
    min: 0,
    description: "Peak p95 TargetResponseTime above this warns (10–15 s happens during heavy bursts).",
  },
  failSeconds: {
    unit: "s",
    default: 15,
    min: 0,
    description:
      "p95 TargetResponseTime above this for sustainedMinutes fails: pip's socket timeout is 15 s (--timeout default), so those clients fail.",
  },
  sustainedMinutes: {
    unit: "min",
    default: 3,
    min: 1,
    description:
      "How many consecutive minutes p95 must stay above failSeconds to fail (a shorter spike warns).",
  },
} satisfies Record<string, Threshold>;

export const ALB_UNHEALTHY_HOSTS = {
  maxUnhealthy: {
    unit: "count",
    default: 0,
    min: 0,
    description:
      "Targets persistently unhealthy (or in an AZ the load balancer does not use) above this fails; initial, draining and unused-while-replaced are transitional.",
  },
  unhealthyMinutes: {
    unit: "min",
    default: 3,
    min: 1,
    description:
      "An unhealthy target fails when UnHealthyHostCount was above zero for this many consecutive minutes up to now (or when the metric is not there to tell).",
  },
} satisfies Record<string, Threshold>;
