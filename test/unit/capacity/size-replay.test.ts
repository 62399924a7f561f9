/**
 * `pypictl size --replay example:NAME` in-process: the three recorded long-window fleets (undersized by CI
 * bursts, oversized and idle, EFS-bound) and what size must say of each — verdict, first change, reason
 * in numbers, the exact command — in text, JSON (against schemas/size.schema.json) and HTML.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../../../src/cli/main.js";
import { captureIo } from "../../helpers/io.js";
import { assertValidSizeReport } from "../../helpers/schema.js";
import type { SizeReport } from "../../../src/capacity/size-report.js";

async function size(args: string[]) {
  const io = captureIo();
  const code = await runCli(["size", ...args], io);
  return { code, out: io.stdout.text, err: io.stderr.text };
}

async function json(name: string): Promise<SizeReport> {
  const r = await size(["--replay", `example:${name}`, "--format", "json"]);
  expect(r.err).toBe("");
  expect(r.code).toBe(0);
  const report = JSON.parse(r.out) as SizeReport;
  assertValidSizeReport(report);
  return report;
}

describe("undersized-ci-bursts", () => {
  it("recommends heavy for bursts above medium's tested 200, with p95 and CPU at those minutes", async () => {
    const r = await json("undersized-ci-bursts");
    expect(r.verdict).toBe("undersized");
    expect(r.current.size).toBe("medium");
    expect(r.recommended.size).toBe("heavy");
    expect(r.resolution.periodSeconds).toBe(60);
    expect(r.changes[0]).toMatchObject({
      field: "instanceType",
      from: "c6a.large",
      to: "c6a.xlarge",
      relieves: "cpu",
    });
    expect(r.changes[0]!.reason).toMatch(
      /^bursts of 4\d\d requests\/min exceed medium's tested 200; at those minutes p95 was 1\d(\.\d)? s and host CPU 9\d(\.\d)? %/,
    );
    expect(r.apply).toEqual(["pypictl deploy --stack pypiserver --size heavy"]);
    expect(r.observed.requests!.shape.minutesAbove.medium).toBeGreaterThan(60);
    expect(r.cost).toEqual({
      available: false,
      reason: "replayed from a bundle (offline): prices are looked up only against AWS",
    });
  });

  it("text: verdict, the change with its command, the load shape against each profile, the period used", async () => {
    const r = await size(["--replay", "example:undersized-ci-bursts"]);
    expect(r.code).toBe(0);
    expect(r.out).toContain("UNDERSIZED");
    expect(r.out).toContain("1. instanceType c6a.large → c6a.xlarge: bursts of");
    expect(r.out).toContain("  pypictl deploy --stack pypiserver --size heavy");
    expect(r.out).toContain("1-minute data (kept 15 days)");
    expect(r.out).toMatch(/medium +█+.*50–200\/min +\d+ min above/);
    expect(r.out).toContain("Cost: not shown — replayed from a bundle (offline)");
    // The recorded package count, read off the index's front page, and what it costs every request.
    expect(r.out).toContain(
      `packages: 1,850 files (the index's / page: "serving 1850 packages"); every request walks them: +18.9 ms each beyond the profiles' 500, 2 % less carried`,
    );
  });

  it("a bundle without the package count sizes at the profiles' count and says it was not read", async () => {
    const dir = mkdtempSync(join(tmpdir(), "pypictl-size-"));
    const bundle = JSON.parse(readFileSync("examples/size/undersized-ci-bursts.json", "utf8")) as {
      sources: Record<string, unknown>;
    };
    delete bundle.sources["http.package-count"];
    writeFileSync(join(dir, "b.json"), JSON.stringify(bundle));
    const r = await size(["--replay", join(dir, "b.json"), "--format", "json"]);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.out) as SizeReport;
    expect(report.observed.packages).toBeUndefined();
    expect(report.missing).toContain("package count: not gathered (not in this evidence bundle)");
    expect(report.current.capacity.requestsPerMinute).toBe(250);
  });

  it("html: one self-contained page with the load shape drawn against the tested bursts", async () => {
    const r = await size(["--replay", "example:undersized-ci-bursts", "--format", "html"]);
    expect(r.code).toBe(0);
    expect(r.out).toContain("Content-Security-Policy");
    expect(r.out).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org)/);
    expect(r.out).toContain("<svg");
    expect(r.out.match(/stroke-dasharray/g)).toHaveLength(4);
    expect(r.out).toContain("heavy tested 200–500/min");
  });
});

describe("oversized-idle", () => {
  it("gets the smaller configuration, with the numbers that allow it", async () => {
    const r = await json("oversized-idle");
    expect(r.verdict).toBe("oversized");
    expect(r.current.size).toBe("heavy");
    expect(r.recommended.size).toBe("light");
    expect(r.resolution).toMatchObject({ periodSeconds: 300, hostPeriodSeconds: 300 });
    expect(r.observed.perMinuteIsAverage).toBe(true);
    expect(r.changes[0]).toMatchObject({ field: "instanceType", to: "t3.small", relieves: "cost" });
    expect(r.changes[0]!.reason).toMatch(
      /bursts reached 2\d(\.\d)? requests\/min .* host CPU held [0-9.]+ % at most/,
    );
    expect(r.apply).toEqual(["pypictl deploy --stack pypiserver --size light"]);
    expect(r.placement.recommended.fits).toBe(true);
  });
});

describe("efs-bound", () => {
  it("changes EFS throughput first and no instance type: a bigger instance would not help", async () => {
    const r = await json("efs-bound");
    expect(r.verdict).toBe("undersized");
    expect(r.placement.current.first.limit).toBe("efs");
    expect(r.changes.map((c) => c.field)).toEqual(["efsThroughputMode"]);
    expect(r.changes[0]!.reason).toContain("a larger instance type would not change this");
    expect(r.changes[0]!.reason).toMatch(
      /throughput held 100 % of permitted, burst credits fell to 0\.00 TiB/,
    );
    expect(r.recommended.instanceType).toBe("c6a.large");
    expect(r.apply).toEqual(["pypictl deploy --stack pypiserver --efs-throughput-mode elastic"]);
  });
});

describe("--fail-on: a CI gate on the verdict (checkov's comma-separated list)", () => {
  it("exits 1 when the verdict is named, after writing the whole report; 0 when it is not", async () => {
    const dir = mkdtempSync(join(tmpdir(), "pypictl-size-"));
    const out = join(dir, "size.json");
    const r = await size([
      "--replay",
      "example:undersized-ci-bursts",
      "--fail-on",
      "undersized",
      "--format",
      "json",
      "-o",
      out,
      "-q",
    ]);
    expect(r.code).toBe(1);
    expect((JSON.parse(readFileSync(out, "utf8")) as SizeReport).verdict).toBe("undersized");
    expect((await size(["--replay", "example:undersized-ci-bursts", "--fail-on", "oversized"])).code).toBe(0);
    expect((await size(["--replay", "example:undersized-ci-bursts"])).code).toBe(0);
    const both = await size(["--replay", "example:oversized-idle", "--fail-on", "undersized, Oversized"]);
    expect(both.code).toBe(1);
    expect(both.out).toContain("OVER-PROVISIONED");
  });

  it("a value that is not a verdict is exit 2 naming --fail-on and the choices, before anything is read", async () => {
    for (const bad of ["fits", "undersized,", "warn"]) {
      const r = await size(["--replay", "example:undersized-ci-bursts", "--fail-on", bad]);
      expect(r.code, bad).toBe(2);
      expect(r.out).toBe("");
      expect(r.err).toMatch(/--fail-on .*use undersized, oversized or both comma-separated/);
    }
  });

  it("a fleet that cannot be sized is 3 whatever --fail-on says", async () => {
    const dir = mkdtempSync(join(tmpdir(), "pypictl-size-"));
    const bundle = JSON.parse(readFileSync("examples/size/undersized-ci-bursts.json", "utf8")) as {
      sources: Record<string, unknown>;
    };
    bundle.sources["ecs.service"] = {
      ok: false,
      kind: "access-denied",
      message: "denied",
      at: "2026-11-20T12:00:00.000Z",
    };
    writeFileSync(join(dir, "b.json"), JSON.stringify(bundle));
    expect((await size(["--replay", join(dir, "b.json"), "--fail-on", "undersized"])).code).toBe(3);
  });
});

describe("replay input", () => {
  it("a Terraform-managed fleet gets the module's variables", async () => {
    const dir = mkdtempSync(join(tmpdir(), "pypictl-size-"));
    const b = JSON.parse(
      readFileSync(new URL("../../../examples/size/undersized-ci-bursts.json", import.meta.url), "utf8"),
    );
    delete b.target.stack;
    b.sources["size.load"].value.fleetKind = "terraform";
    writeFileSync(join(dir, "tf.json"), JSON.stringify(b));
    const r = await size(["--replay", join(dir, "tf.json"), "--format", "json"]);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.out) as SizeReport;
    expect(report.apply).toEqual([
      'asg_instance_type = "c6a.xlarge"',
      "task_min_count = 12",
      "task_max_count = 24",
      "# hosts: set the module's Auto Scaling group size to 2 (min) … 4 (max)",
    ]);
  });

  it("a bundle with a bad value is exit 2 naming the field", async () => {
    const dir = mkdtempSync(join(tmpdir(), "pypictl-size-"));
    const b = JSON.parse(
      readFileSync(new URL("../../../examples/size/efs-bound.json", import.meta.url), "utf8"),
    );
    b.sources["size.load"].value.series.requests.values[5] = -3;
    writeFileSync(join(dir, "bad.json"), JSON.stringify(b));
    const r = await size(["--replay", join(dir, "bad.json")]);
    expect(r.code).toBe(2);
    expect(r.err).toContain(
      "sources.size.load.value.series.requests.values[5]: must be a non-negative number or null",
    );
    expect(r.out).toBe("");
  });

  it("a doctor bundle is exit 2 saying what size needs", async () => {
    const r = await size(["--replay", "example:fleet-healthy"]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('no packaged size example "fleet-healthy"');
    const path = new URL("../../../examples/fleet-healthy.json", import.meta.url).pathname;
    const d = await size(["--replay", path]);
    expect(d.code).toBe(2);
    expect(d.err).toContain("the bundle holds no size.load evidence");
  });

  it("without requests in the window it cannot size: exit 3, never a verdict", async () => {
    const dir = mkdtempSync(join(tmpdir(), "pypictl-size-"));
    const b = JSON.parse(
      readFileSync(new URL("../../../examples/size/efs-bound.json", import.meta.url), "utf8"),
    );
    const req = b.sources["size.load"].value.series.requests;
    req.values = req.values.map(() => null);
    writeFileSync(join(dir, "empty.json"), JSON.stringify(b));
    const r = await size(["--replay", join(dir, "empty.json")]);
    expect(r.code).toBe(3);
    expect(r.err).toContain("cannot size: no request rate over the window");
    expect(r.out).toBe("");
  });

  it("--examples lists the recorded fleets", async () => {
    const r = await size(["--examples"]);
    expect(r.code).toBe(0);
    for (const n of ["undersized-ci-bursts", "oversized-idle", "efs-bound"]) expect(r.out).toContain(n);
  });

  it("--since beyond CloudWatch's retention is exit 2", async () => {
    const r = await size(["--since", "500d"]);
    expect(r.code).toBe(2);
    expect(r.err).toContain("--since: at most 455d");
  });

  it("--print-iam-policy includes pricing:GetProducts and the load's reads", async () => {
    const r = await size(["--print-iam-policy"]);
    expect(r.code).toBe(0);
    const actions = (JSON.parse(r.out) as { Statement: Array<{ Action: string[] }> }).Statement.flatMap(
      (s) => s.Action,
    );
    expect(actions).toEqual(
      expect.arrayContaining([
        "pricing:GetProducts",
        "cloudwatch:GetMetricData",
        "autoscaling:DescribeAutoScalingGroups",
        "ecs:DescribeServices",
        "elasticfilesystem:DescribeFileSystems",
      ]),
    );
    expect(actions).not.toContain("ssm:SendCommand");
  });
});
