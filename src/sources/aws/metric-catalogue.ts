/**
 * Every CloudWatch series a check may declare in its `series`, by key. The metric plan is built from the
 * keys the *selected* checks declare, so `--only efs` asks CloudWatch for EFS series only.
 * Dimensions come from target fields, with the full set the metric is published with (FACTS §3/§4:
 * ECS needs ClusterName AND ServiceName; ALB LoadBalancer=app/…; TargetGroup for host counts).
 * Free of SDK imports: checks import the keys.
 */

/** A dimension value taken from the resolved metric context (see MetricPlanInput). */
export type DimensionSource =
  "fileSystemId" | "cluster" | "service" | "loadBalancer" | "targetGroup" | "instanceId";

export interface SeriesDef {
  namespace: string;
  metric: string;
  /** CloudWatch dimension name → the context field its value comes from. */
  dimensions: Readonly<Record<string, DimensionSource>>;
  stat: string;
  /** Per-instance series: one per fleet instance (key suffixed `.<instanceId>`); `burstable` only for T types. */
  perInstance?: "all" | "burstable";
  /** The area whose identity the series needs (named in "unavailable" reasons). */
  area: "efs" | "ecs" | "alb" | "ec2";
}

const efs = (metric: string, stat: string): SeriesDef => ({
  namespace: "AWS/EFS",
  metric,
  dimensions: { FileSystemId: "fileSystemId" },
  stat,
  area: "efs",
});
const ecs = (metric: string): SeriesDef => ({
  namespace: "AWS/ECS",
  metric,
  dimensions: { ClusterName: "cluster", ServiceName: "service" },
  stat: "Maximum",
  area: "ecs",
});
const alb = (metric: string, stat = "Sum"): SeriesDef => ({
  namespace: "AWS/ApplicationELB",
  metric,
  dimensions: { LoadBalancer: "loadBalancer" },
  stat,
  area: "alb",
});
const tg = (metric: string, stat: string): SeriesDef => ({
  namespace: "AWS/ApplicationELB",
  metric,
  dimensions: { TargetGroup: "targetGroup", LoadBalancer: "loadBalancer" },
  stat,
  area: "alb",
});

export const SERIES = {
  "efs.PercentIOLimit": efs("PercentIOLimit", "Maximum"),
  "efs.BurstCreditBalance": efs("BurstCreditBalance", "Minimum"),
  "efs.PermittedThroughput": efs("PermittedThroughput", "Minimum"),
  "efs.MeteredIOBytes": efs("MeteredIOBytes", "Sum"),
  "ecs.MemoryUtilization": ecs("MemoryUtilization"),
  "ecs.CPUUtilization": ecs("CPUUtilization"),
  "alb.RequestCount": alb("RequestCount"),
  "alb.HTTPCode_ELB_5XX_Count": alb("HTTPCode_ELB_5XX_Count"),
  "alb.HTTPCode_ELB_502_Count": alb("HTTPCode_ELB_502_Count"),
  "alb.HTTPCode_ELB_503_Count": alb("HTTPCode_ELB_503_Count"),
  "alb.HTTPCode_ELB_504_Count": alb("HTTPCode_ELB_504_Count"),
  "alb.HTTPCode_Target_5XX_Count": alb("HTTPCode_Target_5XX_Count"),
  "alb.TargetConnectionErrorCount": alb("TargetConnectionErrorCount"),
  "alb.TargetResponseTime.p95": alb("TargetResponseTime", "p95"),
  "alb.UnHealthyHostCount": tg("UnHealthyHostCount", "Maximum"),
  "alb.HealthyHostCount": tg("HealthyHostCount", "Minimum"),
  "ec2.CPUUtilization": {
    namespace: "AWS/EC2",
    metric: "CPUUtilization",
    dimensions: { InstanceId: "instanceId" },
    stat: "Average",
    perInstance: "all",
    area: "ec2",
  },
  "ec2.CPUCreditBalance": {
    namespace: "AWS/EC2",
    metric: "CPUCreditBalance",
    dimensions: { InstanceId: "instanceId" },
    stat: "Minimum",
    perInstance: "burstable",
    area: "ec2",
  },
  // Unlimited mode at a zero balance: surplus credits spent (balance; standard mode cannot borrow) and billed.
  "ec2.CPUSurplusCreditBalance": {
    namespace: "AWS/EC2",
    metric: "CPUSurplusCreditBalance",
    dimensions: { InstanceId: "instanceId" },
    stat: "Maximum",
    perInstance: "burstable",
    area: "ec2",
  },
  "ec2.CPUSurplusCreditsCharged": {
    namespace: "AWS/EC2",
    metric: "CPUSurplusCreditsCharged",
    dimensions: { InstanceId: "instanceId" },
    stat: "Sum",
    perInstance: "burstable",
    area: "ec2",
  },
} as const satisfies Record<string, SeriesDef>;

/** A series a check can declare: a misspelt key is a compile error. */
export type SeriesKey = keyof typeof SERIES;

export const SERIES_KEYS = Object.keys(SERIES) as SeriesKey[];

/** The target-independent fields a planned series needs, for the sources the plan depends on. */
export function seriesNeeding(keys: Iterable<string>, field: DimensionSource): boolean {
  for (const k of keys) {
    const def = (SERIES as Record<string, SeriesDef>)[k];
    if (def && Object.values(def.dimensions).includes(field)) return true;
  }
  return false;
}
