/**
 * Issue 22, the report's layout: every line within the width (the terminal's, COLUMNS, 80 off a terminal),
 * the timeline included; its rows on the same columns, a 5-minute series as continuous as a 1-minute one;
 * one time format (HH:MM in a one-day window, the date once; dates when the window spans days); the HTML
 * events table, the text and the SVG giving an event the same time, inside the window.
 */
import { describe, expect, it } from "vitest";
import { runCli } from "../../../src/cli/main.js";
import { captureIo } from "../../helpers/io.js";
import { layoutWidth, reportWidth } from "../../../src/cli/render/wrap.js";
import { clockOn, windowLabel } from "../../../src/cli/render/times.js";
import { bucketize, type Timeline, type TimelineRow } from "../../../src/cli/render/timeline.js";
import { renderTimelineText } from "../../../src/cli/render/timeline-text.js";

async function doctor(args: string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
  const io = captureIo(env);
  await runCli(["doctor", ...args], io);
  return io.stdout.text;
}

/** Lines wider than `width`, except those a word longer than the room left cannot help (an ARN, a URL). */
function overWidth(text: string, width: number): string[] {
  return text
    .split("\n")
    .filter((l) => [...l].length > width)
    .filter(
      (l) =>
        !l
          .trim()
          .split(" ")
          .some((w) => [...w].length > width - 12),
    );
}

const EXAMPLES = ["fleet-burst-5xx", "fleet-oom-kills", "fleet-unhealthy-targets", "fleet-rolling-deploy"];

describe("every line fits the width", () => {
  it.each(EXAMPLES)("%s: 80 columns off a terminal, header and timeline included", async (name) => {
    const text = await doctor(["--replay", `example:${name}`]);
    expect(overWidth(text, 80)).toEqual([]);
  });

  it.each(EXAMPLES)("%s: COLUMNS=60", async (name) => {
    const text = await doctor(["--replay", `example:${name}`], { COLUMNS: "60" });
    expect(overWidth(text, 60)).toEqual([]);
    expect(text).toMatch(/^Timeline /m);
  });

  it("the width: COLUMNS, else the terminal's, else 80; a file gets 80", () => {
    expect(layoutWidth({ isTTY: false })).toBe(80);
    expect(layoutWidth({ isTTY: true, columns: 132 })).toBe(132);
    expect(layoutWidth({ isTTY: false }, { COLUMNS: "60" })).toBe(60);
    expect(layoutWidth({ isTTY: true, columns: 132 }, { COLUMNS: "100" })).toBe(100);
    expect(layoutWidth({ isTTY: true, columns: 0 })).toBe(80); // a pty that reports no size
    expect(layoutWidth({ isTTY: false }, { COLUMNS: "junk" })).toBe(80);
    expect(layoutWidth({ isTTY: false }, { COLUMNS: "5" })).toBe(40); // no layout holds below 40
    expect(reportWidth({ isTTY: true, columns: 132 }, { COLUMNS: "60" }, "/tmp/r.txt")).toBe(80);
  });

  it("--examples wraps each description under itself", async () => {
    const text = await doctor(["--examples"]);
    expect(overWidth(text, 80)).toEqual([]);
    expect(text).toMatch(/^fleet-oom-kills {2,}OOM: /m);
    expect(overWidth(await doctor(["--examples"], { COLUMNS: "60" }), 60)).toEqual([]);
  });

  it("the window stays one piece: on the verdict's line or on its own", async () => {
    const text = await doctor(["--replay", "example:fleet-burst-5xx"]);
    expect(text).toMatch(/^ +window 2026-11-20 11:00 → 12:00 UTC \(1h\)$/m);
    expect(text.split("\n").every((l) => l === l.trimEnd())).toBe(true);
  });
});

const MIN = 60_000;
const T0 = Date.UTC(2026, 10, 20, 11, 0);
function row(checkId: string, stepMin: number, v: (i: number) => number): TimelineRow {
  const points: Array<[number, number]> = [];
  for (let m = 0; m < 60; m += stepMin) points.push([T0 + m * MIN, v(m)]);
  return {
    checkId,
    title: checkId,
    status: "fail",
    unit: "%",
    bad: "above",
    points,
    peak: Math.max(...points.map(([, x]) => x)),
    threshold: { name: "maxPercent", value: 80, unit: "%" },
  };
}

describe("timeline rows", () => {
  const tl: Timeline = {
    start: T0,
    end: T0 + 60 * MIN,
    rows: [
      row("ecs.cpu-utilization", 5, (m) => (m >= 40 ? 100 : 25)), // EC2 basic monitoring: 5-minute points
      row("alb.5xx-rate", 1, (m) => (m >= 40 ? 4 : 0)),
    ],
    events: [
      {
        t: T0 + 40 * MIN,
        at: new Date(T0 + 40 * MIN).toISOString(),
        kind: "crossing",
        status: "fail",
        text: "x",
      },
    ],
  };

  it.each([40, 45, 60, 80, 100, 160])("share their columns and fit %i columns", (width) => {
    const lines = renderTimelineText(tl, { color: false, width });
    const barred = lines.filter((l) => l.includes("│"));
    expect(barred.length).toBeGreaterThanOrEqual(3);
    const spans = barred.map((l) => [[...l].indexOf("│"), [...l].lastIndexOf("│")].join("-"));
    expect(new Set(spans).size).toBe(1);
    for (const l of lines) expect([...l].length, l).toBeLessThanOrEqual(width);
    // What the rows compare against is said somewhere, beside the bars or under the axis.
    expect(lines.join("\n").replace(/\n +/g, " ")).toContain("peak 100 % vs 80 %");
  });

  it("a 5-minute series fills the minutes each point stands for: no gaps between its points", () => {
    const cells = bucketize(tl.rows[0]!, tl, 30);
    expect(cells.every((v) => v !== undefined)).toBe(true);
    // 11:40 is column 20 of 30 (2 minutes each): the breach starts there, as the 1-minute series' does.
    expect(cells.findIndex((v) => v === 100)).toBe(bucketize(tl.rows[1]!, tl, 30).findIndex((v) => v === 4));
  });
});

describe("one time format", () => {
  const day = { start: Date.parse("2026-11-20T11:00:00Z"), end: Date.parse("2026-11-20T12:00:00Z") };
  const midnight = { start: Date.parse("2026-11-19T23:30:00Z"), end: Date.parse("2026-11-20T00:30:00Z") };

  it("HH:MM within one day, the date once in the window", () => {
    expect(clockOn(Date.parse("2026-11-20T11:47:00Z"), day)).toBe("11:47");
    expect(
      windowLabel({ start: "2026-11-20T11:00:00.000Z", end: "2026-11-20T12:00:00.000Z", since: "1h" }),
    ).toBe("2026-11-20 11:00 → 12:00 UTC (1h)");
  });

  it("a window across midnight dates its times, and never prints raw ISO", () => {
    expect(clockOn(Date.parse("2026-11-19T23:47:00Z"), midnight)).toBe("11-19 23:47");
    expect(clockOn(Date.parse("2026-11-20T00:10:00Z"), midnight)).toBe("11-20 00:10");
    const w = windowLabel({
      start: "2026-11-19T23:30:00.000Z",
      end: "2026-11-20T00:30:00.000Z",
      since: "1h",
    });
    expect(w).toBe("2026-11-19 23:30 → 11-20 00:30 UTC (1h)");
    expect(w).not.toMatch(/T\d\d:/);
  });
});

describe("HTML event times", () => {
  it("the events table, the SVG and the text give every event the same time, inside the window", async () => {
    const html = await doctor(["--replay", "example:fleet-unhealthy-targets", "--format", "html"]);
    const table = html.slice(
      html.indexOf('<table id="events">'),
      html.indexOf("</table>", html.indexOf('<table id="events">')),
    );
    const rows = [...table.matchAll(/<time datetime="([^"]+)">([^<]+)<\/time>/g)];
    expect(rows.length).toBeGreaterThan(0);
    const start = Date.parse("2026-11-20T11:00:00Z");
    const end = Date.parse("2026-11-20T12:00:00Z");
    for (const [, iso, shown] of rows) {
      expect(Date.parse(iso!)).toBeGreaterThanOrEqual(start);
      expect(Date.parse(iso!)).toBeLessThanOrEqual(end);
      expect(shown).toBe(iso!.slice(11, 16));
    }
    // Target health is read at the window's end: every renderer says 12:00.
    expect(table).toMatch(/>12:00<\/time><\/td><td><span class="badge b-fail">T<\/span> target/);
    expect(html).toMatch(/<title>12:00 target: target i-/);
    const text = await doctor(["--replay", "example:fleet-unhealthy-targets"]);
    expect(text).toMatch(/^ {2}12:00 T target i-/m);
    // The source itself was read at the window's end (the run's clock), not on the day the example was made.
    const provenance = html.slice(html.indexOf('<section id="provenance">'));
    for (const [, at] of provenance.matchAll(/<td class="mono">([^<]+)<\/td>/g))
      expect(Date.parse(at!) - end, at).toBeLessThanOrEqual(5 * MIN);
  });
});

describe("HTML opens on what is wrong", () => {
  it.each(["fleet-burst-5xx", "fleet-oom-kills", "fleet-rolling-deploy", "host-swapping"])(
    "%s: glance lines link to findings of their status; failures before the timeline and passes",
    async (name) => {
      const html = await doctor(["--replay", `example:${name}`, "--format", "html"]);
      const links = [
        ...html.matchAll(/<li class="glance-line"><span class="badge b-(\w+)">.<\/span> <a href="#([^"]+)"/g),
      ];
      expect(links.length).toBeGreaterThan(0);
      for (const [, status, anchor] of links)
        expect(html, `${anchor}`).toMatch(
          new RegExp(`<article id="${anchor}" class="finding status-${status}"`),
        );
      const firstArticle = /<article id="[^"]+" class="finding status-(\w+)"/.exec(html)![1];
      expect(["fail", "warn", "error"]).toContain(firstArticle);
      const firstProblem = html.search(/class="finding status-(fail|warn|error)"/);
      expect(firstProblem).toBeLessThan(html.indexOf('<section id="timeline">'));
      const firstPass = html.search(/class="finding status-pass"/);
      if (firstPass >= 0) expect(firstProblem).toBeLessThan(firstPass);
    },
  );
});

describe("one time format in every report for people", () => {
  const ISO = /\d{4}-\d\d-\d\dT\d\d:\d\d/;
  it.each(["fleet-oom-kills", "fleet-unhealthy-targets", "upload-oom-large-dist"])(
    "%s: findings and resources say HH:MM in text, markdown and HTML",
    async (name) => {
      const text = await doctor(["--replay", `example:${name}`]);
      expect(text).not.toMatch(ISO);
      const md = await doctor(["--replay", `example:${name}`, "--format", "markdown"]);
      // The header keeps the window's exact bounds and the generation stamp; findings use the one format.
      const mdFindings = md.split("\n").filter((l) => !/^- \*\*(Window|Generated):\*\*/.test(l));
      expect(mdFindings.filter((l) => ISO.test(l))).toEqual([]);
      const html = await doctor(["--replay", `example:${name}`, "--format", "html"]);
      const findings = html.slice(
        html.indexOf('<section id="findings">'),
        html.indexOf('<section id="timeline">'),
      );
      expect(findings).not.toMatch(ISO);
    },
  );
});
