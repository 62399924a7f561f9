/**
 * PLACEHOLDER (written by the host-probe work so typecheck stays green): the SSM fleet runner replaces
 * this file. Contract: run `buildProbeScript(ctx.settings)` on each instance of `fleet.instances` via SSM
 * Run Command and return `{ hosts: HostResult[] }` built with `parseProbeOutput`.
 */
import type { GatherContext } from "../context.js";
import { failed, type SourceResult } from "../model.js";
import type { HostProbeEvidence } from "../host/model.js";

export async function gatherHostProbeOverSsm(_ctx: GatherContext): Promise<SourceResult<HostProbeEvidence>> {
  return failed("unsupported", "host probes over SSM are not built yet");
}
