/**
 * From gathered evidence to the two inputs of the model: the fleet's current configuration (what ECS, the
 * Auto Scaling group and EFS say it is) and the load it carried (what CloudWatch saw over the window).
 * Pure: evidence in, numbers out; every number says where it came from when it was not measured.
 */
import type { Evidence } from "../sources/model.js";
import {
  FILE_SYSTEM,
  INSTANCES,
  SERVICE,
  type EcsServiceEvidence,
  type FileSystemEvidence,
  type FleetInstancesEvidence,
} from "../sources/aws/types.js";
import { SIZE_SOURCE_ID, timeAt, type SizeLoadEvidence, type SizeSeries } from "./evidence.js";
import { listingCost, type FleetConfig } from "./model.js";
import { PACKAGE_COUNT_SOURCE, type IndexPackageCount } from "../sources/http/package-count.js";
import { defaultContainerCpu, defaultGunicornWorkers, SIZES, type Size } from "../infra/sizing.js";
import { PROFILE_RESULTS } from "./profiles.js";

export interface ConfigReading {
  config: FleetConfig;
  /** Values that were not read but assumed, and why (e.g. "maxHosts: the Auto Scaling group was not read"). */
  assumed: string[];
}

/** What could not be read at all: `size` cannot place the load without these. */
export class ConfigUnreadable extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigUnreadable";
  }
}

const WORKERS_FLAG = /(?:^|\s)(?:--workers(?:=|\s+)|-w\s*)(\d+)/;
/** `workers = N` in a gunicorn.conf.py the command writes (the module's and the stack's do, FACTS §9). */
const WORKERS_CONF = /(?:^|\n)\s*workers\s*=\s*(\d+)\s*(?:$|\n)/;

/**
 * gunicorn's worker count: `--workers N` / `-w N` in GUNICORN_CMD_ARGS (which gunicorn reads on top of its
 * config file, so it wins), else in the command, else `workers = N` in a config file the command writes.
 */
export function workersFrom(c: { gunicornCmdArgs?: string; command?: string[] }): number | undefined {
  const command = c.command?.join(" ");
  for (const text of [c.gunicornCmdArgs, command]) {
    const m = text ? WORKERS_FLAG.exec(text) : null;
    if (m) return Number(m[1]);
  }
  const conf = command ? WORKERS_CONF.exec(command) : null;
  return conf ? Number(conf[1]) : undefined;
}

function mostCommon(values: string[]): string | undefined {
  const n = new Map<string, number>();
  for (const v of values) n.set(v, (n.get(v) ?? 0) + 1);
  return [...n.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0];
}

export function readConfig(
  svc: EcsServiceEvidence,
  inst: FleetInstancesEvidence | undefined,
  fs: FileSystemEvidence | undefined,
  load: SizeLoadEvidence | undefined,
): ConfigReading {
  const assumed: string[] = [];
  const types = (inst?.instances ?? []).map((i) => i.instanceType).filter((t): t is string => !!t);
  const instanceType = mostCommon(types);
  if (!instanceType)
    throw new ConfigUnreadable(
      "the hosts' instance type was not read (fleet.instances failed or found no instances)",
    );
  if (new Set(types).size > 1)
    assumed.push(`instanceType: hosts of ${[...new Set(types)].join(", ")}; sized as ${instanceType}`);
  const hostsNow = inst?.instances.length ?? 0;
  let minHosts = hostsNow;
  let maxHosts = hostsNow;
  if (load?.autoScalingGroup) {
    const g = load.autoScalingGroup;
    // The hosts that carry a burst are the ones running, not the group's floor: a group at min 1 running 2 is sized as 2.
    minHosts = Math.max(g.min, hostsNow);
    maxHosts = g.max;
    if (hostsNow > g.min)
      assumed.push(
        `minHosts: the group's minimum is ${g.min}, ${hostsNow} hosts run now; sized as ${minHosts}`,
      );
  } else
    assumed.push(
      `minHosts/maxHosts: the Auto Scaling group's bounds were not read${load?.autoScalingGroupError ? ` (${load.autoScalingGroupError})` : ""}; taken as the ${hostsNow} hosts running now`,
    );
  minHosts = Math.max(1, minHosts);
  maxHosts = Math.max(minHosts, maxHosts);
  const c = svc.taskDefinition.containers.find((x) => x.essential) ?? svc.taskDefinition.containers[0];
  const containerMemory = c?.memoryMiB ?? svc.taskDefinition.taskMemoryMiB;
  if (!containerMemory)
    throw new ConfigUnreadable("the task definition sets no container memory limit (memory) to size against");
  const containerMemoryReservation = c?.memoryReservationMiB ?? containerMemory;
  let gunicornWorkers = c ? workersFrom(c) : undefined;
  if (gunicornWorkers === undefined) {
    gunicornWorkers = defaultGunicornWorkers(containerMemory);
    assumed.push(
      `gunicornWorkers: not in the task definition's command or GUNICORN_CMD_ARGS; the module's default for ${containerMemory} MiB is ${gunicornWorkers}`,
    );
  }
  let containerCpu = c?.cpu ?? svc.taskDefinition.taskCpu ?? 0;
  if (!containerCpu) {
    containerCpu = defaultContainerCpu(gunicornWorkers);
    assumed.push(`containerCpu: not set; the module's default workers×150+40 = ${containerCpu}`);
  }
  const tasksMin = Math.max(1, svc.desiredCount);
  const runningMax = maxOf(load?.series.runningTasks);
  const tasksMax = Math.max(tasksMin, runningMax ?? 0);
  assumed.push(
    `tasksMax: service auto scaling is not read; taken as the most tasks seen running (${tasksMax})`,
  );
  const mode = fs?.throughputMode;
  const efsThroughputMode: FleetConfig["efsThroughputMode"] =
    mode === "bursting" || mode === "provisioned" ? mode : "elastic";
  if (!fs) assumed.push("efsThroughputMode: the file system was not read; taken as elastic");
  const cpuCredits = inst?.instances.find((i) => i.instanceType === instanceType)?.cpuCredits;
  return {
    config: {
      instanceType,
      minHosts,
      maxHosts,
      tasksMin,
      tasksMax,
      containerMemory,
      containerMemoryReservation,
      containerCpu,
      gunicornWorkers,
      efsThroughputMode,
      ...(fs?.provisionedThroughputMiBps !== undefined
        ? { efsProvisionedMibps: fs.provisionedThroughputMiBps }
        : {}),
      ...(cpuCredits ? { cpuCredits } : {}),
    },
    assumed,
  };
}

// ---- the load -----------------------------------------------------------------------------------------

function present(s: SizeSeries | undefined): number[] {
  return (s?.values ?? []).filter((v): v is number => v !== null);
}

function maxOf(s: SizeSeries | undefined): number | undefined {
  const v = present(s);
  return v.length ? Math.max(...v) : undefined;
}

/** The q-quantile (0..1) of values, nearest rank. */
export function quantile(values: readonly number[], q: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

/**
 * The highest level a series held for at least `seconds` of wall clock: the max over runs of consecutive
 * values (by time, a missing value breaks the run) of their minimum. FACTS §2: "CPU > 80 % for ≥ 10 min".
 */
export function sustainedMax(s: SizeSeries | undefined, seconds: number): number | undefined {
  if (!s) return undefined;
  const k = Math.max(1, Math.ceil(seconds / s.period));
  let best: number | undefined;
  for (let i = 0; i + k <= s.values.length; i++) {
    let low = Number.POSITIVE_INFINITY;
    for (let j = i; j < i + k; j++) {
      const v = s.values[j];
      if (v === null || v === undefined) {
        low = Number.NaN;
        break;
      }
      low = Math.min(low, v);
    }
    if (!Number.isNaN(low) && (best === undefined || low > best)) best = low;
  }
  return best;
}

/** The value at time t of a (coarser) series: the value whose period contains t. */
function valueAt(s: SizeSeries | undefined, t: number): number | undefined {
  if (!s) return undefined;
  const i = Math.floor((t - Date.parse(s.start)) / (s.period * 1000));
  const v = i >= 0 && i < s.values.length ? s.values[i] : null;
  return v ?? undefined;
}

export interface BurstShape {
  /** Minutes (or periods) above each profile's tested burst. */
  minutesAbove: Record<Size, number>;
  /** Runs of consecutive periods above the threshold (the current configuration's carry). */
  bursts: number;
  longestBurstMinutes: number;
  /** Share of periods with under one request a minute. */
  idleShare: number;
}

export interface ObservedLoad {
  periodSeconds: number;
  /** With periods over a minute, per-minute numbers are the period's average minute (a peak minute is higher). */
  perMinuteIsAverage: boolean;
  requests?: {
    total: number;
    peakPerMinute: number;
    peakAt: string;
    p99PerMinute: number;
    medianPerMinute: number;
    /** The burst level the model is given: the 99.9th-percentile minute (a recurring burst, not one outlier). */
    burstPerMinute: number;
    shape: BurstShape;
    /** The load over the window for a chart: the busiest minute of each step (at most 400 steps). */
    series: { start: string; stepSeconds: number; maxPerMinute: number[] };
  };
  /** At the busiest periods (the top 0.1 %, at least 3). */
  busiest?: {
    at: string[];
    p95Seconds?: number;
    errorPercent?: number;
    hostCpuPercent?: number;
    taskMemoryPercentOfLimit?: number;
  };
  hostCpu?: { peakPercent: number; sustainedPercent: number; hosts: number };
  taskMemory?: { peakPercentOfReservation: number; peakPercentOfLimit: number };
  efs?: {
    ioSustainedPercent?: number;
    throughputSustainedPercent?: number;
    creditsMinBytes?: number;
    creditsFirstBytes?: number;
    creditsLastBytes?: number;
  };
  runningTasks?: { min: number; max: number };
  /**
   * Package files the index serves (its `/` page) and what walking them costs each request beyond the
   * calibration's 500: the listing cost the model's carry is reduced by.
   */
  packages?: { files: number; source: string; extraMsPerRequest: number; carryFactor: number };
  hostsNow: number;
  /** What was not measured, and why. */
  missing: string[];
}

const SUSTAINED_SECONDS = 600;

/** The package count as gathered: the number and where it was read, or why it was not. */
export type PackageReading = { files: number; source: string } | { missing: string };

/** The `http.package-count` source's answer, for the model and the report. */
export function packageReadingOf(evidence: Evidence): PackageReading {
  const r = evidence[PACKAGE_COUNT_SOURCE];
  if (!r) return { missing: "package count: not gathered (not in this evidence bundle)" };
  if (!r.ok) return { missing: `package count: not read, because ${r.message}` };
  const v = r.value as IndexPackageCount;
  // The URL stays out: the report names the fleet, and its HTML page links nowhere.
  return { files: v.files, source: `the index's / page: "serving ${v.files} packages"` };
}

export function observeLoad(
  load: SizeLoadEvidence,
  config: FleetConfig,
  carryPerMinute: number,
  hostsNow: number,
  packages?: PackageReading,
): ObservedLoad {
  const period = load.resolution.periodSeconds;
  const perMinute = 60 / period;
  const out: ObservedLoad = { periodSeconds: period, perMinuteIsAverage: period > 60, hostsNow, missing: [] };
  if (packages && "files" in packages) {
    const cost = listingCost(packages.files);
    out.packages = {
      files: packages.files,
      source: packages.source,
      extraMsPerRequest: round1(cost.extraSecondsPerRequest * 1000),
      carryFactor: round3(cost.carryFactor),
    };
  } else if (packages) out.missing.push(packages.missing);
  const miss = (what: string, s: SizeSeries | undefined, why?: string) =>
    out.missing.push(
      `${what}: ${s?.status === "Error" ? (s.error ?? "error") : (why ?? (s ? "no datapoints in the window" : "not asked (no identity)"))}`,
    );
  const req = load.series.requests;
  const counts = present(req);
  if (req && counts.length) {
    const rpm = req.values.map((v) => (v === null ? 0 : v * perMinute));
    const total = counts.reduce((a, b) => a + b, 0);
    let peakI = 0;
    rpm.forEach((v, i) => {
      if (v > rpm[peakI]!) peakI = i;
    });
    const sortedDesc = [...rpm].sort((a, b) => b - a);
    const burst = sortedDesc[Math.floor(rpm.length * 0.001)] ?? 0;
    const minutesAbove = Object.fromEntries(
      SIZES.map((s) => [
        s,
        rpm.filter((v) => v > PROFILE_RESULTS[s].testedBurstPerMinute).length * (period / 60),
      ]),
    ) as Record<Size, number>;
    let bursts = 0;
    let run = 0;
    let longest = 0;
    for (const v of rpm) {
      if (v > carryPerMinute) {
        if (run === 0) bursts++;
        run++;
        longest = Math.max(longest, run);
      } else run = 0;
    }
    const per = Math.max(1, Math.ceil(rpm.length / 400));
    const maxPerMinute: number[] = [];
    for (let i = 0; i < rpm.length; i += per) maxPerMinute.push(round1(Math.max(...rpm.slice(i, i + per))));
    out.requests = {
      series: { start: req.start, stepSeconds: per * period, maxPerMinute },
      total: Math.round(total),
      peakPerMinute: round1(rpm[peakI]!),
      peakAt: new Date(timeAt(req, peakI)).toISOString(),
      p99PerMinute: round1(quantile(rpm, 0.99)!),
      medianPerMinute: round1(quantile(rpm, 0.5)!),
      burstPerMinute: round1(burst),
      shape: {
        minutesAbove,
        bursts,
        longestBurstMinutes: (longest * period) / 60,
        idleShare: round3(rpm.filter((v) => v < 1).length / rpm.length),
      },
    };
    // The busiest periods: what p95, errors, CPU and memory were when the load was highest.
    const top = Math.max(3, Math.floor(rpm.length * 0.001));
    const idx = rpm
      .map((v, i) => [v, i] as const)
      .sort((a, b) => b[0] - a[0] || a[1] - b[1])
      .slice(0, top)
      .filter(([v]) => v > 0)
      .map(([, i]) => i);
    const times = idx.map((i) => timeAt(req, i));
    const at = <T>(f: (t: number) => T | undefined) => times.map(f).filter((v): v is T => v !== undefined);
    const p95s = at((t) => valueAt(load.series.p95, t));
    const reqAt = at((t) => valueAt(req, t));
    const errs = at((t) => (valueAt(load.series.elb5xx, t) ?? 0) + (valueAt(load.series.target5xx, t) ?? 0));
    const cpus = at((t) => hostCpuAt(load, t));
    const mems = at((t) => valueAt(load.series.taskMemory, t));
    const reqSum = reqAt.reduce((a, b) => a + b, 0);
    out.busiest = {
      at: times.map((t) => new Date(t).toISOString()),
      ...(p95s.length ? { p95Seconds: round2(Math.max(...p95s)) } : {}),
      ...(reqSum > 0 ? { errorPercent: round2((100 * errs.reduce((a, b) => a + b, 0)) / reqSum) } : {}),
      ...(cpus.length ? { hostCpuPercent: round1(Math.max(...cpus)) } : {}),
      ...(mems.length ? { taskMemoryPercentOfLimit: round1(toLimit(Math.max(...mems), config)) } : {}),
    };
  } else miss("request rate (ALB RequestCount)", req);

  const hostSeries = Object.entries(load.series).filter(([k]) => k.startsWith("hostCpu."));
  if (hostSeries.some(([, s]) => present(s).length)) {
    const peak = Math.max(...hostSeries.map(([, s]) => maxOf(s) ?? 0));
    const sustained = Math.max(...hostSeries.map(([, s]) => sustainedMax(s, SUSTAINED_SECONDS) ?? 0));
    out.hostCpu = {
      peakPercent: round1(peak),
      sustainedPercent: round1(sustained),
      hosts: hostSeries.length,
    };
  } else out.missing.push("host CPU (EC2 CPUUtilization): no datapoints or no hosts identified");

  const mem = maxOf(load.series.taskMemory);
  if (mem !== undefined)
    out.taskMemory = {
      peakPercentOfReservation: round1(mem),
      peakPercentOfLimit: round1(toLimit(mem, config)),
    };
  else miss("task memory (ECS MemoryUtilization)", load.series.taskMemory);

  const efs: NonNullable<ObservedLoad["efs"]> = {};
  const io = sustainedMax(load.series.efsIo, SUSTAINED_SECONDS);
  if (io !== undefined) efs.ioSustainedPercent = round1(io);
  const use = throughputUse(load);
  if (use) {
    const s = sustainedMax(use, SUSTAINED_SECONDS);
    if (s !== undefined) efs.throughputSustainedPercent = round1(s);
  }
  const credits = present(load.series.efsCredits);
  if (credits.length) {
    efs.creditsMinBytes = Math.min(...credits);
    efs.creditsFirstBytes = credits[0]!;
    efs.creditsLastBytes = credits[credits.length - 1]!;
  }
  if (Object.keys(efs).length) out.efs = efs;
  else miss("EFS (PercentIOLimit, MeteredIOBytes)", load.series.efsIo);

  const tasks = present(load.series.runningTasks);
  if (tasks.length) out.runningTasks = { min: Math.min(...tasks), max: Math.max(...tasks) };
  return out;
}

/** MemoryUtilization is a share of the reservation when one is set (FACTS §3): as a share of the hard limit. */
function toLimit(percentOfReservation: number, c: FleetConfig): number {
  return (percentOfReservation * c.containerMemoryReservation) / c.containerMemory;
}

function hostCpuAt(load: SizeLoadEvidence, t: number): number | undefined {
  let best: number | undefined;
  for (const [k, s] of Object.entries(load.series))
    if (k.startsWith("hostCpu.")) {
      const v = valueAt(s, t);
      if (v !== undefined && (best === undefined || v > best)) best = v;
    }
  return best;
}

/** Throughput used ÷ permitted, % per period: Sum(MeteredIOBytes) / period ÷ PermittedThroughput (FACTS §3). */
function throughputUse(load: SizeLoadEvidence): SizeSeries | undefined {
  const m = load.series.efsMetered;
  const p = load.series.efsPermitted;
  if (!m || !p || m.values.length === 0) return undefined;
  return {
    ...m,
    values: m.values.map((v, i) => {
      const permitted = valueAt(p, timeAt(m, i));
      return v === null || !permitted ? null : (100 * v) / m.period / permitted;
    }),
  };
}

/** The load the model places: the recurring burst, with what the fleet showed at it. */
export function modelLoad(o: ObservedLoad) {
  const efsPercent = Math.max(o.efs?.ioSustainedPercent ?? 0, o.efs?.throughputSustainedPercent ?? 0);
  return {
    requestsPerMinute: o.requests?.burstPerMinute ?? 0,
    ...(o.requests && o.busiest?.p95Seconds !== undefined
      ? { concurrentRequests: (o.requests.burstPerMinute * o.busiest.p95Seconds) / 60 }
      : {}),
    ...(o.hostCpu ? { hostCpuPercent: o.hostCpu.sustainedPercent } : {}),
    ...(o.taskMemory ? { taskMemoryPercentOfLimit: o.taskMemory.peakPercentOfLimit } : {}),
    ...(o.efs ? { efsPercent } : {}),
    ...(o.packages ? { packageFiles: o.packages.files } : {}),
  };
}

export function sizeLoadOf(evidence: Evidence): SizeLoadEvidence | undefined {
  const r = evidence[SIZE_SOURCE_ID];
  return r?.ok ? (r.value as SizeLoadEvidence) : undefined;
}

export function fleetEvidence(evidence: Evidence) {
  const svc = evidence[SERVICE.id];
  const inst = evidence[INSTANCES.id];
  const fs = evidence[FILE_SYSTEM.id];
  return {
    service: svc?.ok ? (svc.value as EcsServiceEvidence) : undefined,
    serviceError: svc && !svc.ok ? `${svc.kind}: ${svc.message}` : undefined,
    instances: inst?.ok ? (inst.value as FleetInstancesEvidence) : undefined,
    fileSystem: fs?.ok ? (fs.value as FileSystemEvidence) : undefined,
  };
}

const round1 = (n: number) => Math.round(n * 10) / 10;
const round2 = (n: number) => Math.round(n * 100) / 100;
const round3 = (n: number) => Math.round(n * 1000) / 1000;
