/**
 * Checks declare their needs: the sources run, the CloudWatch series asked for and the IAM actions printed
 * all follow the *selected* checks. And partial evidence: one failing query does not blind the others.
 */
import { describe, expect, it } from "vitest";
import { GetMetricDataCommand, type MetricDataQuery } from "@aws-sdk/client-cloudwatch";
import { scenario, fleetTarget, type Fleet } from "../../fixtures/aws/sim.mjs";
import {
  doctorFleet,
  FLEET_CHECKS,
  NOW,
  PROBE_STDOUT,
  statuses,
  installTestFleet,
  useTestAwsEnv,
} from "./harness.js";
import { CHECKS, selectChecks } from "../../../src/checks/registry.js";
import { runCli } from "../../../src/cli/main.js";
import { captureIo } from "../../helpers/io.js";
import { renderJson } from "../../../src/cli/render/json.js";
import { assertValidReport } from "../../helpers/schema.js";
import { exitCodeFor } from "../../../src/checks/report.js";
import { METRICS, type MetricsEvidence } from "../../../src/sources/aws/types.js";
import { SERIES } from "../../../src/sources/aws/metric-catalogue.js";

useTestAwsEnv();

function callCounts(f: Fleet): Record<string, number> {
  return Object.fromEntries(Object.entries(f.mocks).map(([name, m]) => [name, m.calls().length]));
}

function queriesSent(f: Fleet): MetricDataQuery[] {
  return f.mocks.cloudwatch
    .commandCalls(GetMetricDataCommand)
    .flatMap((c) => c.args[0].input.MetricDataQueries ?? []);
}

describe("checks declare their needs", () => {
  it("every metric-reading check declares the series it reads, and every declared key exists", () => {
    for (const c of CHECKS) {
      if (c.needs.includes(METRICS.id))
        expect(c.series?.length, `${c.id} declares its series`).toBeGreaterThan(0);
      for (const k of c.series ?? []) expect(SERIES[k], `${c.id}: ${k}`).toBeDefined();
    }
  });

  it("--only efs makes only EFS calls: DescribeFileSystems and GetMetricData for AWS/EFS series", async () => {
    const fleet = installTestFleet(scenario({ instances: 3 }), NOW);
    const checks = selectChecks(FLEET_CHECKS, ["efs"], undefined);
    const { report } = await doctorFleet({ checks });
    const calls = callCounts(fleet);
    expect(calls).toMatchObject({ ecs: 0, ec2: 0, elbv2: 0, ssm: 0, efs: 1, cloudwatch: 1 });
    const namespaces = new Set(queriesSent(fleet).map((q) => q.MetricStat?.Metric?.Namespace));
    expect([...namespaces]).toEqual(["AWS/EFS"]);
    expect(report.findings.map((f) => f.checkId).every((id) => id.startsWith("efs."))).toBe(true);
    expect(report.findings.every((f) => f.status === "pass" || f.status === "skip")).toBe(true);
  });

  it("--only efs without a file system id waits for the ECS service (task definition) and nothing else", async () => {
    const fleet = installTestFleet(scenario(), NOW);
    await doctorFleet({
      checks: selectChecks(FLEET_CHECKS, ["efs"], undefined),
      target: fleetTarget({ fileSystemId: undefined }),
    });
    const calls = callCounts(fleet);
    expect(calls).toMatchObject({ ec2: 0, elbv2: 0, ssm: 0, efs: 1, cloudwatch: 1 });
    expect(calls.ecs).toBe(2); // DescribeServices + DescribeTaskDefinition
  });

  it("--only alb.p95-latency asks CloudWatch for its two series (p95 and the requests it is judged by)", async () => {
    const fleet = installTestFleet(scenario(), NOW);
    await doctorFleet({ checks: selectChecks(FLEET_CHECKS, ["alb.p95-latency"], undefined) });
    expect(
      queriesSent(fleet)
        .map((q) => q.Label)
        .sort(),
    ).toEqual(["alb.RequestCount", "alb.TargetResponseTime.p95"]);
    expect(callCounts(fleet)).toMatchObject({ ecs: 0, ec2: 0, elbv2: 0, ssm: 0, efs: 0 });
  });

  it("--print-iam-policy --only efs grants only what the EFS checks call", async () => {
    const io = captureIo();
    expect(await runCli(["doctor", "--print-iam-policy", "--only", "efs"], io)).toBe(0);
    const p = JSON.parse(io.stdout.text) as { Statement: Array<{ Action: string[] }> };
    const actions = p.Statement.flatMap((s) => s.Action).sort();
    // Without --file-system-id the file system comes from the service's task definition.
    expect(actions).toEqual([
      "cloudformation:DescribeStacks",
      "cloudwatch:GetMetricData",
      "ecs:DescribeServices",
      "ecs:DescribeTaskDefinition",
      "elasticfilesystem:DescribeFileSystems",
    ]);
  });

  it("--print-iam-policy --only host grants the SSM probe and the instance discovery, no metrics", async () => {
    const io = captureIo();
    expect(await runCli(["doctor", "--print-iam-policy", "--only", "host"], io)).toBe(0);
    const actions = (
      JSON.parse(io.stdout.text) as { Statement: Array<{ Action: string[] }> }
    ).Statement.flatMap((s) => s.Action);
    expect(actions).toContain("ssm:SendCommand");
    expect(actions).toContain("autoscaling:DescribeAutoScalingGroups");
    expect(actions).not.toContain("cloudwatch:GetMetricData");
    expect(actions).not.toContain("secretsmanager:GetSecretValue");
  });
});

describe("partial evidence", () => {
  const http500 = () =>
    Object.assign(new Error("We encountered an internal error. Please try again."), {
      name: "InternalFailure",
      $metadata: { httpStatusCode: 500 },
    });
  const METRIC_CHECKS = FLEET_CHECKS.filter((c) => c.needs.includes(METRICS.id));

  it("a CloudWatch failing only the p95 query: every other metric check still judges its series", async () => {
    const fleet = installTestFleet(
      scenario({
        instances: 3,
        instanceType: "t3.small",
        metricFault: (q) => (q.MetricStat?.Stat === "p95" ? http500() : undefined),
      }),
      NOW,
    );
    const { report } = await doctorFleet({ checks: METRIC_CHECKS });
    const st = statuses(report.findings);
    expect(st["alb.p95-latency"]).toBe("error");
    const p95 = report.findings.find((f) => f.checkId === "alb.p95-latency")!;
    expect(p95.message).toMatch(/TargetResponseTime .*p95: .*internal error/);
    for (const [id, s] of Object.entries(st))
      if (id !== "alb.p95-latency")
        expect(s, `${id}: ${report.findings.find((f) => f.checkId === id)!.message}`).not.toBe("error");
    // Bisecting cost a handful of calls, not one per series.
    expect(fleet.mocks.cloudwatch.commandCalls(GetMetricDataCommand).length).toBeLessThanOrEqual(12);
    assertValidReport(JSON.parse(renderJson(report)));
    expect(exitCodeFor(report.summary)).toBe(3);
  });

  it("a CloudWatch answering 500 to everything fails the source once, without a call per series", async () => {
    const fleet = installTestFleet(scenario({ instances: 20, metricFault: () => http500() }), NOW);
    const { report, evidence } = await doctorFleet({ checks: METRIC_CHECKS });
    expect(evidence[METRICS.id]!.ok).toBe(false);
    expect(fleet.mocks.cloudwatch.commandCalls(GetMetricDataCommand).length).toBeLessThanOrEqual(3);
    expect(report.findings.every((f) => f.status === "error")).toBe(true);
  });

  it("throttling is not split: the calls are not multiplied", async () => {
    const throttled = () =>
      Object.assign(new Error("Rate exceeded"), { name: "Throttling", $metadata: { httpStatusCode: 400 } });
    const fleet = installTestFleet(
      scenario({ metricFault: (q) => (q.MetricStat?.Stat === "p95" ? throttled() : undefined) }),
      NOW,
    );
    const { evidence } = await doctorFleet({ checks: METRIC_CHECKS });
    expect(fleet.mocks.cloudwatch.commandCalls(GetMetricDataCommand).length).toBe(1);
    expect(evidence[METRICS.id]).toMatchObject({ ok: false, kind: "throttled" });
  });

  it("per-result StatusCode Forbidden makes only that series' check an error", async () => {
    installTestFleet(scenario({ metricStatus: { "ecs.MemoryUtilization": "Forbidden" } }), NOW);
    const { report, evidence } = await doctorFleet({ checks: METRIC_CHECKS });
    expect(
      (evidence[METRICS.id] as { value: MetricsEvidence }).value.series["ecs.MemoryUtilization"]!.status,
    ).toBe("Forbidden");
    const st = statuses(report.findings);
    expect(st["ecs.memory-utilization"]).toBe("error");
    for (const [id, s] of Object.entries(st))
      if (id !== "ecs.memory-utilization") expect(s, id).not.toBe("error");
  });
});

describe("SSM without the listing API", () => {
  it("falls back to GetCommandInvocation per instance and judges every host", async () => {
    const { ListCommandInvocationsCommand, GetCommandInvocationCommand } =
      await import("@aws-sdk/client-ssm");
    const fleet = installTestFleet(scenario({ instances: 3, probeStdout: PROBE_STDOUT }), NOW);
    fleet.mocks.ssm.on(ListCommandInvocationsCommand).rejects(
      Object.assign(new Error("<html><body>502 Bad Gateway</body></html>"), {
        name: "Error",
        $metadata: { httpStatusCode: 502 },
      }),
    );
    const hostChecks = FLEET_CHECKS.filter((c) => c.id.startsWith("host."));
    const started = Date.now();
    const { report, evidence } = await doctorFleet({ checks: hostChecks });
    expect(Date.now() - started).toBeLessThan(2_000);
    const probe = evidence["host.probe"] as {
      ok: true;
      value: { hosts: Array<{ host: string; ok: boolean }> };
    };
    expect(probe.ok).toBe(true);
    expect(probe.value.hosts.map((h) => (h.ok ? "ok" : JSON.stringify(h)))).toEqual(["ok", "ok", "ok"]);
    expect(fleet.mocks.ssm.commandCalls(GetCommandInvocationCommand).length).toBe(3);
    expect(report.findings.every((f) => f.status !== "error")).toBe(true);
  });
});

describe("identity per source", () => {
  it("a target with only a URL: the ECS/EFS/ALB/EC2/host checks skip naming the flags, with no AWS call", async () => {
    const fleet = installTestFleet(scenario(), NOW);
    const { report } = await doctorFleet({
      target: { kind: "fleet", region: "eu-west-1", url: "https://pypi.example.com" },
    });
    for (const f of report.findings) {
      expect(f.status, `${f.checkId}: ${f.message}`).toBe("skip");
      expect(f.message).toMatch(/pass --/);
    }
    expect(report.findings.find((f) => f.checkId === "ecs.running-tasks")!.message).toMatch(
      /pass --cluster\/--service or --stack/,
    );
    expect(Object.values(callCounts(fleet)).reduce((a, b) => a + b, 0)).toBe(0);
    assertValidReport(JSON.parse(renderJson(report)));
  });

  it("a cluster and service alone: the load balancer and file system are discovered, every check judges", async () => {
    installTestFleet(scenario(), NOW);
    const { report } = await doctorFleet({
      checks: FLEET_CHECKS.filter((c) => !c.id.startsWith("host.")),
      target: fleetTarget({ loadBalancer: undefined, targetGroup: undefined, stack: undefined }),
    });
    const st = statuses(report.findings);
    expect(Object.values(st).every((s) => s === "pass" || s === "skip")).toBe(true);
    expect(st["ecs.running-tasks"]).toBe("pass");
  });

  it("doctor --only ecs with nothing that names a cluster: exit 2 naming the flags", async () => {
    const io = captureIo();
    const code = await runCli(
      ["doctor", "--only", "ecs", "--url", "https://pypi.example.com", "--region", "eu-west-1"],
      io,
    );
    expect(code).toBe(2);
    expect(io.stderr.text).toMatch(/nothing selected can run.*pass --cluster\/--service or --stack/);
  });

  it("doctor --only auth --url --secret-id runs without a cluster", async () => {
    const { mockClient } = await import("aws-sdk-client-mock");
    const { SecretsManagerClient, GetSecretValueCommand } = await import("@aws-sdk/client-secrets-manager");
    const { FakePypiServer } = await import("../../integration/creds/fake-pypiserver.js");
    const sm = mockClient(SecretsManagerClient);
    sm.on(GetSecretValueCommand).resolves({
      SecretString: JSON.stringify({ username: "u", password: "pw-Secret-123" }),
    });
    const server = await new FakePypiServer({ username: "u", password: "pw-Secret-123" }).start();
    try {
      const io = captureIo();
      const code = await runCli(
        [
          "doctor",
          "--only",
          "auth",
          "--url",
          server.url,
          "--secret-id",
          "arn:aws:secretsmanager:eu-west-1:123456789012:secret:pypi-AbCdEf",
          "--region",
          "eu-west-1",
          "--format",
          "json",
        ],
        io,
      );
      const report = JSON.parse(io.stdout.text) as {
        findings: Array<{ checkId: string; status: string; message: string }>;
      };
      assertValidReport(report);
      expect(
        report.findings.filter((f) => f.status === "error").map((f) => `${f.checkId}: ${f.message}`),
      ).toEqual([]);
      expect(code, io.stderr.text).toBe(0);
      expect(io.stdout.text).not.toContain("pw-Secret-123");
    } finally {
      await server.stop();
      sm.restore();
    }
  });
});
