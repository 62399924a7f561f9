import { describe, expect, it } from "vitest";
import {
  classifyStop,
  ecsCpuUtilization,
  ecsMemoryUtilization,
  ecsOomKills,
  ecsRunningTasks,
  ecsServiceEvents,
  memoryLimits,
} from "../../../src/checks/ecs/checks.js";
import { ev, metrics, run, service, stopped } from "../fleet/evidence.js";
import type { Check } from "../../../src/checks/model.js";
import type { StoppedTask } from "../../../src/sources/aws/types.js";

const c = (x: unknown) => x as Check;
const OOM = "OutOfMemoryError: Container killed due to memory usage";
const task = (id: string, over: Partial<StoppedTask> = {}, exitCode = 137, reason?: string): StoppedTask => ({
  taskArn: `arn:aws:ecs:eu-west-1:1:task/pypiserver/${id}`,
  taskId: id,
  stoppedAt: "2026-11-20T11:40:00.000Z",
  stopCode: "EssentialContainerExited",
  containers: [{ name: "pypiserver", exitCode, ...(reason ? { reason } : {}) }],
  ...over,
});

describe("ecs.oom-kills", () => {
  it("fails on OutOfMemoryError with count, times, task ids and hints naming containerMemory/container_memory", () => {
    const f = run(
      c(ecsOomKills),
      ev({
        "ecs.stopped-tasks": stopped([
          task("a", {}, 137, OOM),
          task("b", { stoppedAt: "2026-11-20T11:50:00.000Z" }, 137, OOM),
        ]),
        "ecs.service": service(),
      }),
    );
    expect(f).toMatchObject({
      status: "fail",
      data: { count: 2, taskIds: ["a", "b"], latest: "2026-11-20T11:50:00.000Z", hardLimit: 512 },
    });
    expect(f.hints[0]).toMatch(
      /from 512 to 1024 MiB.*`pypictl deploy --container-memory 1024`.*`container_memory = 1024`/,
    );
    expect(f.resources).toHaveLength(2);
  });
  it("warns on exit 137 without OOM reason (may be SIGKILL after stopTimeout), passes on scheduler stops", () => {
    const w = run(c(ecsOomKills), ev({ "ecs.stopped-tasks": stopped([task("a")]) }));
    expect(w.status).toBe("warn");
    expect(w.message).toMatch(/SIGKILL after stopTimeout/);
    const p = run(
      c(ecsOomKills),
      ev({
        "ecs.stopped-tasks": stopped([
          task("a", {
            stopCode: "ServiceSchedulerInitiated",
            stoppedReason: "Scaling activity initiated by deployment",
          }),
        ]),
      }),
    );
    expect(p.status).toBe("pass");
    expect(p.resources![0]!.message).toMatch(/not OOM/);
    expect(run(c(ecsOomKills), ev({ "ecs.stopped-tasks": stopped([]) })).status).toBe("pass");
  });
  it("says stopped tasks are visible for at least one hour when the window is longer", () => {
    const f = evaluateWith2h();
    expect(f.message).toMatch(/at least one hour/);
  });
  it("reads OutOfMemoryError from the task's stoppedReason too (emulators, some agent paths)", () => {
    // DescribeTasks as some paths return it: the reason on the task, the container with exit 137 and no reason.
    const t = task("c", {
      stopCode: "EssentialContainerExited",
      stoppedReason: "OutOfMemoryError: Container killed due to memory usage",
    });
    expect(classifyStop(t)).toBe("oom");
    expect(run(c(ecsOomKills), ev({ "ecs.stopped-tasks": stopped([t]) }))).toMatchObject({
      status: "fail",
      messageId: "oom",
    });
  });
  it("treats InfrastructureHealth as a scheduler stop, not an OOM", () => {
    const t = task("d", {
      stopCode: "InfrastructureHealth",
      stoppedReason: "Task stopped due to container instance health",
    });
    expect(classifyStop(t)).toBe("exit-137-on-stop");
    expect(run(c(ecsOomKills), ev({ "ecs.stopped-tasks": stopped([t]) })).status).toBe("pass");
  });
  it("classifies stops", () => {
    expect(classifyStop(task("x", {}, 1))).toBe("other");
    expect(classifyStop(task("x", {}, 137, OOM))).toBe("oom");
  });
});

import { evaluateCheck, limitsFor } from "../../../src/checks/runner.js";
function evaluateWith2h() {
  const check = c(ecsOomKills);
  return evaluateCheck(check, ev({ "ecs.stopped-tasks": stopped([]) }), limitsFor(check, {}), {
    start: "2026-11-20T10:00:00.000Z",
    end: "2026-11-20T12:00:00.000Z",
    since: "2h",
  });
}

describe("ecs.memory-utilization", () => {
  it("converts the reservation-based metric to a share of the hard limit", () => {
    expect(memoryLimits(service().taskDefinition)).toEqual({ hardMiB: 512, denominatorMiB: 384 });
    // 120 % of a 384 MiB reservation = 460.8 MiB = 90 % of 512 → not above 90 → warn.
    const w = run(
      c(ecsMemoryUtilization),
      ev({ "cloudwatch.metrics": metrics({ "ecs.MemoryUtilization": [60, 120] }), "ecs.service": service() }),
    );
    expect(w).toMatchObject({
      status: "warn",
      data: { peakOfHard: 90, peakReported: 120, hardMiB: 512, denominatorMiB: 384 },
    });
    const f = run(
      c(ecsMemoryUtilization),
      ev({ "cloudwatch.metrics": metrics({ "ecs.MemoryUtilization": [130] }), "ecs.service": service() }),
    );
    expect(f).toMatchObject({ status: "fail", threshold: { name: "failPercentOfHardLimit", value: 90 } });
    expect(f.hints[0]).toMatch(/from 512 to 1024 MiB.*`container_memory = 1024`/);
    // "90 %" in CloudWatch is only 67.5 % of the limit: pass.
    expect(
      run(
        c(ecsMemoryUtilization),
        ev({ "cloudwatch.metrics": metrics({ "ecs.MemoryUtilization": [90] }), "ecs.service": service() }),
      ).status,
    ).toBe("pass");
  });
  it("uses task-level memory as the denominator; warns without a hard limit", () => {
    expect(
      memoryLimits({
        arn: "x",
        taskMemoryMiB: 1024,
        containers: [{ name: "a", essential: true, memoryMiB: 1024 }],
        fileSystemIds: [],
      }),
    ).toEqual({ hardMiB: 1024, denominatorMiB: 1024 });
    const svc = service({}, { containers: [{ name: "a", essential: true, memoryReservationMiB: 384 }] });
    expect(
      run(c(ecsMemoryUtilization), ev({ "cloudwatch.metrics": metrics(), "ecs.service": svc })).messageId,
    ).toBe("no-hard-limit");
  });
  it("errors on no datapoints while tasks run (wrong dimensions), skips with no tasks", () => {
    const e = run(
      c(ecsMemoryUtilization),
      ev({ "cloudwatch.metrics": metrics({ "ecs.MemoryUtilization": [] }), "ecs.service": service() }),
    );
    expect(e.status).toBe("error");
    expect(e.message).toMatch(/ClusterName=pypiserver, ServiceName=pypiserver/);
    expect(
      run(
        c(ecsMemoryUtilization),
        ev({
          "cloudwatch.metrics": metrics({ "ecs.MemoryUtilization": [] }),
          "ecs.service": service({ runningCount: 0 }),
        }),
      ).status,
    ).toBe("skip");
  });
});

describe("ecs.running-tasks", () => {
  // DescribeServices deployments[] as ECS returns them mid-rollout: PRIMARY IN_PROGRESS + ACTIVE old one.
  const rolling = (
    over: Partial<Parameters<typeof service>[0]> = {},
    startedMinutesAgo = 4,
    failedTasks = 0,
  ) =>
    service({
      runningCount: 3,
      pendingCount: 1,
      deployments: [
        {
          id: "ecs-svc/2",
          status: "PRIMARY",
          rolloutState: "IN_PROGRESS",
          desired: 4,
          running: 1,
          pending: 1,
          failedTasks,
          createdAt: new Date(Date.parse("2026-11-20T12:00:00Z") - startedMinutesAgo * 60_000).toISOString(),
        },
        {
          id: "ecs-svc/1",
          status: "ACTIVE",
          rolloutState: "COMPLETED",
          desired: 2,
          running: 2,
          pending: 0,
          failedTasks: 0,
        },
      ],
      ...over,
    });
  it("passes at desired; warns (naming the rollout) while a rolling deployment replaces tasks", () => {
    expect(run(c(ecsRunningTasks), ev({ "ecs.service": service() })).status).toBe("pass");
    const w = run(c(ecsRunningTasks), ev({ "ecs.service": rolling() }));
    expect(w).toMatchObject({ status: "warn", messageId: "rollout" });
    // The PRIMARY deployment's counts are judged (1 of 4 new tasks run), not the service totals (3 of 4).
    expect(w.message).toMatch(
      /runs 1 of 4 .*current deployment.*deployment ecs-svc\/2 is in progress.*for 4 min/,
    );
  });
  it("warns on a scale-out with pending tasks and no deployment in progress", () => {
    const svc = service({
      desiredCount: 6,
      runningCount: 4,
      pendingCount: 2,
      deployments: [
        {
          id: "ecs-svc/1",
          status: "PRIMARY",
          rolloutState: "COMPLETED",
          desired: 6,
          running: 4,
          pending: 2,
          failedTasks: 0,
          updatedAt: "2026-11-20T11:58:00.000Z",
        },
      ],
    });
    expect(run(c(ecsRunningTasks), ev({ "ecs.service": svc }))).toMatchObject({
      status: "warn",
      data: { minutes: 2 },
    });
  });
  it("fails when the rollout outlives maxGapMinutes, FAILED, or tasks keep stopping", () => {
    expect(run(c(ecsRunningTasks), ev({ "ecs.service": rolling({}, 40) }))).toMatchObject({
      status: "fail",
      messageId: "stuck",
      threshold: { name: "maxGapMinutes", value: 15 },
    });
    const failed = service({
      runningCount: 2,
      deployments: [
        {
          id: "ecs-svc/2",
          status: "PRIMARY",
          rolloutState: "FAILED",
          rolloutStateReason: "ECS deployment circuit breaker: tasks failed to start.",
          desired: 4,
          running: 0,
          pending: 0,
          failedTasks: 6,
        },
      ],
    });
    expect(run(c(ecsRunningTasks), ev({ "ecs.service": failed }))).toMatchObject({
      status: "fail",
      messageId: "rollout-failed",
    });
    expect(run(c(ecsRunningTasks), ev({ "ecs.service": rolling({}, 4, 3) }))).toMatchObject({
      status: "fail",
      messageId: "crashing",
      data: { crashed: 3 },
    });
    const crashes = stopped([task("a", {}, 1), task("b", { stoppedAt: "2026-11-20T11:55:00.000Z" }, 1)]);
    expect(
      run(c(ecsRunningTasks), ev({ "ecs.service": rolling(), "ecs.stopped-tasks": crashes })),
    ).toMatchObject({ status: "fail", messageId: "crashing" });
    // Old tasks the deployment stopped are not crashes.
    const replaced = stopped([
      task(
        "a",
        {
          stopCode: "ServiceSchedulerInitiated",
          stoppedReason: "Scaling activity initiated by (deployment ecs-svc/2)",
        },
        0,
      ),
      task(
        "b",
        {
          stopCode: "ServiceSchedulerInitiated",
          stoppedReason: "Scaling activity initiated by (deployment ecs-svc/2)",
        },
        0,
      ),
    ]);
    expect(
      run(c(ecsRunningTasks), ev({ "ecs.service": rolling(), "ecs.stopped-tasks": replaced })).status,
    ).toBe("warn");
  });
  it("fails short with nothing starting; warns at desired 0; fails when not ACTIVE", () => {
    expect(
      run(
        c(ecsRunningTasks),
        ev({
          "ecs.service": service({
            runningCount: 2,
            pendingCount: 0,
            deployments: [
              {
                id: "ecs-svc/1",
                status: "PRIMARY",
                rolloutState: "COMPLETED",
                desired: 4,
                running: 2,
                pending: 0,
                failedTasks: 0,
                updatedAt: "2026-11-20T09:00:00.000Z",
              },
            ],
          }),
        }),
      ),
    ).toMatchObject({ status: "fail", messageId: "short" });
    expect(
      run(c(ecsRunningTasks), ev({ "ecs.service": service({ desiredCount: 0, runningCount: 0 }) })).status,
    ).toBe("warn");
    expect(run(c(ecsRunningTasks), ev({ "ecs.service": service({ status: "DRAINING" }) })).status).toBe(
      "fail",
    );
  });
});

describe("ecs.service-events", () => {
  const events = (...m: string[]) =>
    m.map((message, i) => ({ at: `2026-11-20T11:${10 + i}:00.000Z`, message }));
  it("fails on placement/unhealthy, warns on container health checks, passes otherwise", () => {
    expect(
      run(
        c(ecsServiceEvents),
        ev({
          "ecs.service": service({ events: events("(service pypiserver) has reached a steady state.") }),
        }),
      ).status,
    ).toBe("pass");
    const f = run(
      c(ecsServiceEvents),
      ev({
        "ecs.service": service({
          events: events(
            "(service pypiserver) (task 1a2b) (port 32768) is unhealthy in (target-group arn:…:targetgroup/pypiserver/73e2) due to (reason Health checks failed).",
            "(service pypiserver) was unable to place a task because no container instance met all of its requirements.",
          ),
        }),
      }),
    );
    expect(f).toMatchObject({ status: "fail", data: { count: 2 } });
    expect(f.message).toMatch(/unable to place/);
    expect(f.hints.join(" ")).toMatch(/asg_instance_type/);
    expect(
      run(
        c(ecsServiceEvents),
        ev({
          "ecs.service": service({
            events: events("(service pypiserver) (task 9f) failed container health checks."),
          }),
        }),
      ).status,
    ).toBe("warn");
  });
  it("fails on the scheduler's 'unable to consistently start tasks successfully' event", () => {
    const msg =
      "(service pypiserver) is unable to consistently start tasks successfully. For more information, see the Troubleshooting section of the Amazon ECS Developer Guide.";
    expect(run(c(ecsServiceEvents), ev({ "ecs.service": service({ events: events(msg) }) }))).toMatchObject({
      status: "fail",
      data: { kinds: "tasks keep failing to start" },
    });
  });
  it("has no rule for 'Essential container in task exited' (a task stoppedReason, read by ecs.oom-kills)", () => {
    expect(
      run(
        c(ecsServiceEvents),
        ev({ "ecs.service": service({ events: events("Essential container in task exited") }) }),
      ).status,
    ).toBe("pass");
  });
});

describe("ecs.cpu-utilization", () => {
  const ctx = { context: { instances: ["i-0", "i-1"] } };
  it("passes a service above 100 % of its reservation while the hosts have spare CPU", () => {
    // AWS/ECS CPUUtilization on EC2 = used ÷ reserved units: 250 % is healthy when the host idles at 40 %.
    const m = metrics(
      {
        "ecs.CPUUtilization": Array(60).fill(250),
        "ec2.CPUUtilization.i-0": Array(60).fill(40),
        "ec2.CPUUtilization.i-1": Array(60).fill(35),
      },
      ctx,
    );
    const p = run(c(ecsCpuUtilization), ev({ "cloudwatch.metrics": m }));
    expect(p).toMatchObject({ status: "pass", data: { peak: 40 } });
    expect(p.message).toMatch(/Service CPUUtilization peaked at 250 % of its reservation/);
  });
  it("fails when a host's EC2 CPUUtilization stays above 80 % for 10 min, not on a spike", () => {
    const sustained = [...Array(20).fill(30), ...Array(12).fill(95), ...Array(28).fill(30)];
    const m = metrics(
      { "ec2.CPUUtilization.i-0": sustained, "ec2.CPUUtilization.i-1": Array(60).fill(30) },
      ctx,
    );
    const w = run(c(ecsCpuUtilization), ev({ "cloudwatch.metrics": m }));
    expect(w).toMatchObject({ status: "fail", data: { instance: "i-0", minutes: 12, peak: 95, busy: 1 } });
    expect(w.hints[0]).toMatch(/^Give the hosts more CPU: c6a\.xlarge \(4 vCPU;/); // no instance types read: the heavy profile's
    expect(
      run(
        c(ecsCpuUtilization),
        ev({
          "cloudwatch.metrics": metrics(
            { "ec2.CPUUtilization.i-0": [30, 99, 30], "ec2.CPUUtilization.i-1": [30] },
            ctx,
          ),
        }),
      ).status,
    ).toBe("pass");
  });
  it("errors without EC2 datapoints", () => {
    expect(
      run(
        c(ecsCpuUtilization),
        ev({
          "cloudwatch.metrics": metrics({ "ec2.CPUUtilization.i-0": [], "ec2.CPUUtilization.i-1": [] }, ctx),
        }),
      ).status,
    ).toBe("error");
  });
});
