/**
 * "Did you mean …?" wherever a user types a name (issue 22): check ids and playbooks (--only, --skip,
 * --explain, --threshold), threshold names, config-file keys, and example names — including
 * `--replay fleet-oom-kills`, a file that does not exist but an example that does.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../../../src/cli/main.js";
import { captureIo } from "../../helpers/io.js";
import { didYouMean, suggestions } from "../../../src/suggest.js";

const dir = mkdtempSync(join(tmpdir(), "pypictl-suggest-"));

async function doctorErr(args: string[]): Promise<{ code: number; err: string }> {
  const io = captureIo();
  const code = await runCli(["doctor", ...args], io);
  return { code, err: io.stderr.text };
}

function config(name: string, body: unknown): string {
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify(body));
  return file;
}

describe("suggestions", () => {
  it("nearest names first, nothing when nothing is close", () => {
    expect(suggestions("ecs.oom-kill", ["ecs.oom-kills", "ecs.memory-utilization"])).toEqual([
      "ecs.oom-kills",
    ]);
    expect(didYouMean("zzz", ["target", "thresholds"])).toBe("");
    expect(suggestions("mountpath", ["samples", "mountPath"])).toEqual(["mountPath"]); // case only
  });

  it.each([
    [
      ["--only", "alb.5xx-rat"],
      /--only: unknown check or playbook "alb\.5xx-rat"\. Did you mean "alb\.5xx-rate"\?/,
    ],
    [
      ["--skip", "slow-listng"],
      /--skip: unknown check or playbook "slow-listng"\. Did you mean "slow-listing"\?/,
    ],
    [
      ["--explain", "ecs.oom-kill"],
      /--explain: unknown check "ecs\.oom-kill"\. Did you mean "ecs\.oom-kills"\?/,
    ],
    [
      ["--threshold", "alb.5xx-rat.maxPercent=2"],
      /unknown check "alb\.5xx-rat"\. Did you mean "alb\.5xx-rate"\?/,
    ],
    [
      ["--threshold", "alb.5xx-rate.maxPercnt=2"],
      /alb\.5xx-rate has no threshold "maxPercnt"\. Did you mean "maxPercent"\?/,
    ],
  ])("check ids and thresholds: %j", async (args, message) => {
    const r = await doctorErr(
      args[0] === "--explain" ? args : ["--replay", "example:fleet-healthy", ...args],
    );
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
  });

  it("a config key with a typo names the nearest valid key, at the top and in a section", async () => {
    const top = await doctorErr([
      "--replay",
      "example:fleet-healthy",
      "-c",
      config("top.json", { targt: {} }),
    ]);
    expect(top.code).toBe(2);
    expect(top.err).toMatch(/unknown key "targt"\. Did you mean "target"\? \(allowed here: /);
    const nested = await doctorErr([
      "--replay",
      "example:fleet-healthy",
      "-c",
      config("nested.json", { target: { stak: "pypiserver" } }),
    ]);
    expect(nested.err).toMatch(/target: unknown key "target\.stak"\. Did you mean "stack"\?/);
    const threshold = await doctorErr([
      "--replay",
      "example:fleet-healthy",
      "-c",
      config("thr.json", { thresholds: { "ecs.oom-kill.maxKills": 1 } }),
    ]);
    expect(threshold.err).toMatch(/unknown check "ecs\.oom-kill"\. Did you mean "ecs\.oom-kills"\?/);
    // Nothing close: no guess, the allowed keys as before.
    const far = await doctorErr(["--replay", "example:fleet-healthy", "-c", config("far.json", { zzz: 1 })]);
    expect(far.err).toMatch(/unknown key "zzz" \(allowed here: /);
  });

  it("--replay NAME that is no file but an example's name suggests example:NAME", async () => {
    const r = await doctorErr(["--replay", "fleet-oom-kills"]);
    expect(r.code).toBe(2);
    expect(r.err).toContain(
      "--replay fleet-oom-kills: no such file. Did you mean --replay example:fleet-oom-kills",
    );
    expect(r.err).not.toContain("ENOENT");
    const near = await doctorErr(["--replay", "fleet-oom-kill.json"]);
    expect(near.err).toContain("Did you mean --replay example:fleet-oom-kills");
    // A path like nothing shipped: the file error, no guess.
    const missing = await doctorErr(["--replay", join(dir, "no-such-bundle.json")]);
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/cannot read \(ENOENT\)/);
    expect(missing.err).not.toContain("Did you mean");
  });

  it("--replay example:TYPO suggests the example", async () => {
    const r = await doctorErr(["--replay", "example:fleet-oom-kill"]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/no packaged example "fleet-oom-kill"\. Did you mean "fleet-oom-kills"\? Known: /);
  });
});
