// `pypictl size` through the built CLI (bin/pypictl, as users run it): every long-window example in
// examples/size/ is a valid evidence bundle that replays, in every format, into a report matching
// schemas/size.schema.json with the verdict its description promises. Run `npm run build` first.
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { assertValidBundle, assertValidSizeReport } from "../helpers/schema.js";

const root = join(import.meta.dirname, "..", "..");
const bin = join(root, "bin", "pypictl");
const dir = join(root, "examples", "size");
const names = readdirSync(dir)
  .filter((f) => f.endsWith(".json"))
  .map((f) => f.slice(0, -5))
  .sort();

function size(args: string[]) {
  const r = spawnSync(process.execPath, [bin, "size", ...args], {
    encoding: "utf8",
    env: { PATH: process.env.PATH, HOME: "/nonexistent", NO_COLOR: "1" },
    timeout: 60_000,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const VERDICT: Record<string, string> = {
  "undersized-ci-bursts": "undersized",
  "oversized-idle": "oversized",
  "efs-bound": "undersized",
};

describe("examples/size", () => {
  it("holds the three recorded fleets the issue names", () => {
    expect(names).toEqual(Object.keys(VERDICT).sort());
  });

  it.each(names)("%s replays through bin/pypictl in every format", (name) => {
    assertValidBundle(JSON.parse(readFileSync(join(dir, `${name}.json`), "utf8")));
    const json = size(["--replay", `example:${name}`, "--format", "json"]);
    expect(json.err).toBe("");
    expect(json.code).toBe(0);
    const report = JSON.parse(json.out);
    assertValidSizeReport(report);
    expect(report.verdict).toBe(VERDICT[name]);
    expect(report.changes.length).toBeGreaterThan(0);
    expect(report.apply[0]).toMatch(/^pypictl deploy --stack pypiserver /);

    const text = size(["--replay", `example:${name}`]);
    expect(text.code).toBe(0);
    expect(text.out).toContain(report.verdict.toUpperCase().replace("OVERSIZED", "OVER-PROVISIONED"));
    expect(text.out).toContain(report.apply[0]);

    const html = size(["--replay", `example:${name}`, "--format", "html"]);
    expect(html.code).toBe(0);
    expect(html.out).toMatch(/^<!doctype html>/);
    expect(html.out).toContain("<svg");
  });

  it("--examples lists them; a bad --since is exit 2 before any AWS call", () => {
    const list = size(["--examples"]);
    expect(list.code).toBe(0);
    for (const n of names) expect(list.out).toContain(n);
    const bad = size(["--since", "3x"]);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('--since: "3x" is not a duration');
  });

  it("size --help lists its flags", () => {
    const h = size(["--help"]);
    expect(h.code).toBe(0);
    for (const f of [
      "--since",
      "--replay",
      "--no-cost",
      "--format",
      "--terraform-outputs",
      "--save-evidence",
      "--fail-on",
    ])
      expect(h.out).toContain(f);
  });
});
