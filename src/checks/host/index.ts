/** The host.* checks, in the order they are reported. */
import type { Check } from "../model.js";

export const HOST_CHECKS: Check[] = [];
