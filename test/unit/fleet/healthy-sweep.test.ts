/**
 * Issue 19: "A healthy default fleet — either deployment path, 5-minute EC2 monitoring, one stray 5xx an
 * hour, parked swap, rolling deploys and scale-outs — gives no fail and no warn." Every registered check,
 * end to end: the real sources against the simulated fleet (strict SDK mocks, shaped per the botocore models),
 * the host probe's output over SSM, and the index probe against a pypiserver stand-in on 127.0.0.1.
 *
 * What a healthy hour of each fleet holds (facts cited where they shape the fixture):
 * - EC2 basic monitoring on both paths (our launch template `Monitoring.Enabled: false`; the module's has no
 *   `monitoring` block): one AWS/EC2 datapoint per 5 minutes (the sim answers so, FACTS §9).
 * - A CI burst at 11:25 (4 min: CPU 60 %, p95 4 s, PercentIOLimit 40 %) and one stray target 5xx at 11:37
 *   (ALB 5xx counts are published only when non-zero: load-balancer-cloudwatch-metrics docs).
 * - A rolling deploy at 11:05 that completed: the old task definition's tasks stopped by the scheduler
 *   (stopCode ServiceSchedulerInitiated, "Scaling activity initiated by (deployment …)", botocore ecs Task),
 *   HealthyHostCount dips by one while a target drains, ECS logs "deployment completed" and "has reached a
 *   steady state" (service-event-messages docs).
 * - A scale-out at 11:30 from 2 to 3 instances and 4 to 6 tasks, finished by 11:34 (the new host's tasks
 *   have run 26 minutes; the module's instance_warmup_period is 300 s).
 * - Module hosts carry a 2×RAM swapfile (terraform-aws-ecs datasources.tf): 700 MiB parked, one 4 KiB/s
 *   page-in in one vmstat sample.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CHECKS } from "../../../src/checks/registry.js";
import { runDoctor } from "../../../src/checks/doctor.js";
import { AwsClientPool } from "../../../src/sources/aws/pool.js";
import { parseTerraformOutputs } from "../../../src/sources/target/terraform.js";
import type { FleetTarget } from "../../../src/sources/target/model.js";
import {
  ASG,
  CLUSTER,
  LB_ARN,
  SECRET_ARN,
  SERVICE,
  SERVICE_ARN,
  TASK_DEF_ARN,
  fleetTarget,
  installFleet,
  scenario,
  type Fleet,
  type Scenario,
} from "../../fixtures/aws/sim.mjs";
import { FakePypiServer } from "../../integration/creds/fake-pypiserver.js";
import { fixture, withSection } from "../host/fixtures.js";
import { NOW, SETTINGS, WINDOW, load } from "./harness.js";

const flat = (v: number, n: number) => Array.from({ length: n }, () => v);
const USER = "ci-reader";
const PASSWORD = "Xq7vLm2pRt9sWk4nHb8cJ";

let fleet: Fleet | undefined;
afterEach(() => fleet?.restore());

let index: FakePypiServer;
const home = mkdtempSync(join(tmpdir(), "pypictl-sweep-home-"));
beforeAll(async () => {
  index = await new FakePypiServer({ username: USER, password: PASSWORD }).start();
  // A pip.conf that points at the index with the right (percent-encoded) credentials.
  writeFileSync(
    join(home, "pip.conf"),
    `[global]\nindex-url = ${index.url.replace("//", `//${USER}:${encodeURIComponent(PASSWORD)}@`)}/simple/\n`,
  );
});
afterAll(async () => {
  await index.stop();
  rmSync(home, { recursive: true, force: true });
});

/** A healthy host's probe (v4: gunicorn's processes, no OOM counters), optionally with parked swap. */
function hostProbe(parkedSwap: boolean): string {
  let out = fixture("probe-module-host.txt");
  if (parkedSwap) {
    const rows = [
      "--procs-- -----------------------memory---------------------- ---swap-- -----io---- -system-- --------cpu--------",
      "   r    b         swpd         free         buff        cache   si   so    bi    bo   in   cs  us  sy  id  wa  st",
      "   0    0       716800       412300         2124       988012    3    9    12    21  190  350   3   1  95   1   0",
      "   0    0       716800       412300         2124       988012    0    0     0    16  210  390   4   2  94   0   0",
      "   0    0       716796       412296         2124       988012    4    0     4    16  210  390   6   2  91   1   0",
      "   0    0       716796       412296         2124       988012    0    0     0    16  210  390   3   2  95   0   0",
      "   0    0       716796       412296         2124       988012    0    0     0    16  210  390   5   2  93   0   0",
    ];
    out = withSection(out, "vmstat", rows.join("\n"));
    out = withSection(
      out,
      "free",
      [
        "               total        used        free      shared  buff/cache   available",
        "Mem:           1923         622         402           1         898        1129",
        "Swap:           3846         700        3146",
      ].join("\n"),
    );
    out = out
      .replace(/^SwapTotal:.*$/m, "SwapTotal:       3938408 kB")
      .replace(/^SwapFree:.*$/m, "SwapFree:        3221608 kB");
  }
  return `${out}==> pypictl:procs <==\npypictl.gunicorn=3 2\n<== pypictl:procs status=ok ==>\n==> pypictl:oom <==\npypictl.cgroup=v2\n<== pypictl:oom status=ok ==>\n`;
}

/** One healthy hour (see the file comment), as the sim's per-minute scenario values. */
function healthyHour(over: Partial<Scenario>): Scenario {
  const requests = [...flat(1200, 25), ...flat(4000, 4), ...flat(1200, 31)];
  // HealthyHostCount: 4 targets; one drains 11:05–11:08 in the rolling deploy; 6 from 11:34 (scale-out).
  const healthy = [...flat(4, 5), ...flat(3, 4), ...flat(4, 25), ...flat(5, 2), ...flat(6, 24)];
  const base = scenario({
    instances: 3,
    desired: 6,
    running: 6,
    startedMinutesAgo: [55, 55, 26],
    deployments: [
      {
        id: "ecs-svc/7777777777777777777",
        status: "PRIMARY",
        rolloutState: "COMPLETED",
        rolloutStateReason: "ECS deployment ecs-svc/7777777777777777777 completed.",
        desiredCount: 6,
        runningCount: 6,
        pendingCount: 0,
        failedTasks: 0,
        taskDefinition: TASK_DEF_ARN,
        createdMinutesAgo: 55,
        updatedMinutesAgo: 26,
      },
    ],
    events: [
      {
        minutesAgo: 55,
        message: `(service ${SERVICE}) has started 2 tasks: (task 5d1e7a0c2b) (task 6e2f8b1d3c).`,
      },
      {
        minutesAgo: 52,
        message: `(service ${SERVICE}) has stopped 2 running tasks: (task 0a1b2c3d4e) (task 1b2c3d4e5f).`,
      },
      {
        minutesAgo: 50,
        message: `(service ${SERVICE}) (deployment ecs-svc/7777777777777777777) deployment completed.`,
      },
      { minutesAgo: 49, message: `(service ${SERVICE}) has reached a steady state.` },
      {
        minutesAgo: 30,
        message: `(service ${SERVICE}) has started 2 tasks: (task 7f3a9c0d1e) (task 8a4b0d1e2f).`,
      },
      { minutesAgo: 25, message: `(service ${SERVICE}) has reached a steady state.` },
    ],
    stoppedTasks: [52, 51].map((minutesAgo) => ({
      minutesAgo,
      exitCode: 0,
      stopCode: "ServiceSchedulerInitiated",
      stoppedReason: "Scaling activity initiated by (deployment ecs-svc/7777777777777777777)",
      taskDefinitionArn: TASK_DEF_ARN.replace(/:7$/, ":6"),
    })),
    targets: Array.from({ length: 6 }, (_, i) => ({
      id: `i-${(0x0a000000 + Math.floor(i / 2)).toString(16).padStart(17, "0")}`,
      port: 32768 + i,
      state: "healthy",
    })),
    metrics: {
      "alb.RequestCount": requests,
      "alb.TargetResponseTime.p95": [...flat(0.8, 25), ...flat(4, 4), ...flat(0.8, 31)],
      "alb.HTTPCode_Target_5XX_Count": [...flat(0, 37), 1, ...flat(0, 22)],
      "alb.HealthyHostCount": healthy,
      "alb.UnHealthyHostCount": flat(0, 60),
      // The third instance idles until its tasks start at 11:34.
      "ec2.CPUUtilization": (i: number) =>
        i === 2 ? [...flat(1, 34), ...flat(30, 26)] : [...flat(30, 25), ...flat(60, 4), ...flat(30, 31)],
      "efs.PercentIOLimit": [...flat(12, 25), ...flat(40, 4), ...flat(12, 31)],
      "ecs.CPUUtilization": [...flat(35, 25), ...flat(70, 4), ...flat(35, 31)],
      "ecs.MemoryUtilization": flat(60, 60),
    },
    gunicornLines: [],
    ...over,
  });
  return base;
}

/** The module's `terraform output -json` (FACTS §1: no efs_file_system_id, no target_group_arn). */
function moduleTarget(url: string): FleetTarget {
  const outputs = {
    pypi_server_urls: { sensitive: false, type: ["list", "string"], value: [url] },
    ecs_cluster_name: { sensitive: false, type: "string", value: CLUSTER },
    ecs_service_name: { sensitive: false, type: "string", value: SERVICE },
    ecs_service_arn: { sensitive: false, type: "string", value: SERVICE_ARN },
    pypi_load_balancer_arn: { sensitive: false, type: "string", value: LB_ARN },
    pypi_user_secret_arn: { sensitive: false, type: "string", value: SECRET_ARN },
    asg_name: { sensitive: false, type: "string", value: ASG },
  };
  return { kind: "fleet", ...parseTerraformOutputs(JSON.stringify(outputs), "outputs.json").target };
}

async function sweep(sc: Scenario, target: FleetTarget) {
  fleet = installFleet(sc, NOW);
  const report = await runDoctor({
    checks: CHECKS,
    overrides: {},
    window: WINDOW,
    target,
    settings: {
      ...SETTINGS,
      aws: new AwsClientPool(),
      credentials: { username: USER, password: PASSWORD },
      clientEnv: { HOME: home, PIP_CONFIG_FILE: join(home, "pip.conf"), XDG_CONFIG_DIRS: join(home, "none") },
    } as typeof SETTINGS,
    toolVersion: "0.0.0-test",
    load,
    now: () => NOW,
  });
  return report.report.findings;
}

const verdicts = (fs: Array<{ checkId: string; status: string; message: string }>) =>
  fs.map((f) => `${f.checkId}: ${f.status} — ${f.message}`).join("\n");

describe("a healthy default fleet: no check fails or warns", () => {
  it("pypictl's stack (2→3 × c6a.large, elastic EFS, its gunicorn.conf.py with keep-alive 75 s)", async () => {
    const findings = await sweep(
      healthyHour({ probeStdout: hostProbe(false) }),
      fleetTarget({ url: index.url }),
    );
    expect(findings).toHaveLength(CHECKS.length);
    const bad = findings.filter((f) => f.status === "fail" || f.status === "warn" || f.status === "error");
    expect(bad, verdicts(findings)).toEqual([]);
  }, 60_000);

  it("the Terraform module (t3.small unlimited, its mounted gunicorn.conf.py, parked swap)", async () => {
    const findings = await sweep(
      healthyHour({
        module: true,
        instanceType: "t3.small",
        cpuCredits: "unlimited",
        probeStdout: hostProbe(true),
        metrics: {
          ...healthyHour({}).metrics,
          "ec2.CPUCreditBalance": () => flat(150, 60),
        },
      }),
      moduleTarget(index.url),
    );
    expect(findings).toHaveLength(CHECKS.length);
    const bad = findings.filter((f) => f.status === "fail" || f.status === "warn" || f.status === "error");
    expect(bad, verdicts(findings)).toEqual([]);
    // Said, not passed: the module's mounted config hides its keep-alive.
    expect(findings.find((f) => f.checkId === "alb.idle-timeout")).toMatchObject({
      status: "skip",
      messageId: "config-mounted",
    });
    // The parked swap and the lone page-in are named as harmless.
    expect(findings.find((f) => f.checkId === "host.swap-used")?.status).toBe("pass");
  }, 60_000);
});
