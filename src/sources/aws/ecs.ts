/**
 * ECS evidence: the service (counts, deployments, events, target groups) with its task definition
 * (hard and soft memory limits, EFS volume), the tasks stopped in the window, and the fleet's instances.
 */
import {
  DescribeContainerInstancesCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ListContainerInstancesCommand,
  ListTasksCommand,
  type ContainerDefinition,
  type Service,
  type Task,
} from "@aws-sdk/client-ecs";
import { ok, type SourceResult } from "../model.js";
import type { GatherContext, SourceDef } from "../context.js";
import {
  AWS_SOURCE_IDS,
  isBurstable,
  type EcsContainerDef,
  type EcsServiceEvidence,
  type EcsTaskCounts,
  type FleetInstance,
  type FleetInstancesEvidence,
  type StoppedTask,
  type StoppedTasksEvidence,
  type TaskPlacement,
} from "./types.js";
import {
  arnTail,
  chunk,
  clientsOf,
  clusterAndService,
  fleetOf,
  iso,
  mapLimit,
  SourceFailure,
} from "./shared.js";
import { compareText } from "../compare-text.js";
import { classifyError } from "../classify.js";
import { classifyStopKind } from "./stop-kind.js";

/**
 * How far before the window service events are kept: ECS omits a repeated event message until the cause is
 * resolved or six hours pass (service-event-messages docs), so a cause still true may have its only event
 * up to six hours before the window.
 */
export const EVENT_CARRY_HOURS = 6;
/** Most tasks described for the state counts (DescribeTasks takes 100 per call; a service runs far fewer). */
const MAX_COUNTED_TASKS = 500;

/** `--keep-alive 75`, `--keep-alive=75`, `keepalive = 75` in the command or GUNICORN_CMD_ARGS. */
export function keepAliveFrom(texts: readonly string[]): number | undefined {
  for (const t of texts) {
    const m = /--keep-alive(?:=|\s+)(\d+)|\bkeepalive\s*=\s*(\d+)/.exec(t);
    if (m) return Number(m[1] ?? m[2]);
  }
  return undefined;
}

function containerDef(c: ContainerDefinition): EcsContainerDef {
  const out: EcsContainerDef = { name: c.name ?? "?", essential: c.essential !== false };
  if (c.memory !== undefined) out.memoryMiB = c.memory;
  if (c.memoryReservation !== undefined) out.memoryReservationMiB = c.memoryReservation;
  if (c.cpu !== undefined) out.cpu = c.cpu;
  if (c.image) out.image = c.image;
  if (c.command?.length) out.command = [...c.command];
  if (c.entryPoint?.length) out.entryPoint = [...c.entryPoint];
  const gunicornArgs = c.environment?.find((e) => e.name === "GUNICORN_CMD_ARGS")?.value;
  if (gunicornArgs) out.gunicornCmdArgs = gunicornArgs;
  const texts = [
    ...(c.command ?? []).join(" ").split("\n"),
    ...(c.environment ?? []).filter((e) => e.name === "GUNICORN_CMD_ARGS").map((e) => e.value ?? ""),
  ];
  const keepAlive = keepAliveFrom(texts);
  if (keepAlive !== undefined) out.keepAliveSeconds = keepAlive;
  if (c.logConfiguration?.logDriver === "awslogs") {
    const group = c.logConfiguration.options?.["awslogs-group"];
    const region = c.logConfiguration.options?.["awslogs-region"];
    if (group) out.logGroup = group;
    if (region) out.logRegion = region;
  }
  const mounts = (c.mountPoints ?? []).map((m) => m.containerPath).filter((p): p is string => !!p);
  if (mounts.length) out.mountPaths = mounts;
  return out;
}

function serviceSummary(
  s: Service,
  cluster: string,
  service: string,
  window: GatherContext["window"],
): Omit<EcsServiceEvidence, "taskDefinition"> {
  const start = Date.parse(window.start);
  const end = Date.parse(window.end);
  const carryFrom = start - EVENT_CARRY_HOURS * 3_600_000;
  const dated = (s.events ?? [])
    .filter((e) => e.createdAt && e.createdAt.getTime() <= end)
    .map((e) => ({ t: e.createdAt!.getTime(), at: e.createdAt!.toISOString(), message: e.message ?? "" }))
    .sort((a, b) => compareText(a.at, b.at));
  const strip = ({ at, message }: { at: string; message: string }) => ({ at, message });
  const events = dated.filter((e) => e.t >= start).map(strip);
  const earlierEvents = dated.filter((e) => e.t < start && e.t >= carryFrom).map(strip);
  const out: Omit<EcsServiceEvidence, "taskDefinition"> = {
    cluster,
    service,
    desiredCount: s.desiredCount ?? 0,
    runningCount: s.runningCount ?? 0,
    pendingCount: s.pendingCount ?? 0,
    deployments: (s.deployments ?? []).map((d) => {
      const dep: EcsServiceEvidence["deployments"][number] = {
        id: d.id ?? "?",
        status: d.status ?? "?",
        desired: d.desiredCount ?? 0,
        running: d.runningCount ?? 0,
        pending: d.pendingCount ?? 0,
        failedTasks: d.failedTasks ?? 0,
      };
      if (d.rolloutState) dep.rolloutState = d.rolloutState;
      if (d.rolloutStateReason) dep.rolloutStateReason = d.rolloutStateReason;
      if (d.createdAt) dep.createdAt = d.createdAt.toISOString();
      if (d.updatedAt) dep.updatedAt = d.updatedAt.toISOString();
      if (d.taskDefinition) dep.taskDefinition = d.taskDefinition;
      return dep;
    }),
    events,
    earlierEvents,
    targetGroupArns: [
      ...new Set((s.loadBalancers ?? []).map((lb) => lb.targetGroupArn).filter((a): a is string => !!a)),
    ],
  };
  if (s.serviceArn) out.serviceArn = s.serviceArn;
  if (s.status) out.status = s.status;
  if (s.launchType) out.launchType = s.launchType;
  return out;
}

export async function gatherService(ctx: GatherContext): Promise<SourceResult<EcsServiceEvidence>> {
  const { cluster, service } = clusterAndService(fleetOf(ctx));
  const ecs = await clientsOf(ctx).ecs();
  const r = await ecs.send(new DescribeServicesCommand({ cluster, services: [service] }), {
    abortSignal: ctx.signal,
  });
  const s = r.services?.[0];
  if (!s) {
    const why = r.failures?.[0]?.reason ?? "not returned";
    throw new SourceFailure(
      "not-found",
      `ECS service ${service} in cluster ${cluster}: ${why} (check --cluster/--service or the stack outputs)`,
    );
  }
  if (!s.taskDefinition)
    throw new SourceFailure("malformed", `ECS service ${service} has no task definition`);
  const td = (
    await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: s.taskDefinition }), {
      abortSignal: ctx.signal,
    })
  ).taskDefinition;
  if (!td) throw new SourceFailure("not-found", `task definition ${s.taskDefinition} not returned`);
  const taskDefinition: EcsServiceEvidence["taskDefinition"] = {
    arn: td.taskDefinitionArn ?? s.taskDefinition,
    containers: (td.containerDefinitions ?? []).map(containerDef),
    fileSystemIds: [
      ...new Set(
        (td.volumes ?? [])
          .map((v) => v.efsVolumeConfiguration?.fileSystemId)
          .filter((id): id is string => !!id),
      ),
    ],
  };
  const mem = Number(td.memory);
  if (td.memory && Number.isFinite(mem)) taskDefinition.taskMemoryMiB = mem;
  const cpu = Number(td.cpu);
  if (td.cpu && Number.isFinite(cpu)) taskDefinition.taskCpu = cpu;
  return ok({ ...serviceSummary(s, cluster, service, ctx.window), taskDefinition });
}

export async function gatherTasks(ctx: GatherContext): Promise<SourceResult<EcsTaskCounts>> {
  const { cluster, service } = clusterAndService(fleetOf(ctx));
  return ok(await taskCounts(ctx, cluster, service));
}

/**
 * The service's tasks of one desired status: ListTasks pages (stopping once `limit` are listed), then
 * DescribeTasks in batches of 100 (its maximum), four at a time.
 */
async function listAndDescribeTasks(
  ctx: GatherContext,
  cluster: string,
  service: string,
  desiredStatus: "RUNNING" | "STOPPED",
  limit = Number.POSITIVE_INFINITY,
): Promise<{ tasks: Task[]; listed: number }> {
  const ecs = await clientsOf(ctx).ecs();
  const arns: string[] = [];
  let nextToken: string | undefined;
  do {
    const r = await ecs.send(
      new ListTasksCommand({
        cluster,
        serviceName: service,
        desiredStatus,
        maxResults: 100,
        ...(nextToken ? { nextToken } : {}),
      }),
      { abortSignal: ctx.signal },
    );
    arns.push(...(r.taskArns ?? []));
    nextToken = r.nextToken;
  } while (nextToken && arns.length < limit);
  const batches = await mapLimit(chunk(arns.slice(0, limit), 100), 4, async (tasks) => {
    const r = await ecs.send(new DescribeTasksCommand({ cluster, tasks }), { abortSignal: ctx.signal });
    return r.tasks ?? [];
  });
  return { tasks: batches.flat(), listed: arns.length };
}

/**
 * The service's tasks ECS wants running, by lastStatus (ListTasks desiredStatus RUNNING lists PROVISIONING,
 * PENDING, ACTIVATING and RUNNING tasks alike; DescribeTasks tells them apart). Bounded at MAX_COUNTED_TASKS.
 */
async function taskCounts(ctx: GatherContext, cluster: string, service: string): Promise<EcsTaskCounts> {
  const { tasks } = await listAndDescribeTasks(ctx, cluster, service, "RUNNING", MAX_COUNTED_TASKS);
  const counts: EcsTaskCounts = { byStatus: {}, runningByTaskDefinition: {} };
  const placed = new Map<string, TaskPlacement>();
  let oldest: number | undefined;
  for (const t of tasks) {
    const status = t.lastStatus ?? "UNKNOWN";
    counts.byStatus[status] = (counts.byStatus[status] ?? 0) + 1;
    if (status === "RUNNING" && t.taskDefinitionArn)
      counts.runningByTaskDefinition[t.taskDefinitionArn] =
        (counts.runningByTaskDefinition[t.taskDefinitionArn] ?? 0) + 1;
    if (status === "RUNNING" && t.containerInstanceArn) {
      const row = placed.get(t.containerInstanceArn) ?? {
        containerInstanceArn: t.containerInstanceArn,
        running: 0,
      };
      row.running++;
      const since = iso(t.startedAt);
      if (since && (!row.runningSince || since < row.runningSince)) row.runningSince = since;
      placed.set(t.containerInstanceArn, row);
    }
    if (status === "PROVISIONING" && t.createdAt) {
      const at = t.createdAt.getTime();
      if (oldest === undefined || at < oldest) oldest = at;
    }
  }
  if (oldest !== undefined) counts.oldestProvisioningAt = new Date(oldest).toISOString();
  if (placed.size) {
    counts.placement = [...placed.values()].sort((a, b) =>
      compareText(a.containerInstanceArn, b.containerInstanceArn),
    );
    try {
      await withInstanceIds(ctx, cluster, counts.placement);
    } catch (e) {
      // The counts stand without the EC2 ids (a policy from before this call): only ec2.cpu-skew needs them.
      if (ctx.signal.aborted) throw e;
      const failure = classifyError(e, "ecs:DescribeContainerInstances");
      counts.placementError = failure.ok ? "DescribeContainerInstances failed" : failure.message;
    }
  }
  return counts;
}

/** The EC2 instance id of each container instance the tasks run on (DescribeContainerInstances, 100 per call). */
async function withInstanceIds(ctx: GatherContext, cluster: string, rows: TaskPlacement[]): Promise<void> {
  const ecs = await clientsOf(ctx).ecs();
  const byArn = new Map(rows.map((r) => [r.containerInstanceArn, r]));
  const found = await mapLimit(chunk([...byArn.keys()], 100), 4, async (containerInstances) => {
    const r = await ecs.send(new DescribeContainerInstancesCommand({ cluster, containerInstances }), {
      abortSignal: ctx.signal,
    });
    return r.containerInstances ?? [];
  });
  for (const ci of found.flat()) {
    const row = ci.containerInstanceArn ? byArn.get(ci.containerInstanceArn) : undefined;
    if (row && ci.ec2InstanceId) row.instanceId = ci.ec2InstanceId;
  }
}

function stoppedTask(t: Task): StoppedTask {
  const out: StoppedTask = {
    taskArn: t.taskArn ?? "?",
    taskId: arnTail(t.taskArn ?? "?"),
    containers: (t.containers ?? []).map((c) => {
      const sc: StoppedTask["containers"][number] = { name: c.name ?? "?" };
      if (c.exitCode !== undefined) sc.exitCode = c.exitCode;
      if (c.reason) sc.reason = c.reason;
      return sc;
    }),
  };
  const stoppedAt = iso(t.stoppedAt);
  const stoppingAt = iso(t.stoppingAt);
  if (stoppedAt) out.stoppedAt = stoppedAt;
  if (stoppingAt) out.stoppingAt = stoppingAt;
  if (t.stopCode) out.stopCode = t.stopCode;
  if (t.stoppedReason) out.stoppedReason = t.stoppedReason;
  if (t.containerInstanceArn) out.containerInstanceArn = t.containerInstanceArn;
  if (t.taskDefinitionArn) out.taskDefinitionArn = t.taskDefinitionArn;
  if (t.startedBy) out.startedBy = t.startedBy;
  if (t.group) out.group = t.group;
  const startedAt = iso(t.startedAt);
  if (startedAt) out.startedAt = startedAt;
  out.stopKind = classifyStopKind(out);
  return out;
}

export async function gatherStoppedTasks(ctx: GatherContext): Promise<SourceResult<StoppedTasksEvidence>> {
  const { cluster, service } = clusterAndService(fleetOf(ctx));
  const listing = await listAndDescribeTasks(ctx, cluster, service, "STOPPED");
  const start = Date.parse(ctx.window.start);
  const end = Date.parse(ctx.window.end);
  const tasks = listing.tasks
    .map(stoppedTask)
    .filter((t) => {
      const at = Date.parse(t.stoppedAt ?? t.stoppingAt ?? "");
      return Number.isNaN(at) || (at >= start && at <= end);
    })
    .sort((a, b) => compareText(a.stoppedAt ?? "", b.stoppedAt ?? ""));
  return ok({ tasks, listed: listing.listed });
}

/**
 * The lifecycle states of an auto-scaling group's instances whose EC2 instance is running: in service,
 * in standby, held by a lifecycle hook on the way in or out, or being detached. Plain "Pending" (may
 * still be booting) and "Terminating"/"Terminated" (shutting down) are left out, as an EC2
 * `instance-state-name=running` filter would leave them out. Warm-pool instances are not group members.
 */
const RUNNING_LIFECYCLE_STATES = new Set([
  "InService",
  "Standby",
  "EnteringStandby",
  "Pending:Wait",
  "Pending:Proceed",
  "Terminating:Wait",
  "Terminating:Proceed",
  "Detaching",
]);

/** The group's members whose EC2 instance is running, by id. */
async function groupMembers(ctx: GatherContext, groupName: string): Promise<FleetInstancesEvidence> {
  // Imported here, not at the top: only this path needs the Auto Scaling client.
  const { DescribeAutoScalingGroupsCommand } = await import("@aws-sdk/client-auto-scaling");
  const autoscaling = await clientsOf(ctx).autoscaling();
  const r = await autoscaling.send(
    new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [groupName] }),
    { abortSignal: ctx.signal },
  );
  const group = r.AutoScalingGroups?.find((g) => g.AutoScalingGroupName === groupName);
  if (!group)
    throw new SourceFailure(
      "not-found",
      `auto-scaling group ${groupName} (from the stack or Terraform outputs) not found in this account and region`,
    );
  const instances: FleetInstance[] = [];
  for (const i of group.Instances ?? []) {
    if (!i.InstanceId || !RUNNING_LIFECYCLE_STATES.has(i.LifecycleState ?? "")) continue;
    const fi: FleetInstance = { instanceId: i.InstanceId };
    if (i.InstanceType) fi.instanceType = i.InstanceType;
    if (i.AvailabilityZone) fi.availabilityZone = i.AvailabilityZone;
    instances.push(fi);
  }
  return { via: "autoscaling-group", instances };
}

/**
 * The instances to probe. With an auto-scaling group known (stack or Terraform outputs), one
 * DescribeAutoScalingGroups gives the members with their ids, types and zones; otherwise the cluster's
 * container instances (ListContainerInstances + DescribeContainerInstances, 100 per call; the type is the
 * ECS agent's `ecs.instance-type` attribute).
 *
 * Not EC2 DescribeInstances: it answers ~4.5 kB of XML per instance (network interfaces, block devices,
 * tags, options…) and cannot be narrowed, which cost a 200-instance run ~0.5 s of CPU in the SDK's
 * decoding; the group's member list is ~0.4 kB per instance. It is also the group's own word on who its
 * members are (an instance detached from the group keeps the aws:autoscaling:groupName tag).
 */
export async function gatherInstances(ctx: GatherContext): Promise<SourceResult<FleetInstancesEvidence>> {
  const ev = await listInstances(ctx);
  ev.instances.sort((a, b) => compareText(a.instanceId, b.instanceId));
  return ok(await withCreditSpecs(ctx, ev));
}

async function listInstances(ctx: GatherContext): Promise<FleetInstancesEvidence> {
  const t = fleetOf(ctx);
  if (!t.autoScalingGroup) return containerInstances(ctx);
  try {
    return await groupMembers(ctx, t.autoScalingGroup);
  } catch (e) {
    // Denied the group's member list (a policy written for an earlier pypictl, which listed instances
    // with ec2:DescribeInstances): the cluster's container instances are the next best list, and the
    // evidence says why they were used. Should they fail too, the group's denial is the cause to report.
    const failure = classifyError(e, "autoscaling:DescribeAutoScalingGroups");
    if (ctx.signal.aborted || !t.cluster || failure.ok || failure.kind !== "access-denied") throw e;
    try {
      return { ...(await containerInstances(ctx)), groupError: failure.message };
    } catch {
      throw e;
    }
  }
}

/** The cluster's container instances (ListContainerInstances + DescribeContainerInstances, 100 per call). */
async function containerInstances(ctx: GatherContext): Promise<FleetInstancesEvidence> {
  const t = fleetOf(ctx);
  const clients = clientsOf(ctx);
  const cluster = t.cluster;
  if (!cluster)
    throw new SourceFailure(
      "no-identity",
      "no fleet instances identified: pass --cluster or --stack (or --terraform-outputs)",
    );
  const ecs = await clients.ecs();
  const arns: string[] = [];
  let nextToken: string | undefined;
  do {
    const r = await ecs.send(
      new ListContainerInstancesCommand({
        cluster,
        status: "ACTIVE",
        maxResults: 100,
        ...(nextToken ? { nextToken } : {}),
      }),
      { abortSignal: ctx.signal },
    );
    arns.push(...(r.containerInstanceArns ?? []));
    nextToken = r.nextToken;
  } while (nextToken);
  const batches = await mapLimit(chunk(arns, 100), 4, async (containerInstances) => {
    const r = await ecs.send(new DescribeContainerInstancesCommand({ cluster, containerInstances }), {
      abortSignal: ctx.signal,
    });
    return r.containerInstances ?? [];
  });
  const instances: FleetInstance[] = [];
  for (const ci of batches.flat()) {
    if (!ci.ec2InstanceId) continue;
    const attr = (name: string) => ci.attributes?.find((a) => a.name === name)?.value;
    const fi: FleetInstance = { instanceId: ci.ec2InstanceId };
    const type = attr("ecs.instance-type");
    const az = attr("ecs.availability-zone");
    if (type) fi.instanceType = type;
    if (az) fi.availabilityZone = az;
    if (ci.containerInstanceArn) fi.containerInstanceArn = ci.containerInstanceArn;
    if (ci.runningTasksCount !== undefined) fi.runningTasks = ci.runningTasksCount;
    instances.push(fi);
  }
  return { via: "container-instances", instances };
}

/**
 * The credit option (standard | unlimited) of the burstable instances: DescribeInstanceCreditSpecifications
 * with InstanceIds (≤ 1,000 per call; MaxResults may not be combined with InstanceIds). T3/T3a/T4g launch
 * `unlimited` by default, where a zero CPUCreditBalance does not throttle. A failure here costs only the
 * mode (recorded as creditSpecError), never the instance list.
 */
async function withCreditSpecs(
  ctx: GatherContext,
  ev: FleetInstancesEvidence,
): Promise<FleetInstancesEvidence> {
  const burstable = ev.instances.filter((i) => isBurstable(i.instanceType));
  if (burstable.length === 0) return ev;
  try {
    const { DescribeInstanceCreditSpecificationsCommand } = await import("@aws-sdk/client-ec2");
    const ec2 = await clientsOf(ctx).ec2();
    const mode = new Map<string, string>();
    for (const ids of chunk(
      burstable.map((i) => i.instanceId),
      1000,
    )) {
      let NextToken: string | undefined;
      do {
        const r = await ec2.send(
          new DescribeInstanceCreditSpecificationsCommand({
            InstanceIds: ids,
            ...(NextToken ? { NextToken } : {}),
          }),
          { abortSignal: ctx.signal },
        );
        for (const s of r.InstanceCreditSpecifications ?? [])
          if (s.InstanceId && s.CpuCredits) mode.set(s.InstanceId, s.CpuCredits);
        NextToken = r.NextToken;
      } while (NextToken);
    }
    for (const i of burstable) {
      const m = mode.get(i.instanceId);
      if (m === "standard" || m === "unlimited") i.cpuCredits = m;
    }
    return ev;
  } catch (e) {
    if (ctx.signal.aborted) throw e;
    const name = e instanceof Error ? e.name : "Error";
    const msg = e instanceof Error ? e.message : String(e);
    return {
      ...ev,
      creditSpecError: `ec2:DescribeInstanceCreditSpecifications failed (${name}: ${msg.slice(0, 200)})`,
    };
  }
}

export const serviceSource: SourceDef<EcsServiceEvidence> = {
  id: AWS_SOURCE_IDS.service,
  title: "ECS service and task definition",
  gather: gatherService,
};

export const stoppedTasksSource: SourceDef<StoppedTasksEvidence> = {
  id: AWS_SOURCE_IDS.stoppedTasks,
  title: "ECS tasks stopped in the window",
  gather: gatherStoppedTasks,
};

export const tasksSource: SourceDef<EcsTaskCounts> = {
  id: AWS_SOURCE_IDS.tasks,
  title: "ECS tasks the service wants running, by state",
  gather: gatherTasks,
};

export const instancesSource: SourceDef<FleetInstancesEvidence> = {
  id: AWS_SOURCE_IDS.instances,
  title: "Fleet instances (EC2 ids and types)",
  gather: gatherInstances,
};
