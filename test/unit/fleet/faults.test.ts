/**
 * The fault matrix: for every AWS call doctor makes — throttling (after the SDK's retries), AccessDenied,
 * a timeout past the source deadline, a 5xx, an empty page — the run completes, every other check still
 * reports, the JSON report stays schema-valid and the exit code is 3 unless a check failed.
 */
import { afterEach, describe, expect, it } from "vitest";
import * as ecs from "@aws-sdk/client-ecs";
import * as autoscaling from "@aws-sdk/client-auto-scaling";
import * as elb from "@aws-sdk/client-elastic-load-balancing-v2";
import * as efs from "@aws-sdk/client-efs";
import * as cw from "@aws-sdk/client-cloudwatch";
import * as ssm from "@aws-sdk/client-ssm";
import { installFleet, scenario, fleetTarget, type Fleet } from "../../fixtures/aws/sim.mjs";
import { doctorFleet, NOW, PROBE_STDOUT } from "./harness.js";
import { exitCodeFor } from "../../../src/checks/report.js";
import { renderJson } from "../../../src/cli/render/json.js";
import { assertValidReport } from "../../helpers/schema.js";

let fleet: Fleet | undefined;
afterEach(() => fleet?.restore());

type Mock = keyof Fleet["mocks"];
const CALLS: Array<{ action: string; mock: Mock; cmd: any; target?: Parameters<typeof fleetTarget>[0] }> = [
  { action: "ecs:DescribeServices", mock: "ecs", cmd: ecs.DescribeServicesCommand },
  { action: "ecs:DescribeTaskDefinition", mock: "ecs", cmd: ecs.DescribeTaskDefinitionCommand },
  { action: "ecs:ListTasks", mock: "ecs", cmd: ecs.ListTasksCommand },
  { action: "ecs:DescribeTasks", mock: "ecs", cmd: ecs.DescribeTasksCommand },
  {
    action: "ecs:ListContainerInstances",
    mock: "ecs",
    cmd: ecs.ListContainerInstancesCommand,
    target: { autoScalingGroup: undefined },
  },
  {
    action: "ecs:DescribeContainerInstances",
    mock: "ecs",
    cmd: ecs.DescribeContainerInstancesCommand,
    target: { autoScalingGroup: undefined },
  },
  {
    action: "autoscaling:DescribeAutoScalingGroups",
    mock: "autoscaling",
    cmd: autoscaling.DescribeAutoScalingGroupsCommand,
  },
  {
    action: "elasticloadbalancing:DescribeTargetHealth",
    mock: "elbv2",
    cmd: elb.DescribeTargetHealthCommand,
  },
  {
    action: "elasticloadbalancing:DescribeTargetGroups",
    mock: "elbv2",
    cmd: elb.DescribeTargetGroupsCommand,
    target: { loadBalancer: undefined },
  },
  {
    action: "elasticloadbalancing:DescribeTargetGroupAttributes",
    mock: "elbv2",
    cmd: elb.DescribeTargetGroupAttributesCommand,
  },
  {
    action: "elasticloadbalancing:DescribeLoadBalancerAttributes",
    mock: "elbv2",
    cmd: elb.DescribeLoadBalancerAttributesCommand,
  },
  { action: "elasticfilesystem:DescribeFileSystems", mock: "efs", cmd: efs.DescribeFileSystemsCommand },
  { action: "cloudwatch:GetMetricData", mock: "cloudwatch", cmd: cw.GetMetricDataCommand },
  { action: "ssm:SendCommand", mock: "ssm", cmd: ssm.SendCommandCommand },
  { action: "ssm:ListCommandInvocations", mock: "ssm", cmd: ssm.ListCommandInvocationsCommand },
  { action: "ssm:GetCommandInvocation", mock: "ssm", cmd: ssm.GetCommandInvocationCommand },
];

const err = (name: string, message: string, status: number) =>
  Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } });

const FAULTS = {
  throttled: () => err("ThrottlingException", "Rate exceeded", 400),
  "access-denied": (action: string) =>
    err(
      "AccessDeniedException",
      `User: arn:aws:iam::123456789012:user/ops is not authorized to perform: ${action} on resource: *`,
      400,
    ),
  "server-5xx": () => err("InternalFailure", "We encountered an internal error. Please try again.", 500),
} as const;

/** Calls with a fallback: when they fail, the evidence is gathered another way and nothing is an error. */
const RECOVERED = new Set(["ssm:ListCommandInvocations"]);
/** Calls with a fallback for access denied only (the group's members → the cluster's container instances). */
const RECOVERED_WHEN_DENIED = new Set(["autoscaling:DescribeAutoScalingGroups"]);

async function runWith(call: (typeof CALLS)[number], apply: (f: Fleet) => void) {
  // One stopped task so DescribeTasks is called; raw probe output so GetCommandInvocation is called.
  fleet = installFleet(
    scenario({ instances: 2, probeStdout: PROBE_STDOUT, stoppedTasks: [{ minutesAgo: 5, exitCode: 0 }] }),
    NOW,
  );
  apply(fleet);
  const { report } = await doctorFleet({ target: fleetTarget(call.target ?? {}), deadlineMs: 400 });
  const code = exitCodeFor(report.summary);
  assertValidReport(JSON.parse(renderJson(report)));
  return { report, code };
}

describe("fault matrix", () => {
  for (const call of CALLS) {
    for (const [fault, make] of Object.entries(FAULTS)) {
      it(`${call.action}: ${fault}`, async () => {
        const { report, code } = await runWith(call, (f) =>
          f.mocks[call.mock].on(call.cmd).rejects(make(call.action)),
        );
        const errors = report.findings.filter(
          (x) => x.status === "error" || x.resources?.some((r) => r.status === "error"),
        );
        if (
          RECOVERED.has(call.action) ||
          (fault === "access-denied" && RECOVERED_WHEN_DENIED.has(call.action))
        ) {
          // GetCommandInvocation per instance stands in for the listing: every host is judged.
          expect(errors.map((x) => x.message)).toEqual([]);
          expect(code).toBe(report.summary.fail > 0 ? 1 : 0);
          return;
        }
        expect(errors.length, "some check names the failure").toBeGreaterThan(0);
        expect(
          report.findings.some((x) => x.status !== "error"),
          "other checks still report",
        ).toBe(true);
        expect(code).toBe(report.summary.fail > 0 ? 1 : 3);
        if (fault === "access-denied" && !call.action.startsWith("ssm:")) {
          expect(report.findings.some((x) => x.data.action === call.action)).toBe(true);
        }
      });
    }
    it(`${call.action}: timeout past the source deadline`, async () => {
      const { report, code } = await runWith(call, (f) =>
        f.mocks[call.mock].on(call.cmd).callsFake((_input: unknown) => new Promise(() => undefined)),
      );
      expect(
        report.findings.some((x) => x.status === "error" || x.resources?.some((r) => r.status === "error")),
      ).toBe(true);
      expect(code).toBe(report.summary.fail > 0 ? 1 : 3);
    });
    it(`${call.action}: empty page`, async () => {
      const { report, code } = await runWith(call, (f) => f.mocks[call.mock].on(call.cmd).resolves({}));
      expect(report.findings.length).toBeGreaterThan(0);
      expect([0, 1, 3]).toContain(code);
      expect(code).toBe(report.summary.fail > 0 ? 1 : report.summary.error > 0 ? 3 : 0);
    });
  }

  it("a strict mock fails an unexpected command", async () => {
    fleet = installFleet(scenario(), NOW);
    await expect(fleet.mocks.ecs.send(new ecs.ListServicesCommand({}))).rejects.toThrow(/unexpected command/);
  });
});
