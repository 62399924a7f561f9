/**
 * CloudWatch alarms whose thresholds are the doctor's own named constants (src/checks/<area>/thresholds.ts,
 * beside the checks that use them): one
 * source of truth, so an alarm and the check that explains it can never disagree. Each alarm records the
 * check id and threshold it mirrors in {@link ALARM_SPECS}; a test compares them.
 */
import { Duration } from "aws-cdk-lib";
import * as cloudwatch from "aws-cdk-lib/aws-cloudwatch";
import * as actions from "aws-cdk-lib/aws-cloudwatch-actions";
import type * as ecs from "aws-cdk-lib/aws-ecs";
import * as events from "aws-cdk-lib/aws-events";
import * as targets from "aws-cdk-lib/aws-events-targets";
import type * as efs from "aws-cdk-lib/aws-efs";
import type * as elbv2 from "aws-cdk-lib/aws-elasticloadbalancingv2";
import type * as sns from "aws-cdk-lib/aws-sns";
import { Construct } from "constructs";
import { ALB_5XX_RATE, ALB_P95_LATENCY, ALB_UNHEALTHY_HOSTS } from "../checks/alb/thresholds.js";
import { ECS_MEMORY_UTILIZATION, ECS_OOM_KILLS, ECS_RUNNING_TASKS } from "../checks/ecs/thresholds.js";
import { EFS_BURST_CREDITS, EFS_PERCENT_IO_LIMIT } from "../checks/efs/thresholds.js";
import type { ResolvedProps } from "./props.js";

/** Which doctor check and threshold each alarm mirrors. */
export interface AlarmSpec {
  /** Construct id of the alarm inside {@link PypiServerAlarms}. */
  readonly id: string;
  readonly checkId: string;
  readonly threshold: string;
  readonly value: number;
  /**
   * How long the condition must hold, when the check has a named constant for it: the alarm's period ×
   * evaluation periods equals this many minutes (pinned by the stack test).
   */
  readonly duration?: { readonly threshold: string; readonly minutes: number };
}

export const ALARM_SPECS = {
  efsPercentIoLimit: {
    id: "EfsPercentIoLimit",
    checkId: "efs.percent-io-limit",
    threshold: "maxPercent",
    value: EFS_PERCENT_IO_LIMIT.maxPercent.default,
    duration: { threshold: "sustainedMinutes", minutes: EFS_PERCENT_IO_LIMIT.sustainedMinutes.default },
  },
  efsBurstCredits: {
    id: "EfsBurstCredits",
    checkId: "efs.burst-credits",
    threshold: "minBalanceBytes",
    value: EFS_BURST_CREDITS.minBalanceBytes.default,
  },
  memory: {
    id: "MemoryOfHardLimit",
    checkId: "ecs.memory-utilization",
    threshold: "failPercentOfHardLimit",
    value: ECS_MEMORY_UTILIZATION.failPercentOfHardLimit.default,
  },
  http5xxRate: {
    id: "Http5xxRate",
    checkId: "alb.5xx-rate",
    threshold: "maxPercent",
    value: ALB_5XX_RATE.maxPercent.default,
  },
  p95Latency: {
    id: "P95Latency",
    checkId: "alb.p95-latency",
    threshold: "failSeconds",
    value: ALB_P95_LATENCY.failSeconds.default,
  },
  slowP95: {
    id: "SlowP95",
    checkId: "alb.p95-latency",
    threshold: "slowSeconds",
    value: ALB_P95_LATENCY.slowSeconds.default,
    duration: { threshold: "slowMinutes", minutes: ALB_P95_LATENCY.slowMinutes.default },
  },
  unhealthyHosts: {
    id: "UnhealthyTargets",
    checkId: "alb.target-health",
    threshold: "maxUnhealthy",
    value: ALB_UNHEALTHY_HOSTS.maxUnhealthy.default,
  },
} as const satisfies Record<string, AlarmSpec>;

/**
 * Alarms for a total outage, whose threshold is a fact (no healthy target, fewer tasks than desired) and whose
 * duration is the doctor's constant: how long the condition lasts before the matching check fails.
 */
export const OUTAGE_ALARM_SPECS = {
  noHealthyTargets: {
    id: "NoHealthyTargets",
    checkId: "alb.target-health",
    threshold: "unhealthyMinutes",
    value: ALB_UNHEALTHY_HOSTS.unhealthyMinutes.default,
  },
  tasksBelowDesired: {
    id: "TasksBelowDesired",
    checkId: "ecs.running-tasks",
    threshold: "maxGapMinutes",
    value: ECS_RUNNING_TASKS.maxGapMinutes.default,
  },
  targetsInTransition: {
    id: "TargetsNotHealthy",
    checkId: "alb.target-health",
    threshold: "transitionMinutes",
    value: ALB_UNHEALTHY_HOSTS.transitionMinutes.default,
  },
} as const satisfies Record<string, AlarmSpec>;

/**
 * OOM kills are not a CloudWatch metric: the signal is the stopped task (ECS Task State Change events).
 * With the doctor's maxKills at 0, every kill notifies the alarm topic through an EventBridge rule.
 */
export const OOM_KILL_SPEC = {
  id: "OomKills",
  checkId: "ecs.oom-kills",
  threshold: "maxKills",
  value: ECS_OOM_KILLS.maxKills.default,
} as const satisfies AlarmSpec;

export interface PypiServerAlarmsProps {
  readonly props: ResolvedProps;
  readonly topic: sns.ITopic;
  readonly fileSystem: efs.IFileSystem;
  readonly cluster: ecs.ICluster;
  readonly service: ecs.BaseService;
  readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  readonly targetGroup: elbv2.ApplicationTargetGroup;
}

const FIVE_MINUTES = Duration.minutes(5);

/** Evaluation periods of `periodMinutes` that cover the spec's duration (whole periods, at least one). */
export function periodsOf(spec: AlarmSpec, periodMinutes: number): number {
  if (!spec.duration) throw new Error(`alarm ${spec.id} has no duration`);
  return Math.max(1, Math.ceil(spec.duration.minutes / periodMinutes));
}

export class PypiServerAlarms extends Construct {
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, a: PypiServerAlarmsProps) {
    super(scope, id);
    const p = a.props;
    const action = new actions.SnsAction(a.topic);
    const add = (spec: AlarmSpec, alarm: Omit<cloudwatch.AlarmProps, "threshold">): void => {
      const al = new cloudwatch.Alarm(this, spec.id, {
        ...alarm,
        threshold: spec.value,
        alarmDescription: `${alarm.alarmDescription} Same threshold as pypictl doctor's ${spec.checkId} (${spec.threshold}); run \`pypictl doctor --only ${spec.checkId}\`.`,
      });
      al.addAlarmAction(action);
      al.addOkAction(action);
      this.alarms.push(al);
    };

    const fsDims = { FileSystemId: a.fileSystem.fileSystemId };
    add(ALARM_SPECS.efsPercentIoLimit, {
      metric: new cloudwatch.Metric({
        namespace: "AWS/EFS",
        metricName: "PercentIOLimit",
        dimensionsMap: fsDims,
        // Average, as the Terraform module's alarm (FACTS.md §1, §8: "Average over 2×300 s"): a Maximum
        // alarms on one throttled second inside a quiet five minutes, which doctor warns about, not fails.
        statistic: "Average",
        period: FIVE_MINUTES,
      }),
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: periodsOf(ALARM_SPECS.efsPercentIoLimit, 5),
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription:
        "EFS is near the General Purpose I/O-operations ceiling (PercentIOLimit): listings slow down.",
    });
    if (p.efsThroughputMode === "bursting") {
      add(ALARM_SPECS.efsBurstCredits, {
        metric: new cloudwatch.Metric({
          namespace: "AWS/EFS",
          metricName: "BurstCreditBalance",
          dimensionsMap: fsDims,
          statistic: "Minimum",
          period: FIVE_MINUTES,
        }),
        comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        evaluationPeriods: 2,
        treatMissingData: cloudwatch.TreatMissingData.MISSING,
        alarmDescription:
          "EFS burst credits are running out: throughput falls to the baseline (50 KiB/s per GiB stored).",
      });
    }

    // AWS/ECS MemoryUtilization is relative to the reservation when one is set (FACTS.md §3):
    // as a share of the hard limit it is utilisation × reservation ÷ limit.
    const memory = new cloudwatch.Metric({
      namespace: "AWS/ECS",
      metricName: "MemoryUtilization",
      dimensionsMap: { ClusterName: a.cluster.clusterName, ServiceName: a.service.serviceName },
      statistic: "Maximum",
      period: Duration.minutes(1),
    });
    add(ALARM_SPECS.memory, {
      metric: new cloudwatch.MathExpression({
        expression: `m * ${p.containerMemoryReservation} / ${p.containerMemory}`,
        usingMetrics: { m: memory },
        label: "Busiest task memory, % of the hard limit",
        period: Duration.minutes(1),
      }),
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
      treatMissingData: cloudwatch.TreatMissingData.MISSING,
      alarmDescription: `A task is close to its ${p.containerMemory} MiB hard limit (OOM kill next; raise containerMemory).`,
    });

    const lbDims = { LoadBalancer: a.loadBalancer.loadBalancerFullName };
    const lbMetric = (metricName: string, statistic = "Sum"): cloudwatch.Metric =>
      new cloudwatch.Metric({
        namespace: "AWS/ApplicationELB",
        metricName,
        dimensionsMap: lbDims,
        statistic,
        period: FIVE_MINUTES,
      });
    add(ALARM_SPECS.http5xxRate, {
      metric: new cloudwatch.MathExpression({
        expression: "100 * (FILL(elb, 0) + FILL(target, 0)) / requests",
        usingMetrics: {
          elb: lbMetric("HTTPCode_ELB_5XX_Count"),
          target: lbMetric("HTTPCode_Target_5XX_Count"),
          requests: lbMetric("RequestCount"),
        },
        label: "5xx responses, % of requests",
        period: FIVE_MINUTES,
      }),
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 2,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: "More than the allowed share of requests end in 5xx (load balancer + targets).",
    });
    add(ALARM_SPECS.p95Latency, {
      metric: lbMetric("TargetResponseTime", "p95"),
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 2,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: "p95 response time is beyond what even burst traffic should cause.",
    });
    // Slow for long: p95 above slowSeconds for slowMinutes (sizing: < 5 s in normal traffic). Judged in
    // 5-minute periods, and only periods with at least minRequests requests count: a percentile of fewer
    // samples is their maximum (FACTS.md §9), so one slow upload in a quiet stretch must not read as the p95
    // (doctor widens quiet minutes into blocks for the same reason). A quiet period is 0: not breaching.
    const minRequests = ALB_P95_LATENCY.minRequests.default;
    add(ALARM_SPECS.slowP95, {
      metric: new cloudwatch.MathExpression({
        expression: `IF(n >= ${minRequests}, p95, 0)`,
        usingMetrics: {
          p95: lbMetric("TargetResponseTime", "p95"),
          n: lbMetric("TargetResponseTime", "SampleCount"),
        },
        label: `p95 response time (periods with ${minRequests}+ requests)`,
        period: FIVE_MINUTES,
      }),
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: periodsOf(ALARM_SPECS.slowP95, 5),
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: `p95 response time has stayed above the ${ALB_P95_LATENCY.slowSeconds.default} s the sizing expects in normal traffic for ${ALB_P95_LATENCY.slowMinutes.default} minutes: a degraded service, not a burst.`,
    });
    add(ALARM_SPECS.unhealthyHosts, {
      metric: new cloudwatch.Metric({
        namespace: "AWS/ApplicationELB",
        metricName: "UnHealthyHostCount",
        dimensionsMap: { ...lbDims, TargetGroup: a.targetGroup.targetGroupFullName },
        statistic: "Maximum",
        period: Duration.minutes(1),
      }),
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 5,
      datapointsToAlarm: 3,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: "Targets are failing the /health check.",
    });

    // A total outage publishes no 5xx ratio (no RequestCount reaches a target) and no UnHealthyHostCount
    // (nothing registered): HealthyHostCount below 1 is the signal. Missing data (no target registered at
    // all) is breaching.
    const healthy = new cloudwatch.Alarm(this, OUTAGE_ALARM_SPECS.noHealthyTargets.id, {
      metric: new cloudwatch.Metric({
        namespace: "AWS/ApplicationELB",
        metricName: "HealthyHostCount",
        dimensionsMap: { ...lbDims, TargetGroup: a.targetGroup.targetGroupFullName },
        statistic: "Minimum",
        period: Duration.minutes(1),
      }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: OUTAGE_ALARM_SPECS.noHealthyTargets.value,
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
      alarmDescription: `No healthy target behind the load balancer for ${OUTAGE_ALARM_SPECS.noHealthyTargets.value} minutes: the index is down. Same duration as pypictl doctor's alb.target-health (unhealthyMinutes); run \`pypictl doctor\`.`,
    });
    // Container Insights (enabled on the cluster) publishes RunningTaskCount and DesiredTaskCount per service.
    const ci = (metricName: string) =>
      new cloudwatch.Metric({
        namespace: "ECS/ContainerInsights",
        metricName,
        dimensionsMap: { ClusterName: a.cluster.clusterName, ServiceName: a.service.serviceName },
        statistic: "Average",
        period: Duration.minutes(1),
      });
    const belowDesired = new cloudwatch.Alarm(this, OUTAGE_ALARM_SPECS.tasksBelowDesired.id, {
      metric: new cloudwatch.MathExpression({
        expression: "desired - running",
        usingMetrics: { desired: ci("DesiredTaskCount"), running: ci("RunningTaskCount") },
        label: "Tasks short of the desired count",
        period: Duration.minutes(1),
      }),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: OUTAGE_ALARM_SPECS.tasksBelowDesired.value,
      treatMissingData: cloudwatch.TreatMissingData.MISSING,
      alarmDescription: `Fewer tasks running than desired for ${OUTAGE_ALARM_SPECS.tasksBelowDesired.value} minutes (a rollout takes a few). Same duration as pypictl doctor's ecs.running-tasks (maxGapMinutes); run \`pypictl doctor --only ecs.running-tasks\`.`,
    });
    // A target in transition (initial, draining) longer than any normal rollout: fewer healthy targets than
    // desired tasks for transitionMinutes (ALB's default deregistration delay is 300 s and initial checks
    // 5 × 30 s, so 10 minutes is past a normal transition; doctor's alb.target-health says "stuck" then).
    const healthyNow = new cloudwatch.Metric({
      namespace: "AWS/ApplicationELB",
      metricName: "HealthyHostCount",
      dimensionsMap: { ...lbDims, TargetGroup: a.targetGroup.targetGroupFullName },
      statistic: "Minimum",
      period: Duration.minutes(1),
    });
    const transition = new cloudwatch.Alarm(this, OUTAGE_ALARM_SPECS.targetsInTransition.id, {
      metric: new cloudwatch.MathExpression({
        expression: "desired - FILL(healthy, 0)",
        usingMetrics: { desired: ci("DesiredTaskCount"), healthy: healthyNow },
        label: "Desired tasks without a healthy target",
        period: Duration.minutes(1),
      }),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: OUTAGE_ALARM_SPECS.targetsInTransition.value,
      treatMissingData: cloudwatch.TreatMissingData.MISSING,
      alarmDescription: `Fewer healthy targets than desired tasks for ${OUTAGE_ALARM_SPECS.targetsInTransition.value} minutes: a target is stuck in transition (initial or draining) or unhealthy. Same duration as pypictl doctor's alb.target-health (transitionMinutes); run \`pypictl doctor --only alb.target-health\`.`,
    });
    for (const al of [healthy, belowDesired, transition]) {
      al.addAlarmAction(action);
      al.addOkAction(action);
      this.alarms.push(al);
    }

    // OOM kills: the stopped task's container reason is "OutOfMemoryError: Container killed due to memory
    // usage" (ECS troubleshooting, "Stopped tasks error codes"); every one above maxKills (0) notifies.
    if (OOM_KILL_SPEC.value === 0) {
      this.oomRule = new events.Rule(this, OOM_KILL_SPEC.id, {
        description: `A pypiserver container was OOM-killed (pypictl doctor's ecs.oom-kills fails above maxKills ${OOM_KILL_SPEC.value}); raise containerMemory.`,
        eventPattern: {
          source: ["aws.ecs"],
          detailType: ["ECS Task State Change"],
          detail: {
            clusterArn: [a.cluster.clusterArn],
            lastStatus: ["STOPPED"],
            containers: { reason: [{ prefix: "OutOfMemoryError" }] },
          },
        },
        targets: [
          new targets.SnsTopic(a.topic, {
            message: events.RuleTargetInput.fromText(
              `pypiserver task ${events.EventField.fromPath("$.detail.taskArn")} was OOM-killed (${events.EventField.fromPath("$.detail.stoppedReason")}). Run: pypictl doctor --only ecs.oom-kills`,
            ),
          }),
        ],
      });
    }
  }

  /** The EventBridge rule that notifies OOM kills (maxKills 0). */
  readonly oomRule?: events.Rule;
}
