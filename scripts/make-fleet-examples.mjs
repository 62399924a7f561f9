#!/usr/bin/env node
// Regenerate examples/fleet-*.json: run the real AWS sources (dist/, so `npm run build` first) against
// the simulated fleet of test/fixtures/aws/sim.mjs (strict aws-sdk-client-mock stubs) and save each run
// as a replayable evidence bundle. `pypictl doctor --replay examples/fleet-oom-kills.json` reproduces it.
// The fake CloudWatch answers AWS/EC2 series as both fleets produce them (basic monitoring: one datapoint
// per 5 minutes, stamped at the interval's start); scenario values stay per minute and are aggregated by
// the query's statistic (sim.mjs).
import { writeFileSync } from "node:fs";
import { gather, neededSources } from "../dist/checks/runner.js";
import { CHECKS } from "../dist/checks/registry.js";
import { SOURCE_LOADERS } from "../dist/sources/registry.js";
import { DEFAULT_GATHER_SETTINGS } from "../dist/sources/context.js";
import { makeBundle } from "../dist/evidence/bundle.js";
import { AwsClientPool } from "../dist/sources/aws/pool.js";
import { installFleet, scenario, fleetTarget, instanceId } from "../test/fixtures/aws/sim.mjs";

const NOW = new Date("2026-11-20T12:00:00Z");
const WINDOW = { start: "2026-11-20T11:00:00.000Z", end: "2026-11-20T12:00:00.000Z", since: "1h" };
const flat = (v, n = 60) => Array.from({ length: n }, () => v);
const ramp = (a, b, n = 60) => Array.from({ length: n }, (_, i) => a + ((b - a) * i) / (n - 1));
const MIB = 1048576;

export const EXAMPLES = {
  "fleet-healthy": {
    description:
      "A healthy 2-instance fleet (c6a.large, elastic EFS, EC2 basic monitoring): every AWS check passes, through a 4-minute CI burst at 11:25 (CPU 60 %, p95 4 s) and one stray 5xx; ALB keep-alive is 75 s over a 60 s idle timeout.",
    sc: scenario({
      metrics: {
        "alb.RequestCount": [...flat(1200, 25), ...flat(4000, 4), ...flat(1200, 31)],
        "alb.TargetResponseTime.p95": [...flat(0.8, 25), ...flat(4, 4), ...flat(0.8, 31)],
        "alb.HTTPCode_Target_5XX_Count": [...flat(0, 37), 1, ...flat(0, 22)],
        "ec2.CPUUtilization": [...flat(30, 25), ...flat(60, 4), ...flat(30, 31)],
        "efs.PercentIOLimit": [...flat(12, 25), ...flat(40, 4), ...flat(12, 31)],
      },
    }),
  },
  "fleet-efs-throttled": {
    description:
      "Slow listings: a bursting-mode EFS ran out of burst credits — PercentIOLimit near 100 %, throughput pinned at the permitted rate, BurstCreditBalance draining below the threshold.",
    sc: scenario({
      fsThroughputMode: "bursting",
      metrics: {
        "efs.PercentIOLimit": ramp(55, 98),
        "efs.BurstCreditBalance": ramp(1.4e12, 0.05e12),
        "efs.PermittedThroughput": flat(2 * MIB),
        "efs.MeteredIOBytes": ramp(60 * 1.2 * MIB, 60 * 2 * MIB),
        "alb.TargetResponseTime.p95": ramp(2, 12),
      },
    }),
  },
  "fleet-oom-kills": {
    description:
      "OOM: three tasks stopped with OutOfMemoryError (exit 137) in the last hour, each after gunicorn logged a worker OOM kill; MemoryUtilization peaked at 131 % of the 384 MiB reservation, i.e. 98 % of the 512 MiB hard limit.",
    sc: scenario({
      running: 3,
      events: [
        { minutesAgo: 42, message: "(service pypiserver) has started 1 tasks: (task 0abc0000f00d)." },
        { minutesAgo: 12, message: "(service pypiserver) has started 1 tasks: (task 0abc0002f00d)." },
      ],
      stoppedTasks: [
        { minutesAgo: 43, exitCode: 137, reason: "OutOfMemoryError: Container killed due to memory usage" },
        { minutesAgo: 27, exitCode: 137, reason: "OutOfMemoryError: Container killed due to memory usage" },
        { minutesAgo: 13, exitCode: 137, reason: "OutOfMemoryError: Container killed due to memory usage" },
      ],
      // Before each container died, the cgroup's OOM killer took a gunicorn worker first; the arbiter logged
      // it and forked another (gunicorn/arbiter.py), in the awslogs group the task definition names.
      gunicornLines: [45, 29, 15].map((minutesAgo, k) => ({
        minutesAgo,
        message: `[2026-11-20 11:${String(60 - minutesAgo).padStart(2, "0")}:00 +0000] [1] [ERROR] Worker (pid:${41 + k * 7}) was sent SIGKILL! Perhaps out of memory?`,
      })),
      // Memory (% of the 384 MiB reservation; the kill comes at 133 %) climbs to each kill at 11:17, 11:33 and
      // 11:47, drops when the replacement task starts, and climbs again.
      metrics: {
        "ecs.MemoryUtilization": [
          ...ramp(70, 131, 18),
          ...ramp(62, 131, 16),
          ...ramp(62, 131, 14),
          ...ramp(60, 96, 12),
        ],
      },
    }),
  },
  "fleet-worker-oom": {
    description:
      'OOM kills that stop no task: under a morning of installs the containers\' memory cgroups OOM-kill single gunicorn workers (4 times in the hour); gunicorn logs "Worker (pid:…) was sent SIGKILL! Perhaps out of memory?" and forks another, so every task keeps running and ECS records no stop. ecs.oom-kills fails on the log lines; ecs.running-tasks passes.',
    sc: scenario({
      gunicornLines: [52, 38, 21, 7].map((minutesAgo, k) => ({
        minutesAgo,
        message: `[2026-11-20 11:${String(60 - minutesAgo).padStart(2, "0")}:00 +0000] [1] [ERROR] Worker (pid:${23 + k * 4}) was sent SIGKILL! Perhaps out of memory?`,
      })),
      // The busiest task at the hard limit each time a worker dies (133 % of the 384 MiB reservation), back
      // to ~100 % once the arbiter has forked a fresh worker.
      metrics: {
        "ecs.MemoryUtilization": [
          ...ramp(95, 133, 8),
          ...ramp(100, 133, 14),
          ...ramp(100, 133, 17),
          ...ramp(100, 133, 14),
          ...ramp(100, 118, 7),
        ],
      },
    }),
  },
  "fleet-burst-5xx": {
    description:
      "A CI burst on 2 × t3.small in standard credit mode: 3.2 % of requests end in 5xx (mostly ELB 502s), p95 14 s, CPU credits exhausted on one instance (held to baseline), CPU concentrated on it, and the image's gunicorn config left at the default 2 s keep-alive (shorter than the 60 s ALB idle timeout).",
    sc: scenario({
      instanceType: "t3.small",
      cpuCredits: "standard",
      keepAlive: undefined,
      metrics: {
        "alb.RequestCount": [...flat(200, 40), ...flat(4000, 20)],
        "alb.HTTPCode_ELB_5XX_Count": [...flat(0, 40), ...flat(150, 20)],
        "alb.HTTPCode_ELB_502_Count": [...flat(0, 40), ...flat(130, 20)],
        "alb.HTTPCode_ELB_504_Count": [...flat(0, 40), ...flat(20, 20)],
        "alb.HTTPCode_Target_5XX_Count": [...flat(0, 40), ...flat(10, 20)],
        "alb.TargetResponseTime.p95": [...flat(0.9, 40), ...flat(14, 20)],
        "ecs.CPUUtilization": [...flat(30, 40), ...flat(97, 20)],
        "ec2.CPUUtilization": (i) => (i === 0 ? [...flat(25, 40), ...flat(100, 20)] : flat(18)),
        "ec2.CPUCreditBalance": (i) => (i === 0 ? ramp(40, 0) : flat(120)),
      },
    }),
  },
  "fleet-unhealthy-targets": {
    description:
      "Unhealthy targets: two of four targets have failed health checks (timeouts) for 20 minutes, the service runs 2 of 4 desired tasks while its deployment keeps losing tasks, and its events say tasks are unhealthy in the target group.",
    sc: scenario({
      running: 2,
      rollout: "IN_PROGRESS",
      rolloutMinutesAgo: 25,
      failedTasks: 4,
      metrics: {
        "alb.UnHealthyHostCount": [...flat(0, 40), ...flat(2, 20)],
        "alb.HealthyHostCount": [...flat(4, 40), ...flat(2, 20)],
      },
      targets: [
        { id: instanceId(0), port: 32768, state: "healthy" },
        {
          id: instanceId(0),
          port: 32769,
          state: "unhealthy",
          reason: "Target.Timeout",
          description: "Request timed out",
        },
        { id: instanceId(1), port: 32770, state: "healthy" },
        {
          id: instanceId(1),
          port: 32771,
          state: "unhealthy",
          reason: "Target.FailedHealthChecks",
          description: "Health checks failed",
        },
      ],
      events: [
        {
          minutesAgo: 18,
          message:
            "(service pypiserver) (task 7f3a) (port 32769) is unhealthy in (target-group arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/pypiserver/73e2d6bc24d8a067) due to (reason Request timed out).",
        },
        { minutesAgo: 9, message: "(service pypiserver) has stopped 1 running tasks: (task 7f3a)." },
      ],
    }),
  },
  "fleet-rolling-deploy": {
    description:
      "A rolling deployment in progress (started 4 minutes ago): 3 of 4 tasks run, 1 is pending, one new target is in its initial health checks and one old target is draining. Normal: warnings naming the rollout, no failure.",
    sc: scenario({
      running: 3,
      pending: 1,
      rollout: "IN_PROGRESS",
      rolloutMinutesAgo: 4,
      // Four targets served until the old one started draining 4 minutes ago.
      metrics: { "alb.HealthyHostCount": [...flat(4, 56), ...flat(3, 4)] },
      events: [{ minutesAgo: 4, message: "(service pypiserver) has started 1 tasks: (task 5d1e7a0c2b)." }],
      stoppedTasks: [
        {
          minutesAgo: 3,
          exitCode: 0,
          stopCode: "ServiceSchedulerInitiated",
          stoppedReason: "Scaling activity initiated by (deployment ecs-svc/1234567890123456789)",
        },
      ],
      targets: [
        { id: instanceId(0), port: 32768, state: "healthy" },
        {
          id: instanceId(0),
          port: 32769,
          state: "draining",
          reason: "Target.DeregistrationInProgress",
          description: "Target deregistration is in progress",
        },
        { id: instanceId(1), port: 32770, state: "healthy" },
        { id: instanceId(1), port: 32771, state: "healthy" },
        {
          id: instanceId(1),
          port: 32772,
          state: "initial",
          reason: "Elb.InitialHealthChecking",
          description: "Initial health checks in progress",
        },
      ],
    }),
  },
  "fleet-t3-unlimited": {
    description:
      "The module's default instance type, 2 × t3.small in unlimited mode (the T3 launch default): CPU credits fall to zero during a busy hour and the instances keep bursting on surplus credits, nothing billed yet. Not throttled: ec2.cpu-credits passes.",
    sc: scenario({
      instanceType: "t3.small",
      cpuCredits: "unlimited",
      metrics: {
        "ec2.CPUUtilization": (i) =>
          i === 0 ? [...flat(25, 20), ...flat(70, 40)] : [...flat(22, 20), ...flat(65, 40)],
        "ec2.CPUCreditBalance": () => [...ramp(60, 0, 30), ...flat(0, 30)],
        "ec2.CPUSurplusCreditBalance": () => [...flat(0, 30), ...ramp(0.5, 18, 30)],
      },
    }),
  },
  "fleet-no-targets-503": {
    description:
      "Every target deregistered (the tasks crash-loop): the ALB answers 503 to everything. It publishes HTTPCode_ELB_503_Count but no RequestCount (counted only when a target can be chosen), so a ratio would show nothing: alb.5xx-rate and alb.target-health fail.",
    sc: scenario({
      running: 0,
      pending: 2,
      rollout: "IN_PROGRESS",
      rolloutMinutesAgo: 35,
      failedTasks: 6,
      targets: [],
      events: [
        {
          minutesAgo: 10,
          message:
            "(service pypiserver) is unable to consistently start tasks successfully. For more information, see the Troubleshooting section of the Amazon ECS Developer Guide.",
        },
      ],
      metrics: {
        "alb.RequestCount": [],
        "alb.TargetResponseTime.p95": [],
        "alb.HTTPCode_ELB_5XX_Count": [...flat(0, 25), ...ramp(20, 60, 35)],
        "alb.HTTPCode_ELB_503_Count": [...flat(0, 25), ...ramp(20, 60, 35)],
        "alb.UnHealthyHostCount": [],
        "alb.HealthyHostCount": [],
        "ecs.MemoryUtilization": [],
        "ecs.CPUUtilization": [],
      },
    }),
  },
  "fleet-bad-minute": {
    description:
      "A quiet hour (100 requests a minute) with one bad minute at 11:30: 10 % of its requests end in target 5xx while the hour's rate is 0.17 %. The worst minute fails alb.5xx-rate.",
    sc: scenario({
      metrics: {
        "alb.RequestCount": flat(100),
        "alb.HTTPCode_Target_5XX_Count": [...flat(0, 30), 10, ...flat(0, 29)],
      },
    }),
  },
};

const AWS_CHECKS = CHECKS.filter((c) => ["efs", "ecs", "alb", "ec2"].includes(c.id.split(".")[0]));

export async function gatherExample(sc, now = NOW) {
  const fleet = installFleet(sc, now);
  try {
    const evidence = await gather(neededSources(AWS_CHECKS), {
      target: fleetTarget(),
      window: WINDOW,
      settings: { ...DEFAULT_GATHER_SETTINGS, ssmInitialPollMs: 0, aws: new AwsClientPool() },
      load: async (id) => SOURCE_LOADERS[id]?.(),
      now: () => now,
    });
    return { evidence, calls: fleet.calls() };
  } finally {
    fleet.restore();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { TOOL_VERSION } = await import("../dist/version.js");
  for (const [name, { description, sc }] of Object.entries(EXAMPLES)) {
    const { evidence } = await gatherExample(sc);
    const bundle = makeBundle({
      version: TOOL_VERSION,
      window: WINDOW,
      target: fleetTarget(),
      evidence,
      now: NOW,
      description,
    });
    writeFileSync(
      new URL(`../examples/${name}.json`, import.meta.url),
      `${JSON.stringify(bundle, null, 2)}\n`,
    );
    console.log(`examples/${name}.json: ${Object.keys(evidence).length} sources`);
  }
}
