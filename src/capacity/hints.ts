/**
 * The capacity model's answers for doctor's "make it bigger" hints: which instance type, which container
 * memory — named, not "increase". Pure; the checks fill their hint templates with these.
 */
import { familyOf, familySizes, instanceFacts, INSTANCE_FACTS, type InstanceFacts } from "./instances.js";
import { capacityOf, REQUESTS_PER_MINUTE_PER_VCPU } from "./model.js";
import { moduleDefaults } from "./profiles.js";

/** The next container hard limit to try: double, at least 1024 MiB (the very-heavy profile's, FACTS §2). */
export function nextContainerMemory(nowMiB: number | undefined): number {
  return nowMiB ? Math.max(1024, nowMiB * 2) : 1024;
}

/** The family a target is taken from: the fleet's own when it is in the table and not burstable, else c6a/c7g. */
function steadyFamily(current: InstanceFacts | undefined): string {
  if (current && current.baselineShare === undefined) return familyOf(current.instanceType);
  return current?.arch === "arm64" ? "c7g" : "c6a";
}

export interface InstanceTarget {
  instanceType: string;
  vcpus: number;
  memoryMiB: number;
  /** Tasks of the given container memory one host places (module defaults for reservation and CPU). */
  slots?: number;
}

function target(f: InstanceFacts, slots?: number): InstanceTarget {
  return {
    instanceType: f.instanceType,
    vcpus: f.vcpus,
    memoryMiB: f.memoryMiB,
    ...(slots !== undefined ? { slots } : {}),
  };
}

/**
 * The smallest type that places `tasksPerHost` tasks of `containerMemory` MiB (the module's reservation and
 * CPU defaults for that memory): in the fleet's family when known, else c6a.
 */
export function instanceForTasks(
  containerMemory: number,
  tasksPerHost: number,
  currentType?: string,
): InstanceTarget | undefined {
  const family = steadyFamily(currentType ? instanceFacts(currentType) : undefined);
  for (const f of familySizes(family)) {
    const slots = capacityOf(moduleDefaults(f.instanceType, 1, 1, containerMemory)).perHost.slots;
    if (slots >= tasksPerHost) return target(f, slots);
  }
  return undefined;
}

/**
 * More CPU than `current`: the next size up in its family (a burstable type moves to c6a — or c7g for arm64 —
 * with at least its vCPUs, since its baseline, not its vCPU count, is what a sustained load gets).
 * Unknown types: c6a.xlarge, the heavy profile's (FACTS §2).
 */
export function moreCpuThan(current: string | undefined): InstanceTarget {
  const f = current ? instanceFacts(current) : undefined;
  if (!f) return target(INSTANCE_FACTS["c6a.xlarge"]!);
  const family = steadyFamily(f);
  const sizes = familySizes(family);
  const next =
    f.baselineShare !== undefined
      ? sizes.find((s) => s.vcpus >= f.vcpus && s.memoryMiB >= f.memoryMiB)
      : sizes.find((s) => s.vcpus > f.vcpus);
  return target(next ?? sizes[sizes.length - 1] ?? f);
}

/**
 * More memory than a host has (its MemTotal, a little under the nominal size): the next size of the same
 * family with more memory, else of t3 (the module's default family).
 */
export function moreMemoryThan(memTotalMiB: number | undefined, currentType?: string): InstanceTarget {
  const family = currentType && instanceFacts(currentType) ? familyOf(currentType) : "t3";
  const sizes = familySizes(family);
  // MemTotal is the nominal size less the kernel's reserve: a 2 GiB t3.small shows ~1.9 GiB.
  // (FACTS §2's 1 GiB t3.micro showed 916 MiB: nominal ≈ MemTotal × 1.12); 1.15 so that size is not named again.
  const nominal = memTotalMiB !== undefined ? memTotalMiB * 1.15 : undefined;
  const next = sizes.find((s) => nominal === undefined || s.memoryMiB > nominal);
  return target(next ?? sizes[sizes.length - 1]!);
}

/** Requests per minute one host of a type carries in the model (burstable types at their baseline share). */
export function carryPerHost(instanceType: string): number | undefined {
  const f = instanceFacts(instanceType);
  return f ? f.vcpus * (f.baselineShare ?? 1) * REQUESTS_PER_MINUTE_PER_VCPU : undefined;
}

/** A task as placement counts it: its memory reservation (or hard limit) and CPU units (0: none reserved). */
export interface TaskShape {
  reservationMiB: number;
  cpuUnits: number;
}

/** Task slots one host of `instanceType` has for tasks of this shape (the module's formula, FACTS §1). */
export function slotsPerHost(instanceType: string, task: TaskShape): number | undefined {
  if (!instanceFacts(instanceType)) return undefined;
  return capacityOf({
    instanceType,
    minHosts: 1,
    maxHosts: 1,
    tasksMin: 1,
    tasksMax: 1,
    containerMemory: task.reservationMiB,
    containerMemoryReservation: task.reservationMiB,
    containerCpu: task.cpuUnits,
    gunicornWorkers: 1,
    efsThroughputMode: "elastic",
  }).perHost.slots;
}

export interface PlacementTarget {
  /** The fleet's type and its slots for this task, when known. */
  current?: { instanceType: string; slots: number };
  /** The smallest type (fleet's family, else c6a/c7g) with more slots per host than the current one. */
  bigger: InstanceTarget & { slots: number };
  /** Hosts of the current type that place `tasks` (undefined without a current type). */
  hostsFor?: { tasks: number; hosts: number };
}

/**
 * What places more tasks of this shape: a bigger instance of the fleet's family (the smallest with more
 * slots per host than the current type; at least 3 when the type is unknown, the medium/heavy presets'
 * smallest), and how many hosts of the current type place `tasks`.
 */
export function placementTarget(task: TaskShape, currentType?: string, tasks?: number): PlacementTarget {
  const f = currentType ? instanceFacts(currentType) : undefined;
  const currentSlots = f ? slotsPerHost(f.instanceType, task)! : undefined;
  const want = currentSlots !== undefined ? currentSlots + 1 : 3;
  const sizes = familySizes(steadyFamily(f));
  const pick =
    sizes.find((s) => (slotsPerHost(s.instanceType, task) ?? 0) >= want) ?? sizes[sizes.length - 1]!;
  return {
    ...(f && currentSlots !== undefined
      ? { current: { instanceType: f.instanceType, slots: currentSlots } }
      : {}),
    bigger: { ...target(pick), slots: slotsPerHost(pick.instanceType, task) ?? 0 },
    ...(currentSlots && tasks !== undefined
      ? { hostsFor: { tasks, hosts: Math.max(1, Math.ceil(tasks / currentSlots)) } }
      : {}),
  };
}

/**
 * Fewer, larger hosts with the vCPUs a fleet has now: the next size up (moreCpuThan) and how many of them
 * give at least the current hosts' vCPUs (burstable at baseline), never fewer than 2 when there were 2 or more
 * (one host lost must not take the index down).
 */
export function fewerLargerHosts(
  currentType: string | undefined,
  hosts: number,
): { target: InstanceTarget; hosts?: number } {
  const t = moreCpuThan(currentType);
  const f = currentType ? instanceFacts(currentType) : undefined;
  if (!f || hosts < 1) return { target: t };
  const vcpus = hosts * f.vcpus * (f.baselineShare ?? 1);
  const n = Math.ceil(vcpus / t.vcpus - 1e-9);
  return { target: t, hosts: Math.max(hosts >= 2 ? 2 : 1, n) };
}

/**
 * Hosts of the same type that bring a CPU peak under `targetPercent`, the load spread evenly (the ALB
 * round-robins across targets; ECS's spread placement puts the tasks on every host): ⌈hosts × peak ÷
 * target⌉, and at least one more than now. Undefined without a host count or a peak.
 */
export function hostsToSpread(hosts: number, peakPercent: number, targetPercent: number): number | undefined {
  if (!(hosts >= 1) || !(peakPercent > 0) || !(targetPercent > 0)) return undefined;
  return Math.max(hosts + 1, Math.ceil((hosts * peakPercent) / targetPercent - 1e-9));
}
