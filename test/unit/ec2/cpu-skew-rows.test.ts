/**
 * Issue 19 row "a spare instance with no tasks at 1.5 % CPU next to two at 35 %": ec2.cpu-skew compares only
 * the instances that run the service's tasks, end to end through the real gatherers and the simulated fleet
 * (scripts/make-fleet-examples.mjs's 2 × c6a.large plus a third instance, EC2 basic monitoring).
 *
 * AWS facts relied on:
 * - DescribeTasks gives each task's containerInstanceArn and startedAt; DescribeContainerInstances maps a
 *   container instance to its ec2InstanceId (botocore ecs/2014-11-13/service-2.json: Task, ContainerInstance).
 * - An ALB routes each request on its own (round robin by default: elasticloadbalancing/application
 *   "Routing algorithms"), so clients do not pin load to one host.
 * - EC2 basic monitoring: one CPUUtilization datapoint per 5 minutes, stamped at the interval's start.
 */
import { afterEach, describe, expect, it } from "vitest";
import { DescribeContainerInstancesCommand } from "@aws-sdk/client-ecs";
import { installFleet, instanceId, scenario, type Fleet, type Scenario } from "../../fixtures/aws/sim.mjs";
import { gatherFleet, NOW } from "../fleet/harness.js";
import { run } from "../fleet/evidence.js";
import type { Check } from "../../../src/checks/model.js";
import { ec2CpuSkew } from "../../../src/checks/ec2/checks.js";

let fleet: Fleet | undefined;
afterEach(() => fleet?.restore());

const c = (x: unknown) => x as Check;
const flat = (v: number, n = 60) => Array.from({ length: n }, () => v);

async function skew(over: Partial<Scenario>, prepare?: (f: Fleet) => void) {
  fleet = installFleet(scenario(over), NOW);
  prepare?.(fleet);
  const ev = await gatherFleet(["fleet.instances", "cloudwatch.metrics", "ecs.tasks"]);
  return run(c(ec2CpuSkew), ev);
}

describe("ec2.cpu-skew compares only the instances running service tasks", () => {
  it("a spare instance with no tasks at 1.5 % next to two at 35 %: pass, and the spare is named, not compared", async () => {
    const f = await skew({
      instances: 3,
      running: 4,
      desired: 4,
      placement: [2, 2, 0],
      metrics: { "ec2.CPUUtilization": (i: number) => (i === 2 ? flat(1.5) : flat(35)) },
    });
    expect(f.status, f.message).toBe("pass");
    expect(f.message).toMatch(/even across the 2 instances running pypiserver tasks/);
    expect(f.message).toMatch(/1 instance\(s\) without pypiserver tasks not compared/);
    expect(f.resources?.find((r) => r.id === instanceId(2))).toMatchObject({
      status: "skip",
      message: expect.stringMatching(/runs no pypiserver task: not compared \(mean CPU 1.5 %\)/),
    });
  });

  it("a scale-out whose new host's tasks started 6 minutes ago (a CI burst before): pass", async () => {
    // The burst at 11:20–11:40 lifted the two old hosts; the new one joined at 11:54.
    const f = await skew({
      instances: 3,
      running: 6,
      desired: 6,
      startedMinutesAgo: [600, 600, 6],
      metrics: {
        "ec2.CPUUtilization": (i: number) =>
          i === 2 ? [...flat(0.8, 54), ...flat(20, 6)] : [...flat(30, 20), ...flat(75, 20), ...flat(30, 20)],
      },
    });
    expect(f.status, f.message).toBe("pass");
    expect(f.resources?.find((r) => r.id === instanceId(2))?.message).toMatch(/run only since 11:54 UTC/);
  });

  it("a rolling deploy: hosts compared over the same stretch, from when the last one's tasks started", async () => {
    // Host 1's tasks were replaced at 11:30; before that a burst hit host 0 only while host 1 drained.
    const f = await skew({
      startedMinutesAgo: [600, 30],
      metrics: {
        "ec2.CPUUtilization": (i: number) =>
          i === 0 ? [...flat(85, 30), ...flat(35, 30)] : [...flat(5, 30), ...flat(33, 30)],
      },
    });
    expect(f.status, f.message).toBe("pass");
    expect(f.message).toMatch(/since 11:30 UTC/);
  });

  it("uneven placement (3 tasks on one host, 1 on the other): warns with the placement hint first", async () => {
    const f = await skew({
      placement: [3, 1],
      metrics: { "ec2.CPUUtilization": (i: number) => (i === 0 ? flat(80) : flat(22)) },
    });
    expect(f).toMatchObject({ status: "warn", messageId: "skewed" });
    expect(f.message).toMatch(/averaged 80 % with 3 task\(s\) while .* averaged 22 % with 1 task\(s\)/);
    expect(f.hints[0]).toMatch(/task placement/);
  });

  it("the container instances cannot be read (an older policy): every instance compared, and the text says so", async () => {
    const f = await skew(
      {
        instances: 3,
        running: 4,
        desired: 4,
        placement: [2, 2, 0],
        metrics: { "ec2.CPUUtilization": (i: number) => (i === 2 ? flat(1.5) : flat(35)) },
      },
      (fl) =>
        fl.mocks.ecs.on(DescribeContainerInstancesCommand).rejects(
          Object.assign(new Error("User is not authorized to perform: ecs:DescribeContainerInstances"), {
            name: "AccessDeniedException",
            $metadata: { httpStatusCode: 400 },
          }),
        ),
    );
    expect(f.status).toBe("warn");
    expect(f.message).toMatch(
      /Which instances run pypiserver tasks is unknown \(.*ecs:DescribeContainerInstances/,
    );
  });

  it("says nothing about client connections (the ALB routes per request)", () => {
    const texts = [
      ec2CpuSkew.description,
      ...Object.values(ec2CpuSkew.messages),
      ...Object.values(ec2CpuSkew.hints ?? {}),
    ];
    for (const t of texts) expect(t).not.toMatch(/connection|stick/i);
    for (const t of Object.values(ec2CpuSkew.thresholds))
      expect(t.description).not.toMatch(/connection|concentrat/i);
  });
});
