/** ECS thresholds: shared by the ecs.* checks and the stack's CloudWatch alarms. */
import type { Threshold } from "../model.js";

export const ECS_OOM_KILLS = {
  maxKills: {
    unit: "count",
    default: 0,
    min: 0,
    description: "Tasks stopped for OutOfMemoryError (or exit 137) in the window above this fails.",
  },
} satisfies Record<string, Threshold>;

export const ECS_MEMORY_UTILIZATION = {
  warnPercentOfHardLimit: {
    unit: "%",
    default: 80,
    min: 0,
    max: 100,
    description:
      "Busiest task's memory as a share of the container's hard limit (not the reservation) above this warns.",
  },
  failPercentOfHardLimit: {
    unit: "%",
    default: 90,
    min: 0,
    max: 100,
    description:
      "Busiest task's memory as a share of the hard limit above this fails: the next spike is an OOM kill.",
  },
} satisfies Record<string, Threshold>;

export const ECS_RUNNING_TASKS = {
  maxGapMinutes: {
    unit: "min",
    default: 15,
    min: 1,
    description:
      "Running < desired during a rollout or scale-out is normal; still short this long after the deployment started (or the desired count last changed) fails. A judgement call: a healthy rolling deploy of pypiserver replaces its tasks in a few minutes.",
  },
  maxCrashedTasks: {
    unit: "tasks",
    default: 1,
    min: 0,
    description:
      "While short of desired: tasks that stopped on their own in the window (not scheduler/user stops) above this fail — tasks keep stopping.",
  },
} satisfies Record<string, Threshold>;

export const ECS_CPU_UTILIZATION = {
  maxPercent: {
    unit: "%",
    default: 80,
    min: 0,
    max: 100,
    description:
      "An instance's EC2 CPUUtilization (Average) above this for sustainedMinutes fails: the host, not the task's reservation, is saturated (the module's sizing: scale the instance when CPU > 80 % for ≥ 10 min).",
  },
  sustainedMinutes: {
    unit: "min",
    default: 10,
    min: 1,
    description:
      "Wall-clock minutes CPU must stay above maxPercent to fail, measured from the timestamps (EC2 basic monitoring: one datapoint per 5 minutes, each standing for its 5 minutes).",
  },
  warnMinutes: {
    unit: "min",
    default: 5,
    min: 1,
    description:
      "A shorter run above maxPercent at least this long warns (one 5-minute basic-monitoring datapoint is enough).",
  },
} satisfies Record<string, Threshold>;
