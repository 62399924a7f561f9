import { describe, expect, it } from "vitest";
import { scenario } from "../../fixtures/aws/sim.mjs";
import { installTestFleet, useTestAwsEnv } from "./harness.js";
import { runCli } from "../../../src/cli/main.js";
import { captureIo } from "../../helpers/io.js";
import { assertValidReport } from "../../helpers/schema.js";
import { DescribeServicesCommand } from "@aws-sdk/client-ecs";

useTestAwsEnv();

// Live runs use the real clock: put the simulated window at "now".
const now = () => new Date();

describe("pypictl doctor against a (simulated) fleet", () => {
  it("prints the IAM policy", async () => {
    const io = captureIo();
    expect(await runCli(["doctor", "--print-iam-policy"], io)).toBe(0);
    const p = JSON.parse(io.stdout.text) as { Statement: Array<{ Action: string[] }> };
    expect(p.Statement.flatMap((s) => s.Action)).toContain("ssm:SendCommand");
  });

  it("a healthy fleet found through the default stack exits 0 with a schema-valid JSON report", async () => {
    installTestFleet(scenario(), now());
    const io = captureIo();
    const code = await runCli(
      ["doctor", "--region", "eu-west-1", "--only", "efs,ecs,alb,ec2", "--format", "json"],
      io,
    );
    const report = JSON.parse(io.stdout.text) as {
      findings: Array<{ checkId: string; status: string; message: string }>;
    };
    assertValidReport(report);
    const bad = report.findings.filter((f) => !["pass", "skip"].includes(f.status));
    expect(bad.map((f) => `${f.checkId} ${f.status}: ${f.message}`)).toEqual([]);
    expect(code).toBe(0);
  });

  it("AccessDenied on DescribeServices: exit 3, dependent checks name the action, others still report", async () => {
    const fleet = installTestFleet(scenario(), now());
    fleet.mocks.ecs
      .on(DescribeServicesCommand)
      .rejects(
        Object.assign(
          new Error(
            "User: arn:aws:iam::1:user/ops is not authorized to perform: ecs:DescribeServices on resource: x",
          ),
          { name: "AccessDeniedException" },
        ),
      );
    const io = captureIo();
    const code = await runCli(
      [
        "doctor",
        "--stack",
        "pypiserver",
        "--region",
        "eu-west-1",
        "--only",
        "efs,ecs,alb,ec2",
        "--format",
        "json",
      ],
      io,
    );
    const report = JSON.parse(io.stdout.text) as {
      findings: Array<{ checkId: string; status: string; data: { action?: string } }>;
    };
    expect(code).toBe(3);
    const running = report.findings.find((f) => f.checkId === "ecs.running-tasks")!;
    expect(running).toMatchObject({ status: "error", data: { action: "ecs:DescribeServices" } });
    expect(report.findings.find((f) => f.checkId === "efs.percent-io-limit")!.status).toBe("pass");
  });

  it("an unknown stack is exit 2 naming it", async () => {
    installTestFleet(scenario(), now());
    const io = captureIo();
    expect(await runCli(["doctor", "--stack", "missing-stack", "--region", "eu-west-1"], io)).toBe(2);
    expect(io.stderr.text).toMatch(/stack missing-stack does not exist/);
  });
});
