/**
 * The capacity model: pure functions from a fleet configuration (and the instance facts table) to what the
 * fleet can place and carry, and — given a load — where its first limit is. One answer for `pypictl size`,
 * doctor's "make it bigger" hints and deploy/synth's placement validation.
 *
 * Placement follows the Terraform module's capacity formula (FACTS §1): per host, memory for tasks =
 * instance MiB − 300 (system and ECS agent) − 500 (page cache), CPU = vCPU × 1024 − 128; tasks per host =
 * min(⌊memory ÷ reservation⌋, ⌊CPU ÷ container CPU⌋).
 *
 * Throughput is calibrated on the module's stress tests (FACTS §2), an inference stated as such: each
 * profile's tested burst divided by the vCPUs it ran on (burstable types at their baseline share) gives
 * 62.5 requests/min per vCPU for light (2×t3.small at 20 % = 0.8 vCPU, 50/min), heavy (8 vCPU, 500/min)
 * and very heavy (16 vCPU, 500+/min, taken as 1000); medium's 200/min on 4 vCPU sits under it (50), so
 * the constant never promises more than a tested profile delivered.
 */
import { instanceFacts, type InstanceFacts } from "./instances.js";

/** FACTS §1: memory the host keeps for the system and the ECS agent, MiB. */
export const AGENT_RESERVED_MIB = 300;
/** FACTS §1: memory left to the page cache (EFS reads), MiB. */
export const PAGE_CACHE_RESERVED_MIB = 500;
/** FACTS §1: CPU units the ECS agent and the host keep. */
export const CPU_RESERVED_UNITS = 128;
/** ECS: 1024 CPU units per vCPU (ECS task definition parameters docs). */
export const CPU_UNITS_PER_VCPU = 1024;
/** Calibrated on FACTS §2 (see the module comment): requests per minute one vCPU carries within the profiles' p95. */
export const REQUESTS_PER_MINUTE_PER_VCPU = 62.5;
/**
 * gunicorn's gevent worker holds up to `worker_connections` (default 1000, gunicorn docs "Settings") requests
 * at once; the image's and the module's gunicorn.conf.py use gevent (FACTS §9). One worker is one process: it
 * uses at most one vCPU.
 */
export const GEVENT_WORKER_CONNECTIONS = 1000;

/**
 * What a listing costs per package file: pypiserver's simple-dir backend walks every package file on each
 * /simple/… and /packages/… request (`_app.py`: `simple()`, `list_packages()` and `server_static()` all go
 * through `find_packages(config.iter_packages())`); measured on pypiserver 2.4.1, /simple/ took 2.2 ms with
 * 10 files, 23 ms with 1,500 and 140 ms with 10,000: about 14 µs per file.
 */
export const LISTING_SECONDS_PER_FILE = 14e-6;
/**
 * The package count the throughput calibration already includes: the stress-tested profiles served up to
 * 500 packages (heavy's 200–500). Files beyond it add their walk to every request (an inference: the walk is
 * CPU in the worker on top of the calibrated per-request cost).
 */
export const CALIBRATED_PACKAGE_FILES = 500;

/** CPU seconds one request costs at the calibration: one vCPU carries REQUESTS_PER_MINUTE_PER_VCPU a minute. */
const CALIBRATED_SECONDS_PER_REQUEST = 60 / REQUESTS_PER_MINUTE_PER_VCPU;

/** What the fleet serves, beyond its configuration: the package count a listing walks. */
export interface Workload {
  /** Package files the index serves (pypiserver's `/` page). Unknown: the calibration's count is assumed. */
  packageFiles?: number;
}

/**
 * The listing cost of a package count: seconds each request spends walking the files beyond the
 * calibration's, and the share of the calibrated carry left (1 at or under 500 files).
 */
export function listingCost(packageFiles: number | undefined): {
  extraSecondsPerRequest: number;
  carryFactor: number;
} {
  const extra = Math.max(0, (packageFiles ?? 0) - CALIBRATED_PACKAGE_FILES) * LISTING_SECONDS_PER_FILE;
  return {
    extraSecondsPerRequest: extra,
    carryFactor: CALIBRATED_SECONDS_PER_REQUEST / (CALIBRATED_SECONDS_PER_REQUEST + extra),
  };
}

/** How close to a limit is still fine: FACTS §2 "scale when CPU > 80 % … memory > 90 %", EFS PercentIOLimit 80 %. */
export const LIMIT_TARGETS = { cpu: 0.8, memory: 0.9, workers: 0.8, efs: 0.8 } as const;
export type LimitName = keyof typeof LIMIT_TARGETS;
export const LIMIT_NAMES = Object.keys(LIMIT_TARGETS) as LimitName[];

export type ThroughputMode = "elastic" | "bursting" | "provisioned";

export interface FleetConfig {
  instanceType: string;
  minHosts: number;
  maxHosts: number;
  /** Desired (minimum) task count. */
  tasksMin: number;
  tasksMax: number;
  /** Container hard memory limit, MiB (OOM kill above it). */
  containerMemory: number;
  /** Soft reservation, MiB: what placement counts. */
  containerMemoryReservation: number;
  /** Container CPU units. */
  containerCpu: number;
  gunicornWorkers: number;
  efsThroughputMode: ThroughputMode;
  efsProvisionedMibps?: number;
  /** Burstable types only (FACTS §8: unlimited is the launch default). */
  cpuCredits?: "standard" | "unlimited";
}

export interface Capacity {
  config: FleetConfig;
  instance: InstanceFacts;
  /** Tasks one host holds, by memory and by CPU; `slots` is the smaller. */
  perHost: { byMemory: number; byCpu: number; slots: number };
  /** Task slots in all, at the minimum and the maximum host count. */
  slots: { atMinHosts: number; atMaxHosts: number };
  /**
   * Memory of one host with its share of the desired tasks placed: after the agent's reserve and the
   * reservations (`headroomMiB`), and if every task there reached its hard limit (`hardHeadroomMiB`, < 0
   * means the host can be pushed into swap or the kernel OOM killer before any container limit trips).
   */
  memoryPerHost: {
    totalMiB: number;
    agentReservedMiB: number;
    pageCacheMiB: number;
    tasks: number;
    reservedMiB: number;
    headroomMiB: number;
    hardLimitsMiB: number;
    hardHeadroomMiB: number;
  };
  /** gunicorn worker processes at the desired task count, and the requests they can hold at once. */
  workers: { processes: number; concurrentRequests: number };
  /** vCPUs the desired tasks can use: the hosts' (burstable at baseline), at most one per worker process. */
  effectiveVcpus: number;
  /** Requests per minute the desired tasks carry (CPU-bound, calibrated), and at the maximum counts. */
  requestsPerMinute: { atMin: number; atMax: number };
  /** The package count the carry was computed for, and what walking it costs each request. */
  listing: { packageFiles?: number; extraSecondsPerRequest: number; carryFactor: number };
  problems: PlacementProblem[];
}

export interface PlacementProblem {
  /** The prop whose value cannot be placed (stack prop name; the Terraform variable is in `variable`). */
  prop: "taskMaxCount" | "taskMinCount" | "containerMemory" | "containerMemoryReservation";
  variable: string;
  message: string;
}

export class UnknownInstanceTypeError extends Error {
  constructor(readonly instanceType: string) {
    super(
      `instance type ${instanceType} is not in the capacity model's table (it knows the t3/t3a/t4g, c5–c7, m5–m7 and r5–r7 families up to 8xlarge)`,
    );
    this.name = "UnknownInstanceTypeError";
  }
}

function perHostSlots(instance: InstanceFacts, reservation: number, cpu: number) {
  const mem = instance.memoryMiB - AGENT_RESERVED_MIB - PAGE_CACHE_RESERVED_MIB;
  const units = instance.vcpus * CPU_UNITS_PER_VCPU - CPU_RESERVED_UNITS;
  const byMemory = Math.max(0, Math.floor(mem / Math.max(1, reservation)));
  const byCpu = Math.max(0, Math.floor(units / Math.max(1, cpu)));
  return { byMemory, byCpu, slots: Math.min(byMemory, byCpu) };
}

/** What a configuration can place and carry. Throws UnknownInstanceTypeError for a type not in the table. */
export function capacityOf(config: FleetConfig, workload: Workload = {}): Capacity {
  const instance = instanceFacts(config.instanceType);
  if (!instance) throw new UnknownInstanceTypeError(config.instanceType);
  const perHost = perHostSlots(instance, config.containerMemoryReservation, config.containerCpu);
  const slots = { atMinHosts: perHost.slots * config.minHosts, atMaxHosts: perHost.slots * config.maxHosts };
  const tasks = Math.ceil(config.tasksMin / Math.max(1, config.minHosts));
  const reservedMiB = tasks * config.containerMemoryReservation;
  const hardLimitsMiB = tasks * config.containerMemory;
  const memoryPerHost = {
    totalMiB: instance.memoryMiB,
    agentReservedMiB: AGENT_RESERVED_MIB,
    pageCacheMiB: PAGE_CACHE_RESERVED_MIB,
    tasks,
    reservedMiB,
    headroomMiB: instance.memoryMiB - AGENT_RESERVED_MIB - reservedMiB,
    hardLimitsMiB,
    hardHeadroomMiB: instance.memoryMiB - AGENT_RESERVED_MIB - hardLimitsMiB,
  };
  const processes = config.tasksMin * config.gunicornWorkers;
  const share = instance.baselineShare ?? 1;
  const vcpusAt = (hosts: number, taskCount: number) =>
    Math.min(hosts * instance.vcpus * share, taskCount * config.gunicornWorkers);
  const effectiveVcpus = vcpusAt(config.minHosts, Math.min(config.tasksMin, slots.atMinHosts));
  const atMaxVcpus = vcpusAt(config.maxHosts, Math.min(config.tasksMax, slots.atMaxHosts));
  const listing = listingCost(workload.packageFiles);
  const perVcpu = REQUESTS_PER_MINUTE_PER_VCPU * listing.carryFactor;
  return {
    config,
    instance,
    perHost,
    slots,
    memoryPerHost,
    workers: { processes, concurrentRequests: processes * GEVENT_WORKER_CONNECTIONS },
    effectiveVcpus,
    requestsPerMinute: { atMin: effectiveVcpus * perVcpu, atMax: atMaxVcpus * perVcpu },
    listing: {
      ...(workload.packageFiles !== undefined ? { packageFiles: workload.packageFiles } : {}),
      ...listing,
    },
    problems: placementProblems(config, instance, perHost, slots),
  };
}

function placementProblems(
  c: FleetConfig,
  instance: InstanceFacts,
  perHost: Capacity["perHost"],
  slots: Capacity["slots"],
): PlacementProblem[] {
  const problems: PlacementProblem[] = [];
  const usable = instance.memoryMiB - AGENT_RESERVED_MIB;
  if (c.containerMemory > usable)
    problems.push({
      prop: "containerMemory",
      variable: "container_memory",
      message: `a container's hard limit of ${c.containerMemory} MiB is above what a ${c.instanceType} has for tasks (${instance.memoryMiB} MiB − ${AGENT_RESERVED_MIB} MiB for the system and the ECS agent = ${usable} MiB)`,
    });
  if (perHost.slots < 1)
    problems.push({
      prop: "containerMemoryReservation",
      variable: "container_memory_reservation",
      message: `a ${c.instanceType} has no slot for one task of ${c.containerMemoryReservation} MiB / ${c.containerCpu} CPU units (memory for tasks ${instance.memoryMiB} − ${AGENT_RESERVED_MIB} − ${PAGE_CACHE_RESERVED_MIB} = ${instance.memoryMiB - AGENT_RESERVED_MIB - PAGE_CACHE_RESERVED_MIB} MiB, CPU ${instance.vcpus}×${CPU_UNITS_PER_VCPU} − ${CPU_RESERVED_UNITS} = ${instance.vcpus * CPU_UNITS_PER_VCPU - CPU_RESERVED_UNITS} units)`,
    });
  else {
    if (c.tasksMax > slots.atMaxHosts)
      problems.push({
        prop: "taskMaxCount",
        variable: "task_max_count",
        message: `${c.tasksMax} tasks at most, but ${c.maxHosts} × ${c.instanceType} have ${slots.atMaxHosts} slots (${perHost.slots} per host: ${perHost.byMemory} by memory at ${c.containerMemoryReservation} MiB reserved, ${perHost.byCpu} by CPU at ${c.containerCpu} units); the rest would wait in PROVISIONING`,
      });
    if (c.tasksMin > slots.atMaxHosts)
      problems.push({
        prop: "taskMinCount",
        variable: "task_min_count",
        message: `${c.tasksMin} desired tasks, but ${c.maxHosts} × ${c.instanceType} have ${slots.atMaxHosts} slots (${perHost.slots} per host)`,
      });
  }
  return problems;
}

/** What a fleet saw at its busiest: the numbers a placement is judged on. Observed values are optional. */
export interface Load {
  /** Requests in the busiest minute (the p99 minute when judging sustained load). */
  requestsPerMinute: number;
  /** Requests in flight at once (Little's law: requests/min × response time ÷ 60). */
  concurrentRequests?: number;
  /** Host CPU observed at those minutes on the configuration `observedOn`, %. */
  hostCpuPercent?: number;
  /** Task memory at its peak, % of the container's hard limit, on `observedOn`. */
  taskMemoryPercentOfLimit?: number;
  /** EFS: the higher of PercentIOLimit (sustained) and throughput used ÷ permitted, %. Instance-independent. */
  efsPercent?: number;
  /** The configuration the observed values were measured on (they are scaled to another one). */
  observedOn?: FleetConfig;
  /** Package files the index serves: each request walks them (listing cost), whatever the hosts. */
  packageFiles?: number;
}

export interface LimitUse {
  limit: LimitName;
  /** Fraction of the limit used (1 = at it). */
  used: number;
  /** The fraction still fine (LIMIT_TARGETS). */
  target: number;
  /** How the number was had: the model, an observation, or an observation scaled to this configuration. */
  basis: "model" | "observed" | "scaled";
}

export interface Placement {
  uses: LimitUse[];
  /** The limit with the highest use ÷ target: what fails first as load grows. */
  first: LimitUse;
  /** Every limit within its target. */
  fits: boolean;
}

const round3 = (n: number) => Math.round(n * 1000) / 1000;

/** Place a load on a configuration: each limit's use, the first limit, whether it fits. */
export function place(cap: Capacity, load: Load): Placement {
  const uses: LimitUse[] = [];
  const on = load.observedOn;
  const same = on !== undefined && sameHosts(on, cap.config);
  const modelCpu = load.requestsPerMinute / Math.max(1e-9, cap.requestsPerMinute.atMin);
  // The modelled carry is the tested burst itself (FACTS §2: at it the profile met its p95), so the model's
  // number may reach 1; host CPU as CloudWatch measured it is held to FACTS §2's 80 %.
  let cpu: LimitUse = { limit: "cpu", used: modelCpu, target: 1, basis: "model" };
  if (load.hostCpuPercent !== undefined && on) {
    // vCPUs of work done at those minutes, over the vCPUs this configuration can use (burstable: baseline).
    const work = (load.hostCpuPercent / 100) * hostVcpus(on);
    const scaled = work / Math.max(1e-9, cap.effectiveVcpus);
    if (scaled / LIMIT_TARGETS.cpu > modelCpu)
      cpu = { limit: "cpu", used: scaled, target: LIMIT_TARGETS.cpu, basis: same ? "observed" : "scaled" };
  }
  uses.push(cpu);
  if (load.taskMemoryPercentOfLimit !== undefined) {
    const observed = load.taskMemoryPercentOfLimit / 100;
    const ratio = on ? on.containerMemory / cap.config.containerMemory : 1;
    uses.push({
      limit: "memory",
      used: observed * ratio,
      target: LIMIT_TARGETS.memory,
      basis: !on || ratio === 1 ? "observed" : "scaled",
    });
  }
  const concurrent = load.concurrentRequests ?? load.requestsPerMinute / 60;
  uses.push({
    limit: "workers",
    used: concurrent / Math.max(1, cap.workers.concurrentRequests),
    target: LIMIT_TARGETS.workers,
    basis: "model",
  });
  if (load.efsPercent !== undefined) {
    const sameMode =
      !on ||
      (on.efsThroughputMode === cap.config.efsThroughputMode &&
        on.efsProvisionedMibps === cap.config.efsProvisionedMibps);
    // Elastic throughput scales with demand (EFS performance docs): a bursting/provisioned ceiling is gone.
    const used = sameMode ? load.efsPercent / 100 : cap.config.efsThroughputMode === "elastic" ? 0 : 1;
    uses.push({ limit: "efs", used, target: LIMIT_TARGETS.efs, basis: sameMode ? "observed" : "model" });
  }
  for (const u of uses) u.used = round3(u.used);
  const first = uses.reduce((a, b) => (b.used / b.target > a.used / a.target ? b : a));
  return { uses, first, fits: uses.every((u) => u.used <= u.target) };
}

function sameHosts(a: FleetConfig, b: FleetConfig): boolean {
  return a.instanceType === b.instanceType && a.minHosts === b.minHosts && a.tasksMin === b.tasksMin;
}

/** All vCPUs of the configuration's minimum hosts (what EC2 CPUUtilization is a share of). */
function hostVcpus(c: FleetConfig): number {
  return c.minHosts * (instanceFacts(c.instanceType)?.vcpus ?? 1);
}
