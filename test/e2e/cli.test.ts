import { mkdtempSync, readFileSync, existsSync, writeFileSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/main.js";
import { makeBundle } from "../../src/evidence/bundle.js";
import { captureIo } from "../helpers/io.js";
import { assertValidReport } from "../helpers/schema.js";

const tmp = mkdtempSync(join(tmpdir(), "pypictl-cli-"));
const bundleFile = join(tmp, "empty.json");
// A healthy host's probe, re-targeted: the replay passes (exit 0) on evidence a check reads.
const healthyHost = JSON.parse(
  readFileSync(join(import.meta.dirname, "..", "..", "examples", "host-healthy.json"), "utf8"),
);
writeFileSync(
  bundleFile,
  JSON.stringify(
    makeBundle({
      version: "0.0.1",
      window: healthyHost.window,
      target: { kind: "local", host: "h1" },
      // Known evidence some check reads: unknown source ids and a selection judged on nothing are exit 2 (issue 26).
      evidence: healthyHost.sources,
      now: new Date(healthyHost.window.end),
    }),
  ),
);

async function run(argv: string[], env: NodeJS.ProcessEnv = {}) {
  const io = captureIo(env);
  const code = await runCli(argv, io);
  return { code, out: io.stdout.text, err: io.stderr.text };
}

describe("pypictl CLI", () => {
  it("prints its version and help with exit 0; help documents the exit codes", async () => {
    const v = await run(["--version"]);
    expect(v).toMatchObject({ code: 0 });
    expect(v.out.trim()).toMatch(/^\d+\.\d+\.\d+/);
    const h = await run(["doctor", "--help"]);
    expect(h.code).toBe(0);
    expect(h.out).toContain("--fail-on");
    expect(h.out).toMatch(/3\s+diagnosis incomplete/);
  });

  it.each([
    [["doctor", "--bogus"], /unknown option '--bogus'/],
    [["doctor", "--format", "yaml"], /--format <format>' argument 'yaml' is invalid/],
    [["doctor", "--threshold", "nonsense"], /--threshold "nonsense"/],
    [["doctor", "--threshold", "host.nope.x=1"], /unknown check "host.nope"/],
    [["doctor", "--only", "nothing-like-this"], /--only: unknown check or playbook/],
    [["doctor", "--since", "soon", "--local"], /--since: "soon" is not a duration/],
    [["doctor", "--samples", "1", "--local"], /--samples: "1" must be a whole number from 2 to 60/],
    [
      ["doctor", "--config", "/nonexistent/pypictl.json"],
      /--config \/nonexistent\/pypictl.json: cannot read \(ENOENT\)/,
    ],
    [["doctor", "--replay", "/nonexistent/b.json"], /--replay \/nonexistent\/b.json: cannot read/],
    [["doctor", "--replay", "x.json", "--local"], /--replay and --local cannot be combined/],
    [["doctor", "--explain", "host.nope"], /--explain: unknown check "host.nope"/],
    [["nosuchcommand"], /unknown command 'nosuchcommand'/],
  ])("%j is a bad invocation: exit 2 with a message naming it", async (argv, re) => {
    const r = await run(argv);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(re);
    expect(r.out).toBe("");
  });

  it("rejects a malformed config naming the file and field", async () => {
    const cfg = join(tmp, "bad-config.json");
    writeFileSync(cfg, JSON.stringify({ target: { stak: "x" } }));
    const r = await run(["doctor", "--config", cfg, "--replay", bundleFile]);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${cfg}: target: unknown key "target.stak"`);
  });

  it("rejects a malformed bundle naming the field", async () => {
    const bad = join(tmp, "bad-bundle.json");
    writeFileSync(bad, JSON.stringify({ kind: "pypictl-evidence", schemaVersion: 1 }));
    const r = await run(["doctor", "--replay", bad]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/bad-bundle.json: tool: missing/);
  });

  it("replays a bundle into a schema-valid JSON report", async () => {
    const r = await run(["doctor", "--replay", bundleFile, "--format", "json"]);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.out);
    assertValidReport(report);
    expect(report.evidence).toMatchObject({ mode: "replay", bundle: bundleFile });
    expect(report.target).toEqual({ kind: "local", host: "h1" });
  });

  it("writes --output whole, and nothing at all when it cannot", async () => {
    const outFile = join(tmp, "report.json");
    const ok = await run(["doctor", "--replay", bundleFile, "--format", "json", "--output", outFile]);
    expect(ok.code).toBe(0);
    expect(ok.out).toBe("");
    assertValidReport(JSON.parse(readFileSync(outFile, "utf8")));

    const missingDir = join(tmp, "no-such-dir", "report.json");
    const bad = await run(["doctor", "--replay", bundleFile, "--output", missingDir]);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain(`--output ${missingDir}: the directory`);
    expect(existsSync(missingDir)).toBe(false);
    expect(readdirSync(tmp).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });

  it("takes flag defaults from the config file and lets flags override them", async () => {
    const cfg = join(tmp, "cfg.json");
    writeFileSync(cfg, JSON.stringify({ format: "markdown" }));
    const md = await run(["doctor", "--config", cfg, "--replay", bundleFile]);
    expect(md.out).toMatch(/^# pypictl doctor/);
    const js = await run(["doctor", "--config", cfg, "--replay", bundleFile, "--format", "json"]);
    expect(() => JSON.parse(js.out)).not.toThrow();
  });
});
