import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { runCli } from "../../../src/cli/main.js";
import { captureIo } from "../../helpers/io.js";
import { parseBundle } from "../../../src/evidence/bundle.js";
import { assertValidBundle, assertValidReport } from "../../helpers/schema.js";

const EXPECTED: Record<string, { exit: number; statuses: Record<string, string> }> = {
  "fleet-healthy": {
    exit: 0,
    statuses: {
      "efs.percent-io-limit": "pass",
      "efs.throughput-utilization": "pass",
      "efs.burst-credits": "skip",
      "ecs.oom-kills": "pass",
      "ecs.memory-utilization": "pass",
      "ecs.running-tasks": "pass",
      "ecs.service-events": "pass",
      "ecs.cpu-utilization": "pass",
      "alb.target-health": "pass",
      "alb.5xx-rate": "pass",
      "alb.p95-latency": "pass",
      "alb.idle-timeout": "pass",
      "ec2.cpu-credits": "skip",
      "ec2.cpu-skew": "pass",
    },
  },
  "fleet-efs-throttled": {
    exit: 1,
    statuses: {
      "efs.percent-io-limit": "fail",
      "efs.throughput-utilization": "fail",
      "efs.burst-credits": "fail",
      // p95 above 5 s for 42 min: the module's sizing says under 5 s in normal traffic (was warn, issue 19).
      "alb.p95-latency": "fail",
      "ecs.oom-kills": "pass",
    },
  },
  "fleet-oom-kills": {
    exit: 1,
    statuses: {
      "ecs.oom-kills": "fail",
      "ecs.memory-utilization": "fail",
      "ecs.running-tasks": "fail",
      "efs.percent-io-limit": "pass",
    },
  },
  // Worker OOM kills that stop no task (issue 19): found in gunicorn's log lines, not in stopped tasks.
  "fleet-worker-oom": {
    exit: 1,
    statuses: {
      "ecs.oom-kills": "fail",
      "ecs.memory-utilization": "fail",
      "ecs.running-tasks": "pass",
      "ecs.service-events": "pass",
    },
  },
  "fleet-burst-5xx": {
    exit: 1,
    statuses: {
      "alb.5xx-rate": "fail",
      "alb.p95-latency": "warn",
      "alb.idle-timeout": "warn",
      "ec2.cpu-credits": "fail",
      "ec2.cpu-skew": "warn",
      // 20 min at 100 % on one host, judged by time from 5-minute EC2 points (was warn, issue 19).
      "ecs.cpu-utilization": "fail",
    },
  },
  "fleet-unhealthy-targets": {
    exit: 1,
    statuses: {
      "alb.target-health": "fail",
      "ecs.running-tasks": "fail",
      "ecs.service-events": "fail",
      "alb.5xx-rate": "pass",
    },
  },
  // A rollout in progress is not an incident: warnings naming it, no failure (exit 0).
  "fleet-rolling-deploy": {
    exit: 0,
    statuses: {
      "ecs.running-tasks": "warn",
      "alb.target-health": "warn",
      "ecs.oom-kills": "pass",
      "ecs.service-events": "pass",
      "alb.5xx-rate": "pass",
    },
  },
  "fleet-t3-unlimited": { exit: 0, statuses: { "ec2.cpu-credits": "pass", "ecs.cpu-utilization": "pass" } },
  "fleet-no-targets-503": {
    exit: 1,
    statuses: {
      "alb.5xx-rate": "fail",
      "alb.target-health": "fail",
      "ecs.running-tasks": "fail",
      "ecs.service-events": "fail",
    },
  },
  "fleet-bad-minute": {
    exit: 1,
    statuses: { "alb.5xx-rate": "fail", "alb.target-health": "pass", "alb.p95-latency": "pass" },
  },
};

describe("examples/fleet-*.json replay", () => {
  for (const [name, want] of Object.entries(EXPECTED)) {
    it(`${name}: replays to the expected statuses and exit code`, async () => {
      const file = `examples/${name}.json`;
      const text = readFileSync(file, "utf8");
      const bundle = parseBundle(text, file);
      expect(bundle.target.kind).toBe("fleet");
      expect(bundle.description?.length).toBeGreaterThan(20);
      assertValidBundle(JSON.parse(text));
      const io = captureIo();
      const code = await runCli(["doctor", "--replay", file, "--format", "json"], io);
      const report = JSON.parse(io.stdout.text) as { findings: Array<{ checkId: string; status: string }> };
      assertValidReport(report);
      const got = Object.fromEntries(
        report.findings.filter((f) => f.checkId in want.statuses).map((f) => [f.checkId, f.status]),
      );
      expect(got).toEqual(want.statuses);
      expect(code).toBe(want.exit);
    });
  }
});
