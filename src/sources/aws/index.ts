/** Lazy loaders for the aws sources, by source id: a run imports only the SDK clients it needs. */
import type { SourceLoader } from "../registry.js";

export const AWS_SOURCES: Record<string, SourceLoader> = {
  "ecs.service": async () => (await import("./ecs.js")).serviceSource,
  "ecs.stopped-tasks": async () => (await import("./ecs.js")).stoppedTasksSource,
  "ecs.tasks": async () => (await import("./ecs.js")).tasksSource,
  "fleet.instances": async () => (await import("./ecs.js")).instancesSource,
  "elb.targets": async () => (await import("./elbv2.js")).targetsSource,
  "efs.file-system": async () => (await import("./efs.js")).fileSystemSource,
  "logs.gunicorn": async () => (await import("./logs.js")).gunicornLogsSource,
  "cloudwatch.metrics": async () => (await import("./cloudwatch.js")).metricsSource,
  "size.load": async () => (await import("./size-load.js")).sizeLoadSource,
};
