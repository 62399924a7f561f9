/**
 * Every threshold default in one place, by area. The checks take their defaults from here and the CDK
 * stack builds its CloudWatch alarms from the same constants, so the two can never disagree.
 */
export * from "./host.js";
export * from "./efs.js";
export * from "./ecs.js";
export * from "./alb.js";
export * from "./ec2.js";
export * from "./auth.js";
export * from "./upload.js";
