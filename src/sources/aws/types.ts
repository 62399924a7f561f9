/**
 * The evidence the AWS sources gather, as plain serialisable data (this is what an evidence bundle holds).
 * Free of SDK imports: checks import these types; only the gatherers import the SDK.
 */
import { sourceKey } from "../model.js";

/** Source ids of the fleet (AWS) evidence. Stable: evidence bundles are keyed by them. */
export const AWS_SOURCE_IDS = {
  service: "ecs.service",
  stoppedTasks: "ecs.stopped-tasks",
  tasks: "ecs.tasks",
  instances: "fleet.instances",
  targets: "elb.targets",
  fileSystem: "efs.file-system",
  metrics: "cloudwatch.metrics",
  gunicornLogs: "logs.gunicorn",
} as const;

export interface EcsContainerDef {
  name: string;
  essential: boolean;
  /** Hard limit (MiB): the container is OOM-killed above it. */
  memoryMiB?: number;
  /** Soft limit (MiB): what the scheduler reserves; AWS/ECS MemoryUtilization divides by it. */
  memoryReservationMiB?: number;
  cpu?: number;
  image?: string;
  command?: string[];
  entryPoint?: string[];
  /** The GUNICORN_CMD_ARGS environment value, when set (gunicorn reads it on top of its config file). */
  gunicornCmdArgs?: string;
  /** Back-end HTTP keep-alive (s) found in the command or GUNICORN_CMD_ARGS; absent = not set. */
  keepAliveSeconds?: number;
  /** The CloudWatch Logs group of the awslogs log driver (logConfiguration.options["awslogs-group"]). */
  logGroup?: string;
  /** Its region (options["awslogs-region"]), when it names one. */
  logRegion?: string;
  /** Container paths of the task's mount points (e.g. a mounted /data/gunicorn.conf.py). */
  mountPaths?: string[];
}

export interface EcsTaskDefinition {
  arn: string;
  /** Task-level memory (MiB), when the task definition sets one. */
  taskMemoryMiB?: number;
  taskCpu?: number;
  containers: EcsContainerDef[];
  /** EFS file systems mounted by the task (volumes[].efsVolumeConfiguration.fileSystemId). */
  fileSystemIds: string[];
}

export interface EcsDeployment {
  id: string;
  status: string;
  rolloutState?: string;
  rolloutStateReason?: string;
  desired: number;
  running: number;
  pending: number;
  failedTasks: number;
  createdAt?: string;
  updatedAt?: string;
  taskDefinition?: string;
}

export interface EcsServiceEvent {
  at: string;
  message: string;
}

/**
 * The service's tasks that ECS wants running (ListTasks desiredStatus RUNNING + DescribeTasks), counted by
 * lastStatus. `pendingCount` in DescribeServices counts PENDING only: with an ASG capacity provider a task
 * waiting for a host sits in PROVISIONING (asg-capacity-providers docs) and is counted nowhere else.
 */
export interface EcsTaskCounts {
  /** By lastStatus: PROVISIONING, PENDING, ACTIVATING, RUNNING, DEACTIVATING, STOPPING… */
  byStatus: Record<string, number>;
  /** createdAt of the oldest task still in PROVISIONING (how long the scale-out has waited for a host). */
  oldestProvisioningAt?: string;
  /** RUNNING tasks per task definition ARN (a rollout runs two). */
  runningByTaskDefinition: Record<string, number>;
  /**
   * Where the RUNNING tasks run: one row per container instance (DescribeTasks containerInstanceArn), its EC2
   * instance id (DescribeContainerInstances ec2InstanceId) and when the earliest of its running tasks started
   * (startedAt). ec2.cpu-skew compares only instances that run the service's tasks. Absent in older bundles.
   */
  placement?: TaskPlacement[];
  /** Why the container instances' EC2 ids could not be read (the rows then carry no instanceId). */
  placementError?: string;
}

export interface TaskPlacement {
  containerInstanceArn: string;
  instanceId?: string;
  running: number;
  runningSince?: string;
}

export interface EcsServiceEvidence {
  cluster: string;
  service: string;
  serviceArn?: string;
  status?: string;
  launchType?: string;
  desiredCount: number;
  runningCount: number;
  pendingCount: number;
  deployments: EcsDeployment[];
  /** Service events inside the window, oldest first (DescribeServices keeps the latest 100). */
  events: EcsServiceEvent[];
  /**
   * Events from the EVENT_CARRY_HOURS before the window, oldest first. ECS omits a repeated event message
   * until its cause is resolved or six hours pass (service-event-messages docs): an ongoing cause may have
   * its only event before the window. Absent in older bundles.
   */
  earlierEvents?: EcsServiceEvent[];
  targetGroupArns: string[];
  taskDefinition: EcsTaskDefinition;
}

export interface StoppedContainer {
  name: string;
  exitCode?: number;
  reason?: string;
}

/**
 * Why a task stopped, classified once in the source (DESIGN "ECS lifecycles"):
 * - `self`: it ended on its own — an essential container exited (crash, OOM) or it failed to start;
 * - `health-check`: the scheduler killed it for failing ELB or container health checks (stopCode
 *   ServiceSchedulerInitiated, stoppedReason "Task failed ELB health checks in (target-group …)" or
 *   "… container health checks"; there is no dedicated stop code, aws/containers-roadmap#612);
 * - `scheduler`: the scheduler stopped it on purpose (deployment, scale-in, rebalancing);
 * - `user`: StopTask by a person or tool (UserInitiated);
 * - `infrastructure`: the host went away (InfrastructureHealth, SpotInterruption, TerminationNotice).
 * Stop codes per the ECS model's TaskStopCode enum (botocore ecs/2014-11-13/service-2.json).
 */
export type StopKind = "self" | "health-check" | "scheduler" | "user" | "infrastructure";

export interface StoppedTask {
  taskArn: string;
  taskId: string;
  stoppedAt?: string;
  stoppingAt?: string;
  stopCode?: string;
  stoppedReason?: string;
  containerInstanceArn?: string;
  taskDefinitionArn?: string;
  /** DescribeTasks startedBy ("ecs-svc/<deployment id>" for service tasks) and group ("service:<name>"). */
  startedBy?: string;
  group?: string;
  /** When it started RUNNING (absent: it never ran). */
  startedAt?: string;
  /** Set by the source (classifyStopKind); absent in older bundles, where checks classify it themselves. */
  stopKind?: StopKind;
  containers: StoppedContainer[];
}

export interface StoppedTasksEvidence {
  /** Tasks that stopped inside the window (ECS keeps stopped tasks visible for about an hour). */
  tasks: StoppedTask[];
  /** How many STOPPED tasks ListTasks returned in all (some may predate the window). */
  listed: number;
}

export interface FleetInstance {
  instanceId: string;
  instanceType?: string;
  availabilityZone?: string;
  containerInstanceArn?: string;
  runningTasks?: number;
  /**
   * Burstable (T-family) only: the credit option from DescribeInstanceCreditSpecifications. T3/T3a/T4g
   * launch `unlimited` unless the launch template says otherwise; only `standard` is held to baseline.
   */
  cpuCredits?: "standard" | "unlimited";
}

export interface FleetInstancesEvidence {
  /** How the instances were found: the ASG's running instances, or the cluster's container instances. */
  via: "autoscaling-group" | "container-instances";
  instances: FleetInstance[];
  /** Why the burstable instances' credit option could not be read (e.g. access denied); absent when read. */
  creditSpecError?: string;
  /** Why the auto-scaling group's members could not be listed, when the container instances were listed instead. */
  groupError?: string;
}

export interface TargetHealthEntry {
  id: string;
  port?: number;
  availabilityZone?: string;
  state: string;
  reason?: string;
  description?: string;
}

export interface TargetsEvidence {
  targetGroupArn: string;
  loadBalancerArn?: string;
  targets: TargetHealthEntry[];
  /** ALB idle timeout (idle_timeout.timeout_seconds). */
  idleTimeoutSeconds?: number;
  /** Target group deregistration_delay.timeout_seconds. */
  deregistrationDelaySeconds?: number;
}

export interface FileSystemEvidence {
  fileSystemId: string;
  name?: string;
  performanceMode?: string;
  throughputMode?: string;
  provisionedThroughputMiBps?: number;
  sizeBytes?: number;
  lifeCycleState?: string;
}

/** One gunicorn arbiter line found in the service's log group. */
export interface GunicornLogLine {
  at: string;
  /** "oom": "Worker (pid:N) was sent SIGKILL! Perhaps out of memory?"; "timeout": "WORKER TIMEOUT (pid:N)". */
  kind: "oom" | "timeout";
  stream: string;
  pid?: number;
}

export interface GunicornLogsEvidence {
  logGroup: string;
  /** The window's matching lines, oldest first. */
  lines: GunicornLogLine[];
  /** The search stopped at its page/line bound: there may be more. */
  truncated: boolean;
}

export interface MetricSeries {
  namespace: string;
  metric: string;
  dimensions: Record<string, string>;
  stat: string;
  period: number;
  /**
   * GetMetricData StatusCode: Complete, PartialData, InternalError, Forbidden; or "Error" when the call
   * asking for this series failed even when retried split (then `error` says why).
   */
  status: string;
  /** Why the series could not be fetched, in words (only with status "Error"). */
  error?: string;
  /** [ISO time, value], oldest first. */
  points: Array<[string, number]>;
}

export interface MetricsEvidence {
  periodSeconds: number;
  start: string;
  end: string;
  /** By series key, e.g. "efs.PercentIOLimit", "alb.RequestCount", "ec2.CPUUtilization.i-0abc". */
  series: Record<string, MetricSeries>;
  /** Areas whose metrics were not asked for, with the reason (e.g. no load balancer identified). */
  unavailable: Record<string, string>;
  /** What the dimensions were built from. */
  context: {
    cluster?: string;
    service?: string;
    fileSystemId?: string;
    loadBalancer?: string;
    targetGroup?: string;
    instances: string[];
  };
  /** GetMetricData messages (e.g. per-query errors), verbatim. */
  messages: string[];
}

export const SERVICE = sourceKey<EcsServiceEvidence>(AWS_SOURCE_IDS.service);
export const STOPPED_TASKS = sourceKey<StoppedTasksEvidence>(AWS_SOURCE_IDS.stoppedTasks);
export const TASKS = sourceKey<EcsTaskCounts>(AWS_SOURCE_IDS.tasks);
export const INSTANCES = sourceKey<FleetInstancesEvidence>(AWS_SOURCE_IDS.instances);
export const TARGETS = sourceKey<TargetsEvidence>(AWS_SOURCE_IDS.targets);
export const FILE_SYSTEM = sourceKey<FileSystemEvidence>(AWS_SOURCE_IDS.fileSystem);
export const METRICS = sourceKey<MetricsEvidence>(AWS_SOURCE_IDS.metrics);
export const GUNICORN_LOGS = sourceKey<GunicornLogsEvidence>(AWS_SOURCE_IDS.gunicornLogs);

/** T-family instance types earn and spend CPU credits. */
export function isBurstable(instanceType: string | undefined): boolean {
  return instanceType !== undefined && /^t\d[a-z]*\./.test(instanceType);
}

/** arn:…:loadbalancer/app/name/id → app/name/id (the CloudWatch LoadBalancer dimension). */
export function loadBalancerDimension(arn: string): string | undefined {
  const m = /:loadbalancer\/(app\/[^/]+\/[^/]+)$/.exec(arn);
  return m?.[1];
}

/** arn:…:targetgroup/name/id → targetgroup/name/id (the CloudWatch TargetGroup dimension). */
export function targetGroupDimension(arn: string): string | undefined {
  const m = /:(targetgroup\/[^/]+\/[^/]+)$/.exec(arn);
  return m?.[1];
}
