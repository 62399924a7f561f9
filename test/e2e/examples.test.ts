// Every bundle in examples/ matches the evidence schema and replays, in every format, into a report that
// matches the report schema. The per-incident statuses are asserted beside each area's tests.
import { readdirSync, readFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/main.js";
import { captureIo } from "../helpers/io.js";
import { assertValidBundle, assertValidReport } from "../helpers/schema.js";

const dir = join(import.meta.dirname, "..", "..", "examples");
const files = readdirSync(dir)
  .filter((f) => f.endsWith(".json"))
  .sort();

async function replay(file: string, format: string) {
  const io = captureIo();
  const code = await runCli(["doctor", "--replay", join(dir, file), "--format", format], io);
  return { code, out: io.stdout.text, err: io.stderr.text };
}

describe("examples/", () => {
  it("has a bundle for every incident the issues name", () => {
    expect(files.length).toBeGreaterThanOrEqual(11);
  });

  it.each(files)("%s is a valid bundle that replays in every format", async (file) => {
    const bundle = JSON.parse(readFileSync(join(dir, file), "utf8"));
    assertValidBundle(bundle);
    expect(bundle.description?.length ?? 0).toBeGreaterThan(10);

    const json = await replay(file, "json");
    expect([0, 1, 3]).toContain(json.code);
    const report = JSON.parse(json.out);
    assertValidReport(report);
    expect(report.findings.length).toBeGreaterThan(0);
    expect(report.summary.status === "fail").toBe(json.code === 1);

    const junit = await replay(file, "junit");
    expect(junit.code).toBe(json.code);
    const cases = execFileSync(
      "python3",
      [
        "-c",
        "import sys,xml.etree.ElementTree as E;print(len(E.fromstring(sys.stdin.read()).findall('.//testcase')))",
      ],
      { input: junit.out, encoding: "utf8" },
    );
    expect(Number(cases)).toBe(report.findings.length);

    const md = await replay(file, "markdown");
    expect(md.out).toMatch(/^# pypictl doctor: /);
    const human = await replay(file, "human");
    expect(human.out).toMatch(/\d+ checks: /);
    expect(human.out).not.toMatch(/\x1b\[/);
  });
});
