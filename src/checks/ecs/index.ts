/** The ecs.* checks, in the order they are reported. */
import type { Check } from "../model.js";

export const ECS_CHECKS: Check[] = [];
