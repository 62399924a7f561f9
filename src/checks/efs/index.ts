/** The efs.* checks, in the order they are reported. */
import type { Check } from "../model.js";

export const EFS_CHECKS: Check[] = [];
