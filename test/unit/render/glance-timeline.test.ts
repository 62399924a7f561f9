import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Finding } from "../../../src/checks/model.js";
import { summarize, type Report } from "../../../src/checks/report.js";
import { glanceOf, phrase } from "../../../src/cli/render/glance.js";
import { buildTimeline, bucketize, crossings, evidenceEvents } from "../../../src/cli/render/timeline.js";
import { renderTimelineText } from "../../../src/cli/render/timeline-text.js";
import { renderReport } from "../../../src/cli/render/index.js";
import { esc } from "../../../src/cli/render/html.js";
import { parseBundle } from "../../../src/evidence/bundle.js";
import { runCli } from "../../../src/cli/main.js";
import { captureIo } from "../../helpers/io.js";

const at = (m: number) => new Date(Date.UTC(2026, 0, 1, 0, m)).toISOString();
const mem: Array<[string, number]> = Array.from({ length: 60 }, (_, i) => [
  at(i),
  i % 20 === 19 ? 97 : 50 + (i % 20),
]);
const rate: Array<[string, number]> = Array.from({ length: 60 }, (_, i) => [at(i), i >= 40 ? 4.2 : 0]);
const credits: Array<[string, number]> = Array.from({ length: 60 }, (_, i) => [at(i), Math.max(0, 40 - i)]);

const findings: Finding[] = [
  {
    checkId: "ecs.oom-kills",
    title: "OOM",
    playbooks: ["oom", "upload"],
    status: "fail",
    messageId: "oom",
    data: {},
    message: "3 kills",
    observed: { value: 3, unit: "count" },
    threshold: { name: "maxKills", value: 0, unit: "count" },
    hints: [],
  },
  {
    checkId: "ecs.memory-utilization",
    title: "Memory",
    playbooks: ["oom"],
    status: "fail",
    messageId: "high",
    data: {},
    message: "98 %",
    observed: { value: 97, unit: "% of hard limit", series: mem },
    threshold: { name: "failPercentOfHardLimit", value: 90, unit: "%" },
    hints: [],
  },
  {
    checkId: "alb.5xx-rate",
    title: "5xx",
    playbooks: ["bursts"],
    status: "fail",
    messageId: "high",
    data: {},
    message: "5xx",
    observed: { value: 1.4, unit: "%", series: rate },
    threshold: { name: "maxPercent", value: 1, unit: "%" },
    hints: [],
  },
  {
    checkId: "ec2.cpu-credits",
    title: "Credits",
    playbooks: ["bursts"],
    status: "warn",
    messageId: "low",
    data: {},
    message: "credits",
    observed: { value: 0, unit: "credits", series: credits },
    threshold: { name: "minCredits", value: 1, unit: "credits" },
    hints: [],
  },
  {
    checkId: "efs.percent-io-limit",
    title: "EFS",
    playbooks: ["slow-listing"],
    status: "pass",
    messageId: "ok",
    data: {},
    message: "fine",
    observed: { value: 12, unit: "%", series: mem.map(([t]) => [t, 12]) },
    threshold: { name: "maxPercent", value: 80, unit: "%" },
    hints: [],
  },
];
const report: Report = {
  schemaVersion: 1,
  tool: { name: "pypictl", version: "0.1.0" },
  generatedAt: at(60),
  window: { start: at(0), end: at(60), since: "1h" },
  target: { kind: "fleet", stack: "pypiserver", region: "eu-west-1" },
  evidence: { mode: "live" },
  findings,
  summary: summarize(findings),
};

describe("at-a-glance header", () => {
  it("has one line per playbook in trouble, phrased from the findings' values", () => {
    const g = glanceOf(report);
    expect(g.verdict).toBe("fail");
    expect(g.lines.map((l) => l.label)).toEqual(["OOM", "bursts"]);
    expect(g.lines[0]!.text).toBe("OOM kills 3 vs 0, memory 97 % of hard limit vs 90 %");
    // The rate over the window hides the worst minute; the header names it. Warnings yield to fails.
    expect(g.lines[1]!.text).toBe("5xx 1.4 % (worst minute 4.2 %) vs 1 %");
  });
  it("follows the data, not a script: other values give other lines", () => {
    const f = { ...findings[1]!, observed: { ...findings[1]!.observed!, value: 91.5 } };
    expect(phrase(f)).toContain("memory 91.5 % of hard limit");
  });
  it("shows in human and markdown", () => {
    const human = renderReport(report, "human", { color: false, quiet: false, width: 100 });
    expect(human.split("\n").slice(0, 4).join("\n")).toMatch(
      /✖ FAIL {2}5 checks: 3 fail, 1 warn, 1 pass.*\n {2}✖ OOM: OOM kills 3 vs 0, memory 97 % of hard limit vs 90 %\n {2}✖ bursts: 5xx 1\.4 %/,
    );
    const md = renderReport(report, "markdown", { color: false, quiet: false, width: 100 });
    expect(md).toContain("> ✖ **OOM:** OOM kills 3 vs 0, memory 97 % of hard limit vs 90 %");
  });
});

describe("timeline model", () => {
  const tl = buildTimeline(report);
  it("has a row per failing or warning series on the window's axis", () => {
    expect(tl.rows.map((r) => r.checkId)).toEqual([
      "ecs.memory-utilization",
      "alb.5xx-rate",
      "ec2.cpu-credits",
    ]);
    expect([tl.start, tl.end]).toEqual([Date.parse(at(0)), Date.parse(at(60))]);
  });
  it("marks threshold crossings, in the bad direction of each threshold", () => {
    expect(crossings(tl.rows[0]!).map((e) => e.at)).toEqual([at(19), at(39), at(59)]);
    expect(crossings(tl.rows[1]!).map((e) => e.at)).toEqual([at(40)]);
    const low = crossings(tl.rows[2]!);
    expect(low.map((e) => e.at)).toEqual([at(40)]); // 40 - i < 1 from i = 40
    expect(low[0]!.text).toContain("fell below 1 credits");
  });
  it("buckets keep the worst value of each column (a spike survives)", () => {
    const cells = bucketize(tl.rows[0]!, tl, 6);
    expect(cells).toEqual([59, 97, 59, 97, 59, 97]); // 50…59, then the 97 at minute 19
    expect(bucketize(tl.rows[2]!, tl, 2)).toEqual([11, 0]);
  });
  it("reads events from evidence: OOM kills, stops, deployments, service events and unhealthy targets", () => {
    const b = parseBundle(
      readFileSync(
        join(import.meta.dirname, "..", "..", "..", "examples", "fleet-unhealthy-targets.json"),
        "utf8",
      ),
      "x",
    );
    const kinds = new Set(evidenceEvents(b.sources).map((e) => e.kind));
    expect(kinds).toContain("target");
    const oom = parseBundle(
      readFileSync(join(import.meta.dirname, "..", "..", "..", "examples", "fleet-oom-kills.json"), "utf8"),
      "x",
    );
    const kills = evidenceEvents(oom.sources).filter((e) => e.kind === "oom-kill");
    expect(kills.map((k) => k.at)).toEqual([
      "2026-11-20T11:17:00.000Z",
      "2026-11-20T11:33:00.000Z",
      "2026-11-20T11:47:00.000Z",
    ]);
    expect(kills[0]!.text).toContain("OutOfMemoryError");
  });
  it("ignores garbage in a replayed bundle instead of throwing", () => {
    expect(
      evidenceEvents({
        "ecs.stopped-tasks": {
          ok: true,
          at: at(0),
          value: { tasks: [null, 3, { stoppedAt: "not a time" }] },
        },
        "ecs.service": { ok: true, at: at(0), value: "x" },
      }),
    ).toEqual([]);
  });
});

describe("timeline text", () => {
  const tl = buildTimeline(report);
  it("puts every row on the same columns and fits the width", () => {
    for (const width of [80, 100, 160]) {
      const lines = renderTimelineText(tl, { color: false, width });
      const bars = lines
        .filter((l) => l.includes("│"))
        .map((l) => l.indexOf("│") + "│".length + l.split("│")[1]!.length);
      expect(new Set(bars).size).toBe(1); // same start and end column for every row
      for (const l of lines.filter((x) => x.includes("│")))
        expect([...l].length).toBeLessThanOrEqual(Math.max(width, 20 + 26 + 4 + 34));
    }
  });
  it("without colour marks the cells beyond the threshold with ^, with colour paints them", () => {
    const plain = renderTimelineText(tl, { color: false, width: 100 }).join("\n");
    expect(plain).not.toMatch(/\x1b\[/);
    expect(plain).toMatch(/\^+.*above 1 %/);
    expect(plain).toMatch(/below 1 credits/);
    const coloured = renderTimelineText(tl, { color: true, width: 100 }).join("\n");
    expect(coloured).toMatch(/\x1b\[31m/);
    expect(coloured).not.toMatch(/│[ ^]+│ above/);
  });
  it("lists the events with times under an axis", () => {
    const plain = renderTimelineText(tl, { color: false, width: 100 });
    expect(plain.some((l) => /^ {2}00:40 ! alb\.5xx-rate rose above 1 % \(4\.2 %\)$/.test(l))).toBe(true);
    expect(plain.some((l) => /00:00 +00:30 +01:00/.test(l))).toBe(true);
  });
});

describe("html escaping", () => {
  it("escapes markup, quotes and drops control characters", () => {
    expect(esc(`<a href="x" onclick='y'>&\u0000</a>`)).toBe(
      "&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;&lt;/a&gt;",
    );
  });
  it("renders a live-like report without evidence and every example with it", async () => {
    const html = renderReport(report, "html", { color: false, quiet: false, width: 100 });
    expect(html).toMatch(/^<!DOCTYPE html>/);
    expect(html).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
    expect(html).toContain('class="threshold"');
    const io = captureIo();
    expect(
      await runCli(
        [
          "doctor",
          "--replay",
          join(import.meta.dirname, "..", "..", "..", "examples", "fleet-burst-5xx.json"),
          "--format",
          "html",
        ],
        io,
      ),
    ).toBe(1);
    expect(io.stdout.text).toContain('id="provenance"');
    expect(io.stdout.text).toContain("cloudwatch.metrics");
  });
});
