/** ECS thresholds: shared by the ecs.* checks and the stack's CloudWatch alarms. */
import type { Threshold } from "../model.js";

/**
 * The Terraform module's auto-scaling instance warm-up (terraform-aws-ecs `instance_warmup_period`, 300 s):
 * a new host counts toward the group's metrics only after it.
 */
export const INSTANCE_WARMUP_SECONDS = 300;
/** How long a capacity-provider scale-out may keep tasks waiting: warm-up plus ~5 min launch and boot. */
export const SCALE_OUT_BOUND_MINUTES = INSTANCE_WARMUP_SECONDS / 60 + 5;

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
      "Tasks of the current task definition that stopped in the window on their own (essential container exited, failed to start) or were killed by ELB/container health checks: above this fails, whatever running vs desired says (ECS replaces them one by one); one or more up to this warns. Scheduler stops (deployments, scale-in), user stops and lost hosts do not count.",
  },
  maxProvisioningMinutes: {
    unit: "min",
    default: SCALE_OUT_BOUND_MINUTES,
    min: 1,
    description:
      "Running < desired with tasks PROVISIONING (an ASG capacity provider waiting for a host; pendingCount does not count them), PENDING, or a desired count changed this recently is a scale-out: a warn up to this long, then a fail. Default: the module's instance warm-up (instance_warmup_period 300 s) plus about 5 min for the instance to launch, boot and register with the cluster (a judgement call).",
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
