// Every example bundle must tell one consistent story on the shared timeline: its events and series lie in
// its window, and an OOM kill follows a memory peak near the hard limit (memory drops once the task is
// killed). An example whose memory climbs past its own kill times is a fixture bug that reviews missed
// because each series was drawn on its own.
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../../../src/cli/main.js";
import type { Report } from "../../../src/checks/report.js";
import { findCheck } from "../../../src/checks/registry.js";
import { buildTimeline, evidenceEvents } from "../../../src/cli/render/timeline.js";
import { parseBundle, type EvidenceBundle } from "../../../src/evidence/bundle.js";
import { captureIo } from "../../helpers/io.js";

const dir = join(import.meta.dirname, "..", "..", "..", "examples");
const files = readdirSync(dir)
  .filter((f) => f.endsWith(".json"))
  .sort();
const MIN = 60_000;

async function load(file: string): Promise<{ bundle: EvidenceBundle; report: Report }> {
  const bundle = parseBundle(readFileSync(join(dir, file), "utf8"), file);
  const io = captureIo();
  await runCli(["doctor", "--replay", join(dir, file), "--format", "json"], io);
  return { bundle, report: JSON.parse(io.stdout.text) as Report };
}

describe("example timelines", () => {
  it.each(files)("%s: events and series lie inside its window", async (file) => {
    const { bundle, report } = await load(file);
    const start = Date.parse(bundle.window.start);
    const end = Date.parse(bundle.window.end);
    // Stops and service events are filtered to the window by their sources; deployments may predate it.
    for (const e of evidenceEvents(bundle.sources).filter(
      (x) => x.kind !== "deployment" && x.kind !== "target",
    )) {
      expect(e.t, `${file}: ${e.text}`).toBeGreaterThanOrEqual(start);
      expect(e.t, `${file}: ${e.text}`).toBeLessThanOrEqual(end);
    }
    for (const f of report.findings)
      for (const [at] of f.observed?.series ?? []) {
        expect(Date.parse(at), `${file}: ${f.checkId} ${at}`).toBeGreaterThanOrEqual(start);
        expect(Date.parse(at), `${file}: ${f.checkId} ${at}`).toBeLessThanOrEqual(end);
      }
    const tl = buildTimeline(report, bundle.sources);
    for (const e of tl.events) expect(e.t).toBeGreaterThanOrEqual(tl.start);
    for (const e of tl.events) expect(e.t).toBeLessThanOrEqual(tl.end);
    // The time a renderer prints (the HTML table reads `at`) is the time it draws.
    for (const e of tl.events) expect(Date.parse(e.at), `${file}: ${e.text}`).toBe(e.t);
    // Every source was read when the window ended (the run's clock), not days later.
    for (const [id, r] of Object.entries(bundle.sources))
      expect(Date.parse(r.at) - end, `${file}: ${id} read at ${r.at}`).toBeLessThanOrEqual(5 * MIN);
  });

  const withKills = files.filter((f) =>
    evidenceEvents(parseBundle(readFileSync(join(dir, f), "utf8"), f).sources).some(
      (e) => e.kind === "oom-kill",
    ),
  );

  it("some example has OOM kills to check", () => {
    expect(withKills).toContain("fleet-oom-kills.json");
  });

  const near = findCheck("ecs.memory-utilization")!.thresholds.warnPercentOfHardLimit!.default;

  for (const file of withKills) {
    it(`${file}: every OOM kill follows a memory peak near the hard limit, and memory drops after it`, async () => {
      const { bundle, report } = await load(file);
      const memory = report.findings.find((f) => f.checkId === "ecs.memory-utilization");
      const series = (memory?.observed?.series ?? []).map(([at, v]) => [Date.parse(at), v] as const);
      // A bundle without CloudWatch metrics (an upload gathered only the stops) has nothing to contradict.
      if (!bundle.sources["cloudwatch.metrics"]?.ok) return;
      expect(
        series.length,
        `${file}: a bundle with OOM kills and metrics needs the memory series that explains them`,
      ).toBeGreaterThan(0);
      const kills = evidenceEvents(bundle.sources).filter((e) => e.kind === "oom-kill");
      for (const k of kills) {
        const before = series.filter(([t]) => t <= k.t && t >= k.t - 10 * MIN).map(([, v]) => v);
        const after = series.filter(([t]) => t > k.t && t <= k.t + 5 * MIN).map(([, v]) => v);
        const at = new Date(k.t).toISOString();
        expect(
          before.length,
          `${file}: no memory datapoint in the 10 min before the kill at ${at}`,
        ).toBeGreaterThan(0);
        const peak = Math.max(...before);
        expect(
          peak,
          `${file}: memory before the kill at ${at} peaked at ${peak} % of the hard limit`,
        ).toBeGreaterThanOrEqual(near);
        // The killed task's memory is gone: nothing in the next minutes exceeds the peak that preceded it.
        if (after.length)
          expect(Math.max(...after), `${file}: memory kept rising after the kill at ${at}`).toBeLessThan(
            peak,
          );
      }
    });
  }
});
