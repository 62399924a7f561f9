/** The ecs.* checks, in the order they are reported. */
import type { Check } from "../model.js";
import {
  ecsCpuUtilization,
  ecsMemoryUtilization,
  ecsOomKills,
  ecsRunningTasks,
  ecsServiceEvents,
} from "./checks.js";

export const ECS_CHECKS: Check[] = [
  ecsOomKills,
  ecsMemoryUtilization,
  ecsRunningTasks,
  ecsServiceEvents,
  ecsCpuUtilization,
] as unknown as Check[];
