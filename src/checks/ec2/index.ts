/** The ec2.* checks, in the order they are reported. */
import type { Check } from "../model.js";
import { ec2CpuCredits, ec2CpuSkew } from "./checks.js";

export const EC2_CHECKS: Check[] = [ec2CpuCredits, ec2CpuSkew] as unknown as Check[];
