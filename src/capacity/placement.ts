/**
 * deploy/synth's placement validation: the capacity model's problems for a configuration (empty for an
 * instance type the table does not know: nothing to check it against, the counts must then be given).
 */
import { instanceFacts } from "./instances.js";
import { capacityOf, type FleetConfig, type PlacementProblem } from "./model.js";

export { AGENT_RESERVED_MIB } from "./model.js";

export function placementProblems(config: FleetConfig): PlacementProblem[] {
  if (!instanceFacts(config.instanceType)) return [];
  return capacityOf(config).problems;
}
