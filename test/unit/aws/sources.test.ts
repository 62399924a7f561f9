import { afterEach, describe, expect, it } from "vitest";
import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ListTasksCommand,
  ListContainerInstancesCommand,
  DescribeContainerInstancesCommand,
} from "@aws-sdk/client-ecs";
import { DescribeInstanceCreditSpecificationsCommand } from "@aws-sdk/client-ec2";
import { DescribeAutoScalingGroupsCommand } from "@aws-sdk/client-auto-scaling";
import { GetMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import {
  DescribeLoadBalancerAttributesCommand,
  DescribeTargetGroupAttributesCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { DescribeFileSystemsCommand } from "@aws-sdk/client-efs";
import {
  installFleet,
  scenario,
  fleetTarget,
  instanceId,
  ASG,
  CLUSTER,
  SERVICE,
  FS_ID,
  LB_ARN,
  LB_DIM,
  TG_ARN,
  TG_DIM,
  TASK_DEF_ARN,
  type Fleet,
} from "../../fixtures/aws/sim.mjs";
import { gatherFleet, NOW } from "../fleet/harness.js";
import type {
  EcsServiceEvidence,
  EcsTaskCounts,
  FleetInstancesEvidence,
  MetricsEvidence,
  StoppedTasksEvidence,
  TargetsEvidence,
  FileSystemEvidence,
} from "../../../src/sources/aws/types.js";
import { keepAliveFrom } from "../../../src/sources/aws/ecs.js";
import { metricPlan, periodFor } from "../../../src/sources/aws/cloudwatch.js";

let fleet: Fleet | undefined;
afterEach(() => fleet?.restore());

function value<V>(r: unknown): V {
  const x = r as { ok: boolean; value?: V; message?: string };
  if (!x.ok) throw new Error(`source failed: ${x.message}`);
  return x.value as V;
}

describe("ecs.service", () => {
  it("describes the service and its task definition with exact requests", async () => {
    fleet = installFleet(
      scenario({
        events: [
          { minutesAgo: 20, message: "steady" },
          { minutesAgo: 120, message: "too old" },
        ],
      }),
      NOW,
    );
    const ev = await gatherFleet(["ecs.service"]);
    const v = value<EcsServiceEvidence>(ev["ecs.service"]);
    expect(fleet.mocks.ecs.commandCalls(DescribeServicesCommand)[0]!.args[0].input).toEqual({
      cluster: CLUSTER,
      services: [SERVICE],
    });
    expect(fleet.mocks.ecs.commandCalls(DescribeTaskDefinitionCommand)[0]!.args[0].input).toEqual({
      taskDefinition: TASK_DEF_ARN,
    });
    expect(v.targetGroupArns).toEqual([TG_ARN]);
    expect(v.taskDefinition.fileSystemIds).toEqual([FS_ID]);
    expect(v.taskDefinition.containers[0]).toMatchObject({
      memoryMiB: 512,
      memoryReservationMiB: 384,
      keepAliveSeconds: 75,
    });
    expect(v.events.map((e) => e.message)).toEqual(["steady"]);
    expect(fleet.calls()).toBe(2);
  });

  it("names a service that does not exist", async () => {
    fleet = installFleet(scenario(), NOW);
    fleet.mocks.ecs
      .on(DescribeServicesCommand)
      .resolves({ services: [], failures: [{ arn: "x", reason: "MISSING" }] });
    const ev = await gatherFleet(["ecs.service"]);
    expect(ev["ecs.service"]).toMatchObject({ ok: false, kind: "not-found" });
    expect((ev["ecs.service"] as { message: string }).message).toMatch(
      /ECS service pypiserver in cluster pypiserver: MISSING/,
    );
  });

  it("reads keep-alive from the command or GUNICORN_CMD_ARGS", () => {
    expect(keepAliveFrom(["gunicorn --keep-alive 75 app"])).toBe(75);
    expect(keepAliveFrom(["--keep-alive=5"])).toBe(5);
    expect(keepAliveFrom(["keepalive = 65"])).toBe(65);
    expect(keepAliveFrom(["run -p 8080"])).toBeUndefined();
  });
});

describe("ecs.tasks", () => {
  it("lists the service's RUNNING-desired tasks and counts them by lastStatus, PROVISIONING included", async () => {
    fleet = installFleet(
      scenario({ desired: 6, running: 4, provisioning: 2, provisioningMinutesAgo: 4 }),
      NOW,
    );
    const ev = await gatherFleet(["ecs.tasks"]);
    const v = value<EcsTaskCounts>(ev["ecs.tasks"]);
    expect(fleet.mocks.ecs.commandCalls(ListTasksCommand)[0]!.args[0].input).toEqual({
      cluster: CLUSTER,
      serviceName: SERVICE,
      desiredStatus: "RUNNING",
      maxResults: 100,
    });
    // Where the RUNNING ones run: DescribeTasks containerInstanceArn → DescribeContainerInstances
    // ec2InstanceId, with the earliest startedAt of each host's tasks (the sim starts them 600 min ago).
    const ci = (i: number) =>
      `arn:aws:ecs:eu-west-1:123456789012:container-instance/${CLUSTER}/${instanceId(i).slice(2)}`;
    expect(v).toEqual({
      byStatus: { RUNNING: 4, PROVISIONING: 2 },
      runningByTaskDefinition: { [TASK_DEF_ARN]: 4 },
      oldestProvisioningAt: "2026-11-20T11:56:00.000Z",
      placement: [0, 1].map((i) => ({
        containerInstanceArn: ci(i),
        instanceId: instanceId(i),
        running: 2,
        runningSince: "2026-11-20T02:00:00.000Z",
      })),
    });
    expect(fleet.mocks.ecs.commandCalls(DescribeContainerInstancesCommand)[0]!.args[0].input).toEqual({
      cluster: CLUSTER,
      containerInstances: [ci(0), ci(1)],
    });
  });

  it("a denied DescribeContainerInstances keeps the counts and says why the hosts are unknown", async () => {
    fleet = installFleet(scenario(), NOW);
    fleet.mocks.ecs
      .on(DescribeContainerInstancesCommand)
      .rejects(
        Object.assign(
          new Error(
            "User: arn:aws:iam::1:user/ops is not authorized to perform: ecs:DescribeContainerInstances",
          ),
          { name: "AccessDeniedException", $metadata: { httpStatusCode: 400 } },
        ),
      );
    const v = value<EcsTaskCounts>((await gatherFleet(["ecs.tasks"]))["ecs.tasks"]);
    expect(v.byStatus).toEqual({ RUNNING: 4 });
    expect(v.placement?.every((p) => p.instanceId === undefined && p.running === 2)).toBe(true);
    expect(v.placementError).toMatch(/ecs:DescribeContainerInstances/);
  });

  it("a denied ListTasks costs only this source, not the service", async () => {
    fleet = installFleet(scenario(), NOW);
    fleet.mocks.ecs.on(ListTasksCommand).rejects(
      Object.assign(new Error("User: arn:aws:iam::1:user/ops is not authorized to perform: ecs:ListTasks"), {
        name: "AccessDeniedException",
        $metadata: { httpStatusCode: 400 },
      }),
    );
    const ev = await gatherFleet(["ecs.service", "ecs.tasks"]);
    expect(ev["ecs.tasks"]).toMatchObject({ ok: false, kind: "access-denied" });
    expect(ev["ecs.service"]).toMatchObject({ ok: true });
  });
});

describe("ecs.stopped-tasks", () => {
  it("lists STOPPED tasks of the service and describes them in batches of 100, keeping the window's", async () => {
    const stopped = Array.from({ length: 150 }, (_, i) => ({
      minutesAgo: i < 140 ? 10 : 90,
      exitCode: 137,
      reason: "OutOfMemoryError: Container killed due to memory usage",
    }));
    fleet = installFleet(scenario({ stoppedTasks: stopped }), NOW);
    const ev = await gatherFleet(["ecs.stopped-tasks"]);
    const v = value<StoppedTasksEvidence>(ev["ecs.stopped-tasks"]);
    expect(fleet.mocks.ecs.commandCalls(ListTasksCommand)[0]!.args[0].input).toEqual({
      cluster: CLUSTER,
      serviceName: SERVICE,
      desiredStatus: "STOPPED",
      maxResults: 100,
    });
    const batches = fleet.mocks.ecs
      .commandCalls(DescribeTasksCommand)
      .map((c) => c.args[0].input.tasks!.length);
    expect(batches.sort()).toEqual([100, 50]);
    expect(v.listed).toBe(150);
    expect(v.tasks).toHaveLength(140);
    expect(v.tasks[0]!.containers[0]).toEqual({
      name: "pypiserver",
      exitCode: 137,
      reason: "OutOfMemoryError: Container killed due to memory usage",
    });
  });

  it("makes no DescribeTasks call when nothing stopped", async () => {
    fleet = installFleet(scenario(), NOW);
    const ev = await gatherFleet(["ecs.stopped-tasks"]);
    expect(value<StoppedTasksEvidence>(ev["ecs.stopped-tasks"]).tasks).toEqual([]);
    expect(fleet.mocks.ecs.commandCalls(DescribeTasksCommand)).toHaveLength(0);
  });
});

describe("fleet.instances", () => {
  it("with an ASG: one DescribeAutoScalingGroups, the running members with ids, types and zones", async () => {
    fleet = installFleet(scenario({ instances: 3, instanceType: "t3.small" }), NOW);
    const ev = await gatherFleet(["fleet.instances"]);
    const v = value<FleetInstancesEvidence>(ev["fleet.instances"]);
    expect(
      fleet.mocks.autoscaling.commandCalls(DescribeAutoScalingGroupsCommand).map((c) => c.args[0].input),
    ).toEqual([{ AutoScalingGroupNames: [ASG] }]);
    expect(fleet.mocks.ec2.commandCalls(DescribeInstanceCreditSpecificationsCommand)).toHaveLength(1);
    expect(v).toMatchObject({ via: "autoscaling-group" });
    expect(v.instances.map((i) => [i.instanceId, i.instanceType, i.availabilityZone])).toEqual(
      [0, 1, 2].map((i) => [instanceId(i), "t3.small", `eu-west-1${"abc"[i]}`]),
    );
  });

  it("with an ASG: members whose EC2 instance may not be running (Pending, Terminating) are left out", async () => {
    const lifecycle = [
      "InService",
      "Pending",
      "Pending:Wait",
      "Terminating",
      "Terminating:Wait",
      "Standby",
      "Terminated",
      "Detaching",
    ];
    fleet = installFleet(scenario({ instances: lifecycle.length, lifecycle }), NOW);
    const v = value<FleetInstancesEvidence>((await gatherFleet(["fleet.instances"]))["fleet.instances"]);
    expect(
      v.instances.map((i) => lifecycle[Number.parseInt(i.instanceId.slice(2), 16) - 0x0a000000]),
    ).toEqual(["InService", "Pending:Wait", "Terminating:Wait", "Standby", "Detaching"]);
  });

  it("with an ASG whose member list is denied (an older policy): the container instances, saying why", async () => {
    fleet = installFleet(scenario({ instances: 3 }), NOW);
    fleet.mocks.autoscaling
      .on(DescribeAutoScalingGroupsCommand)
      .rejects(
        Object.assign(
          new Error(
            "User: arn:aws:iam::1:user/ops is not authorized to perform: autoscaling:DescribeAutoScalingGroups",
          ),
          { name: "AccessDenied", $metadata: { httpStatusCode: 403 } },
        ),
      );
    const v = value<FleetInstancesEvidence>((await gatherFleet(["fleet.instances"]))["fleet.instances"]);
    expect(v.via).toBe("container-instances");
    expect(v.instances.map((i) => i.instanceId)).toEqual([0, 1, 2].map(instanceId));
    expect(v.groupError).toMatch(/autoscaling:DescribeAutoScalingGroups/);
  });

  it("with an ASG whose member list fails otherwise (throttled, server error): the source fails, no silent switch", async () => {
    fleet = installFleet(scenario({ instances: 3 }), NOW);
    fleet.mocks.autoscaling.on(DescribeAutoScalingGroupsCommand).rejects(
      Object.assign(new Error("We encountered an internal error."), {
        name: "InternalFailure",
        $metadata: { httpStatusCode: 500 },
      }),
    );
    const ev = await gatherFleet(["fleet.instances"]);
    expect(ev["fleet.instances"]).toMatchObject({ ok: false, kind: "server-error" });
    expect(fleet.mocks.ecs.commandCalls(ListContainerInstancesCommand)).toHaveLength(0);
  });

  it("with an ASG the account does not have: fleet.instances fails as not-found, naming the group", async () => {
    fleet = installFleet(scenario(), NOW);
    const ev = await gatherFleet(["fleet.instances"], fleetTarget({ autoScalingGroup: "gone-asg" }));
    expect(ev["fleet.instances"]).toMatchObject({ ok: false, kind: "not-found" });
    expect((ev["fleet.instances"] as { message: string }).message).toContain("gone-asg");
  });

  it("without an ASG: container instances, paginated, described 100 at a time", async () => {
    fleet = installFleet(scenario({ instances: 150 }), NOW);
    const ev = await gatherFleet(["fleet.instances"], fleetTarget({ autoScalingGroup: undefined }));
    const v = value<FleetInstancesEvidence>(ev["fleet.instances"]);
    expect(fleet.mocks.ecs.commandCalls(ListContainerInstancesCommand).map((c) => c.args[0].input)).toEqual([
      { cluster: CLUSTER, status: "ACTIVE", maxResults: 100 },
      { cluster: CLUSTER, status: "ACTIVE", maxResults: 100, nextToken: "100" },
    ]);
    expect(
      fleet.mocks.ecs
        .commandCalls(DescribeContainerInstancesCommand)
        .map((c) => c.args[0].input.containerInstances!.length)
        .sort(),
    ).toEqual([100, 50]);
    expect(v.via).toBe("container-instances");
    expect(v.instances).toHaveLength(150);
    expect(v.instances[0]).toMatchObject({
      instanceType: "c6a.large",
      availabilityZone: "eu-west-1a",
      runningTasks: 2,
    });
  });
});

describe("elb.targets", () => {
  it("reads health and both attribute sets for the given target group and load balancer", async () => {
    fleet = installFleet(
      scenario({
        targets: [
          {
            id: "i-1",
            port: 32768,
            state: "unhealthy",
            reason: "Target.Timeout",
            description: "Request timed out",
          },
        ],
      }),
      NOW,
    );
    const ev = await gatherFleet(["elb.targets"]);
    const v = value<TargetsEvidence>(ev["elb.targets"]);
    expect(fleet.mocks.elbv2.commandCalls(DescribeTargetHealthCommand)[0]!.args[0].input).toEqual({
      TargetGroupArn: TG_ARN,
    });
    expect(fleet.mocks.elbv2.commandCalls(DescribeTargetGroupAttributesCommand)[0]!.args[0].input).toEqual({
      TargetGroupArn: TG_ARN,
    });
    expect(fleet.mocks.elbv2.commandCalls(DescribeLoadBalancerAttributesCommand)[0]!.args[0].input).toEqual({
      LoadBalancerArn: LB_ARN,
    });
    expect(fleet.mocks.elbv2.commandCalls(DescribeTargetGroupsCommand)).toHaveLength(0);
    expect(v).toEqual({
      targetGroupArn: TG_ARN,
      loadBalancerArn: LB_ARN,
      idleTimeoutSeconds: 60,
      deregistrationDelaySeconds: 30,
      targets: [
        {
          id: "i-1",
          port: 32768,
          state: "unhealthy",
          reason: "Target.Timeout",
          description: "Request timed out",
        },
      ],
    });
  });

  it("discovers the target group from DescribeServices and the load balancer from the target group (Terraform outputs lack both)", async () => {
    fleet = installFleet(scenario(), NOW);
    const ev = await gatherFleet(
      ["elb.targets"],
      fleetTarget({ targetGroup: undefined, loadBalancer: undefined }),
    );
    expect(value<TargetsEvidence>(ev["elb.targets"])).toMatchObject({
      targetGroupArn: TG_ARN,
      loadBalancerArn: LB_ARN,
    });
    expect(fleet.mocks.elbv2.commandCalls(DescribeTargetGroupsCommand)[0]!.args[0].input).toEqual({
      TargetGroupArns: [TG_ARN],
    });
  });
});

describe("efs.file-system", () => {
  it("describes the file system found in the task definition", async () => {
    fleet = installFleet(scenario({ fsThroughputMode: "bursting" }), NOW);
    const ev = await gatherFleet(["efs.file-system"], fleetTarget({ fileSystemId: undefined }));
    expect(fleet.mocks.efs.commandCalls(DescribeFileSystemsCommand)[0]!.args[0].input).toEqual({
      FileSystemId: FS_ID,
    });
    expect(value<FileSystemEvidence>(ev["efs.file-system"])).toEqual({
      fileSystemId: FS_ID,
      name: "pypiserver",
      performanceMode: "generalPurpose",
      throughputMode: "bursting",
      sizeBytes: 5 * 2 ** 30,
      lifeCycleState: "available",
    });
  });
});

describe("cloudwatch.metrics", () => {
  it("asks for every series in one GetMetricData call with full dimensions, stats, period and window", async () => {
    fleet = installFleet(scenario({ instances: 2, instanceType: "t3.small" }), NOW);
    const ev = await gatherFleet(["cloudwatch.metrics"]);
    const v = value<MetricsEvidence>(ev["cloudwatch.metrics"]);
    const calls = fleet.mocks.cloudwatch.commandCalls(GetMetricDataCommand);
    expect(calls).toHaveLength(1);
    const input = calls[0]!.args[0].input;
    expect(input.StartTime).toEqual(new Date("2026-11-20T11:00:00Z"));
    expect(input.EndTime).toEqual(new Date("2026-11-20T12:00:00Z"));
    expect(input.ScanBy).toBe("TimestampAscending");
    const q = Object.fromEntries(
      input.MetricDataQueries!.map((x) => [
        x.Label,
        [
          x.MetricStat!.Metric!.Namespace,
          x.MetricStat!.Metric!.MetricName,
          Object.fromEntries(x.MetricStat!.Metric!.Dimensions!.map((d) => [d.Name, d.Value])),
          x.MetricStat!.Stat,
          x.MetricStat!.Period,
        ],
      ]),
    );
    const [i0, i1] = [instanceId(0), instanceId(1)];
    expect(q).toEqual({
      "efs.PercentIOLimit": ["AWS/EFS", "PercentIOLimit", { FileSystemId: FS_ID }, "Maximum", 60],
      "efs.BurstCreditBalance": ["AWS/EFS", "BurstCreditBalance", { FileSystemId: FS_ID }, "Minimum", 60],
      "efs.PermittedThroughput": ["AWS/EFS", "PermittedThroughput", { FileSystemId: FS_ID }, "Minimum", 60],
      "efs.MeteredIOBytes": ["AWS/EFS", "MeteredIOBytes", { FileSystemId: FS_ID }, "Sum", 60],
      "ecs.MemoryUtilization": [
        "AWS/ECS",
        "MemoryUtilization",
        { ClusterName: CLUSTER, ServiceName: SERVICE },
        "Maximum",
        60,
      ],
      "ecs.CPUUtilization": [
        "AWS/ECS",
        "CPUUtilization",
        { ClusterName: CLUSTER, ServiceName: SERVICE },
        "Maximum",
        60,
      ],
      "alb.RequestCount": ["AWS/ApplicationELB", "RequestCount", { LoadBalancer: LB_DIM }, "Sum", 60],
      "alb.HTTPCode_ELB_5XX_Count": [
        "AWS/ApplicationELB",
        "HTTPCode_ELB_5XX_Count",
        { LoadBalancer: LB_DIM },
        "Sum",
        60,
      ],
      "alb.HTTPCode_ELB_502_Count": [
        "AWS/ApplicationELB",
        "HTTPCode_ELB_502_Count",
        { LoadBalancer: LB_DIM },
        "Sum",
        60,
      ],
      "alb.HTTPCode_ELB_503_Count": [
        "AWS/ApplicationELB",
        "HTTPCode_ELB_503_Count",
        { LoadBalancer: LB_DIM },
        "Sum",
        60,
      ],
      "alb.HTTPCode_ELB_504_Count": [
        "AWS/ApplicationELB",
        "HTTPCode_ELB_504_Count",
        { LoadBalancer: LB_DIM },
        "Sum",
        60,
      ],
      "alb.HTTPCode_Target_5XX_Count": [
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        { LoadBalancer: LB_DIM },
        "Sum",
        60,
      ],
      "alb.TargetConnectionErrorCount": [
        "AWS/ApplicationELB",
        "TargetConnectionErrorCount",
        { LoadBalancer: LB_DIM },
        "Sum",
        60,
      ],
      "alb.TargetResponseTime.p95": [
        "AWS/ApplicationELB",
        "TargetResponseTime",
        { LoadBalancer: LB_DIM },
        "p95",
        60,
      ],
      "alb.UnHealthyHostCount": [
        "AWS/ApplicationELB",
        "UnHealthyHostCount",
        { TargetGroup: TG_DIM, LoadBalancer: LB_DIM },
        "Maximum",
        60,
      ],
      "alb.HealthyHostCount": [
        "AWS/ApplicationELB",
        "HealthyHostCount",
        { TargetGroup: TG_DIM, LoadBalancer: LB_DIM },
        "Minimum",
        60,
      ],
      [`ec2.CPUUtilization.${i0}`]: ["AWS/EC2", "CPUUtilization", { InstanceId: i0 }, "Average", 60],
      [`ec2.CPUCreditBalance.${i0}`]: ["AWS/EC2", "CPUCreditBalance", { InstanceId: i0 }, "Minimum", 60],
      [`ec2.CPUSurplusCreditBalance.${i0}`]: [
        "AWS/EC2",
        "CPUSurplusCreditBalance",
        { InstanceId: i0 },
        "Maximum",
        60,
      ],
      [`ec2.CPUSurplusCreditsCharged.${i0}`]: [
        "AWS/EC2",
        "CPUSurplusCreditsCharged",
        { InstanceId: i0 },
        "Sum",
        60,
      ],
      [`ec2.CPUUtilization.${i1}`]: ["AWS/EC2", "CPUUtilization", { InstanceId: i1 }, "Average", 60],
      [`ec2.CPUCreditBalance.${i1}`]: ["AWS/EC2", "CPUCreditBalance", { InstanceId: i1 }, "Minimum", 60],
      [`ec2.CPUSurplusCreditBalance.${i1}`]: [
        "AWS/EC2",
        "CPUSurplusCreditBalance",
        { InstanceId: i1 },
        "Maximum",
        60,
      ],
      [`ec2.CPUSurplusCreditsCharged.${i1}`]: [
        "AWS/EC2",
        "CPUSurplusCreditsCharged",
        { InstanceId: i1 },
        "Sum",
        60,
      ],
    });
    expect(v.series["ecs.MemoryUtilization"]!.points).toHaveLength(60);
    expect(v.series["ecs.MemoryUtilization"]!.points[0]).toEqual(["2026-11-20T11:00:00.000Z", 60]);
    expect(v.series["alb.HTTPCode_ELB_5XX_Count"]!.points).toEqual([]);
    expect(v.context).toEqual({
      cluster: CLUSTER,
      service: SERVICE,
      fileSystemId: FS_ID,
      loadBalancer: LB_DIM,
      targetGroup: TG_DIM,
      instances: [i0, i1],
    });
    // Only fleet.instances was a dependency (everything else came from the stack outputs).
    expect(fleet.mocks.ecs.calls()).toHaveLength(0);
  });

  it("splits more than 500 queries across calls and merges NextToken pages", async () => {
    fleet = installFleet(scenario({ instances: 300, instanceType: "t3.small" }), NOW);
    const base = fleet.mocks.cloudwatch;
    base
      .on(GetMetricDataCommand)
      .callsFake(
        async (input: { MetricDataQueries: Array<{ Id: string; Label: string }>; NextToken?: string }) => {
          const half = input.NextToken ? 1 : 0;
          return {
            MetricDataResults: input.MetricDataQueries.map((q) => ({
              Id: q.Id,
              Label: q.Label,
              StatusCode: half ? "Complete" : "PartialData",
              Timestamps: [new Date(Date.parse("2026-11-20T11:00:00Z") + half * 60_000)],
              Values: [half ? 2 : 1],
            })),
            ...(half ? {} : { NextToken: "page2" }),
          };
        },
      );
    const ev = await gatherFleet(["cloudwatch.metrics"]);
    const v = value<MetricsEvidence>(ev["cloudwatch.metrics"]);
    const calls = base.commandCalls(GetMetricDataCommand);
    const sizes = calls.map((c) => c.args[0].input.MetricDataQueries!.length);
    // 16 fleet series + 4 per burstable instance (CPU, credit balance, surplus balance, surplus charged).
    expect(sizes.filter((s) => s === 500)).toHaveLength(4); // 2 full batches × 2 pages, then 216 × 2
    expect(calls).toHaveLength(6);
    expect(Object.keys(v.series)).toHaveLength(16 + 1200);
    expect(v.series["efs.PercentIOLimit"]!.points).toEqual([
      ["2026-11-20T11:00:00.000Z", 1],
      ["2026-11-20T11:01:00.000Z", 2],
    ]);
    expect(v.series["efs.PercentIOLimit"]!.status).toBe("Complete");
  });

  it("plans without the ALB or EFS when they are unknown, saying why", () => {
    const p = metricPlan({ cluster: "c", service: "s", instances: [] });
    expect(p.specs.map((s) => s.key)).toEqual(["ecs.MemoryUtilization", "ecs.CPUUtilization"]);
    expect(Object.keys(p.unavailable).sort()).toEqual(["alb", "efs"]);
  });

  it("coarsens the period for long windows", () => {
    expect(periodFor({ start: "2026-11-20T11:00:00Z", end: "2026-11-20T12:00:00Z", since: "1h" })).toBe(60);
    expect(periodFor({ start: "2026-11-13T12:00:00Z", end: "2026-11-20T12:00:00Z", since: "7d" })).toBe(420);
  });
});
