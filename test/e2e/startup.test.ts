import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { makeBundle } from "../../src/evidence/bundle.js";

const root = join(import.meta.dirname, "..", "..");
const tmp = mkdtempSync(join(tmpdir(), "pypictl-startup-"));

/** Run the built CLI and return the modules it loaded. */
function loads(args: string[]): { status: number | null; modules: string[] } {
  const file = join(tmp, `trace-${Math.random().toString(36).slice(2)}.txt`);
  writeFileSync(file, "");
  const r = spawnSync(process.execPath, ["--import", join(root, "test/helpers/trace-loads.mjs"), join(root, "bin/pypictl"), ...args], {
    env: { ...process.env, TRACE_LOADS_FILE: file, NO_COLOR: "1" },
    encoding: "utf8",
  });
  return { status: r.status, modules: readFileSync(file, "utf8").split("\n").filter(Boolean) };
}

const heavy = (mods: string[]) => mods.filter((m) => /aws-cdk-lib|@aws-cdk\/toolkit-lib|@aws-sdk\/client-|cdk-nag/.test(m));

describe("startup stays light", () => {
  it("--version loads no dependency at all", () => {
    const r = loads(["--version"]);
    expect(r.status).toBe(0);
    expect(r.modules.filter((m) => m.includes("node_modules"))).toEqual([]);
  });

  it("--help and doctor --replay load neither aws-cdk-lib nor any AWS SDK client", () => {
    const bundle = join(tmp, "b.json");
    writeFileSync(
      bundle,
      JSON.stringify(
        makeBundle({
          version: "0",
          window: { start: "2026-01-01T00:00:00.000Z", end: "2026-01-01T01:00:00.000Z", since: "1h" },
          target: { kind: "local", host: "h" },
          evidence: {},
          now: new Date("2026-01-01T01:00:00.000Z"),
        }),
      ),
    );
    const help = loads(["--help"]);
    expect(help.status).toBe(0);
    expect(heavy(help.modules)).toEqual([]);
    const replay = loads(["doctor", "--replay", bundle, "--format", "json"]);
    expect(replay.status).toBe(0);
    expect(replay.modules.some((m) => m.includes("dist/checks/registry.js"))).toBe(true);
    expect(heavy(replay.modules)).toEqual([]);
  });
});

describe("a reader that goes away", () => {
  it("`pypictl … | head -1` ends quietly, without an EPIPE crash", () => {
    const r = spawnSync("sh", ["-c", `"${process.execPath}" "${join(root, "bin/pypictl")}" deploy --help | head -1`], { encoding: "utf8" });
    expect(r.stdout).toMatch(/^Usage: pypictl deploy/);
    expect(r.stderr).not.toMatch(/EPIPE|Unhandled/);
  });
});
