/**
 * The capacity model's targets for the checks' "make it bigger" hints: which instance type, how many hosts,
 * how many tasks — named from the fleet's own configuration, not a fixed "c6a.xlarge". Pure: the fleet's
 * instance type comes from `fleet.instances` when it was gathered (a check that needs it, or another check
 * in the run). Checks that only read CloudWatch do not add it to their `uses`: `--only alb.p95-latency`
 * stays two series and no ECS/EC2 call (test/unit/fleet/selection.test.ts); their hints then name the heavy
 * profile's type and say the fleet's was not read.
 */
import type { Evidence } from "../sources/model.js";
import { INSTANCES, type EcsTaskDefinition } from "../sources/aws/types.js";
import { maybe } from "./series.js";
import {
  carryPerHost,
  fewerLargerHosts,
  moreCpuThan,
  placementTarget,
  type PlacementTarget,
} from "../capacity/hints.js";
import { instanceFacts } from "../capacity/instances.js";

/** The fleet's instances' types when gathered, most common first. */
function typesOf(evidence: Evidence): string[] {
  const inst = maybe(evidence, INSTANCES);
  return (inst?.instances ?? []).map((i) => i.instanceType).filter((t): t is string => !!t);
}

/** The fleet's (most common) instance type, when fleet.instances was gathered. */
export function fleetInstanceType(evidence: Evidence, filter: (t: string) => boolean = () => true) {
  const types = typesOf(evidence).filter(filter);
  const count = (t: string) => types.filter((x) => x === t).length;
  return [...new Set(types)].sort((a, b) => count(b) - count(a) || a.localeCompare(b))[0];
}

/** Hosts the fleet runs now, when fleet.instances was gathered. */
export function fleetHostCount(evidence: Evidence): number | undefined {
  return maybe(evidence, INSTANCES)?.instances.length;
}

const rpm = (n: number | undefined) => (n === undefined ? "?" : String(Math.round(n)));

/**
 * "More CPU per instance": the next size up from `current` (burstable → c6a/c7g), with the model's carry per
 * host against the current type's. Fill-ins: `target`, `vcpus`, `basis` (why this type, in numbers).
 */
export function moreCpuFill(current: string | undefined): { target: string; vcpus: number; basis: string } {
  const t = moreCpuThan(current);
  const carry = rpm(carryPerHost(t.instanceType));
  const f = current ? instanceFacts(current) : undefined;
  let basis: string;
  if (!f)
    basis = `${t.vcpus} vCPU, the heavy profile's type: the fleet's instance type was not read${current ? ` (${current} is not in the model's table)` : ""}; the capacity model carries ${carry} requests/min per host`;
  else if (t.instanceType === f.instanceType)
    basis = `${f.instanceType} is already the largest size the capacity model knows in its family: add instances instead`;
  else {
    const baseline =
      f.baselineShare !== undefined ? ` at its ${Math.round(f.baselineShare * 100)} % baseline` : "";
    basis = `${t.vcpus} vCPU, up from ${f.instanceType}'s ${f.vcpus}${baseline}: the capacity model carries ${carry} requests/min per host, not ${rpm(carryPerHost(f.instanceType))}`;
  }
  return { target: t.instanceType, vcpus: t.vcpus, basis };
}

/** The same from the evidence: the fleet's type when gathered. */
export function moreCpuFillFrom(evidence: Evidence) {
  return moreCpuFill(fleetInstanceType(evidence));
}

/** "Fewer, larger instances": the next size up and how many of them hold the fleet's vCPUs now. */
export function fewerLargerFill(evidence: Evidence): { target: string; plan: string } {
  const current = fleetInstanceType(evidence);
  const hosts = fleetHostCount(evidence) ?? 0;
  const r = fewerLargerHosts(current, hosts);
  const plan =
    current && r.hosts !== undefined
      ? `${r.hosts} × ${r.target.instanceType} (${r.target.vcpus} vCPU each) instead of ${hosts} × ${current}`
      : `${r.target.instanceType} (${r.target.vcpus} vCPU; the fleet's instance type was not read) with fewer instances`;
  return { target: r.target.instanceType, plan };
}

/** The task shape placement counts, from the task definition's essential container. */
export function taskShape(td: EcsTaskDefinition | undefined) {
  const c = td?.containers.find((x) => x.essential) ?? td?.containers[0];
  const reservationMiB = c?.memoryReservationMiB ?? c?.memoryMiB ?? td?.taskMemoryMiB;
  if (!reservationMiB) return undefined;
  return { reservationMiB, cpuUnits: c?.cpu ?? td?.taskCpu ?? 0 };
}

/** The placement target for the service's tasks on the fleet's hosts, when the task definition was read. */
export function placementFrom(
  evidence: Evidence,
  td: EcsTaskDefinition | undefined,
  tasks?: number,
): PlacementTarget | undefined {
  const shape = taskShape(td);
  return shape ? placementTarget(shape, fleetInstanceType(evidence), tasks) : undefined;
}

/**
 * "A bigger instance type or more instances" for tasks that cannot be placed, in the model's numbers:
 * `bigger` names the type with more slots per host, `more` the hosts of the current type that place the
 * desired tasks. Without the task definition, both say what to compute.
 */
export function placementFill(
  evidence: Evidence,
  td: EcsTaskDefinition | undefined,
  desired: number,
): { bigger: string; more: string } {
  const shape = taskShape(td);
  const p = placementFrom(evidence, td, desired);
  if (!shape || !p)
    return {
      bigger: "one whose memory places another task (tasks per host = ⌊(instance MiB − 800) ÷ reservation⌋)",
      more: "enough to place the desired tasks",
    };
  const task = `${shape.reservationMiB} MiB${shape.cpuUnits ? ` / ${shape.cpuUnits} CPU units` : ""}`;
  const bigger = p.current
    ? `${p.bigger.instanceType} places ${p.bigger.slots} tasks of ${task} per host where ${p.current.instanceType} places ${p.current.slots} (the capacity model)`
    : `${p.bigger.instanceType} places ${p.bigger.slots} tasks of ${task} per host (the capacity model; the fleet's instance type was not read)`;
  const more =
    p.current && p.hostsFor
      ? `${p.hostsFor.hosts} × ${p.current.instanceType} place the ${desired} desired tasks (${p.current.slots} per host)`
      : "enough to place the desired tasks";
  return { bigger, more };
}

/**
 * The task count a scaled-to-zero service should get back: the slots of the hosts it has (the Terraform
 * module's task_min_count default, per-instance slots × instances).
 */
export function scaleUpFill(
  evidence: Evidence,
  td: EcsTaskDefinition | undefined,
): { count: string; n: string } {
  const shape = taskShape(td);
  const type = fleetInstanceType(evidence);
  const hosts = fleetHostCount(evidence);
  const p = shape && type ? placementTarget(shape, type) : undefined;
  if (p?.current && hosts) {
    const n = Math.max(1, p.current.slots * hosts);
    return {
      n: String(n),
      count: `${n} tasks, the slots of its ${hosts} × ${type} (${p.current.slots} per host, the capacity model; the Terraform module's task_min_count default)`,
    };
  }
  return {
    n: "<N>",
    count:
      "as many tasks as the hosts have slots (per host: ⌊(instance MiB − 800) ÷ reservation⌋; the fleet's instances were not read)",
  };
}

/** One host's instance type (host = its instance id over SSM), when fleet.instances was gathered. */
export function hostInstanceType(evidence: Evidence, host: string): string | undefined {
  return maybe(evidence, INSTANCES)?.instances.find((i) => i.instanceId === host)?.instanceType;
}
