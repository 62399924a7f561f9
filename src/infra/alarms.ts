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
import type * as efs from "aws-cdk-lib/aws-efs";
import type * as elbv2 from "aws-cdk-lib/aws-elasticloadbalancingv2";
import type * as sns from "aws-cdk-lib/aws-sns";
import { Construct } from "constructs";
import { ALB_5XX_RATE, ALB_P95_LATENCY, ALB_UNHEALTHY_HOSTS } from "../checks/alb/thresholds.js";
import { ECS_MEMORY_UTILIZATION } from "../checks/ecs/thresholds.js";
import { EFS_BURST_CREDITS, EFS_PERCENT_IO_LIMIT } from "../checks/efs/thresholds.js";
import type { ResolvedProps } from "./props.js";

/** Which doctor check and threshold each alarm mirrors. */
export interface AlarmSpec {
  /** Construct id of the alarm inside {@link PypiServerAlarms}. */
  readonly id: string;
  readonly checkId: string;
  readonly threshold: string;
  readonly value: number;
}

export const ALARM_SPECS = {
  efsPercentIoLimit: {
    id: "EfsPercentIoLimit",
    checkId: "efs.percent-io-limit",
    threshold: "maxPercent",
    value: EFS_PERCENT_IO_LIMIT.maxPercent.default,
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
  unhealthyHosts: {
    id: "UnhealthyTargets",
    checkId: "alb.target-health",
    threshold: "maxUnhealthy",
    value: ALB_UNHEALTHY_HOSTS.maxUnhealthy.default,
  },
} as const satisfies Record<string, AlarmSpec>;

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
        statistic: "Maximum",
        period: FIVE_MINUTES,
      }),
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 2,
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
  }
}
