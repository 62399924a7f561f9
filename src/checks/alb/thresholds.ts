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
      "The worst unit's 5xx share above this fails, so one bad minute inside a quiet hour is not averaged away. A unit is a minute, or a 5- to 15-minute block of quiet minutes (see minMinuteRequests). A judgement call (the window limit is 1 %).",
  },
  minMinuteRequests: {
    unit: "count",
    default: 10,
    min: 1,
    description:
      "A minute with fewer requests is judged together with the other quiet minutes of its stretch, in a 5-, 10- or 15-minute block that has this many.",
  },
  minUnitErrors: {
    unit: "count",
    default: 2,
    min: 1,
    description:
      "A unit needs at least this many 5xx responses to fail on its share: a single stray 5xx in a quiet block is noise (one 5xx an hour is a healthy fleet).",
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
      "How many wall-clock minutes p95 must stay above failSeconds to fail (a shorter spike warns).",
  },
  slowSeconds: {
    unit: "s",
    default: 5,
    min: 0,
    description:
      "p95 above this for slowMinutes fails: the module's sizing expects p95 under 5 s in normal traffic (under 10 s only in bursts), so a long stretch above it is a degraded service, not a burst.",
  },
  slowMinutes: {
    unit: "min",
    default: 30,
    min: 1,
    description: "How many wall-clock minutes p95 must stay above slowSeconds to fail. A judgement call.",
  },
  minRequests: {
    unit: "count",
    default: 20,
    min: 1,
    description:
      "A minute with fewer requests is judged in a 5- to 15-minute block of quiet minutes: a percentile of fewer than 20 samples is their maximum (nearest rank ⌈0.95 n⌉ = n), so one slow upload would read as the p95.",
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
      "An unhealthy target fails when UnHealthyHostCount was above zero for this many minutes up to now (or when the metric is not there to tell).",
  },
  transitionMinutes: {
    unit: "min",
    default: 10,
    min: 1,
    description:
      "A target in transition (draining, unused while replaced, initial) is stuck when the metrics say so this long: UnHealthyHostCount above zero, or HealthyHostCount no higher than now, for this many minutes up to now. ALB's default deregistration delay is 300 s and initial checks take healthy-threshold × interval (5 × 30 s by default), so 10 min is past any normal transition.",
  },
} satisfies Record<string, Threshold>;
