/**
 * The `host.probe` source: the probe script's parsed output for every host diagnosed. Locally it runs
 * the script with `sh -s`; for a fleet it delegates to the SSM runner (src/sources/aws/ssm-probe.ts),
 * which reads the discovered instances from `fleet.instances`.
 */
import { hostname } from "node:os";
import type { SourceDef } from "../context.js";
import { failed, ok, type SourceResult } from "../model.js";
import type { HostProbeEvidence } from "./model.js";
import { buildProbeScript } from "./probe-script.js";
import { probeOptionsFrom } from "./probe-options.js";
import { parseProbeOutput } from "./parse.js";
import { runScriptLocally } from "./local.js";

/** Time the script may take beyond its vmstat samples: the package count is bounded at 20 s. */
export const PROBE_SLACK_MS = 35_000;

export const hostProbeSource: SourceDef<HostProbeEvidence> = {
  id: "host.probe",
  title: "Host probe (vmstat, free, meminfo, mountstats, package count)",
  // Over SSM the probe needs the instances, and the task definition's EFS id when the target has none.
  deps: (t) =>
    t.kind === "fleet" ? (t.fileSystemId ? ["fleet.instances"] : ["fleet.instances", "ecs.service"]) : [],
  // The runner applies one deadline per source; the samples are not known here, so allow the most
  // (60 samples) plus the count's bound. A local run with 5 samples takes about 6 s.
  deadlineMs: 60_000 + PROBE_SLACK_MS,
  startFirst: true,
  async gather(ctx): Promise<SourceResult<HostProbeEvidence>> {
    if (ctx.target.kind === "fleet") {
      const m = await import("../aws/ssm-probe.js");
      return m.gatherHostProbeOverSsm(ctx);
    }
    const script = buildProbeScript(probeOptionsFrom(ctx.settings));
    const run = await runScriptLocally(script, ctx.signal);
    const host = ctx.target.host || hostname();
    const result = parseProbeOutput(host, run.stdout);
    if (!result.ok) {
      const why = run.stderr.trim() ? `; stderr: ${run.stderr.trim().slice(0, 300)}` : "";
      return failed(
        "malformed",
        `the probe script on ${host} exited ${run.code ?? run.signal}: ${result.message}${why}`,
      );
    }
    return ok({ hosts: [result] }, run.stdout);
  },
};

export default hostProbeSource;
