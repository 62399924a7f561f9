/**
 * The module's four stress-tested profiles (FACTS §2) as fleet configurations, with what each was tested at
 * and what it delivered. The presets themselves (instance type, counts, memory) are `pypictl deploy --size`'s
 * (src/infra/sizing.ts); the rest of each configuration follows the module's defaults (FACTS §1).
 */
import {
  SIZES,
  SIZE_PRESETS,
  defaultContainerCpu,
  defaultGunicornWorkers,
  defaultMemoryReservation,
  type Size,
} from "../infra/sizing.js";
import { capacityOf, type FleetConfig } from "./model.js";

export interface ProfileResult {
  size: Size;
  /** Requests per minute in the bursts the profile was tested at (the top of its range). */
  testedBurstPerMinute: number;
  /** As FACTS §2 writes it. */
  burstLabel: string;
  packages: string;
  users: string;
  expectation: string;
  /** Error rate under a 500-request burst (FACTS §2), where measured. */
  errorsAt500?: string;
}

export const PROFILE_RESULTS: Readonly<Record<Size, ProfileResult>> = {
  light: {
    size: "light",
    testedBurstPerMinute: 50,
    burstLabel: "<50/min",
    packages: "<50",
    users: "<5",
    expectation: "p95 < 2 s, errors < 0.1 %",
    errorsAt500: "2–5 %",
  },
  medium: {
    size: "medium",
    testedBurstPerMinute: 200,
    burstLabel: "50–200/min",
    packages: "50–200",
    users: "5–20",
    expectation: "p95 < 5 s (< 10 s in bursts), errors < 0.5 %",
    errorsAt500: "0.5–1 %",
  },
  heavy: {
    size: "heavy",
    testedBurstPerMinute: 500,
    burstLabel: "200–500/min",
    packages: "200–500",
    users: "20–50",
    expectation: "510 concurrent: 3 of 6,273 failed (0.05 %), p95 14 s, p99 20 s",
    errorsAt500: "0.05 %",
  },
  "very-heavy": {
    size: "very-heavy",
    testedBurstPerMinute: 500,
    burstLabel: "500+/min",
    packages: "500+",
    users: "50+",
    expectation: "p95 < 15 s in bursts, < 3 s normal, errors < 0.05 %",
  },
};

/** The module's derived defaults for a container memory and instance type (FACTS §1). */
export function moduleDefaults(
  instanceType: string,
  minHosts: number,
  maxHosts: number,
  containerMemory: number,
  efsThroughputMode: FleetConfig["efsThroughputMode"] = "elastic",
): FleetConfig {
  const containerMemoryReservation = defaultMemoryReservation(containerMemory);
  const gunicornWorkers = defaultGunicornWorkers(containerMemory);
  const containerCpu = defaultContainerCpu(gunicornWorkers);
  const base: FleetConfig = {
    instanceType,
    minHosts,
    maxHosts,
    tasksMin: 1,
    tasksMax: 1,
    containerMemory,
    containerMemoryReservation,
    containerCpu,
    gunicornWorkers,
    efsThroughputMode,
  };
  const perHost = capacityOf(base).perHost.slots;
  const tasksMin = Math.max(1, perHost * minHosts);
  return { ...base, tasksMin, tasksMax: Math.min(2 * tasksMin, Math.max(tasksMin, perHost * maxHosts)) };
}

/** A size preset as the fleet configuration `pypictl deploy --size NAME` builds. */
export function presetConfig(size: Size, efsThroughputMode?: FleetConfig["efsThroughputMode"]): FleetConfig {
  const p = SIZE_PRESETS[size];
  return moduleDefaults(p.instanceType, p.minInstances, p.maxInstances, p.containerMemory, efsThroughputMode);
}

export { SIZES, type Size };
