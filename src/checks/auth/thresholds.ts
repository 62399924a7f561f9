/** Auth and client-config thresholds (the index probe). */
import type { Threshold } from "../model.js";

const TIMEOUT = {
  timeoutSeconds: {
    unit: "s",
    default: 10,
    min: 1,
    description: "A probe request taking longer than this is reported as a timeout.",
  },
} satisfies Record<string, Threshold>;

/** Kept for compatibility: the combined probe thresholds. */
export const AUTH_INDEX_PROBE = {
  ...TIMEOUT,
  slowSeconds: {
    unit: "s",
    default: 2,
    min: 0,
    description: "An authenticated /simple/ listing slower than this warns (light-profile p95 target).",
  },
} satisfies Record<string, Threshold>;

export const AUTH_INDEX_PROTECTED = { ...TIMEOUT } satisfies Record<string, Threshold>;
export const AUTH_CREDENTIALS_ACCEPTED = AUTH_INDEX_PROBE;
export const AUTH_HEALTH_ENDPOINT = { ...TIMEOUT } satisfies Record<string, Threshold>;
export const AUTH_CLIENT_CONFIG = {} satisfies Record<string, Threshold>;
