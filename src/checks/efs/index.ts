/** The efs.* checks, in the order they are reported. */
import type { Check } from "../model.js";
import { efsBurstCredits, efsPercentIoLimit, efsThroughputUtilization } from "./checks.js";

export const EFS_CHECKS: Check[] = [
  efsPercentIoLimit,
  efsThroughputUtilization,
  efsBurstCredits,
] as unknown as Check[];
