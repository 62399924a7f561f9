/**
 * What `pypictl size` reads from a fleet over a long window, as plain serialisable data (the `size.load`
 * source's value in an evidence bundle). Free of SDK imports: the pure analysis reads it.
 *
 * Series are dense: one value (or null: no datapoint) per period from `start`, so 14 days of 1-minute
 * points are an array of 20,160 numbers rather than 20,160 [time, value] pairs.
 */

export const SIZE_SOURCE_ID = "size.load";

/** Series keys; per-host CPU is `hostCpu.<instance id>`. */
export const SIZE_SERIES = [
  "requests",
  "elb5xx",
  "target5xx",
  "p95",
  "taskMemory",
  "runningTasks",
  "efsIo",
  "efsCredits",
  "efsMetered",
  "efsPermitted",
] as const;
export type SizeSeriesKey = (typeof SIZE_SERIES)[number];

export interface SizeSeries {
  namespace: string;
  metric: string;
  dimensions: Record<string, string>;
  stat: string;
  /** Seconds between values. */
  period: number;
  /** Time of values[0] (ISO-8601 UTC); values[i] is at start + i × period. */
  start: string;
  values: Array<number | null>;
  /** GetMetricData StatusCode, or "Error" when the call failed (then `error` says why). */
  status: string;
  error?: string;
}

export interface SizeResolution {
  /** Period of the load series (ALB, ECS, EFS), seconds. */
  periodSeconds: number;
  /** Period of the EC2 host series: 300 at least (basic monitoring, FACTS §9). */
  hostPeriodSeconds: number;
  /** Why this period: which CloudWatch retention the window falls in. */
  why: string;
}

export interface SizeLoadEvidence {
  start: string;
  end: string;
  resolution: SizeResolution;
  series: Record<string, SizeSeries>;
  /** The Auto Scaling group's bounds now (DescribeAutoScalingGroups), when the group is known. */
  autoScalingGroup?: { name: string; min: number; max: number; desired: number };
  /** Why the group's bounds are missing. */
  autoScalingGroupError?: string;
  /** Series not asked for, with the reason (e.g. no load balancer identified). */
  unavailable: Record<string, string>;
  /** GetMetricData calls this gather made. */
  calls: number;
  /** How the fleet is managed, as the run knew it (Terraform outputs given, or a stack): how changes are written. */
  fleetKind?: "stack" | "terraform" | "unknown";
}

/** Seconds CloudWatch keeps each resolution (CloudWatch concepts, "Metrics retention"). */
export const RETENTION = [
  { period: 60, keptSeconds: 15 * 86_400, label: "1-minute data (kept 15 days)" },
  { period: 300, keptSeconds: 63 * 86_400, label: "5-minute data (kept 63 days)" },
  { period: 3600, keptSeconds: 455 * 86_400, label: "1-hour data (kept 455 days)" },
] as const;

/** The longest window `size --since` accepts: what CloudWatch keeps at all. */
export const MAX_SIZE_WINDOW_DAYS = 455;

/**
 * The finest period CloudWatch still holds for the whole window: its start's age decides (a window that
 * began 20 days ago has no 1-minute data for its first 5 days).
 */
export function resolutionFor(start: Date, now: Date): SizeResolution {
  const age = (now.getTime() - start.getTime()) / 1000;
  const r = RETENTION.find((x) => age <= x.keptSeconds) ?? RETENTION[RETENTION.length - 1]!;
  const days = Math.round((age / 86_400) * 10) / 10;
  return {
    periodSeconds: r.period,
    hostPeriodSeconds: Math.max(300, r.period),
    why: `${r.label}: the window starts ${days} days ago`,
  };
}

/** The time of values[i]. */
export function timeAt(s: Pick<SizeSeries, "start" | "period">, i: number): number {
  return Date.parse(s.start) + i * s.period * 1000;
}
