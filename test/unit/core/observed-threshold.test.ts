/**
 * Findings compare like with like (issue 22): a finding's observed value and its threshold are the same
 * quantity (bytes against bytes, minutes against hours, targets against a count), so the comparison the
 * report prints is the one that decided the verdict. Held over every check's metadata (each threshold's unit
 * is a known quantity) and every finding every packaged example produces, resources included.
 */
import { describe, expect, it } from "vitest";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { CHECKS } from "../../../src/checks/registry.js";
import { humanise, knownUnit, sameQuantity } from "../../../src/checks/units.js";
import type { Finding } from "../../../src/checks/model.js";
import { runCli } from "../../../src/cli/main.js";
import { captureIo } from "../../helpers/io.js";

const root = join(import.meta.dirname, "..", "..", "..");
const examples = readdirSync(join(root, "examples"))
  .filter((f) => f.endsWith(".json"))
  .map((f) => f.replace(/\.json$/, ""))
  .sort();

async function findingsOf(example: string): Promise<Finding[]> {
  const io = captureIo();
  await runCli(["doctor", "--replay", `example:${example}`, "--format", "json"], io);
  return (JSON.parse(io.stdout.text) as { findings: Finding[] }).findings;
}

describe("observed and threshold are the same quantity", () => {
  it("every check's thresholds are in a known unit", () => {
    const unknown = CHECKS.flatMap((c) =>
      Object.entries(c.thresholds)
        .filter(([, t]) => !knownUnit(t.unit))
        .map(([name, t]) => `${c.id}.${name}: "${t.unit}"`),
    );
    expect(unknown).toEqual([]);
  });

  it("every finding of every packaged example compares like with like", async () => {
    const problems: string[] = [];
    for (const example of examples) {
      for (const f of await findingsOf(example)) {
        const where = `${example} ${f.checkId} (${f.messageId})`;
        if (f.observed && !knownUnit(f.observed.unit))
          problems.push(`${where}: observed unit "${f.observed.unit}" unknown`);
        if (f.threshold && !knownUnit(f.threshold.unit))
          problems.push(`${where}: threshold unit "${f.threshold.unit}" unknown`);
        if (f.observed && f.threshold && !sameQuantity(f.observed.unit, f.threshold.unit))
          problems.push(
            `${where}: observed ${f.observed.value} ${f.observed.unit} vs ${f.threshold.name} ${f.threshold.value} ${f.threshold.unit}`,
          );
        for (const r of f.resources ?? [])
          if (r.observed && !knownUnit(r.observed.unit))
            problems.push(`${where} ${r.id}: resource unit "${r.observed.unit}" unknown`);
      }
    }
    expect(problems).toEqual([]);
  });

  it("the issue's examples now read as one comparison", async () => {
    const byId = async (example: string, id: string) =>
      (await findingsOf(example)).find((f) => f.checkId === id)!;
    const noTargets = await byId("fleet-no-targets-503", "alb.target-health");
    expect(noTargets.status).toBe("fail");
    expect(noTargets.threshold).toMatchObject({ name: "minHealthy", value: 1 });
    const rolling = await byId("fleet-rolling-deploy", "ecs.running-tasks");
    expect(sameQuantity(rolling.observed!.unit, rolling.threshold!.unit)).toBe(true);
  });
});

describe("humanise", () => {
  it.each([
    [50_000_000_000, "bytes", "46.6 GiB"],
    [2, "h", "2 h"],
    [15, "min", "15 min"],
    [90, "min", "90 min"],
    [180, "min", "3 h"],
    [850, "ms", "850 ms"],
    [2500, "ms", "2.5 s"],
    [0.018, "s", "18 ms"],
    [3, "tasks", "3 tasks"],
    [4, "count", "4"],
    [512, "MiB", "512 MiB"],
    [2048, "MiB", "2 GiB"],
    [98.25, "% of hard limit", "98.3 % of hard limit"],
    [1200, "KiB/s", "1.17 MiB/s"],
    [12, "pages/s", "12 pages/s"],
  ])("%d %s → %s", (value, unit, text) => {
    expect(humanise(value, unit)).toBe(text);
  });
});
