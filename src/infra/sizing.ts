/**
 * Sizing: the size presets from the Terraform module's stress tests (FACTS.md §2) and its capacity
 * formula (FACTS.md §1). Pure: no aws-cdk-lib, so the CLI can use it at startup and tests run it fast.
 */
import { INSTANCE_FACTS } from "../capacity/instances.js";

export const SIZES = ["light", "medium", "heavy", "very-heavy"] as const;
export type Size = (typeof SIZES)[number];

export interface SizePreset {
  /** Instance type of the ECS hosts. */
  readonly instanceType: string;
  readonly minInstances: number;
  readonly maxInstances: number;
  /** Container hard memory limit, MiB. */
  readonly containerMemory: number;
  /** What the preset is for, shown in `--help` and errors. */
  readonly profile: string;
  /**
   * NAT gateways of a new VPC: one shared by every zone, or one per zone (see {@link HEAVY_SIZES}). Only a
   * new stack gets this default: a deployed stack keeps the NAT gateways it has (src/infra/nat-hold.ts).
   */
  readonly natGateways: "one" | "per-zone";
}

/**
 * The presets whose fleets an outage of one zone's NAT gateway would hurt most (20+ users, hosts pulling
 * images and reaching SSM/Secrets Manager through it): their new stacks get one NAT gateway per zone
 * (≈ 32 USD a month each, plus data), the smaller ones share one.
 */
export const HEAVY_SIZES: readonly Size[] = ["heavy", "very-heavy"];

/** FACTS.md §2: the module's own stress-test profiles. Task counts are derived by the capacity formula. */
export const SIZE_PRESETS: Readonly<Record<Size, SizePreset>> = {
  light: {
    instanceType: "t3.small",
    minInstances: 2,
    maxInstances: 4,
    containerMemory: 512,
    profile: "<50 packages, <5 users, <50 requests/min bursts",
    natGateways: "one",
  },
  medium: {
    instanceType: "c6a.large",
    minInstances: 2,
    maxInstances: 4,
    containerMemory: 512,
    profile: "50–200 packages, 5–20 users, 50–200 requests/min",
    natGateways: "one",
  },
  heavy: {
    instanceType: "c6a.xlarge",
    minInstances: 2,
    maxInstances: 4,
    containerMemory: 512,
    profile: "200–500 packages, 20–50 users, 200–500 requests/min (12→24 tasks)",
    natGateways: "per-zone",
  },
  "very-heavy": {
    instanceType: "c6a.2xlarge",
    minInstances: 2,
    maxInstances: 4,
    containerMemory: 1024,
    profile: "500+ packages, 50+ users, 500+ requests/min",
    natGateways: "per-zone",
  },
};

/**
 * Memory (MiB) and vCPUs of the instance types the capacity formula knows: a view of the capacity model's
 * one instance table (src/capacity/instances.ts, with its AWS source).
 */
export const INSTANCE_SPECS: Readonly<
  Record<string, { readonly memoryMiB: number; readonly vcpus: number }>
> = INSTANCE_FACTS;

/** FACTS.md §1: memory the host keeps for itself and for the EFS page cache, MiB. */
export const SYSTEM_RESERVED_MIB = 300;
export const PAGE_CACHE_RESERVED_MIB = 500;
/** CPU units the ECS agent and the host keep. */
export const CPU_RESERVED_UNITS = 128;

/** gunicorn workers: max(2, min(8, ⌊memory/128⌋)) (FACTS.md §1). */
export function defaultGunicornWorkers(containerMemory: number): number {
  return Math.max(2, Math.min(8, Math.floor(containerMemory / 128)));
}

/** Container CPU units: workers × 150 + 40 (FACTS.md §1). */
export function defaultContainerCpu(workers: number): number {
  return workers * 150 + 40;
}

/** Memory reservation: 75 % of the hard limit (FACTS.md §1). */
export function defaultMemoryReservation(containerMemory: number): number {
  return Math.floor(containerMemory * 0.75);
}

/**
 * Tasks one instance holds: min(⌊(MiB − 300 − 500) ÷ reservation⌋, ⌊(vCPU×1024 − 128) ÷ cpu⌋).
 * Undefined for an instance type the table does not know.
 */
export function tasksPerInstance(
  instanceType: string,
  memoryReservation: number,
  containerCpu: number,
): number | undefined {
  const spec = INSTANCE_SPECS[instanceType];
  if (!spec) return undefined;
  const mem = spec.memoryMiB - SYSTEM_RESERVED_MIB - PAGE_CACHE_RESERVED_MIB;
  const cpu = spec.vcpus * 1024 - CPU_RESERVED_UNITS;
  return Math.max(0, Math.min(Math.floor(mem / memoryReservation), Math.floor(cpu / containerCpu)));
}
