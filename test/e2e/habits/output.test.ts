/** Issue 10, output and terminal conventions: what aws/kubectl/checkov users expect of a CLI's output. */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../../../src/cli/main.js";
import { captureIo, Capture } from "../../helpers/io.js";
import { useColor } from "../../../src/cli/io.js";
import { ProgressLine } from "../../../src/cli/progress.js";
import { summarize } from "../../../src/checks/report.js";
import { renderMarkdown } from "../../../src/cli/render/markdown.js";
import { CHECKS } from "../../../src/checks/registry.js";
import type { Finding } from "../../../src/checks/model.js";
import { offFleetReason } from "../../../src/cli/options/off-fleet.js";

const root = join(import.meta.dirname, "..", "..", "..");
const bin = join(root, "bin", "pypictl");
const tmp = mkdtempSync(join(tmpdir(), "pypictl-habits-out-"));
const ESC = "\x1b[";

async function run(argv: string[], env: NodeJS.ProcessEnv = {}, opts: { tty?: boolean } = {}) {
  const io = captureIo(env, opts);
  const code = await runCli(argv, io);
  return { code, out: io.stdout.text, err: io.stderr.text };
}

/** Run the built CLI on a real pty (util-linux `script`), the way a terminal user sees it. */
function onPty(args: string[], env: Record<string, string>): string {
  const cmd = [process.execPath, bin, ...args].map((a) => `'${a}'`).join(" ");
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !["NO_COLOR", "FORCE_COLOR", "CI", "COLORTERM"].includes(k)),
  );
  const r = spawnSync("script", ["-qec", cmd, "/dev/null"], {
    env: { ...clean, ...env } as NodeJS.ProcessEnv,
    encoding: "utf8",
  });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
}

describe("-o/--output with a format name", () => {
  it.each(["json", "junit", "markdown", "html", "human", "yaml"])(
    "-o %s is exit 2 pointing at --format, and writes nothing",
    async (fmt) => {
      const r = await run(["doctor", "--list", "-o", fmt]);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/-o\/--output takes a file name/);
      expect(r.err).toContain(fmt === "yaml" ? "--format json" : `--format ${fmt}`);
      expect(r.err).toContain(`-o ./${fmt}`);
      expect(existsSync(join(process.cwd(), fmt))).toBe(false);
    },
  );

  it("-o ./json writes a file of that name (the escape hatch works)", async () => {
    const dir = mkdtempSync(join(tmp, "o-"));
    const file = join(dir, "json");
    const r = await run([
      "doctor",
      "--replay",
      join(root, "examples/host-healthy.json"),
      "--format",
      "json",
      "-o",
      file,
    ]);
    expect(r.code).toBe(0);
    expect(JSON.parse(readFileSync(file, "utf8")).summary.status).toBeDefined();
  });
});

describe("summary status: all pass + skips is PASS (as checkov)", () => {
  const f = (status: Finding["status"]): Finding => ({
    checkId: "x.y",
    title: "t",
    playbooks: ["oom"],
    status,
    messageId: "m",
    data: {},
    message: "m",
    hints: [],
  });
  it.each([
    [["pass", "skip", "skip"], "pass"],
    [["pass"], "pass"],
    [["skip", "skip"], "skip"],
    [["pass", "skip", "warn"], "warn"],
    [["pass", "skip", "error"], "error"],
    [["skip", "fail"], "fail"],
    [[], "pass"],
  ] as const)("%j → %s", (statuses, want) => {
    expect(summarize(statuses.map((s) => f(s))).status).toBe(want);
  });

  it("a replayed healthy fleet with not-applicable checks is PASS in JSON and in the markdown title", async () => {
    const r = await run([
      "doctor",
      "--replay",
      join(root, "examples/fleet-healthy.json"),
      "--format",
      "json",
    ]);
    const report = JSON.parse(r.out);
    expect(report.summary.skip).toBeGreaterThan(0);
    expect(report.summary.fail + report.summary.warn + report.summary.error).toBe(0);
    expect(report.summary.status).toBe("pass");
    expect(r.code).toBe(0);
    expect(renderMarkdown(report).split("\n")[0]).toMatch(/^# pypictl doctor: PASS/);
  });
});

describe("colour follows Node's detection plus NO_COLOR", () => {
  const tty = (env: NodeJS.ProcessEnv) =>
    useColor(captureIo(env, { tty: true }), new Capture(true), undefined);
  it("decides from the environment on a terminal", () => {
    expect(tty({ TERM: "xterm-256color" })).toBe(true);
    expect(tty({ TERM: "dumb" })).toBe(false);
    expect(tty({ TERM: "xterm-256color", FORCE_COLOR: "0" })).toBe(false);
    expect(tty({ TERM: "xterm-256color", NO_COLOR: "1" })).toBe(false);
    expect(useColor(captureIo({ FORCE_COLOR: "1" }), new Capture(false), undefined)).toBe(true);
    expect(useColor(captureIo({ TERM: "xterm" }), new Capture(false), undefined)).toBe(false);
    expect(useColor(captureIo({ TERM: "xterm", FORCE_COLOR: "1" }), new Capture(true), false)).toBe(false);
  });

  it("on a real pty: colour with TERM=xterm-256color, none with TERM=dumb, FORCE_COLOR=0 or NO_COLOR", () => {
    expect(onPty(["doctor", "--list"], { TERM: "xterm-256color" })).toContain(ESC);
    expect(onPty(["doctor", "--list"], { TERM: "dumb" })).not.toContain(ESC);
    expect(onPty(["doctor", "--list"], { TERM: "xterm-256color", FORCE_COLOR: "0" })).not.toContain(ESC);
    expect(onPty(["doctor", "--list"], { TERM: "xterm-256color", NO_COLOR: "1" })).not.toContain(ESC);
  });
});

describe("--list --format json", () => {
  it("gives the whole catalogue as data: ids, titles, playbooks, thresholds with defaults and units", async () => {
    const r = await run(["doctor", "--list", "--format", "json"]);
    expect(r.code).toBe(0);
    const cat = JSON.parse(r.out);
    expect(cat.checks.map((c: { id: string }) => c.id)).toEqual(CHECKS.map((c) => c.id));
    const iowait = cat.checks.find((c: { id: string }) => c.id === "host.iowait");
    expect(iowait.title).toBe(CHECKS.find((c) => c.id === "host.iowait")!.title);
    expect(iowait.playbooks).toContain("iowait");
    expect(iowait.thresholds).toContainEqual(
      expect.objectContaining({
        name: "maxIowaitPercent",
        override: "host.iowait.maxIowaitPercent",
        unit: "%",
        default: expect.any(Number),
      }),
    );
    expect(cat.playbooks.map((p: { name: string }) => p.name)).toEqual([
      "slow-listing",
      "oom",
      "iowait",
      "auth",
      "upload",
      "bursts",
    ]);
    expect(cat.areas).toEqual(expect.arrayContaining(["host", "efs", "ecs", "alb", "auth", "upload"]));
  });
});

describe("progress line", () => {
  it("on a pty that reports 0 columns, the line is written whole", () => {
    const io = captureIo({}, { tty: true });
    io.stderr.columns = 0;
    const p = new ProgressLine(io, true);
    p.update({ type: "source-start", id: "a", title: "ECS services and tasks" } as never);
    expect(io.stderr.text).toContain("gathering: 0 done; ECS services and tasks");
  });
  it("on a narrow terminal it is cut to fit, never wrapping", () => {
    const io = captureIo({}, { tty: true });
    io.stderr.columns = 20;
    new ProgressLine(io, true).update({
      type: "source-start",
      id: "a",
      title: "ECS services and tasks",
    } as never);
    expect(io.stderr.text.replace("\r\x1b[2K", "")).toHaveLength(19);
  });
  it("TERM=dumb cannot erase a line: no progress line, no \\r\\x1b[2K", () => {
    const io = captureIo({ TERM: "dumb" }, { tty: true });
    const p = new ProgressLine(io, true);
    p.update({ type: "source-start", id: "a", title: "ECS services and tasks" } as never);
    p.clear();
    expect(io.stderr.text).toBe("");
  });
});

describe("--local says what it sampled", () => {
  it("reports 'sampled N s' and that the first vmstat line is the since-boot average, not a 1 h window", async () => {
    const r = await run(["doctor", "--local", "--samples", "3", "--format", "json", "--only", "host.iowait"]);
    const report = JSON.parse(r.out);
    expect(report.window.since).toMatch(
      /^sampled \d+ s: 3 vmstat lines 1 s apart; the first is the since-boot average, so 2 are judged$/,
    );
    expect(report.window.since).not.toContain("1h");
    const human = await run(["doctor", "--local", "--samples", "2", "--only", "host.iowait"], {
      NO_COLOR: "1",
    });
    // Wrapped to 80 columns: read it with the continuation lines joined.
    expect(human.out.replace(/\n +/g, " ")).toMatch(/sampled \d+ s: 2 vmstat lines .* so 1 is judged/);
  });
});

describe("doctor --local off the fleet", () => {
  it("marks the package-volume checks not applicable on a host that is not a fleet host, with the reason", async () => {
    const r = await run([
      "doctor",
      "--local",
      "--samples",
      "2",
      "--only",
      "host.efs-mount,host.package-count",
      "--format",
      "json",
    ]);
    const report = JSON.parse(r.out);
    if (existsSync("/data/packages") || existsSync("/etc/ecs/ecs.config")) return; // a fleet-like machine: the checks apply
    expect(report.findings.map((f: Finding) => [f.checkId, f.status]).sort()).toEqual([
      ["host.efs-mount", "skip"],
      ["host.package-count", "skip"],
    ]);
    expect(report.findings[1].message).toMatch(
      /not applicable off-fleet: .*no \/data\/packages and no ECS agent/,
    );
    expect(r.code).toBe(0);
  });
  it("a saved bundle of such a run replays to the same verdicts (the decision is evidence)", async () => {
    if (existsSync("/data/packages") || existsSync("/etc/ecs/ecs.config")) return;
    const file = join(tmp, "laptop.json");
    const live = await run([
      "doctor",
      "--local",
      "--samples",
      "2",
      "--format",
      "json",
      "--save-evidence",
      file,
    ]);
    const replay = await run(["doctor", "--replay", file, "--format", "json"]);
    expect(JSON.parse(replay.out).findings).toEqual(JSON.parse(live.out).findings);
    expect(JSON.parse(readFileSync(file, "utf8")).sources["host.role"].value).toMatchObject({
      fleetHost: false,
    });
  });
  it("still judges the volume on a fleet host whose mount failed, or when a path is given", () => {
    const none = () => false;
    const base = { mountPath: "/data/packages", defaultMountPath: "/data/packages", volumeGiven: false };
    expect(offFleetReason({ ...base, exists: none })).toMatch(/not applicable off-fleet/);
    expect(offFleetReason({ ...base, exists: (p) => p === "/data/packages" })).toBeUndefined(); // user data mkdir'd it
    expect(offFleetReason({ ...base, exists: (p) => p === "/etc/ecs/ecs.config" })).toBeUndefined(); // an ECS host
    expect(offFleetReason({ ...base, volumeGiven: true, exists: none })).toBeUndefined();
    expect(offFleetReason({ ...base, mountPath: "/srv/pkgs", exists: none })).toBeUndefined();
  });
});

describe("--replay of a report", () => {
  it("recognises a JSON report and says it is not an evidence bundle (--save-evidence makes one)", async () => {
    const report = join(tmp, "report.json");
    const w = await run([
      "doctor",
      "--replay",
      join(root, "examples/host-healthy.json"),
      "--format",
      "json",
      "-o",
      report,
    ]);
    expect(w.code).toBe(0);
    const r = await run(["doctor", "--replay", report]);
    expect(r.code).toBe(2);
    expect(r.err).toContain("this is a pypictl report (--format json), not an evidence bundle");
    expect(r.err).toContain("--save-evidence");
    expect(r.err).not.toContain("generatedAt");
  });
});

describe("npm run demo", () => {
  it("piped or with NO_COLOR prints no escape codes; the local run is green or explained, then the replays", () => {
    const r = spawnSync(process.execPath, [join(root, "scripts/demo.mjs")], {
      cwd: root,
      env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "" },
      encoding: "utf8",
    });
    expect(r.status, r.stderr).toBe(0);
    const all = r.stdout + r.stderr;
    expect(all).not.toContain("\x1b");
    const local = all.slice(0, all.indexOf("$ pypictl doctor --replay"));
    expect(local).toContain("$ pypictl doctor --local");
    // Truthful: a failure or error on this machine would have to be explained by the check itself; off-fleet
    // the volume checks are not applicable, never a red mount failure.
    if (!existsSync("/data/packages") && !existsSync("/etc/ecs/ecs.config")) {
      expect(local).toMatch(/SKIP\s+host\.efs-mount\s+not applicable off-fleet/);
      expect(local).not.toMatch(/FAIL\s+host\.efs-mount/);
    }
    expect(all).toContain("$ pypictl doctor --replay");
  }, 120_000);
});
