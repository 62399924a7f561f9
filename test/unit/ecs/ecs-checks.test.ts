import { describe, expect, it } from "vitest";
import { classifyStop, ecsCpuUtilization, ecsMemoryUtilization, ecsOomKills, ecsRunningTasks, ecsServiceEvents, memoryLimits } from "../../../src/checks/ecs/checks.js";
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
    const f = run(c(ecsOomKills), ev({ "ecs.stopped-tasks": stopped([task("a", {}, 137, OOM), task("b", { stoppedAt: "2026-11-20T11:50:00.000Z" }, 137, OOM)]), "ecs.service": service() }));
    expect(f).toMatchObject({ status: "fail", data: { count: 2, taskIds: ["a", "b"], latest: "2026-11-20T11:50:00.000Z", hardLimit: 512 } });
    expect(f.hints[0]).toMatch(/containerMemory \/ Terraform container_memory 512 → 1024/);
    expect(f.resources).toHaveLength(2);
  });
  it("warns on exit 137 without OOM reason (may be SIGKILL after stopTimeout), passes on scheduler stops", () => {
    const w = run(c(ecsOomKills), ev({ "ecs.stopped-tasks": stopped([task("a")]) }));
    expect(w.status).toBe("warn");
    expect(w.message).toMatch(/SIGKILL after stopTimeout/);
    const p = run(c(ecsOomKills), ev({ "ecs.stopped-tasks": stopped([task("a", { stopCode: "ServiceSchedulerInitiated", stoppedReason: "Scaling activity initiated by deployment" })]) }));
    expect(p.status).toBe("pass");
    expect(p.resources![0]!.message).toMatch(/not OOM/);
    expect(run(c(ecsOomKills), ev({ "ecs.stopped-tasks": stopped([]) })).status).toBe("pass");
  });
  it("says stopped tasks are visible for about an hour when the window is longer", () => {
    const f = evaluateWith2h();
    expect(f.message).toMatch(/about an hour/);
  });
  it("classifies stops", () => {
    expect(classifyStop(task("x", {}, 1))).toBe("other");
    expect(classifyStop(task("x", {}, 137, OOM))).toBe("oom");
  });
});

import { evaluateCheck, limitsFor } from "../../../src/checks/runner.js";
function evaluateWith2h() {
  const check = c(ecsOomKills);
  return evaluateCheck(check, ev({ "ecs.stopped-tasks": stopped([]) }), limitsFor(check, {}), { start: "2026-11-20T10:00:00.000Z", end: "2026-11-20T12:00:00.000Z", since: "2h" });
}

describe("ecs.memory-utilization", () => {
  it("converts the reservation-based metric to a share of the hard limit", () => {
    expect(memoryLimits(service().taskDefinition)).toEqual({ hardMiB: 512, denominatorMiB: 384 });
    // 120 % of a 384 MiB reservation = 460.8 MiB = 90 % of 512 → not above 90 → warn.
    const w = run(c(ecsMemoryUtilization), ev({ "cloudwatch.metrics": metrics({ "ecs.MemoryUtilization": [60, 120] }), "ecs.service": service() }));
    expect(w).toMatchObject({ status: "warn", data: { peakOfHard: 90, peakReported: 120, hardMiB: 512, denominatorMiB: 384 } });
    const f = run(c(ecsMemoryUtilization), ev({ "cloudwatch.metrics": metrics({ "ecs.MemoryUtilization": [130] }), "ecs.service": service() }));
    expect(f).toMatchObject({ status: "fail", threshold: { name: "failPercentOfHardLimit", value: 90 } });
    expect(f.hints[0]).toMatch(/container_memory 512 → 1024/);
    // "90 %" in CloudWatch is only 67.5 % of the limit: pass.
    expect(run(c(ecsMemoryUtilization), ev({ "cloudwatch.metrics": metrics({ "ecs.MemoryUtilization": [90] }), "ecs.service": service() })).status).toBe("pass");
  });
  it("uses task-level memory as the denominator; warns without a hard limit", () => {
    expect(memoryLimits({ arn: "x", taskMemoryMiB: 1024, containers: [{ name: "a", essential: true, memoryMiB: 1024 }], fileSystemIds: [] })).toEqual({ hardMiB: 1024, denominatorMiB: 1024 });
    const svc = service({}, { containers: [{ name: "a", essential: true, memoryReservationMiB: 384 }] });
    expect(run(c(ecsMemoryUtilization), ev({ "cloudwatch.metrics": metrics(), "ecs.service": svc })).messageId).toBe("no-hard-limit");
  });
  it("errors on no datapoints while tasks run (wrong dimensions), skips with no tasks", () => {
    const e = run(c(ecsMemoryUtilization), ev({ "cloudwatch.metrics": metrics({ "ecs.MemoryUtilization": [] }), "ecs.service": service() }));
    expect(e.status).toBe("error");
    expect(e.message).toMatch(/ClusterName=pypiserver, ServiceName=pypiserver/);
    expect(run(c(ecsMemoryUtilization), ev({ "cloudwatch.metrics": metrics({ "ecs.MemoryUtilization": [] }), "ecs.service": service({ runningCount: 0 }) })).status).toBe("skip");
  });
});

describe("ecs.running-tasks", () => {
  it("pass / fail / warn / inactive", () => {
    expect(run(c(ecsRunningTasks), ev({ "ecs.service": service() })).status).toBe("pass");
    const f = run(c(ecsRunningTasks), ev({ "ecs.service": service({ runningCount: 2, pendingCount: 1, deployments: [{ id: "d", status: "PRIMARY", rolloutState: "IN_PROGRESS", desired: 4, running: 2, pending: 1, failedTasks: 3 }] }) }));
    expect(f.status).toBe("fail");
    expect(f.message).toMatch(/runs 2 of 4.*deployment is in progress.*3 failed/);
    expect(run(c(ecsRunningTasks), ev({ "ecs.service": service({ desiredCount: 0, runningCount: 0 }) })).status).toBe("warn");
    expect(run(c(ecsRunningTasks), ev({ "ecs.service": service({ status: "DRAINING" }) })).status).toBe("fail");
  });
});

describe("ecs.service-events", () => {
  const events = (...m: string[]) => m.map((message, i) => ({ at: `2026-11-20T11:${10 + i}:00.000Z`, message }));
  it("fails on placement/unhealthy, warns on container health checks, passes otherwise", () => {
    expect(run(c(ecsServiceEvents), ev({ "ecs.service": service({ events: events("(service pypiserver) has reached a steady state.") }) })).status).toBe("pass");
    const f = run(
      c(ecsServiceEvents),
      ev({ "ecs.service": service({ events: events("(service pypiserver) (task 1a2b) (port 32768) is unhealthy in (target-group arn:…:targetgroup/pypiserver/73e2) due to (reason Health checks failed).", "(service pypiserver) was unable to place a task because no container instance met all of its requirements.") }) }),
    );
    expect(f).toMatchObject({ status: "fail", data: { count: 2 } });
    expect(f.message).toMatch(/unable to place/);
    expect(f.hints.join(" ")).toMatch(/asg_instance_type/);
    expect(run(c(ecsServiceEvents), ev({ "ecs.service": service({ events: events("(service pypiserver) (task 9f) failed container health checks.") }) })).status).toBe("warn");
  });
});

describe("ecs.cpu-utilization", () => {
  it("warns on a sustained run above the threshold, not on a spike", () => {
    const sustained = [...Array(20).fill(30), ...Array(12).fill(95), ...Array(28).fill(30)];
    const w = run(c(ecsCpuUtilization), ev({ "cloudwatch.metrics": metrics({ "ecs.CPUUtilization": sustained }) }));
    expect(w).toMatchObject({ status: "warn", data: { minutes: 12, peak: 95 } });
    expect(w.hints[0]).toMatch(/c6a\.large/);
    expect(run(c(ecsCpuUtilization), ev({ "cloudwatch.metrics": metrics({ "ecs.CPUUtilization": [30, 99, 30] }) })).status).toBe("pass");
  });
  it("errors without datapoints (dimensions), skips when no task runs", () => {
    expect(run(c(ecsCpuUtilization), ev({ "cloudwatch.metrics": metrics({ "ecs.CPUUtilization": [] }) })).status).toBe("error");
    expect(run(c(ecsCpuUtilization), ev({ "cloudwatch.metrics": metrics({ "ecs.CPUUtilization": [] }), "ecs.service": service({ runningCount: 0 }) })).status).toBe("skip");
  });
});
