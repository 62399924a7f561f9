import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import type { Report } from "../../../src/checks/report.js";
import { summarize } from "../../../src/checks/report.js";
import type { Finding } from "../../../src/checks/model.js";
import { renderReport } from "../../../src/cli/render/index.js";
import { sparkline } from "../../../src/cli/render/sparkline.js";
import { assertValidReport } from "../../helpers/schema.js";

const series: Array<[string, number]> = [0, 1, 2, 8, 40, 84, 60, 12].map((v, i) => [
  `2026-01-01T00:0${i}:00.000Z`,
  v,
]);
const findings: Finding[] = [
  {
    checkId: "host.iowait",
    title: "iowait on hosts",
    playbooks: ["iowait", "slow-listing"],
    status: "fail",
    messageId: "high",
    data: { mean: 84 },
    message: 'Mean iowait 84 % ≥ 10 % <&> "quoted"',
    observed: { value: 84, unit: "%", series },
    threshold: { name: "maxIowaitPercent", value: 10, unit: "%" },
    hints: ["Increase the instance size: `asg_instance_type` t3.micro → t3.small"],
    resources: [{ id: "i-0abc", status: "fail", message: "84 % iowait" }],
  },
  {
    checkId: "host.swap-used",
    title: "Swap used",
    playbooks: ["oom"],
    status: "pass",
    messageId: "ok",
    data: {},
    message: "No swap used",
    hints: ["unused hint"],
  },
  {
    checkId: "efs.percent-io-limit",
    title: "EFS IO",
    playbooks: ["slow-listing"],
    status: "error",
    messageId: "source-failed",
    data: {},
    message: "Could not evaluate: AccessDenied",
    hints: ["Grant cloudwatch:GetMetricData"],
  },
  {
    checkId: "alb.5xx-rate",
    title: "5xx",
    playbooks: ["bursts"],
    status: "skip",
    messageId: "no-traffic",
    data: {},
    message: "No requests in the window",
    hints: [],
  },
  {
    checkId: "alb.p95-latency",
    title: "p95",
    playbooks: ["bursts"],
    status: "warn",
    messageId: "slow",
    data: {},
    message: "p95 12 s",
    hints: ["Expected in bursts"],
  },
];
const report: Report = {
  schemaVersion: 1,
  tool: { name: "pypictl", version: "0.1.0" },
  generatedAt: "2026-01-01T01:00:00.000Z",
  window: { start: "2026-01-01T00:00:00.000Z", end: "2026-01-01T01:00:00.000Z", since: "1h" },
  target: { kind: "fleet", stack: "pypiserver", region: "eu-west-1" },
  evidence: { mode: "live" },
  findings,
  summary: summarize(findings),
};
const opts = { color: false, quiet: false, width: 100 };

describe("human", () => {
  const text = renderReport(report, "human", opts);
  it("groups by playbook with symbols, observed vs threshold, sparkline, hints and a summary", () => {
    expect(text).toContain("High iowait on hosts");
    expect(text).toMatch(/✖ FAIL\s+host\.iowait/);
    expect(text).toContain("observed 84 % vs maxIowaitPercent 10 %");
    expect(text).toContain(
      sparkline(
        series.map(([, v]) => v),
        48,
      ),
    );
    expect(text).toContain("→ Increase the instance size");
    expect(text).toContain("i-0abc: 84 % iowait");
    expect(text).toMatch(/5 checks: 1 fail, 1 error, 1 warn, 1 pass, 1 skip/);
    expect(text).not.toContain("unused hint"); // hints of passing checks are noise
  });
  it("has no escape codes without colour and some with it", () => {
    expect(text).not.toMatch(/\x1b\[/);
    expect(renderReport(report, "human", { ...opts, color: true })).toMatch(/\x1b\[31m/);
  });
  it("in quiet mode shows only what is not passing", () => {
    const q = renderReport(report, "human", { ...opts, quiet: true });
    expect(q).not.toContain("host.swap-used");
    expect(q).toContain("host.iowait");
  });
});

describe("sparkline", () => {
  it("scales to the series' range and keeps a spike when down-sampling", () => {
    expect(sparkline([0, 7])).toBe("▁█");
    expect(sparkline([5, 5, 5])).toBe("▄▄▄");
    const long = Array.from({ length: 400 }, (_, i) => (i === 201 ? 100 : 1));
    const s = sparkline(long, 40);
    expect(s).toHaveLength(40);
    expect(s).toContain("█");
    expect(sparkline([])).toBe("");
  });
});

describe("json", () => {
  it("matches the published schema and carries every field", () => {
    const parsed = JSON.parse(renderReport(report, "json", opts));
    assertValidReport(parsed);
    expect(parsed.findings[0]).toMatchObject({
      observed: { series },
      threshold: { name: "maxIowaitPercent" },
      resources: [{ id: "i-0abc" }],
    });
  });
});

describe("junit", () => {
  it("is well-formed XML with one testcase per check mapped by status", () => {
    const xml = renderReport(report, "junit", opts);
    const py = `import sys, xml.etree.ElementTree as ET
r = ET.fromstring(sys.stdin.read())
cases = r.findall('.//testcase')
print(len(cases), len(r.findall('.//failure')), len(r.findall('.//error')), len(r.findall('.//skipped')))`;
    const counts = execFileSync("python3", ["-c", py], { input: xml, encoding: "utf8" }).trim();
    expect(counts).toBe("5 1 1 1");
    expect(xml).toContain('tests="5" failures="1" errors="1" skipped="1"');
    expect(xml).toContain("&lt;&amp;&gt; &quot;quoted&quot;");
  });
});

describe("markdown", () => {
  it("puts what needs attention first, with numbered next steps and a resource table", () => {
    const md = renderReport(report, "markdown", opts);
    expect(md).toMatch(/^# pypictl doctor: FAIL/);
    expect(md.indexOf("host.iowait")).toBeLessThan(md.indexOf("## All checks"));
    expect(md).toContain("1. Increase the instance size");
    expect(md).toContain("| i-0abc | fail | 84 % iowait |");
    expect(md.indexOf("FAIL `host.iowait`")).toBeLessThan(md.indexOf("ERROR `efs.percent-io-limit`"));
  });
});
