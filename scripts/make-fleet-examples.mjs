#!/usr/bin/env node
// Regenerate examples/fleet-*.json: run the real AWS sources (dist/, so `npm run build` first) against
// the simulated fleet of test/fixtures/aws/sim.mjs (strict aws-sdk-client-mock stubs) and save each run
// as a replayable evidence bundle. `pypictl doctor --replay examples/fleet-oom-kills.json` reproduces it.
import { writeFileSync } from "node:fs";
import { gather, neededSources } from "../dist/checks/runner.js";
import { CHECKS } from "../dist/checks/registry.js";
import { SOURCE_LOADERS } from "../dist/sources/registry.js";
import { DEFAULT_GATHER_SETTINGS } from "../dist/sources/context.js";
import { makeBundle } from "../dist/evidence/bundle.js";
import { resetClients } from "../dist/sources/aws/shared.js";
import { installFleet, scenario, fleetTarget, instanceId } from "../test/fixtures/aws/sim.mjs";

const NOW = new Date("2026-11-20T12:00:00Z");
const WINDOW = { start: "2026-11-20T11:00:00.000Z", end: "2026-11-20T12:00:00.000Z", since: "1h" };
const flat = (v, n = 60) => Array.from({ length: n }, () => v);
const ramp = (a, b, n = 60) => Array.from({ length: n }, (_, i) => a + ((b - a) * i) / (n - 1));
const MIB = 1048576;

export const EXAMPLES = {
  "fleet-healthy": {
    description: "A healthy 2-instance fleet (c6a.large, elastic EFS): every AWS check passes; ALB keep-alive is 75 s over a 60 s idle timeout.",
    sc: scenario(),
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
      "OOM: three tasks stopped with OutOfMemoryError (exit 137) in the last hour; MemoryUtilization peaked at 131 % of the 384 MiB reservation, i.e. 98 % of the 512 MiB hard limit.",
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
      metrics: { "ecs.MemoryUtilization": [...ramp(70, 131, 30), ...ramp(75, 128, 30)] },
    }),
  },
  "fleet-burst-5xx": {
    description:
      "A CI burst on 2 × t3.small: 3.2 % of requests end in 5xx (mostly ELB 502s), p95 14 s, CPU credits exhausted on one instance, CPU concentrated on it, and gunicorn's keep-alive left at its default (shorter than the 60 s ALB idle timeout).",
    sc: scenario({
      instanceType: "t3.small",
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
      "Unhealthy targets: two of four targets fail health checks (timeouts), the service runs 2 of 4 desired tasks and its events say tasks are unhealthy in the target group.",
    sc: scenario({
      running: 2,
      rollout: "IN_PROGRESS",
      failedTasks: 4,
      targets: [
        { id: instanceId(0), port: 32768, state: "healthy" },
        { id: instanceId(0), port: 32769, state: "unhealthy", reason: "Target.Timeout", description: "Request timed out" },
        { id: instanceId(1), port: 32770, state: "healthy" },
        { id: instanceId(1), port: 32771, state: "unhealthy", reason: "Target.FailedHealthChecks", description: "Health checks failed" },
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
};

const AWS_CHECKS = CHECKS.filter((c) => ["efs", "ecs", "alb", "ec2"].includes(c.id.split(".")[0]));

export async function gatherExample(sc, now = NOW) {
  const fleet = installFleet(sc, now);
  try {
    resetClients();
    const evidence = await gather(neededSources(AWS_CHECKS), {
      target: fleetTarget(),
      window: WINDOW,
      settings: { ...DEFAULT_GATHER_SETTINGS, ssmInitialPollMs: 0 },
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
    const bundle = makeBundle({ version: TOOL_VERSION, window: WINDOW, target: fleetTarget(), evidence, now: NOW, description });
    writeFileSync(new URL(`../examples/${name}.json`, import.meta.url), `${JSON.stringify(bundle, null, 2)}\n`);
    console.log(`examples/${name}.json: ${Object.keys(evidence).length} sources`);
  }
}
