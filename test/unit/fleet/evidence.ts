/** Evidence fixtures for the fleet checks: plain objects, as a bundle would hold them. */
import type { Evidence } from "../../../src/sources/model.js";
import type { Check, Finding } from "../../../src/checks/model.js";
import { evaluateCheck, limitsFor } from "../../../src/checks/runner.js";
import type {
  EcsServiceEvidence,
  FileSystemEvidence,
  FleetInstancesEvidence,
  MetricSeries,
  MetricsEvidence,
  StoppedTasksEvidence,
  TargetsEvidence,
} from "../../../src/sources/aws/types.js";
import { WINDOW } from "./harness.js";

const AT = "2026-11-20T12:00:00.000Z";
export const FS = "fs-0123456789abcdef0";
export const LB = "app/pypiserver/50dc6c495c0c9188";
export const TG = "targetgroup/pypiserver/73e2d6bc24d8a067";
export const TG_ARN = `arn:aws:elasticloadbalancing:eu-west-1:123456789012:${TG}`;

/** One point per `spacing` seconds from the window's start (300: EC2 basic monitoring). */
export function points(vs: readonly number[], spacing = 60): Array<[string, number]> {
  return vs.map((v, i) => [new Date(Date.parse(WINDOW.start) + i * spacing * 1000).toISOString(), v]);
}

const SPEC: Record<string, [string, string, string]> = {
  "efs.PercentIOLimit": ["AWS/EFS", "PercentIOLimit", "Maximum"],
  "efs.BurstCreditBalance": ["AWS/EFS", "BurstCreditBalance", "Minimum"],
  "efs.PermittedThroughput": ["AWS/EFS", "PermittedThroughput", "Minimum"],
  "efs.MeteredIOBytes": ["AWS/EFS", "MeteredIOBytes", "Sum"],
  "ecs.MemoryUtilization": ["AWS/ECS", "MemoryUtilization", "Maximum"],
  "ecs.CPUUtilization": ["AWS/ECS", "CPUUtilization", "Maximum"],
  "alb.TargetResponseTime.p95": ["AWS/ApplicationELB", "TargetResponseTime", "p95"],
};

function series(key: string, vs: readonly number[], status = "Complete", spacing = 60): MetricSeries {
  const [namespace, metric, stat] =
    SPEC[key] ??
    (key.startsWith("alb.")
      ? ["AWS/ApplicationELB", key.slice(4), "Sum"]
      : ["AWS/EC2", key.split(".")[1]!, "Average"]);
  const dimensions: Record<string, string> = key.startsWith("efs.")
    ? { FileSystemId: FS }
    : key.startsWith("ecs.")
      ? { ClusterName: "pypiserver", ServiceName: "pypiserver" }
      : key.startsWith("alb.")
        ? { LoadBalancer: LB }
        : { InstanceId: key.split(".")[2]! };
  return { namespace, metric, dimensions, stat, period: 60, status, points: points(vs, spacing) };
}

const flat = (v: number, n = 60) => Array.from({ length: n }, () => v);

export const HEALTHY_SERIES: Record<string, number[]> = {
  "efs.PercentIOLimit": flat(12),
  "efs.BurstCreditBalance": flat(2.3e12),
  "efs.PermittedThroughput": flat(104857600),
  "efs.MeteredIOBytes": flat(60 * 5 * 1048576),
  "ecs.MemoryUtilization": flat(60),
  "ecs.CPUUtilization": flat(35),
  "alb.RequestCount": flat(1200),
  "alb.HTTPCode_ELB_5XX_Count": [],
  "alb.HTTPCode_Target_5XX_Count": [],
  "alb.TargetResponseTime.p95": flat(0.8),
};

export function metrics(
  over: Record<string, number[]> = {},
  opts: {
    context?: Partial<MetricsEvidence["context"]>;
    unavailable?: Record<string, string>;
    status?: Record<string, string>;
    /**
     * Seconds between a series' datapoints, by key (default 60). The query period stays 60 s: asked with
     * Period 60, CloudWatch answers EC2 basic monitoring's 5-minute datapoints at their own stamps.
     */
    spacing?: Record<string, number>;
  } = {},
): MetricsEvidence {
  const all = { ...HEALTHY_SERIES, ...over };
  const s: Record<string, MetricSeries> = {};
  for (const [k, v] of Object.entries(all)) s[k] = series(k, v, opts.status?.[k], opts.spacing?.[k]);
  return {
    periodSeconds: 60,
    start: WINDOW.start,
    end: WINDOW.end,
    series: s,
    unavailable: opts.unavailable ?? {},
    context: {
      cluster: "pypiserver",
      service: "pypiserver",
      fileSystemId: FS,
      loadBalancer: LB,
      targetGroup: TG,
      instances: [],
      ...opts.context,
    },
    messages: [],
  };
}

export function service(
  over: Partial<EcsServiceEvidence> = {},
  td: Partial<EcsServiceEvidence["taskDefinition"]> = {},
): EcsServiceEvidence {
  return {
    cluster: "pypiserver",
    service: "pypiserver",
    status: "ACTIVE",
    desiredCount: 4,
    runningCount: 4,
    pendingCount: 0,
    deployments: [
      {
        id: "ecs-svc/1",
        status: "PRIMARY",
        rolloutState: "COMPLETED",
        desired: 4,
        running: 4,
        pending: 0,
        failedTasks: 0,
      },
    ],
    events: [],
    targetGroupArns: [TG_ARN],
    taskDefinition: {
      arn: "arn:aws:ecs:eu-west-1:123456789012:task-definition/pypiserver:7",
      containers: [
        {
          name: "pypiserver",
          essential: true,
          memoryMiB: 512,
          memoryReservationMiB: 384,
          keepAliveSeconds: 75,
        },
      ],
      fileSystemIds: [FS],
      ...td,
    },
    ...over,
  };
}

export function fileSystem(over: Partial<FileSystemEvidence> = {}): FileSystemEvidence {
  return { fileSystemId: FS, performanceMode: "generalPurpose", throughputMode: "elastic", ...over };
}

export function targets(over: Partial<TargetsEvidence> = {}): TargetsEvidence {
  return {
    targetGroupArn: TG_ARN,
    idleTimeoutSeconds: 60,
    deregistrationDelaySeconds: 30,
    targets: [
      { id: "i-1", port: 32768, state: "healthy" },
      { id: "i-2", port: 32769, state: "healthy" },
    ],
    ...over,
  };
}

export function instances(types: string[]): FleetInstancesEvidence {
  return {
    via: "autoscaling-group",
    instances: types.map((t, i) => ({ instanceId: `i-${i}`, instanceType: t })),
  };
}

export function stopped(tasks: StoppedTasksEvidence["tasks"]): StoppedTasksEvidence {
  return { tasks, listed: tasks.length };
}

export function ev(parts: Record<string, unknown>): Evidence {
  const out: Evidence = {};
  for (const [k, v] of Object.entries(parts)) out[k] = { ok: true, value: v, at: AT };
  return out;
}

export function run(check: Check, evidence: Evidence, overrides: Record<string, number> = {}): Finding {
  return evaluateCheck(check, evidence, limitsFor(check, overrides), WINDOW);
}
