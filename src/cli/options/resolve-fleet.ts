/**
 * Complete a fleet target before gathering: stack outputs or Terraform outputs → one FleetTarget.
 * (Filled in by the fleet work; until then the flags and config are taken as they are.)
 */
import type { FleetTarget } from "../../sources/target/model.js";
import type { FleetFlags } from "./fleet.js";
import type { Io } from "../io.js";

export async function resolveFleet(target: FleetTarget, _flags: FleetFlags, _io: Io): Promise<FleetTarget> {
  return target;
}
