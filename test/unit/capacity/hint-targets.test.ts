/**
 * doctor's "make it bigger" hints name the capacity model's target for the fleet they run on, not a fixed
 * type: the same failing evidence on a different fleet (fleet.instances) names a different type, host count
 * or task count — and without the fleet's instances the hint says it was not read.
 */
import { describe, expect, it } from "vitest";
import { alb5xxRate, albP95Latency } from "../../../src/checks/alb/checks.js";
import { ec2CpuCredits, ec2CpuSkew } from "../../../src/checks/ec2/checks.js";
import { ecsMemoryUtilization, ecsRunningTasks, ecsServiceEvents } from "../../../src/checks/ecs/checks.js";
import { instanceSizeHint } from "../../../src/checks/host/common.js";
import { ev, instances, metrics, run, service } from "../fleet/evidence.js";
import type { Check, Finding } from "../../../src/checks/model.js";
import { fewerLargerHosts, placementTarget, slotsPerHost } from "../../../src/capacity/hints.js";

const c = (x: unknown) => x as Check;
const flat = (n: number, v: number) => Array<number>(n).fill(v);
const hintsOf = (f: Finding) => f.hints.join("\n");

describe("alb.5xx-rate and alb.p95-latency: more CPU per instance, from the fleet's type", () => {
  const failing5xx = metrics({ "alb.HTTPCode_Target_5XX_Count": flat(60, 60) });
  const slowP95 = metrics({ "alb.TargetResponseTime.p95": flat(60, 20) });
  const cases: Array<[string[] | undefined, RegExp]> = [
    [
      ["c6a.large", "c6a.large"],
      /More CPU per instance: c6a\.xlarge \(4 vCPU, up from c6a\.large's 2: the capacity model carries 250 requests\/min per host, not 125;.*--instance-type c6a\.xlarge.*asg_instance_type = "c6a\.xlarge"/,
    ],
    [
      ["c6a.xlarge", "c6a.xlarge"],
      /More CPU per instance: c6a\.2xlarge \(8 vCPU, up from c6a\.xlarge's 4: .*carries 500 requests\/min per host, not 250/,
    ],
    [
      ["t3.small", "t3.small"],
      /More CPU per instance: c6a\.large \(2 vCPU, up from t3\.small's 2 at its 20 % baseline: .*carries 125 requests\/min per host, not 25/,
    ],
    [["m7g.large"], /More CPU per instance: m7g\.xlarge \(4 vCPU, up from m7g\.large's 2/],
    [
      undefined,
      /More CPU per instance: c6a\.xlarge \(4 vCPU, the heavy profile's type: the fleet's instance type was not read; the capacity model carries 250/,
    ],
  ];
  it.each(cases)("%j", (types, hint) => {
    const extra = types ? { "fleet.instances": instances(types) } : {};
    const f5 = run(c(alb5xxRate), ev({ "cloudwatch.metrics": failing5xx, ...extra }));
    expect(f5.status).toBe("fail");
    expect(hintsOf(f5)).toMatch(hint);
    expect(hintsOf(f5)).toMatch(/0\.5–1 % on c6a\.large and 0\.05 % on c6a\.xlarge/);
    const p = run(c(albP95Latency), ev({ "cloudwatch.metrics": slowP95, ...extra }));
    expect(p.status).toBe("fail");
    expect(hintsOf(p)).toMatch(hint);
  });

  it("a fleet already at its family's largest size is told to add instances", () => {
    const f = run(
      c(alb5xxRate),
      ev({ "cloudwatch.metrics": failing5xx, "fleet.instances": instances(["c6a.8xlarge"]) }),
    );
    expect(hintsOf(f)).toMatch(
      /c6a\.8xlarge is already the largest size the capacity model knows in its family: add instances instead/,
    );
  });
});

describe("ec2.cpu-credits: the non-burstable type for the fleet's burstable one", () => {
  const credits = (type: string) =>
    run(
      c(ec2CpuCredits),
      ev({
        "fleet.instances": {
          via: "autoscaling-group",
          instances: [{ instanceId: "i-0", instanceType: type, cpuCredits: "standard" }],
        },
        "cloudwatch.metrics": metrics({ "ec2.CPUCreditBalance.i-0": [50, 0] }),
      }),
    );
  it.each([
    ["t3.small", "c6a.large", "c6a.xlarge"],
    ["t3.xlarge", "c6a.2xlarge", "c6a.4xlarge"],
    ["t4g.small", "c7g.large", "c7g.xlarge"],
  ])("%s → %s (or %s for heavy bursts)", (type, target, next) => {
    const f = credits(type);
    expect(f.status).toBe("fail");
    expect(f.hints[0]).toContain(`Use a non-burstable type with more CPU: ${target} (`);
    expect(f.hints[0]).toContain(`or ${next} for heavy bursts`);
    expect(f.hints[0]).toContain(`asg_instance_type = "${target}"`);
  });

  it("the surplus-cost hint compares with the same target", () => {
    const f = run(
      c(ec2CpuCredits),
      ev({
        "fleet.instances": {
          via: "autoscaling-group",
          instances: [{ instanceId: "i-0", instanceType: "t3.medium", cpuCredits: "unlimited" }],
        },
        "cloudwatch.metrics": metrics({
          "ec2.CPUCreditBalance.i-0": [0, 0],
          "ec2.CPUSurplusCreditsCharged.i-0": [2, 3],
        }),
      }),
    );
    expect(f.messageId).toBe("charged");
    expect(f.hints[0]).toMatch(
      /compare with a non-burstable type, c6a\.large \(2 vCPU, up from t3\.medium's 2 at its 20 % baseline/,
    );
  });
});

describe("ec2.cpu-skew: fewer, larger hosts with the vCPUs the fleet has", () => {
  const skewed = (types: string[]) =>
    run(
      c(ec2CpuSkew),
      ev({
        "fleet.instances": instances(types),
        "cloudwatch.metrics": metrics(
          Object.fromEntries(types.map((_, i) => [`ec2.CPUUtilization.i-${i}`, flat(12, i === 0 ? 90 : 20)])),
        ),
      }),
    );
  it("4 × c6a.large → 2 × c6a.xlarge; 6 × c6a.xlarge → 3 × c6a.2xlarge", () => {
    expect(hintsOf(skewed(flat(4, 0).map(() => "c6a.large")))).toContain(
      "2 × c6a.xlarge (4 vCPU each) instead of 4 × c6a.large",
    );
    expect(hintsOf(skewed(flat(6, 0).map(() => "c6a.xlarge")))).toContain(
      "3 × c6a.2xlarge (8 vCPU each) instead of 6 × c6a.xlarge",
    );
  });
  it("never fewer than two hosts when there were two", () => {
    expect(fewerLargerHosts("t3.small", 2)).toMatchObject({
      target: { instanceType: "c6a.large" },
      hosts: 2,
    });
    expect(fewerLargerHosts("c6a.large", 1)).toMatchObject({ hosts: 1 });
    expect(fewerLargerHosts(undefined, 3).hosts).toBeUndefined();
  });
});

describe("ECS placement: the type with more slots, the hosts for the desired tasks, the task count", () => {
  const placement =
    "(service pypiserver) was unable to place a task because no container instance met all of its requirements.";
  const td = {
    containers: [
      { name: "pypiserver", essential: true, memoryMiB: 512, memoryReservationMiB: 384, cpu: 640 },
    ],
  };
  const svc = (desired: number) =>
    service(
      {
        desiredCount: desired,
        runningCount: desired - 2,
        events: [{ at: "2026-11-20T11:50:00.000Z", message: placement }],
        deployments: [
          {
            id: "ecs-svc/1",
            status: "PRIMARY",
            rolloutState: "COMPLETED",
            desired,
            running: desired - 2,
            pending: 0,
            failedTasks: 0,
          },
        ],
      },
      td,
    );
  it("slots per host follow the module's formula for the task's reservation and CPU", () => {
    const task = { reservationMiB: 384, cpuUnits: 640 };
    expect(slotsPerHost("c6a.large", task)).toBe(3); // CPU: ⌊(2×1024 − 128) ÷ 640⌋
    expect(slotsPerHost("c6a.xlarge", task)).toBe(6);
    expect(slotsPerHost("m6a.large", { reservationMiB: 1536, cpuUnits: 0 })).toBe(4); // ⌊(8192 − 800) ÷ 1536⌋
    expect(placementTarget(task, "c6a.large", 8)).toMatchObject({
      current: { instanceType: "c6a.large", slots: 3 },
      bigger: { instanceType: "c6a.xlarge", slots: 6 },
      hostsFor: { tasks: 8, hosts: 3 },
    });
  });

  it("ecs.service-events names the bigger type and the hosts, per fleet", () => {
    const on = (types: string[] | undefined, desired: number) =>
      hintsOf(
        run(
          c(ecsServiceEvents),
          ev({ "ecs.service": svc(desired), ...(types ? { "fleet.instances": instances(types) } : {}) }),
        ),
      );
    expect(on(["c6a.large", "c6a.large"], 8)).toContain(
      "a bigger instance type, c6a.xlarge places 6 tasks of 384 MiB / 640 CPU units per host where c6a.large places 3 (the capacity model)",
    );
    expect(on(["c6a.large", "c6a.large"], 8)).toContain(
      "more instances, 3 × c6a.large place the 8 desired tasks (3 per host)",
    );
    expect(on(["m7g.xlarge"], 20)).toContain(
      "m7g.2xlarge places 12 tasks of 384 MiB / 640 CPU units per host where m7g.xlarge places 6",
    );
    expect(on(["m7g.xlarge"], 20)).toContain("4 × m7g.xlarge place the 20 desired tasks");
    expect(on(undefined, 8)).toContain(
      "c6a.large places 3 tasks of 384 MiB / 640 CPU units per host (the capacity model; the fleet's instance type was not read)",
    );
  });

  it("ecs.service-events: a stuck deployment names the spare instance it needs", () => {
    const stuck = (types: string[] | undefined) =>
      hintsOf(
        run(
          c(ecsServiceEvents),
          ev({
            "ecs.service": service({
              events: [
                {
                  at: "2026-11-20T11:50:00.000Z",
                  message:
                    "(service pypiserver) was unable to stop or start tasks during a deployment because of the service deployment configuration. Update the minimumHealthyPercent or maximumPercent value and try again.",
                },
              ],
            }),
            ...(types ? { "fleet.instances": instances(types) } : {}),
          }),
        ),
      );
    expect(stuck(["c6a.large", "c6a.large"])).toContain(
      "add a spare instance: 3 instances where 2 run now (`--max-instances 3`)",
    );
    expect(stuck(undefined)).toContain("one more than the fleet runs (its instances were not read)");
  });

  it("ecs.running-tasks: short of desired names the same targets; scaled to zero names the task count", () => {
    const short = run(
      c(ecsRunningTasks),
      ev({ "ecs.service": svc(8), "fleet.instances": instances(["c6a.large", "c6a.large"]) }),
    );
    expect(short.status).toBe("fail");
    expect(hintsOf(short)).toContain("3 × c6a.large place the 8 desired tasks");
    const zero = (types?: string[]) =>
      run(
        c(ecsRunningTasks),
        ev({
          "ecs.service": service(
            { desiredCount: 0, runningCount: 0 },
            {
              containers: [
                { name: "pypiserver", essential: true, memoryMiB: 512, memoryReservationMiB: 384, cpu: 640 },
              ],
            },
          ),
          ...(types ? { "fleet.instances": instances(types) } : {}),
        }),
      );
    expect(zero(["c6a.xlarge", "c6a.xlarge"]).hints[0]).toBe(
      "Scale the service up to 12 tasks, the slots of its 2 × c6a.xlarge (6 per host, the capacity model; the Terraform module's task_min_count default): stack prop `taskMinCount` (`--task-min-count 12`), Terraform `task_min_count = 12`.",
    );
    expect(zero(["c6a.large", "c6a.large"]).hints[0]).toContain("`--task-min-count 6`");
    expect(zero().hints[0]).toMatch(
      /as many tasks as the hosts have slots .*the fleet's instances were not read/,
    );
  });
});

describe("memory hints take the fleet's family", () => {
  const high = (types?: string[]) =>
    run(
      c(ecsMemoryUtilization),
      ev({
        "ecs.service": service(),
        "cloudwatch.metrics": metrics({ "ecs.MemoryUtilization": flat(60, 130) }),
        ...(types ? { "fleet.instances": instances(types) } : {}),
      }),
    );
  it("c6a fleet → a c6a target, m7g fleet → an m7g target, unknown → c6a", () => {
    expect(hintsOf(high(["m7g.large"]))).toMatch(
      /bigger instance type when the tasks no longer fit: m7g\.\w+ /,
    );
    expect(hintsOf(high(["c6a.large"]))).toMatch(
      /bigger instance type when the tasks no longer fit: c6a\.\w+ /,
    );
    expect(hintsOf(high())).toMatch(/bigger instance type when the tasks no longer fit: c6a\.\w+ /);
  });
  it("host memory hints size up the host's own type", () => {
    expect(instanceSizeHint(3800, "c6a.large")).toMatch(/Increase the instance size to c6a\.xlarge \(8 GiB/);
    expect(instanceSizeHint(7600, "m7g.large")).toMatch(/to m7g\.xlarge \(16 GiB/);
    expect(instanceSizeHint(1900)).toMatch(/to t3\.medium \(4 GiB/);
  });
});

describe("ecs.cpu-utilization: more instances, counted from the peak", () => {
  it("names the hosts of the fleet's type that bring the peak under the limit", async () => {
    const { ecsCpuUtilization } = await import("../../../src/checks/ecs/checks.js");
    const { hostsToSpread } = await import("../../../src/capacity/hints.js");
    expect(hostsToSpread(2, 100, 80)).toBe(3);
    expect(hostsToSpread(4, 95, 80)).toBe(5);
    expect(hostsToSpread(4, 160, 80)).toBe(8);
    expect(hostsToSpread(0, 95, 80)).toBeUndefined();
    const busy = metrics({
      "ec2.CPUUtilization.i-0a": flat(60, 100),
      "ec2.CPUUtilization.i-0b": flat(60, 100),
    });
    const two = run(
      c(ecsCpuUtilization),
      ev({ "fleet.instances": instances(["c6a.large", "c6a.large"]), "cloudwatch.metrics": busy }),
    );
    expect(two.status).toBe("fail");
    expect(hintsOf(two)).toMatch(/3 × c6a\.large instead of 2 bring a 100 % peak to about 67 % each/);
    expect(hintsOf(two)).toMatch(/--min-instances 3/);
    const unknown = run(c(ecsCpuUtilization), ev({ "cloudwatch.metrics": busy }));
    expect(hintsOf(unknown)).toMatch(/the fleet's instances were not read/);
  });
});
