/** The auth.* checks, in the order they are reported. */
import type { Check } from "../model.js";

export const AUTH_CHECKS: Check[] = [];
