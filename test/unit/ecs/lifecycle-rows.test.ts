/**
 * Issue 19's ECS rows, end to end: DescribeServices / ListTasks / DescribeTasks answers shaped as the ECS
 * API gives them (botocore ecs/2014-11-13/service-2.json: Deployment, Task, ServiceEvent) go through the
 * real gatherers, then the checks judge what was gathered.
 */
import { afterEach, describe, expect, it } from "vitest";
import { ListTasksCommand } from "@aws-sdk/client-ecs";
import { FilterLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import {
  installFleet,
  LOG_GROUP,
  scenario,
  SERVICE,
  TASK_DEF_ARN,
  type Fleet,
  type Scenario,
} from "../../fixtures/aws/sim.mjs";
import { gatherFleet, NOW } from "../fleet/harness.js";
import { ev, metrics, run } from "../fleet/evidence.js";
import type { Check } from "../../../src/checks/model.js";
import { ecsRunningTasks } from "../../../src/checks/ecs/running-tasks.js";
import { ecsServiceEvents } from "../../../src/checks/ecs/service-events.js";
import { ecsOomKills } from "../../../src/checks/ecs/checks.js";
import { uploadFleetSignals } from "../../../src/checks/upload/checks.js";
import type { EcsTaskCounts, StoppedTasksEvidence } from "../../../src/sources/aws/types.js";

let fleet: Fleet | undefined;
afterEach(() => fleet?.restore());

const c = (x: unknown) => x as Check;
const NEW_TD = TASK_DEF_ARN.replace(/:7$/, ":8");
const TG = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/pypiserver/73e2d6bc24d8a067";

async function judged(over: Partial<Scenario>) {
  fleet = installFleet(scenario(over), NOW);
  const ev = await gatherFleet(["ecs.service", "ecs.stopped-tasks", "ecs.tasks"]);
  return {
    ev,
    running: run(c(ecsRunningTasks), ev),
    events: run(c(ecsServiceEvents), ev),
  };
}

/** A stop every `every` minutes over `span` minutes, newest `from` minutes ago. */
const stops = (n: number, every: number, spec: Scenario["stoppedTasks"][number]) =>
  Array.from({ length: n }, (_, i) => ({ ...spec, minutesAgo: 2 + i * every }));

describe("ECS lifecycles as ECS runs them (issue 19 rows)", () => {
  it("a rollout whose new tasks all die while the old deployment runs 4/4 fails", async () => {
    // Service totals: running 4 = desired 4 (the old tasks); the PRIMARY (new) deployment runs none.
    const r = await judged({
      desired: 4,
      running: 4,
      deployments: [
        {
          id: "ecs-svc/2222222222222222222",
          status: "PRIMARY",
          rolloutState: "IN_PROGRESS",
          desiredCount: 4,
          runningCount: 0,
          pendingCount: 1,
          failedTasks: 0, // resets to 0 once a task of the deployment has run (botocore model)
          taskDefinition: NEW_TD,
          createdMinutesAgo: 40,
        },
        {
          id: "ecs-svc/1111111111111111111",
          status: "ACTIVE",
          rolloutState: "COMPLETED",
          desiredCount: 4,
          runningCount: 4,
          pendingCount: 0,
          failedTasks: 0,
          taskDefinition: TASK_DEF_ARN,
          createdMinutesAgo: 600,
        },
      ],
      // 10 stops in 40 min: exit 1, EssentialContainerExited, of the new task definition.
      stoppedTasks: stops(10, 4, {
        minutesAgo: 0,
        exitCode: 1,
        stopCode: "EssentialContainerExited",
        stoppedReason: "Essential container in task exited",
        taskDefinitionArn: NEW_TD,
      }),
    });
    expect(r.running).toMatchObject({ status: "fail", messageId: "crashing", data: { crashed: 10 } });
    expect(r.running.message).toMatch(/10 task\(s\) of the current task definition.*ended on their own/);
    expect(r.running.message).toMatch(/0 of 4 desired task\(s\) of the current deployment/);
    const st = r.ev["ecs.stopped-tasks"] as { value: StoppedTasksEvidence };
    expect(st.value.tasks[0]).toMatchObject({ stopKind: "self", taskDefinitionArn: NEW_TD });
  });

  it("steady state with 6 self-stopped, replaced tasks in the hour fails", async () => {
    const r = await judged({
      stoppedTasks: stops(6, 9, { minutesAgo: 0, exitCode: 1, stopCode: "EssentialContainerExited" }),
    });
    expect(r.running).toMatchObject({ status: "fail", messageId: "crashing", data: { crashed: 6 } });
  });

  it("ELB health-check kills 4x in 12 min fail, not 'normal rollout'", async () => {
    const r = await judged({
      stoppedTasks: stops(4, 4, {
        minutesAgo: 0,
        exitCode: 137, // SIGKILL after the 30 s stopTimeout
        stopCode: "ServiceSchedulerInitiated",
        stoppedReason: `Task failed ELB health checks in (target-group ${TG})`,
      }),
    });
    expect(r.running).toMatchObject({ status: "fail", messageId: "crashing", data: { crashed: 4 } });
    expect(r.running.message).toMatch(/4 killed by health checks within 12 min/);
  });

  it("a capacity-provider scale-out (desired 6, running 4, pending 0, 2 PROVISIONING for 3 min) warns", async () => {
    const r = await judged({
      desired: 6,
      running: 4,
      pending: 0,
      provisioning: 2,
      provisioningMinutesAgo: 3,
    });
    expect(fleet!.mocks.ecs.commandCalls(ListTasksCommand).map((x) => x.args[0].input.desiredStatus)).toEqual(
      expect.arrayContaining(["RUNNING", "STOPPED"]),
    );
    const counts = r.ev["ecs.tasks"] as { value: EcsTaskCounts };
    expect(counts.value.byStatus).toEqual({ RUNNING: 4, PROVISIONING: 2 });
    expect(r.running).toMatchObject({ status: "warn", messageId: "scale-out", data: { minutes: 3 } });
    expect(r.running.message).toMatch(/2 task\(s\) are PROVISIONING/);
  });

  it("a scale-out seen only as a desired-count change 3 min ago warns; one 25 min old fails", async () => {
    const deployment = (minutesAgo: number) => ({
      id: "ecs-svc/1111111111111111111",
      status: "PRIMARY" as const,
      rolloutState: "COMPLETED" as const,
      desiredCount: 6,
      runningCount: 4,
      pendingCount: 0,
      failedTasks: 0,
      taskDefinition: TASK_DEF_ARN,
      createdMinutesAgo: 600,
      updatedMinutesAgo: minutesAgo,
    });
    const base = { desired: 6, running: 4, pending: 0 };
    const recent = await judged({ ...base, deployments: [deployment(3)] });
    expect(recent.running).toMatchObject({ status: "warn", messageId: "scale-out" });
    fleet!.restore();
    const old = await judged({ ...base, deployments: [deployment(25)] });
    expect(old.running).toMatchObject({ status: "fail", messageId: "short" });
  });

  it("PROVISIONING longer than the warm-up bound fails", async () => {
    const r = await judged({ desired: 6, running: 4, provisioning: 2, provisioningMinutesAgo: 25 });
    expect(r.running).toMatchObject({
      status: "fail",
      messageId: "stuck",
      threshold: { name: "maxProvisioningMinutes", value: 10 },
    });
  });

  it("a placement failure logged 2 h ago, never followed by a steady state, is not a pass with --since 1h", async () => {
    const r = await judged({
      events: [
        { minutesAgo: 400, message: `(service ${SERVICE}) has reached a steady state.` },
        {
          minutesAgo: 120,
          message: `(service ${SERVICE}) was unable to place a task because no container instance met all of its requirements. The closest matching (container-instance 5e3a) has insufficient memory available.`,
        },
      ],
    });
    expect(r.events).toMatchObject({ status: "fail", data: { kinds: "placement failure" } });
    expect(r.events.message).toMatch(/before the window.*every 6 h/);
  });

  it("an unhealthy-target event followed by 'has reached a steady state' warns with the time", async () => {
    const r = await judged({
      events: [
        {
          minutesAgo: 30,
          message: `(service ${SERVICE}) (task 1a2b3c) (port 32768) is unhealthy in (target-group ${TG}) due to (reason Health checks failed with these codes: [502]).`,
        },
        { minutesAgo: 22, message: `(service ${SERVICE}) has reached a steady state.` },
      ],
    });
    expect(r.events).toMatchObject({ status: "warn", messageId: "recovered" });
    expect(r.events.message).toMatch(
      /target unhealthy at 2026-11-20T11:30:00.000Z, steady state again at 2026-11-20T11:38:00.000Z/,
    );
  });

  it("a stuck deployment event fails", async () => {
    const r = await judged({
      events: [
        {
          minutesAgo: 8,
          message: `(service ${SERVICE}) was unable to stop or start tasks during a deployment because of the service deployment configuration. Update the minimumHealthyPercent or maximumPercent value and try again.`,
        },
      ],
    });
    expect(r.events).toMatchObject({ status: "fail", data: { kinds: "stuck deployment" } });
  });

  it("old trouble closed by a steady state before the window, and a healthy rolling deploy, pass", async () => {
    const r = await judged({
      events: [
        {
          minutesAgo: 200,
          message: `(service ${SERVICE}) was unable to place a task because no container instance met all of its requirements.`,
        },
        { minutesAgo: 180, message: `(service ${SERVICE}) has reached a steady state.` },
        { minutesAgo: 30, message: `(service ${SERVICE}) has started 2 tasks: (task a1) (task b2).` },
        { minutesAgo: 27, message: `(service ${SERVICE}) has stopped 2 running tasks: (task c3) (task d4).` },
        { minutesAgo: 25, message: `(service ${SERVICE}) (deployment ecs-svc/2) deployment completed.` },
        { minutesAgo: 24, message: `(service ${SERVICE}) has reached a steady state.` },
      ],
      // The old tasks the deployment replaced: stopped by the scheduler, exit 0 (SIGTERM handled).
      stoppedTasks: stops(2, 1, {
        minutesAgo: 0,
        exitCode: 0,
        stopCode: "ServiceSchedulerInitiated",
        stoppedReason: "Scaling activity initiated by (deployment ecs-svc/2)",
        taskDefinitionArn: TASK_DEF_ARN.replace(/:7$/, ":6"),
      }),
    });
    expect(r.events.status).toBe("pass");
    expect(r.running.status).toBe("pass");
  });
});

describe("worker OOM kills that do not stop a task (logs.gunicorn)", () => {
  it("reads the log group from the task definition and fails ecs.oom-kills and upload.fleet-signals", async () => {
    fleet = installFleet(
      scenario({
        gunicornLines: [
          {
            minutesAgo: 12,
            message:
              "[2026-11-20 11:48:00 +0000] [1] [ERROR] Worker (pid:27) was sent SIGKILL! Perhaps out of memory?",
          },
          { minutesAgo: 5, message: "[2026-11-20 11:55:00 +0000] [1] [CRITICAL] WORKER TIMEOUT (pid:31)" },
          {
            minutesAgo: 90,
            message:
              "[2026-11-20 10:30:00 +0000] [1] [ERROR] Worker (pid:9) was sent SIGKILL! Perhaps out of memory?",
          },
        ],
      }),
      NOW,
    );
    const ev = await gatherFleet(["ecs.service", "ecs.stopped-tasks", "logs.gunicorn"]);
    const call = fleet.mocks.logs.commandCalls(FilterLogEventsCommand)[0]!.args[0].input;
    expect(call).toMatchObject({
      logGroupName: LOG_GROUP,
      filterPattern: '?"Perhaps out of memory" ?"WORKER TIMEOUT"',
      startTime: Date.parse("2026-11-20T11:00:00Z"),
      endTime: Date.parse("2026-11-20T12:00:00Z"),
    });
    const oom = run(c(ecsOomKills), ev);
    expect(oom).toMatchObject({ status: "fail", messageId: "worker-oom", data: { workerKills: 1 } });
    const up = run(c(uploadFleetSignals), ev);
    expect(up).toMatchObject({ status: "fail", messageId: "worker-oom" });
  });

  it("a denied FilterLogEvents costs only that source", async () => {
    fleet = installFleet(scenario(), NOW);
    fleet.mocks.logs.on(FilterLogEventsCommand).rejects(
      Object.assign(new Error("User is not authorized to perform: logs:FilterLogEvents"), {
        name: "AccessDeniedException",
        $metadata: { httpStatusCode: 400 },
      }),
    );
    const ev = await gatherFleet(["ecs.service", "ecs.stopped-tasks", "logs.gunicorn"]);
    expect(ev["logs.gunicorn"]).toMatchObject({ ok: false, kind: "access-denied" });
    expect(run(c(ecsOomKills), ev).status).toBe("pass");
  });
});

describe("upload.fleet-signals and a stray 5xx", () => {
  it("one ELB 502 in an hour of 1,200 requests a minute passes and says so; a 2 % share warns", () => {
    const one = Array.from({ length: 60 }, (_, i) => (i === 30 ? 1 : 0));
    const f = run(
      c(uploadFleetSignals),
      ev({ "cloudwatch.metrics": metrics({ "alb.HTTPCode_ELB_5XX_Count": one }) }),
    );
    expect(f).toMatchObject({ status: "pass", messageId: "quiet" });
    expect(f.message).toMatch(/1 stray 5xx \(0.001 % of 72000 requests/);
    const bad = Array.from({ length: 60 }, () => 30);
    expect(
      run(
        c(uploadFleetSignals),
        ev({ "cloudwatch.metrics": metrics({ "alb.HTTPCode_Target_5XX_Count": bad }) }),
      ),
    ).toMatchObject({ status: "warn", messageId: "5xx" });
  });
});
