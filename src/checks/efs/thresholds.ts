/** EFS thresholds: shared by the efs.* checks and the stack's CloudWatch alarms. */
import type { Threshold } from "../model.js";

export const EFS_PERCENT_IO_LIMIT = {
  maxPercent: {
    unit: "%",
    default: 80,
    min: 0,
    max: 100,
    description:
      "PercentIOLimit (General Purpose I/O-operations ceiling) above this for sustainedMinutes fails (the module's alarm: Average > 80 over 2 × 300 s); a shorter run warns (see warnMinutes).",
  },
  sustainedMinutes: {
    unit: "min",
    default: 10,
    min: 1,
    description:
      "Wall-clock minutes PercentIOLimit must stay above maxPercent to fail (the module's alarm looks at 2 periods of 5 minutes).",
  },
  warnMinutes: {
    unit: "min",
    default: 5,
    min: 1,
    description:
      "A shorter run above maxPercent at least this long warns (e.g. 9 minutes at 100 %, or bursts of 6 minutes): listings were throttled for that long.",
  },
  extremePercent: {
    unit: "%",
    default: 99,
    min: 0,
    max: 100,
    description: "A single datapoint above this (at the I/O ceiling) warns even when its run is short.",
  },
} satisfies Record<string, Threshold>;

export const EFS_THROUGHPUT_UTILIZATION = {
  warnPercent: {
    unit: "%",
    default: 80,
    min: 0,
    max: 100,
    description:
      "Peak Sum(MeteredIOBytes)/period ÷ PermittedThroughput above this warns (one minute is enough).",
  },
  failPercent: {
    unit: "%",
    default: 95,
    min: 0,
    max: 100,
    description:
      "Throughput utilisation above this for sustainedMinutes fails: requests are being throttled; a shorter run warns.",
  },
  sustainedMinutes: {
    unit: "min",
    default: 3,
    min: 1,
    description:
      "Wall-clock minutes utilisation must stay above failPercent to fail (a judgement call, like alb.p95-latency's 3 minutes): a minute or two at the limit during a burst warns.",
  },
} satisfies Record<string, Threshold>;

export const EFS_BURST_CREDITS = {
  minBalanceBytes: {
    unit: "bytes",
    default: 1e12,
    min: 0,
    description:
      "Bursting mode: BurstCreditBalance below this warns, draining or not — the Terraform module's efs_burst_credit_threshold alarm (and the stack's) fires there; it is a forecast, not a throttling point (20 GB lasts about 3 minutes of a 100 MiB/s burst).",
  },
  minHoursLeft: {
    unit: "h",
    default: 2,
    min: 0,
    description:
      "Bursting mode: at the drain rate (the steeper of the last 15 minutes' and the window's slope), credits running out sooner than this fails (throughput then falls to the baseline of 50 KiB/s per GiB stored). A judgement call; credits already at zero fail too.",
  },
} satisfies Record<string, Threshold>;
