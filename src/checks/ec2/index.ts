/** The ec2.* checks, in the order they are reported. */
import type { Check } from "../model.js";

export const EC2_CHECKS: Check[] = [];
