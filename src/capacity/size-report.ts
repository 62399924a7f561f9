/**
 * The `pypictl size` report: the current configuration, the load it carried, the recommended one and the
 * few changes in order of effect — each with its reason in numbers and the exact command. Pure data (the
 * renderers in src/cli/render/size-*.ts print it); its JSON shape is schemas/size.schema.json.
 */
import type { Window } from "../window.js";
import { SIZES, type Size } from "../infra/sizing.js";
import { capacityOf, type Capacity, type FleetConfig, type Placement } from "./model.js";
import { recommend, type Change, type Verdict } from "./recommend.js";
import { PROFILE_RESULTS, presetConfig } from "./profiles.js";
import { modelLoad, type ObservedLoad } from "./observe.js";
import type { SizeResolution } from "./evidence.js";

export const SIZE_REPORT_KIND = "pypictl-size";
export const SIZE_REPORT_SCHEMA_VERSION = 1;
export const SIZE_REPORT_SCHEMA_ID = "https://pypictl.dev/schemas/size.v1.json";
/** Hours in an average month (365 × 24 ÷ 12), as AWS's pricing calculator counts them. */
export const HOURS_PER_MONTH = 730;

/** How the fleet is managed: which command the changes are written as. */
export type FleetKind = "stack" | "terraform" | "unknown";

export interface ConfigView extends FleetConfig {
  size?: Size;
  capacity: {
    slotsPerHost: number;
    slotsAtMinHosts: number;
    slotsAtMaxHosts: number;
    memoryHeadroomMiB: number;
    hardLimitHeadroomMiB: number;
    workerProcesses: number;
    concurrentRequests: number;
    requestsPerMinute: number;
    requestsPerMinuteAtMax: number;
  };
}

export interface SizeChange extends Change {
  reason: string;
}

export type SizeCost =
  | {
      available: true;
      currency: "USD";
      /** Where the prices came from (Price List API, region, term). */
      source: string;
      hourly: Record<string, number>;
      currentMonthly: number;
      recommendedMonthly: number;
    }
  | { available: false; reason: string };

export interface SizeReport {
  $schema: string;
  kind: typeof SIZE_REPORT_KIND;
  schemaVersion: typeof SIZE_REPORT_SCHEMA_VERSION;
  tool: { name: "pypictl"; version: string };
  createdAt: string;
  window: Window;
  target: string;
  resolution: SizeResolution;
  fleetKind: FleetKind;
  verdict: Verdict;
  /** The recommended configuration still does not carry the load (the largest candidate was taken). */
  stillShort: boolean;
  current: ConfigView;
  recommended: ConfigView;
  placement: { current: Placement; recommended: Placement };
  observed: ObservedLoad;
  changes: SizeChange[];
  /** The exact command (stack) or Terraform variables (module) that apply the changes. */
  apply: string[];
  profiles: Array<{
    size: Size;
    instanceType: string;
    hosts: number;
    containerMemory: number;
    testedBurstPerMinute: number;
    burstLabel: string;
    expectation: string;
    carriesPerMinute: number;
    minutesAbove: number;
  }>;
  cost: SizeCost;
  /** Configuration values assumed rather than read, and why. */
  assumed: string[];
  /** Measurements missing, and why. */
  missing: string[];
  /** GetMetricData calls the gather made (absent on replay of a bundle without it). */
  metricCalls?: number;
}

function view(cap: Capacity, size?: Size): ConfigView {
  return {
    ...cap.config,
    ...(size ? { size } : {}),
    capacity: {
      slotsPerHost: cap.perHost.slots,
      slotsAtMinHosts: cap.slots.atMinHosts,
      slotsAtMaxHosts: cap.slots.atMaxHosts,
      memoryHeadroomMiB: cap.memoryPerHost.headroomMiB,
      hardLimitHeadroomMiB: cap.memoryPerHost.hardHeadroomMiB,
      workerProcesses: cap.workers.processes,
      concurrentRequests: cap.workers.concurrentRequests,
      requestsPerMinute: cap.requestsPerMinute.atMin,
      requestsPerMinuteAtMax: cap.requestsPerMinute.atMax,
    },
  };
}

export interface SizeInput {
  toolVersion: string;
  now: Date;
  window: Window;
  target: string;
  stack?: string;
  fleetKind: FleetKind;
  resolution: SizeResolution;
  current: FleetConfig;
  currentSize?: Size;
  observed: ObservedLoad;
  assumed: string[];
  cost: SizeCost | ((current: FleetConfig, recommended: FleetConfig) => SizeCost);
  metricCalls?: number;
}

const fmt = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(1));

function describeConfig(c: FleetConfig, size?: Size): string {
  return size ? `${size} (${c.minHosts}×${c.instanceType})` : `${c.minHosts}×${c.instanceType}`;
}

/** What the package count takes off the carry, when it takes anything (over the calibration's 500 files). */
function listingNote(o: ObservedLoad): string {
  const p = o.packages;
  if (!p || p.carryFactor >= 0.995) return "";
  return ` at ${p.files.toLocaleString("en-US")} package files (every request walks them: +${fmt(p.extraMsPerRequest)} ms each, ${Math.round((1 - p.carryFactor) * 100)} % less carried than at the profiles' 500)`;
}

/** The reason for one change, in the observed numbers. */
function reasonFor(ch: Change, r: ReturnType<typeof recommend>, o: ObservedLoad, currentSize?: Size): string {
  const cur = r.current.capacity;
  const rec = r.recommended.capacity;
  const burst = o.requests?.burstPerMinute ?? 0;
  const at: string[] = [];
  if (o.busiest?.p95Seconds !== undefined) at.push(`p95 was ${fmt(o.busiest.p95Seconds)} s`);
  if (o.busiest?.hostCpuPercent !== undefined) at.push(`host CPU ${fmt(o.busiest.hostCpuPercent)} %`);
  if (o.busiest?.errorPercent !== undefined && o.busiest.errorPercent > 0)
    at.push(`5xx ${fmt(o.busiest.errorPercent)} %`);
  if (ch.field === "tasksMin" || ch.field === "tasksMax")
    return `${rec.config.minHosts}×${rec.config.instanceType} has ${rec.perHost.slots} task slots per host (${rec.slots.atMinHosts} at ${rec.config.minHosts} hosts, ${rec.slots.atMaxHosts} at ${rec.config.maxHosts}); the preset's counts use them`;
  const atText = at.length ? `; at those minutes ${at.join(" and ")}` : "";
  const perMin = o.perMinuteIsAverage
    ? ` (average minute of the busiest ${o.periodSeconds / 60}-minute periods)`
    : "";
  switch (ch.relieves) {
    case "cost": {
      const cpu = o.hostCpu ? `, host CPU held ${fmt(o.hostCpu.sustainedPercent)} % at most for 10 min` : "";
      return `bursts reached ${fmt(burst)} requests/min${perMin}${cpu}: ${describeConfig(cur.config, currentSize)} carries ${fmt(cur.requestsPerMinute.atMin)}/min; ${describeConfig(rec.config, r.recommended.size)} carries ${fmt(rec.requestsPerMinute.atMin)}/min with every limit within its target${listingNote(o)}`;
    }
    case "cpu": {
      const bound = currentSize
        ? `${currentSize}'s tested ${PROFILE_RESULTS[currentSize].testedBurstPerMinute}`
        : `the ${fmt(cur.requestsPerMinute.atMin)}/min ${cur.config.minHosts}×${cur.config.instanceType} carries`;
      const sustained = o.hostCpu ? ` (host CPU held ${fmt(o.hostCpu.sustainedPercent)} % for 10 min)` : "";
      return `bursts of ${fmt(burst)} requests/min${perMin} exceed ${bound}${atText}${sustained}; ${describeConfig(rec.config, r.recommended.size)} carries ${fmt(rec.requestsPerMinute.atMin)}/min${listingNote(o)}`;
    }
    case "memory": {
      const pct = o.taskMemory?.peakPercentOfLimit;
      return `task memory peaked at ${pct === undefined ? "?" : fmt(pct)} % of the ${ch.from} MiB hard limit (OOM kill at 100 %; the module's sizing guide scales at 90 %); ${ch.to} MiB leaves room`;
    }
    case "efs": {
      const parts: string[] = [];
      if (o.efs?.ioSustainedPercent !== undefined)
        parts.push(`PercentIOLimit held ${fmt(o.efs.ioSustainedPercent)} %`);
      if (o.efs?.throughputSustainedPercent !== undefined)
        parts.push(`throughput held ${fmt(o.efs.throughputSustainedPercent)} % of permitted`);
      if (o.efs?.creditsMinBytes !== undefined)
        parts.push(`burst credits fell to ${(o.efs.creditsMinBytes / 2 ** 40).toFixed(2)} TiB`);
      return `EFS: ${parts.join(", ") || "at its limit"} for 10+ min; ${ch.to} throughput scales with demand — a larger instance type would not change this (EFS use does not depend on the hosts)`;
    }
    case "workers":
      return `${rec.config.minHosts}×${rec.config.instanceType} has ${rec.perHost.slots} task slots per host (${rec.slots.atMinHosts} at ${rec.config.minHosts} hosts, ${rec.slots.atMaxHosts} at ${rec.config.maxHosts})`;
  }
}

const TF_VARIABLE: Record<Change["field"], string | undefined> = {
  instanceType: "asg_instance_type",
  containerMemory: "container_memory",
  efsThroughputMode: "efs_throughput_mode",
  tasksMin: "task_min_count",
  tasksMax: "task_max_count",
  minHosts: undefined,
};
const FLAG: Record<Change["field"], string> = {
  instanceType: "--instance-type",
  containerMemory: "--container-memory",
  efsThroughputMode: "--efs-throughput-mode",
  tasksMin: "--task-min-count",
  tasksMax: "--task-max-count",
  minHosts: "--min-instances",
};

/** The command or variables that apply the changes. */
export function applyLines(
  kind: FleetKind,
  changes: readonly Change[],
  rec: FleetConfig,
  size: Size | undefined,
  stack: string | undefined,
): string[] {
  if (changes.length === 0) return [];
  const lines: string[] = [];
  if (kind !== "terraform") {
    const stackFlag = stack ? ` --stack ${stack}` : "";
    const efs = changes.some((c) => c.field === "efsThroughputMode")
      ? ` --efs-throughput-mode ${rec.efsThroughputMode}`
      : "";
    const hostsOrSize = changes.some((c) => c.field !== "efsThroughputMode");
    if (size && hostsOrSize) lines.push(`pypictl deploy${stackFlag} --size ${size}${efs}`);
    else {
      const flags = changes
        .filter((c) => c.field !== "tasksMin" && c.field !== "tasksMax")
        .map((c) => `${FLAG[c.field]} ${c.to}`);
      if (hostsOrSize) flags.push(`--max-instances ${rec.maxHosts}`);
      lines.push(`pypictl deploy${stackFlag} ${flags.join(" ")}`);
    }
  }
  if (kind !== "stack") {
    for (const c of changes) {
      const v = TF_VARIABLE[c.field];
      if (v) lines.push(`${v} = ${typeof c.to === "string" ? JSON.stringify(c.to) : c.to}`);
    }
    if (changes.some((c) => c.field === "minHosts" || c.field === "instanceType"))
      lines.push(
        `# hosts: set the module's Auto Scaling group size to ${rec.minHosts} (min) … ${rec.maxHosts} (max)`,
      );
  }
  return lines;
}

export function buildSizeReport(input: SizeInput): SizeReport {
  const { observed } = input;
  const r = recommend(input.current, modelLoad(observed));
  const changes: SizeChange[] = r.changes.map((c) => ({
    ...c,
    reason: reasonFor(c, r, observed, input.currentSize),
  }));
  const cost =
    typeof input.cost === "function" ? input.cost(input.current, r.recommended.config) : input.cost;
  const rpm = (observed.requests?.shape.minutesAbove ?? {}) as Partial<Record<Size, number>>;
  return {
    $schema: SIZE_REPORT_SCHEMA_ID,
    kind: SIZE_REPORT_KIND,
    schemaVersion: SIZE_REPORT_SCHEMA_VERSION,
    tool: { name: "pypictl", version: input.toolVersion },
    createdAt: input.now.toISOString(),
    window: input.window,
    target: input.target,
    resolution: input.resolution,
    fleetKind: input.fleetKind,
    verdict: r.verdict,
    stillShort: r.stillShort,
    current: view(r.current.capacity, input.currentSize),
    recommended: view(r.recommended.capacity, r.recommended.size),
    placement: { current: r.current.placement, recommended: r.recommended.placement },
    observed,
    changes,
    apply: applyLines(input.fleetKind, r.changes, r.recommended.config, r.recommended.size, input.stack),
    profiles: SIZES.map((size) => {
      const p = presetConfig(size);
      return {
        size,
        instanceType: p.instanceType,
        hosts: p.minHosts,
        containerMemory: p.containerMemory,
        testedBurstPerMinute: PROFILE_RESULTS[size].testedBurstPerMinute,
        burstLabel: PROFILE_RESULTS[size].burstLabel,
        expectation: PROFILE_RESULTS[size].expectation,
        carriesPerMinute: capacityOf(p, observed.packages ? { packageFiles: observed.packages.files } : {})
          .requestsPerMinute.atMin,
        minutesAbove: rpm[size] ?? 0,
      };
    }),
    cost,
    assumed: input.assumed,
    missing: observed.missing,
    ...(input.metricCalls !== undefined ? { metricCalls: input.metricCalls } : {}),
  };
}
