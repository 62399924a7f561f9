/**
 * ecs.running-tasks, judged as ECS runs a service:
 * - The PRIMARY deployment's running vs desired, not the service totals: mid-rollout the old (ACTIVE)
 *   deployment keeps the totals at desired while every new task dies (botocore ECS model, `Deployment`).
 * - Stops of the current task definition that ended on their own or were health-check kills count as
 *   failures whatever the counts say: a crash loop is replaced task by task and looks steady in a snapshot.
 *   `Deployment.failedTasks` resets to zero once a task of the deployment has run (botocore ECS model), so
 *   the stopped tasks are the record.
 * - Short with tasks in PROVISIONING (an ASG capacity provider waits for a host; `pendingCount` does not
 *   count them, asg-capacity-providers docs) or right after a desired-count change is a scale-out: a warn
 *   bounded by maxProvisioningMinutes, then a fail.
 */
import { defineCheck, evidenceRef, limitRef, renderMessage } from "../model.js";
import { placementFill, scaleUpFill } from "../capacity-targets.js";
import { ECS_RUNNING_TASKS } from "./thresholds.js";
import {
  SERVICE,
  STOPPED_TASKS,
  TASKS,
  type EcsDeployment,
  type EcsServiceEvidence,
  type StoppedTask,
} from "../../sources/aws/types.js";
import { isFailedStop, stopKindOf } from "../../sources/aws/stop-kind.js";
import { maybe, need, round } from "../series.js";

const minutesBetween = (from: string | undefined, to: string) =>
  from ? (Date.parse(to) - Date.parse(from)) / 60_000 : undefined;

/** The deployment whose tasks the service is converging to; absent in evidence without deployments. */
export function primaryDeployment(svc: EcsServiceEvidence): EcsDeployment | undefined {
  return svc.deployments.find((d) => d.status === "PRIMARY");
}

/**
 * Stops in the window that count as failures of the current task definition: on their own (essential
 * container exited, failed to start) or health-check kills. Without a known task definition on either side
 * every failed stop counts.
 */
export function failedStopsOfCurrent(svc: EcsServiceEvidence | undefined, tasks: readonly StoppedTask[]) {
  const current = svc ? (primaryDeployment(svc)?.taskDefinition ?? svc.taskDefinition.arn) : undefined;
  return tasks.filter(
    (t) => isFailedStop(t) && (!current || !t.taskDefinitionArn || t.taskDefinitionArn === current),
  );
}

/** The gap compared with a minutes threshold: minutes short, or nothing when its start is unknown. */
const gapObserved = (minutes: number | undefined) =>
  minutes === undefined ? {} : { observed: { value: round(minutes, 0), unit: "min" } };

function describeFailedStops(stops: readonly StoppedTask[]): string {
  const health = stops.filter((t) => stopKindOf(t) === "health-check").length;
  const own = stops.length - health;
  const parts = [];
  if (own) parts.push(`${own} ended on their own`);
  if (health) parts.push(`${health} killed by health checks`);
  const first = stops[0]?.stoppedAt ?? stops[0]?.stoppingAt;
  const last = stops.at(-1)?.stoppedAt ?? stops.at(-1)?.stoppingAt;
  const span = first && last ? minutesBetween(first, last) : undefined;
  return `${parts.join(", ")}${span !== undefined && stops.length > 1 ? ` within ${round(span, 0)} min` : ""}`;
}

const HINTS = {
  "why-stopped":
    "See why the new tasks stopped: `pypictl doctor --only ecs.oom-kills,ecs.service-events,alb.target-health`.",
  image:
    "Check the image tag and the task definition of the failed deployment (CannotPullContainer, health check path).",
  "scale-up":
    "Scale the service up to {{count}}: stack prop `taskMinCount` (`--task-min-count {{n}}`), Terraform `task_min_count = {{n}}`.",
  events:
    'Read the service events: `pypictl doctor --only ecs.service-events`. "unable to place a task" means the instances lack memory/CPU: a bigger instance type, {{bigger}} (stack `--instance-type`, Terraform `asg_instance_type`), or more instances, {{more}} (stack `--max-instances`, Terraform: the auto-scaling group\'s maximum).',
  crashing: "Tasks that start and die: `pypictl doctor --only ecs.oom-kills,alb.target-health`.",
  capacity:
    "A scale-out waits for a new instance: the auto-scaling group's activity history shows it (EC2 console → Auto Scaling groups → the group → Activity); if none starts, the group is at its maximum (stack `--max-instances`, Terraform: the auto-scaling group's maximum).",
};

export const ecsRunningTasks = defineCheck({
  id: "ecs.running-tasks",
  title: "Running vs desired tasks",
  description:
    "The PRIMARY deployment's running tasks against its desired count (DescribeServices deployments[]), and the tasks of the current task definition that stopped in the window. A rolling deployment (IN_PROGRESS) or a scale-out (tasks PENDING, tasks PROVISIONING while a capacity provider adds a host, or a desired count changed minutes ago) warns while it lasts; it fails when the rollout FAILED, when it outlives its bound, when nothing is starting to close the gap, or when more than maxCrashedTasks tasks of the current task definition ended on their own or were killed by ELB/container health checks — even with running = desired, since ECS replaces them one by one.",
  playbooks: ["bursts", "oom"],
  needs: [SERVICE.id],
  uses: [STOPPED_TASKS.id, TASKS.id],
  scope: "fleet",
  thresholds: ECS_RUNNING_TASKS,
  hints: HINTS,
  messages: {
    inactive: "Service {{service}} is {{status}}, not ACTIVE.",
    zero: "Service {{service}} is scaled to zero (desired 0): nothing serves the index.",
    rollout:
      "Service {{service}} runs {{running}} of {{desired}} desired task(s) of its current deployment ({{pending}} pending) while {{what}} for {{minutes}} min: normal while it lasts.",
    "scale-out":
      "Service {{service}} runs {{running}} of {{desired}} desired task(s) while {{what}} for {{minutes}} min: a scale-out waiting for capacity, normal for up to {{limit}} min (instance launch and warm-up).",
    "rollout-failed":
      "Service {{service}}: deployment {{deployment}} FAILED ({{reason}}); {{running}} of {{desired}} desired task(s) run.",
    stuck:
      "Service {{service}} runs {{running}} of {{desired}} desired task(s) of its current deployment ({{pending}} pending); {{what}} for {{minutes}} min, longer than {{limit}} min.",
    crashing:
      "Service {{service}}: {{crashed}} task(s) of the current task definition stopped in the window ({{how}}; latest {{latest}}); {{running}} of {{desired}} desired task(s) of the current deployment run{{what}}.",
    "one-crash":
      "Service {{service}} runs {{running}} of {{desired}} desired task(s), but {{crashed}} task(s) of the current task definition stopped in the window ({{how}}; at {{latest}}).",
    short:
      "Service {{service}} runs {{running}} of {{desired}} desired task(s) of its current deployment and none is pending, provisioning or being deployed: capacity is lost.",
    ok: "Service {{service}} runs {{running}} of {{desired}} desired task(s).",
  },
  evaluate({ evidence, limits, window }) {
    const svc = need(evidence, SERVICE);
    const stopped = maybe(evidence, STOPPED_TASKS);
    const tasks = maybe(evidence, TASKS);
    const primary = primaryDeployment(svc);
    // The PRIMARY deployment's counts when ECS gave them; the service totals otherwise (older evidence).
    const running = primary ? primary.running : svc.runningCount;
    const desired = primary ? primary.desired : svc.desiredCount;
    const pending = primary ? primary.pending : svc.pendingCount;
    const provisioning = tasks?.byStatus.PROVISIONING ?? 0;
    const data: Record<string, unknown> = {
      service: svc.service,
      running,
      desired,
      pending,
      provisioning,
      serviceRunning: svc.runningCount,
      serviceDesired: svc.desiredCount,
      status: svc.status ?? "?",
    };
    const observed = { value: running, unit: "tasks" };
    const threshold = evidenceRef("desiredCount", desired, "tasks");
    if (svc.status && svc.status !== "ACTIVE")
      return { status: "fail", messageId: "inactive", data, observed };
    const failedDep = svc.deployments.find(
      (d) =>
        d.rolloutState === "FAILED" &&
        (d.status === "PRIMARY" || minutesBetween(d.updatedAt, window.end)! <= 60),
    );
    if (failedDep)
      return {
        status: "fail",
        messageId: "rollout-failed",
        data: {
          ...data,
          deployment: failedDep.id,
          reason: failedDep.rolloutStateReason ?? "no reason given",
        },
        observed,
        threshold,
        hints: [HINTS["why-stopped"], HINTS.image],
      };
    if (svc.desiredCount === 0)
      return {
        status: "warn",
        messageId: "zero",
        data,
        observed,
        threshold,
        hints: [renderMessage(HINTS["scale-up"], scaleUpFill(evidence, svc.taskDefinition))],
      };

    const failedStops = failedStopsOfCurrent(svc, stopped?.tasks ?? []);
    const rollout = svc.deployments.find((d) => d.rolloutState === "IN_PROGRESS" && d.status === "PRIMARY");
    const crashedCount = Math.max(failedStops.length, primary?.failedTasks ?? 0);
    const crashData = {
      crashed: crashedCount,
      how: failedStops.length
        ? describeFailedStops(failedStops)
        : `deployment reports ${crashedCount} failed`,
      latest: failedStops.at(-1)?.stoppedAt ?? failedStops.at(-1)?.stoppingAt ?? "?",
      taskIds: failedStops.map((t) => t.taskId),
    };
    const resources = failedStops.map((t) => ({
      id: t.taskId,
      status: "fail" as const,
      message: `${stopKindOf(t) === "health-check" ? "health-check kill" : "stopped on its own"} at ${t.stoppedAt ?? t.stoppingAt ?? "?"}: ${t.stoppedReason ?? t.stopCode ?? "no reason"}`,
    }));
    if (crashedCount > limits.maxCrashedTasks)
      return {
        status: "fail",
        messageId: "crashing",
        data: {
          ...data,
          ...crashData,
          what: rollout ? ` (deployment ${rollout.id} in progress)` : "",
        },
        observed: { value: crashedCount, unit: "tasks" },
        threshold: limitRef(limits, "maxCrashedTasks", "tasks"),
        hints: [HINTS.crashing, HINTS["why-stopped"]],
        ...(resources.length ? { resources } : {}),
      };
    if (running >= desired) {
      if (crashedCount > 0)
        return {
          status: "warn",
          messageId: "one-crash",
          data: { ...data, ...crashData },
          observed: { value: crashedCount, unit: "tasks" },
          threshold: limitRef(limits, "maxCrashedTasks", "tasks"),
          hints: [HINTS.crashing],
          ...(resources.length ? { resources } : {}),
        };
      return { status: "pass", messageId: "ok", data, observed, threshold };
    }

    const events = renderMessage(HINTS.events, placementFill(evidence, svc.taskDefinition, desired));
    const hints = [events, HINTS.crashing];
    if (rollout) {
      const minutes = minutesBetween(rollout.createdAt ?? rollout.updatedAt, window.end);
      const more = {
        ...data,
        what: `deployment ${rollout.id} is in progress (${rollout.running}/${rollout.desired} running${rollout.failedTasks ? `, ${rollout.failedTasks} failed task(s)` : ""})`,
        minutes: minutes === undefined ? "?" : round(minutes, 0),
        limit: limits.maxGapMinutes,
      };
      if (minutes !== undefined && minutes > limits.maxGapMinutes)
        return {
          status: "fail",
          messageId: "stuck",
          data: more,
          ...gapObserved(minutes),
          threshold: limitRef(limits, "maxGapMinutes", "min"),
          hints,
        };
      return {
        status: "warn",
        messageId: "rollout",
        data: more,
        ...gapObserved(minutes),
        threshold: limitRef(limits, "maxGapMinutes", "min"),
      };
    }
    // A scale-out: tasks pending or provisioning, or the desired count changed moments ago (the PRIMARY
    // deployment's updatedAt moves with its desired count). Timed from the oldest provisioning task, else
    // from the change.
    const changedMinutes = minutesBetween(primary?.updatedAt, window.end);
    const recentChange = changedMinutes !== undefined && changedMinutes <= limits.maxProvisioningMinutes;
    if (pending > 0 || provisioning > 0 || recentChange) {
      const since = tasks?.oldestProvisioningAt ?? primary?.updatedAt ?? primary?.createdAt;
      const minutes = minutesBetween(since, window.end);
      const what = [
        provisioning ? `${provisioning} task(s) are PROVISIONING (waiting for a host)` : "",
        pending ? `${pending} task(s) are PENDING` : "",
        !provisioning && !pending ? `the desired count changed to ${desired}` : "",
      ]
        .filter(Boolean)
        .join(" and ");
      const more = {
        ...data,
        what,
        minutes: minutes === undefined ? "?" : round(minutes, 0),
        limit: limits.maxProvisioningMinutes,
      };
      if (minutes !== undefined && minutes > limits.maxProvisioningMinutes)
        return {
          status: "fail",
          messageId: "stuck",
          data: more,
          ...gapObserved(minutes),
          threshold: limitRef(limits, "maxProvisioningMinutes", "min"),
          hints: [HINTS.capacity, events],
        };
      return {
        status: "warn",
        messageId: "scale-out",
        data: more,
        ...gapObserved(minutes),
        threshold: limitRef(limits, "maxProvisioningMinutes", "min"),
      };
    }
    return { status: "fail", messageId: "short", data, observed, threshold, hints };
  },
});
