/**
 * From a fleet's configuration and the load it saw to the configuration it should have: the cheapest
 * candidate (the size presets, the current family's sizes, more container memory, elastic EFS) on which
 * the load fits every limit. An over-provisioned fleet gets the smaller configuration.
 */
import { SIZES, type Size } from "../infra/sizing.js";
import { familyOf, familySizes, instanceFacts } from "./instances.js";
import {
  capacityOf,
  place,
  type Capacity,
  type FleetConfig,
  type LimitName,
  type Load,
  type Placement,
} from "./model.js";
import { moduleDefaults, presetConfig } from "./profiles.js";

/**
 * A proxy for the hourly price, to order candidates when the Price List is not at hand: $0.03 per vCPU
 * (burstable: per baseline vCPU) and $0.004 per GiB, which lands within 10 % of us-east-1 on-demand
 * prices for c6a.large ($0.0765), m6a.large ($0.0864) and t3.small ($0.0208) — an approximation for
 * ordering only; `size` prints real prices from the Price List API when it can read them.
 */
export function relativeCost(c: FleetConfig): number {
  const f = instanceFacts(c.instanceType);
  if (!f) return Number.POSITIVE_INFINITY;
  return c.minHosts * (f.vcpus * (f.baselineShare ?? 1) * 0.03 + (f.memoryMiB / 1024) * 0.004);
}

/** A cheaper configuration counts as "over-provisioned" only below this share of the current proxy cost. */
export const OVERSIZED_COST_SHARE = 0.7;

export type Verdict = "undersized" | "oversized" | "fits";

export interface Change {
  field: "efsThroughputMode" | "instanceType" | "minHosts" | "containerMemory" | "tasksMin" | "tasksMax";
  from: string | number;
  to: string | number;
  /** The limit this change relieves, or "cost" when it only makes the fleet cheaper. */
  relieves: LimitName | "cost";
}

export interface Recommendation {
  verdict: Verdict;
  current: { capacity: Capacity; placement: Placement };
  recommended: { config: FleetConfig; capacity: Capacity; placement: Placement; size?: Size };
  /** Field by field, the change with the largest effect first. */
  changes: Change[];
  /** The load still does not fit the largest candidate. */
  stillShort: boolean;
}

function candidates(current: FleetConfig): FleetConfig[] {
  const out: Array<FleetConfig | undefined> = [];
  const modes: Array<FleetConfig["efsThroughputMode"]> =
    current.efsThroughputMode === "elastic" ? ["elastic"] : [current.efsThroughputMode, "elastic"];
  const memories = [current.containerMemory, current.containerMemory * 2, 1024, 2048].filter(
    (m, i, a) => m >= current.containerMemory && a.indexOf(m) === i,
  );
  for (const mode of modes) {
    for (const size of SIZES) {
      const p = presetConfig(size, mode);
      out.push(p);
      for (const m of memories)
        if (m > p.containerMemory)
          out.push(safe(() => moduleDefaults(p.instanceType, 2, p.maxHosts, m, mode)));
    }
    for (const f of familySizes(familyOf(current.instanceType)))
      for (const m of memories)
        out.push(
          safe(() =>
            moduleDefaults(
              f.instanceType,
              current.minHosts,
              Math.max(current.maxHosts, current.minHosts),
              m,
              mode,
            ),
          ),
        );
    if (mode !== current.efsThroughputMode) out.push({ ...current, efsThroughputMode: mode });
  }
  return out.filter((c): c is FleetConfig => c !== undefined);
}

function safe<T>(f: () => T): T | undefined {
  try {
    return f();
  } catch {
    return undefined;
  }
}

/**
 * How much a candidate changes, at equal cost the least wins: task counts follow from the hosts (½ each),
 * a host or EFS change is one, a container memory change three (it changes workers, CPU and placement).
 */
const CHANGE_WEIGHT = {
  instanceType: 1,
  minHosts: 1,
  maxHosts: 1,
  efsThroughputMode: 1,
  containerMemory: 3,
  tasksMin: 0.5,
  tasksMax: 0.5,
} as const;

function distance(a: FleetConfig, b: FleetConfig): number {
  let d = 0;
  for (const k of Object.keys(CHANGE_WEIGHT) as Array<keyof typeof CHANGE_WEIGHT>)
    if (a[k] !== b[k]) d += CHANGE_WEIGHT[k];
  return d;
}

const worst = (p: Placement) => Math.max(...p.uses.map((u) => u.used / u.target));

/** Which preset a configuration is, when it is one. */
export function presetOf(c: FleetConfig): Size | undefined {
  return SIZES.find((s) => {
    const p = presetConfig(s, c.efsThroughputMode);
    return (
      p.instanceType === c.instanceType &&
      p.minHosts === c.minHosts &&
      p.containerMemory === c.containerMemory &&
      p.tasksMin === c.tasksMin
    );
  });
}

export function recommend(current: FleetConfig, observed: Omit<Load, "observedOn">): Recommendation {
  const load: Load = { ...observed, observedOn: current };
  const workload = observed.packageFiles !== undefined ? { packageFiles: observed.packageFiles } : {};
  const cap = capacityOf(current, workload);
  const now = { capacity: cap, placement: place(cap, load) };
  const scored = candidates(current)
    .map((config) => {
      const capacity = capacityOf(config, workload);
      return { config, capacity, placement: place(capacity, load), cost: relativeCost(config) };
    })
    .filter((c) => c.capacity.problems.length === 0);
  const fitting = scored
    .filter((c) => c.placement.fits)
    .sort(
      (a, b) =>
        a.cost - b.cost ||
        distance(a.config, current) - distance(b.config, current) ||
        worst(a.placement) - worst(b.placement),
    );
  const currentCost = relativeCost(current);
  let verdict: Verdict;
  let pick: (typeof scored)[number] | undefined;
  let stillShort = false;
  if (now.placement.fits && cap.problems.length === 0) {
    const cheaper = fitting[0];
    if (cheaper && cheaper.cost < currentCost * OVERSIZED_COST_SHARE) {
      verdict = "oversized";
      pick = cheaper;
    } else verdict = "fits";
  } else {
    verdict = "undersized";
    pick = fitting[0];
    if (!pick) {
      stillShort = true;
      pick = [...scored].sort((a, b) => worst(a.placement) - worst(b.placement))[0];
    }
  }
  const chosen = pick ?? { config: current, capacity: cap, placement: now.placement };
  const size = presetOf(chosen.config);
  return {
    verdict,
    current: now,
    recommended: {
      config: chosen.config,
      capacity: chosen.capacity,
      placement: chosen.placement,
      ...(size ? { size } : {}),
    },
    changes: changesBetween(current, chosen.config, now.placement, verdict),
    stillShort,
  };
}

/** The fields that differ, each with the limit it relieves, ordered by how far over its target that limit is. */
export function changesBetween(
  from: FleetConfig,
  to: FleetConfig,
  placement: Placement,
  verdict: Verdict,
): Change[] {
  const pressure = (l: LimitName) => {
    const u = placement.uses.find((x) => x.limit === l);
    return u ? u.used / u.target : 0;
  };
  const relief = (l: LimitName): LimitName | "cost" => (verdict === "oversized" ? "cost" : l);
  const changes: Change[] = [];
  if (from.efsThroughputMode !== to.efsThroughputMode)
    changes.push({
      field: "efsThroughputMode",
      from: from.efsThroughputMode,
      to: to.efsThroughputMode,
      relieves: relief("efs"),
    });
  if (from.instanceType !== to.instanceType)
    changes.push({
      field: "instanceType",
      from: from.instanceType,
      to: to.instanceType,
      relieves: relief("cpu"),
    });
  if (from.minHosts !== to.minHosts)
    changes.push({ field: "minHosts", from: from.minHosts, to: to.minHosts, relieves: relief("cpu") });
  if (from.containerMemory !== to.containerMemory)
    changes.push({
      field: "containerMemory",
      from: from.containerMemory,
      to: to.containerMemory,
      relieves: relief("memory"),
    });
  if (from.tasksMin !== to.tasksMin)
    changes.push({ field: "tasksMin", from: from.tasksMin, to: to.tasksMin, relieves: relief("workers") });
  if (from.tasksMax !== to.tasksMax)
    changes.push({ field: "tasksMax", from: from.tasksMax, to: to.tasksMax, relieves: relief("workers") });
  const rank = (c: Change) => (c.relieves === "cost" ? 0 : pressure(c.relieves));
  return changes.sort((a, b) => rank(b) - rank(a));
}
