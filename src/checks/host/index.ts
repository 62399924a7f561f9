/** The host.* checks, in the order they are reported. */
import type { Check } from "../model.js";
import { swapActivity } from "./swap-activity.js";
import { swapUsed } from "./swap-used.js";
import { memoryAvailable } from "./memory-available.js";
import { iowait } from "./iowait.js";
import { packageCount } from "./package-count.js";
import { efsMount } from "./efs-mount.js";

export const HOST_CHECKS: Check[] = [swapActivity, swapUsed, memoryAvailable, iowait, packageCount, efsMount];
