/**
 * Why an ECS task stopped, classified once (the source stamps it on the evidence; checks reading older
 * bundles call it themselves). Pure, no SDK import.
 *
 * TaskStopCode values (botocore ecs/2014-11-13/service-2.json, `TaskStopCode`): TaskFailedToStart,
 * EssentialContainerExited, UserInitiated, ServiceSchedulerInitiated, SpotInterruption, TerminationNotice,
 * InfrastructureHealth.
 */
import type { StopKind, StoppedTask } from "./types.js";

/**
 * The scheduler's stoppedReason for a task that failed its health checks: "Task failed ELB health checks in
 * (target-group arn:…)" or "Task failed container health checks" (stopCode ServiceSchedulerInitiated; ECS has
 * no dedicated stop code for it, aws/containers-roadmap#612).
 */
export const HEALTH_CHECK_STOP = /failed (?:ELB|container) health checks/i;

/** Reasons the scheduler gives when it stops tasks on purpose (deployments, scale-in), not for health. */
const SCHEDULER_ON_PURPOSE = /scaling activity|deployment|scale-in|rebalanc|draining/i;

export function classifyStopKind(t: Pick<StoppedTask, "stopCode" | "stoppedReason">): StopKind {
  const reason = t.stoppedReason ?? "";
  switch (t.stopCode) {
    case "TaskFailedToStart":
    case "EssentialContainerExited":
      return "self";
    case "ServiceSchedulerInitiated":
      return HEALTH_CHECK_STOP.test(reason) ? "health-check" : "scheduler";
    case "UserInitiated":
      return "user";
    case "SpotInterruption":
    case "TerminationNotice":
    case "InfrastructureHealth":
      return "infrastructure";
    default:
      // No (or an unknown) stop code: judge by the reason the agent wrote.
      if (HEALTH_CHECK_STOP.test(reason)) return "health-check";
      if (SCHEDULER_ON_PURPOSE.test(reason)) return "scheduler";
      if (/stopped by user|UserInitiated/i.test(reason)) return "user";
      return "self";
  }
}

/** The stamped kind, or the classification for bundles written before the source stamped it. */
export function stopKindOf(t: StoppedTask): StopKind {
  return t.stopKind ?? classifyStopKind(t);
}

/** A stop that counts as a failure of the task: it ended on its own or failed its health checks. */
export function isFailedStop(t: StoppedTask): boolean {
  const k = stopKindOf(t);
  return k === "self" || k === "health-check";
}
