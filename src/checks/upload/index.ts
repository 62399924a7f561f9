/** The upload.* checks, in the order they are reported. */
import type { Check } from "../model.js";

export const UPLOAD_CHECKS: Check[] = [];
