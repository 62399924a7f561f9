/** The alb.* checks, in the order they are reported. */
import type { Check } from "../model.js";

export const ALB_CHECKS: Check[] = [];
