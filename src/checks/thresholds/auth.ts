/** Auth and client-config thresholds (the index probe). */
import type { Threshold } from "../model.js";

export const AUTH_INDEX_PROBE = {
  timeoutSeconds: {
    unit: "s",
    default: 10,
    min: 1,
    description: "A probe request taking longer than this is reported as a timeout.",
  },
  slowSeconds: {
    unit: "s",
    default: 2,
    min: 0,
    description: "An authenticated /simple/ listing slower than this warns (light-profile p95 target).",
  },
} satisfies Record<string, Threshold>;
