/** EFS thresholds: shared by the efs.* checks and the stack's CloudWatch alarms. */
import type { Threshold } from "../model.js";

export const EFS_PERCENT_IO_LIMIT = {
  maxPercent: {
    unit: "%",
    default: 80,
    min: 0,
    max: 100,
    description: "Maximum PercentIOLimit (General Purpose I/O-operations ceiling) above this fails.",
  },
} satisfies Record<string, Threshold>;

export const EFS_THROUGHPUT_UTILIZATION = {
  warnPercent: {
    unit: "%",
    default: 80,
    min: 0,
    max: 100,
    description: "Peak Sum(MeteredIOBytes)/period ÷ PermittedThroughput above this warns.",
  },
  failPercent: {
    unit: "%",
    default: 95,
    min: 0,
    max: 100,
    description: "Peak throughput utilisation above this fails: requests are being throttled.",
  },
} satisfies Record<string, Threshold>;

export const EFS_BURST_CREDITS = {
  minBalanceBytes: {
    unit: "bytes",
    default: 1e12,
    min: 0,
    description: "Bursting mode: BurstCreditBalance below this while draining fails (the Terraform module's efs_burst_credit_threshold).",
  },
} satisfies Record<string, Threshold>;
