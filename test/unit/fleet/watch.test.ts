// `doctor --watch` against the simulated fleet whose metrics change between rounds: memory goes beyond the
// hard limit's threshold in round 2 and back in round 3. Stopped with SIGINT as Ctrl-C would.
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { scenario, type Scenario } from "../../fixtures/aws/sim.mjs";
import { installTestFleet, useTestAwsEnv } from "./harness.js";
import { runCli } from "../../../src/cli/main.js";
import { captureIo } from "../../helpers/io.js";
import { parseWatchInterval } from "../../../src/cli/commands/doctor-plan.js";
import { statusChanges, changeLine, newEvents, eventKey } from "../../../src/cli/watch/changes.js";
import { mergeEvidence, watchWindow } from "../../../src/cli/watch/merge-evidence.js";
import { buildTimeline } from "../../../src/cli/render/timeline.js";
import { summarize, type Report } from "../../../src/checks/report.js";
import type { Finding } from "../../../src/checks/model.js";

useTestAwsEnv();

async function until(cond: () => boolean, what: string, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

// MemoryUtilization is % of the 384 MiB reservation; 135 % of it is 101 % of the 512 MiB hard limit.
const healthy = () => Array.from({ length: 60 }, () => 60);
const climbing = () => Array.from({ length: 60 }, (_, i) => (i < 50 ? 60 : 135));
const rounds = (text: string) => text.match(/^watch: round \d+/gm)?.length ?? 0;
const args = [
  "doctor",
  "--stack",
  "pypiserver",
  "--region",
  "eu-west-1",
  "--only",
  "ecs.memory-utilization,ecs.running-tasks,alb",
  "--watch",
  "1",
];

describe("doctor --watch", () => {
  it("on a non-terminal prints one line per change: a fail appears, then recovers; Ctrl-C ends with the report", async () => {
    const sc: Scenario = scenario({ metrics: { "ecs.MemoryUtilization": healthy() } });
    const fleet = installTestFleet(sc, new Date());
    const dir = mkdtempSync(join(tmpdir(), "pypictl-watch-"));
    const bundle = join(dir, "watch.json");
    const io = captureIo();
    const run = runCli([...args, "--save-evidence", bundle], io);
    // AWS actions of each round; the stack is read once, before the first round, to find the fleet.
    const actions = () => fleet!.actions().filter((a) => !a.startsWith("cloudformation:"));
    const callsAt: string[][] = [];
    await until(() => rounds(io.stderr.text) >= 1, "round 1");
    callsAt.push(actions());
    sc.metrics["ecs.MemoryUtilization"] = climbing();
    await until(() => rounds(io.stderr.text) >= 2, "round 2");
    callsAt.push(actions());
    sc.metrics["ecs.MemoryUtilization"] = healthy();
    await until(() => rounds(io.stderr.text) >= 3, "round 3");
    callsAt.push(actions());
    process.emit("SIGINT");
    const code = await run;

    const lines = io.stdout.text.split("\n");
    const fail = lines.findIndex((l) =>
      / FAIL ecs\.memory-utilization: The busiest task reached 101/.test(l),
    );
    const crossing = lines.findIndex((l) =>
      /EVENT: crossing: ecs\.memory-utilization rose above 90 %/.test(l),
    );
    const recovered = lines.findIndex((l) => / RECOVERED \(fail → pass\) ecs\.memory-utilization/.test(l));
    expect(fail).toBeGreaterThanOrEqual(0);
    expect(crossing).toBeGreaterThan(fail);
    expect(recovered).toBeGreaterThan(crossing);
    expect(io.stdout.text).not.toMatch(/\x1b\[/); // no redraw, no colour
    // The final report, in the chosen (human) format, after the change lines.
    expect(lines.findIndex((l) => l.startsWith("pypictl doctor — "))).toBeGreaterThan(recovered);
    expect(code).toBe(0);
    // The same calls every round.
    const count = (xs: string[]) =>
      xs.reduce((m, a) => m.set(a, (m.get(a) ?? 0) + 1), new Map<string, number>());
    const minus = (a: Map<string, number>, b: Map<string, number>) =>
      Object.fromEntries([...a].map(([k, v]) => [k, v - (b.get(k) ?? 0)]));
    const [c1, c2, c3] = callsAt.map(count) as [
      Map<string, number>,
      Map<string, number>,
      Map<string, number>,
    ];
    const round1 = Object.fromEntries(c1);
    expect(Object.keys(round1).length).toBeGreaterThan(3);
    expect(minus(c2, c1)).toEqual(round1);
    expect(minus(c3, c2)).toEqual(round1);
    // …and the watch says so on each round's line.
    const perLine = [...io.stderr.text.matchAll(/^watch: round \d+ .*, (\d+) AWS call\(s\)$/gm)].map((x) =>
      Number(x[1]),
    );
    expect(perLine.slice(0, 3)).toEqual([callsAt[0]!.length, callsAt[0]!.length, callsAt[0]!.length]);

    // The whole watch is one bundle that replays.
    const saved = JSON.parse(readFileSync(bundle, "utf8")) as {
      description: string;
      window: { since: string };
    };
    expect(saved.description).toMatch(/3 round\(s\)/);
    const replay = captureIo();
    const replayCode = await runCli(
      [
        "doctor",
        "--replay",
        bundle,
        "--format",
        "json",
        "--only",
        "ecs.memory-utilization,ecs.running-tasks,alb",
      ],
      replay,
    );
    const report = JSON.parse(replay.stdout.text) as Report;
    expect(
      report.findings.filter((x) => x.status === "error").map((x) => `${x.checkId}: ${x.message}`),
    ).toEqual([]);
    expect([0, 1]).toContain(replayCode);
    expect(report.findings.map((f) => f.checkId)).toContain("ecs.memory-utilization");
  }, 60_000);

  it("on a terminal redraws header, timeline and changes each round", async () => {
    const sc: Scenario = scenario({ metrics: { "ecs.MemoryUtilization": climbing() } });
    installTestFleet(sc, new Date());
    const io = captureIo({ NO_COLOR: "1" }, { tty: true });
    const run = runCli(args, io);
    const screens = () => io.stdout.text.split("\x1b[H\x1b[2J").length - 1;
    await until(() => screens() >= 1, "first screen");
    sc.metrics["ecs.MemoryUtilization"] = healthy();
    await until(() => screens() >= 2, "second screen");
    process.emit("SIGINT");
    const code = await run;
    const [, first, second] = io.stdout.text.split("\x1b[H\x1b[2J");
    expect(first).toMatch(/✖ FAIL {2}\d+ checks/);
    expect(first).toMatch(/OOM: memory 101 % of hard limit/);
    expect(first).toMatch(/Timeline .* UTC/);
    expect(first).toMatch(/ecs\.memory-utilization +│/);
    expect(first).toMatch(/FAIL ecs\.memory-utilization/);
    expect(second).toMatch(/RECOVERED \(fail → pass\) ecs\.memory-utilization/);
    expect(second).toMatch(/round 2 took/);
    expect(code).toBe(0);
  }, 60_000);

  it("TERM=dumb on a terminal: no screen clearing, no progress line, no control sequence at all", async () => {
    const sc: Scenario = scenario({ metrics: { "ecs.MemoryUtilization": climbing() } });
    installTestFleet(sc, new Date());
    const io = captureIo({ TERM: "dumb" }, { tty: true });
    const run = runCli(args, io);
    await until(() => rounds(io.stderr.text) >= 2, "round 2");
    process.emit("SIGINT");
    const code = await run;
    expect(io.stdout.text).toMatch(/FAIL ecs\.memory-utilization/); // the one-line-per-change form
    expect(io.stdout.text).not.toContain("\x1b[");
    expect(io.stderr.text).not.toContain("\x1b[");
    expect(io.stderr.text).not.toContain("\r");
    expect(code).toBe(1);
  }, 60_000);

  it("--timeout bounds each round: an AWS that answers after the deadline costs the round its timeout, not the answer's delay", async () => {
    // Every answer takes 5 s; --timeout 1 must end round 1 after about 1 s with the sources timed out.
    installTestFleet(scenario({ latencyMs: 5_000 }), new Date());
    const io = captureIo();
    const started = Date.now();
    const run = runCli(
      [
        "doctor",
        "--cluster",
        "pypiserver",
        "--service",
        "pypiserver",
        "--region",
        "eu-west-1",
        "--only",
        "ecs.running-tasks",
        "--watch",
        "30",
        "--timeout",
        "1",
        "--format",
        "json",
      ],
      io,
    );
    await until(() => rounds(io.stderr.text) >= 1, "round 1", 10_000);
    const roundMs = Date.now() - started;
    process.emit("SIGINT");
    const code = await run;
    expect(roundMs).toBeGreaterThanOrEqual(900);
    expect(roundMs).toBeLessThan(3_500);
    // --format json on a pipe: stdout is the final report alone (it parses whole); the changes went to stderr.
    const report = JSON.parse(io.stdout.text) as Report;
    expect(io.stderr.text).toMatch(/^\S+ ERROR ecs\.running-tasks: /m);
    expect(report.findings.length).toBeGreaterThan(0);
    for (const f of report.findings) {
      expect(f.status).toBe("error");
      expect(f.message).toMatch(/--timeout/);
    }
    expect(code).toBe(3);
  }, 30_000);

  it("rejects a bad interval and --watch-hosts without --watch", async () => {
    expect(() => parseWatchInterval("0.5")).toThrow(/--watch: "0.5" must be from 1s to 1h/);
    expect(() => parseWatchInterval("soon")).toThrow(/--watch/);
    expect(parseWatchInterval(true)).toBe(60_000);
    expect(parseWatchInterval("2m")).toBe(120_000);
    const io = captureIo();
    expect(await runCli(["doctor", "--replay", "examples/fleet-healthy.json", "--watch", "5"], io)).toBe(2);
    expect(io.stderr.text).toMatch(/--watch and --replay cannot be combined/);
  });
});

describe("html from a live run", () => {
  it("carries the gathered evidence with timings, the timeline and the header", async () => {
    const fleet = installTestFleet(
      scenario({ metrics: { "ecs.MemoryUtilization": climbing() } }),
      new Date(),
    );
    const io = captureIo();
    expect(
      await runCli(
        ["doctor", "--stack", "pypiserver", "--region", "eu-west-1", "--only", "ecs,alb", "--format", "html"],
        io,
      ),
    ).toBe(1);
    const html = io.stdout.text;
    expect(html).toContain("Gathered live at");
    expect(html).toMatch(
      /<tr class="source"><td><code>cloudwatch\.metrics<\/code><\/td><td class="b-pass">ok<\/td><td class="mono">[^<]+<\/td><td>\d+ ms<\/td>/,
    );
    expect(html).toContain('data-check="ecs.memory-utilization"');
    expect(html).toMatch(/<li class="glance-line">.*OOM:/);
    // The calls the report names are the calls the fake endpoint answered.
    const m = /<p id="calls">(\d+) AWS SDK call\(s\)/.exec(html);
    expect(Number(m?.[1])).toBe(fleet.actions().filter((a) => !a.startsWith("cloudformation:")).length);
    expect(html).toContain("<code>ecs:DescribeServices</code> ×1");
  });
});

describe("watch changes and evidence", () => {
  const f = (checkId: string, status: Finding["status"]): Finding => ({
    checkId,
    title: checkId,
    playbooks: ["oom"],
    status,
    messageId: "m",
    data: {},
    message: `${checkId} is ${status}`,
    hints: [],
  });
  const rep = (fs: Finding[]): Report => ({
    schemaVersion: 1,
    tool: { name: "pypictl", version: "0" },
    generatedAt: "2026-01-01T00:10:00.000Z",
    window: { start: "2026-01-01T00:00:00.000Z", end: "2026-01-01T00:10:00.000Z", since: "10m" },
    target: { kind: "fleet" },
    evidence: { mode: "live" },
    findings: fs,
    summary: summarize(fs),
  });
  it("names new problems, worsening and recoveries", () => {
    const a = rep([f("a", "pass"), f("b", "warn"), f("c", "fail"), f("d", "pass")]);
    const b = rep([f("a", "fail"), f("b", "fail"), f("c", "pass"), f("d", "pass")]);
    expect(statusChanges(a, b).map(changeLine)).toEqual([
      "2026-01-01T00:10:00.000Z FAIL a: a is fail",
      "2026-01-01T00:10:00.000Z FAIL (was warn) b: b is fail",
      "2026-01-01T00:10:00.000Z RECOVERED (fail → pass) c: c is pass",
    ]);
    expect(statusChanges(undefined, a).map((c) => c.checkId)).toEqual(["b", "c"]);
  });
  it("an unhealthy target read again is not news; a new state is", () => {
    const ev = (at: string, text: string) => ({
      t: Date.parse(at),
      at,
      kind: "target" as const,
      status: "fail" as const,
      text,
    });
    const seen = new Set([
      eventKey(ev("2026-01-01T00:10:00.000Z", "target i-1:80 unhealthy (Target.Timeout)")),
    ]);
    const tl = {
      start: 0,
      end: Date.parse("2026-01-01T00:12:00.000Z"),
      rows: [],
      events: [
        ev("2026-01-01T00:11:00.000Z", "target i-1:80 unhealthy (Target.Timeout)"),
        ev("2026-01-01T00:11:00.000Z", "target i-2:80 draining"),
      ],
    };
    expect(newEvents(tl, seen).map((e) => e.text)).toEqual(["target i-2:80 draining"]);
  });
  it("a series beyond its threshold from the window's first point is not a new crossing", () => {
    const series: Array<[string, number]> = [0, 1, 2].map((m) => [
      `2026-01-01T00:0${m}:00.000Z`,
      m === 1 ? 5 : 95,
    ]);
    const r = rep([
      {
        ...f("m", "fail"),
        observed: { value: 95, unit: "%", series },
        threshold: { name: "maxPercent", value: 90, unit: "%" },
      },
    ]);
    expect(newEvents(buildTimeline(r), new Set()).map((e) => e.at)).toEqual(["2026-01-01T00:02:00.000Z"]);
  });
  it("joins metric points and stopped tasks across rounds; a later failure keeps the earlier data", () => {
    const m = (points: Array<[string, number]>, start: string, end: string) => ({
      ok: true as const,
      at: end,
      value: {
        periodSeconds: 60,
        start,
        end,
        series: {
          k: {
            namespace: "n",
            metric: "m",
            dimensions: {},
            stat: "Maximum",
            period: 60,
            status: "Complete",
            points,
          },
        },
        unavailable: {},
        context: { instances: [] },
        messages: [],
      },
    });
    const first = {
      "cloudwatch.metrics": m(
        [
          ["2026-01-01T00:00:00.000Z", 1],
          ["2026-01-01T00:01:00.000Z", 2],
        ],
        "2026-01-01T00:00:00.000Z",
        "2026-01-01T00:02:00.000Z",
      ),
      "elb.targets": { ok: true as const, at: "x", value: 1 },
    };
    const second = {
      "cloudwatch.metrics": m(
        [
          ["2026-01-01T00:01:00.000Z", 3],
          ["2026-01-01T00:02:00.000Z", 4],
        ],
        "2026-01-01T00:01:00.000Z",
        "2026-01-01T00:03:00.000Z",
      ),
      "elb.targets": { ok: false as const, kind: "timeout" as const, message: "t", at: "y" },
    };
    const merged = mergeEvidence(mergeEvidence(undefined, first), second);
    const v = (
      merged["cloudwatch.metrics"] as {
        value: { start: string; end: string; series: { k: { points: unknown } } };
      }
    ).value;
    expect(v.series.k.points).toEqual([
      ["2026-01-01T00:00:00.000Z", 1],
      ["2026-01-01T00:01:00.000Z", 3],
      ["2026-01-01T00:02:00.000Z", 4],
    ]);
    expect([v.start, v.end]).toEqual(["2026-01-01T00:00:00.000Z", "2026-01-01T00:03:00.000Z"]);
    expect(merged["elb.targets"]).toEqual(first["elb.targets"]);
    expect(
      watchWindow(
        { start: "2026-01-01T00:00:00.000Z", end: "2026-01-01T01:00:00.000Z", since: "1h" },
        { start: "2026-01-01T00:05:00.000Z", end: "2026-01-01T01:05:00.000Z", since: "1h" },
      ),
    ).toEqual({ start: "2026-01-01T00:00:00.000Z", end: "2026-01-01T01:05:00.000Z", since: "3900s" });
  });
});
