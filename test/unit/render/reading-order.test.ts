/**
 * Reports lead with what is wrong (issue 22): failures, then warnings, then the rest, the playbooks inside;
 * a hint several findings share is printed once, naming them; times in one format; --quiet prints only
 * what is not passing; lines fit 80 columns off a terminal.
 */
import { describe, expect, it } from "vitest";
import { runCli } from "../../../src/cli/main.js";
import { captureIo } from "../../helpers/io.js";
import { timesIn } from "../../../src/cli/render/times.js";
import { wrapLine } from "../../../src/cli/render/wrap.js";

async function human(example: string, extra: string[] = []): Promise<string> {
  const io = captureIo();
  await runCli(["doctor", "--replay", `example:${example}`, ...extra], io);
  return io.stdout.text;
}

describe("reading order", () => {
  it("failures come before warnings and passes", async () => {
    const text = await human("fleet-burst-5xx");
    const failing = text.indexOf("\nFailing (");
    const firstFail = text.indexOf("✖ FAIL  ", text.indexOf("\n\n"));
    const firstPass = text.indexOf("✔ PASS");
    expect(failing).toBeGreaterThan(0);
    expect(firstFail).toBeGreaterThan(failing);
    if (firstPass >= 0) expect(firstPass).toBeGreaterThan(firstFail);
    const warn = text.indexOf("\nWarnings (");
    if (warn >= 0) expect(warn).toBeGreaterThan(failing);
  });

  it("a hint shared by several findings is printed once", async () => {
    const text = await human("fleet-oom-kills");
    const hint = /Raise the container's hard memory limit/g;
    expect(text.match(hint)?.length).toBe(1);
    expect(text).toMatch(/also for/);
  });

  it("no line wider than 80 columns off a terminal (findings and hints)", async () => {
    const text = await human("fleet-oom-kills");
    const findings = text.slice(text.indexOf("\nFailing ("));
    const long = findings.split("\n").filter((l) => [...l].length > 80 && !/\S{60,}/.test(l));
    expect(long).toEqual([]);
  });

  it("--quiet: no timeline, no passing findings", async () => {
    const text = await human("fleet-healthy", ["--quiet"]);
    expect(text).not.toMatch(/Timeline/);
    expect(text).not.toMatch(/✔ PASS +[a-z0-9]+\.[a-z]/);
  });

  it("--quiet on a failing fleet: no timeline, no passing finding, no passing resource line", async () => {
    const full = await human("fleet-burst-5xx");
    const text = await human("fleet-burst-5xx", ["--quiet"]);
    expect(full).toMatch(/^ +✔ i-0000000000a000001: /m); // the healthy host under a failing check
    expect(text).toMatch(/✖ FAIL {2}ecs\.cpu-utilization/);
    expect(text).toMatch(/^ +✖ i-0000000000a000000: /m);
    expect(text).not.toMatch(/Timeline/);
    expect(text).not.toMatch(/^ +✔ /m);
  });

  it("times inside a one-day window print as HH:MM", () => {
    const t = timesIn({ start: "2026-11-20T11:00:00Z", end: "2026-11-20T12:00:00Z" });
    expect(t("latest 2026-11-20T11:47:00.000Z")).toBe("latest 11:47");
    expect(t("at 2026-11-12T09:05:30Z")).toBe("at 11-12 09:05:30");
  });

  it("wrapLine keeps words whole and indents continuations", () => {
    expect(wrapLine(`${"word ".repeat(30).trim()}`, 4, 40).every((l) => l.length <= 40)).toBe(true);
    expect(wrapLine("a".repeat(100), 4, 40)).toEqual(["a".repeat(100)]);
  });
});
