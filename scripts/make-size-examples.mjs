#!/usr/bin/env node
// Writes examples/size/*.json: long-window evidence bundles for `pypictl size --replay example:NAME`.
// Deterministic (seeded), shaped the way real fleets answer: ALB RequestCount and TargetResponseTime have
// no datapoint in a minute without requests, 5xx counts only when non-zero (FACTS §4), EC2 CPU one point
// per 5 minutes (basic monitoring, FACTS §9), EFS burst credits only in bursting mode, tasks replaced now
// and then (RunningTaskCount dips), and the window's resolution is what CloudWatch keeps for its age.
//   node scripts/make-size-examples.mjs
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const OUT = join(ROOT, "examples", "size");
const END = Date.parse("2026-11-20T12:00:00.000Z");
const REGION = "eu-west-1";
const ACCOUNT = "123456789012";
const LB = `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:loadbalancer/app/pypiserver/50dc6c495c0c9188`;
const TG = `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:targetgroup/pypiserver/73e2d6bc24d8a067`;
const FS = "fs-0123456789abcdef0";
const DAY = 86_400_000;

function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const r1 = (v) => Math.round(v * 10) / 10;
const r2 = (v) => Math.round(v * 100) / 100;

/** Working hours (UTC 07–18, Mon–Fri) weigh more: a CI/developer index's week. */
function businessWeight(t) {
  const d = new Date(t);
  const h = d.getUTCHours() + d.getUTCMinutes() / 60;
  const weekday = d.getUTCDay() >= 1 && d.getUTCDay() <= 5;
  const day = h >= 7 && h < 18 ? 0.6 + 0.4 * Math.sin(((h - 7) / 11) * Math.PI) : 0.08;
  return weekday ? day : day * 0.25;
}

function fleet({
  instanceType,
  hosts,
  min,
  max,
  desired,
  memory,
  reservation,
  cpu,
  workers,
  fsMode,
  fsBytes,
}) {
  const ids = Array.from({ length: hosts }, (_, i) => `i-0000000000a00000${i}`);
  const at = new Date(END).toISOString();
  const taskDef = `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/pypiserver:7`;
  return {
    ids,
    min,
    max,
    sources: {
      "ecs.service": {
        ok: true,
        at,
        value: {
          cluster: "pypiserver",
          service: "pypiserver",
          serviceArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:service/pypiserver/pypiserver`,
          status: "ACTIVE",
          launchType: "EC2",
          desiredCount: desired,
          runningCount: desired,
          pendingCount: 0,
          deployments: [
            {
              id: "ecs-svc/1234567890123456789",
              status: "PRIMARY",
              desired,
              running: desired,
              pending: 0,
              failedTasks: 0,
              rolloutState: "COMPLETED",
              taskDefinition: taskDef,
            },
          ],
          events: [],
          targetGroupArns: [TG],
          taskDefinition: {
            arn: taskDef,
            containers: [
              {
                name: "pypiserver",
                essential: true,
                memoryMiB: memory,
                memoryReservationMiB: reservation,
                cpu,
                image: "pypiserver/pypiserver:v2.4.1",
                command: [
                  "sh",
                  "-c",
                  `cat > /data/gunicorn.conf.py <<'EOF'\nworkers = ${workers}\nworker_class = "gevent"\nkeepalive = 75\nEOF\nexec /entrypoint.sh run -p 8080 --server gunicorn /data/packages`,
                ],
                keepAliveSeconds: 75,
              },
            ],
            fileSystemIds: [FS],
          },
        },
      },
      "fleet.instances": {
        ok: true,
        at,
        value: {
          via: "autoscaling-group",
          instances: ids.map((instanceId, i) => ({
            instanceId,
            instanceType,
            availabilityZone: `${REGION}${"ab"[i % 2]}`,
          })),
        },
      },
      "efs.file-system": {
        ok: true,
        at,
        value: {
          fileSystemId: FS,
          name: "pypiserver",
          performanceMode: "generalPurpose",
          throughputMode: fsMode,
          sizeBytes: fsBytes,
          lifeCycleState: "available",
        },
      },
      "elb.targets": {
        ok: true,
        at,
        value: {
          targetGroupArn: TG,
          loadBalancerArn: LB,
          targets: ids.flatMap((id, i) =>
            Array.from({ length: Math.ceil(desired / hosts) }, (_, j) => ({
              id,
              state: "healthy",
              port: 32768 + i * 10 + j,
            })),
          ),
          idleTimeoutSeconds: 60,
          deregistrationDelaySeconds: 30,
        },
      },
    },
  };
}

const series = (namespace, metric, dimensions, stat, period, start, values) => ({
  namespace,
  metric,
  dimensions,
  stat,
  period,
  start: new Date(start).toISOString(),
  values,
  status: "Complete",
});

/**
 * One example: `load(t, rand)` gives per-period truth { rpm, p95, err5xx, cpu, mem, efsIo, efsMbps, permittedMbps, credits }.
 */
function example({ name, description, days, period, seed, f, load, packageFiles, fleetKind = "stack" }) {
  const rand = rng(seed);
  const hostPeriod = Math.max(300, period);
  const start = END - days * DAY;
  const alignedStart = Math.ceil(start / (hostPeriod * 1000)) * hostPeriod * 1000;
  const alignedEnd = Math.floor(END / (hostPeriod * 1000)) * hostPeriod * 1000;
  const n = Math.floor((alignedEnd - alignedStart) / (period * 1000));
  const perMinute = period / 60;
  const cols = {
    requests: [],
    elb5xx: [],
    target5xx: [],
    p95: [],
    taskMemory: [],
    runningTasks: [],
    efsIo: [],
    efsCredits: [],
    efsMetered: [],
    efsPermitted: [],
  };
  const cpuTruth = [];
  for (let i = 0; i < n; i++) {
    const t = alignedStart + i * period * 1000;
    const x = load(t, rand);
    const count = Math.round(x.rpm * perMinute);
    cols.requests.push(count > 0 ? count : null);
    const errs = Math.round(count * (x.err5xx ?? 0));
    const elb = Math.round(errs * 0.7);
    cols.elb5xx.push(elb > 0 ? elb : null);
    cols.target5xx.push(errs - elb > 0 ? errs - elb : null);
    cols.p95.push(count > 0 ? r2(x.p95) : null);
    cols.taskMemory.push(r1(x.mem));
    // A task replaced now and then: a dip in the running count for one period.
    cols.runningTasks.push(rand() < 0.002 ? x.tasks - 1 : x.tasks);
    cols.efsIo.push(r1(x.efsIo));
    if (f.sources["efs.file-system"].value.throughputMode === "bursting")
      cols.efsCredits.push(Math.round(x.credits));
    cols.efsMetered.push(Math.round(x.efsMbps * 1048576 * period));
    cols.efsPermitted.push(Math.round(x.permittedMbps * 1048576));
    cpuTruth.push(x.cpu);
  }
  const svc = { ClusterName: "pypiserver", ServiceName: "pypiserver" };
  const lb = { LoadBalancer: "app/pypiserver/50dc6c495c0c9188" };
  const fs = { FileSystemId: FS };
  const s = {
    requests: series("AWS/ApplicationELB", "RequestCount", lb, "Sum", period, alignedStart, cols.requests),
    elb5xx: series(
      "AWS/ApplicationELB",
      "HTTPCode_ELB_5XX_Count",
      lb,
      "Sum",
      period,
      alignedStart,
      cols.elb5xx,
    ),
    target5xx: series(
      "AWS/ApplicationELB",
      "HTTPCode_Target_5XX_Count",
      lb,
      "Sum",
      period,
      alignedStart,
      cols.target5xx,
    ),
    p95: series("AWS/ApplicationELB", "TargetResponseTime", lb, "p95", period, alignedStart, cols.p95),
    taskMemory: series("AWS/ECS", "MemoryUtilization", svc, "Maximum", period, alignedStart, cols.taskMemory),
    runningTasks: series(
      "ECS/ContainerInsights",
      "RunningTaskCount",
      svc,
      "Average",
      period,
      alignedStart,
      cols.runningTasks,
    ),
    efsIo: series("AWS/EFS", "PercentIOLimit", fs, "Average", period, alignedStart, cols.efsIo),
    ...(cols.efsCredits.length
      ? {
          efsCredits: series(
            "AWS/EFS",
            "BurstCreditBalance",
            fs,
            "Minimum",
            period,
            alignedStart,
            cols.efsCredits,
          ),
        }
      : {}),
    efsMetered: series("AWS/EFS", "MeteredIOBytes", fs, "Sum", period, alignedStart, cols.efsMetered),
    efsPermitted: series(
      "AWS/EFS",
      "PermittedThroughput",
      fs,
      "Average",
      period,
      alignedStart,
      cols.efsPermitted,
    ),
  };
  // EC2 basic monitoring: the average of each 5-minute interval, stamped at its start; hosts differ a little.
  const per = hostPeriod / period;
  f.ids.forEach((id, h) => {
    const vals = [];
    for (let i = 0; i < cpuTruth.length; i += per) {
      const chunk = cpuTruth.slice(i, i + per);
      const avg = chunk.reduce((a, b) => a + b, 0) / chunk.length;
      vals.push(r1(Math.min(100, Math.max(0.5, avg * (1 + (h % 2 ? 0.04 : -0.04)) + (rand() - 0.5) * 2))));
    }
    s[`hostCpu.${id}`] = series(
      "AWS/EC2",
      "CPUUtilization",
      { InstanceId: id },
      "Average",
      hostPeriod,
      alignedStart,
      vals,
    );
  });
  const why =
    period === 60
      ? "1-minute data (kept 15 days)"
      : period === 300
        ? "5-minute data (kept 63 days)"
        : "1-hour data (kept 455 days)";
  const points = Object.values(s).reduce((a, x) => a + x.values.length, 0);
  const bundle = {
    $schema: "https://pypictl.dev/schemas/evidence.v1.json",
    kind: "pypictl-evidence",
    schemaVersion: 1,
    tool: { name: "pypictl", version: "0.1.0" },
    createdAt: new Date(END).toISOString(),
    window: { start: new Date(start).toISOString(), end: new Date(END).toISOString(), since: `${days}d` },
    target: {
      kind: "fleet",
      region: REGION,
      ...(fleetKind === "stack" ? { stack: "pypiserver" } : {}),
      cluster: "pypiserver",
      service: "pypiserver",
      autoScalingGroup: "pypiserver-asg",
    },
    description,
    sources: {
      ...f.sources,
      // pypiserver's front page, "serving N packages" (src/sources/http/package-count.ts).
      "http.package-count": {
        ok: true,
        at: new Date(END).toISOString(),
        value: {
          url: "https://pypi.example.com",
          files: packageFiles,
          ms: 40 + Math.round(packageFiles * 0.014),
        },
      },
      "size.load": {
        ok: true,
        at: new Date(END).toISOString(),
        value: {
          start: new Date(alignedStart).toISOString(),
          end: new Date(alignedEnd).toISOString(),
          resolution: {
            periodSeconds: period,
            hostPeriodSeconds: hostPeriod,
            why: `${why}: the window starts ${days} days ago`,
          },
          series: s,
          autoScalingGroup: { name: "pypiserver-asg", min: f.min, max: f.max, desired: f.ids.length },
          unavailable: {},
          calls: Math.ceil(points / 100_800),
          fleetKind,
        },
      },
    },
  };
  mkdirSync(OUT, { recursive: true });
  writeFileSync(join(OUT, `${name}.json`), `${JSON.stringify(bundle)}\n`);
  console.log(`${name}: ${n} periods of ${period} s, ${points} values`);
}

// 1. A medium fleet (2×c6a.large) that CI pipelines outgrew: bursts of 350–480 requests/min three times a
// working day, p95 climbing to 9–14 s and host CPU to the mid-90s in them; quiet otherwise.
{
  const f = fleet({
    instanceType: "c6a.large",
    hosts: 2,
    min: 2,
    max: 4,
    desired: 6,
    memory: 512,
    reservation: 384,
    cpu: 640,
    workers: 4,
    fsMode: "elastic",
    fsBytes: 40 * 2 ** 30,
  });
  const burstAt = new Set();
  const rb = rng(7);
  for (let d = 0; d < 7; d++) {
    const day = END - (d + 1) * DAY;
    const wd = new Date(day).getUTCDay();
    if (wd === 0 || wd === 6) continue;
    for (const hour of [8, 12, 16]) {
      const s0 = Math.floor(
        (Math.floor(day / DAY) * DAY + hour * 3_600_000 + Math.floor(rb() * 40) * 60_000) / 60_000,
      );
      const len = 6 + Math.floor(rb() * 8);
      for (let k = 0; k < len; k++) burstAt.add(s0 + k);
    }
  }
  example({
    name: "undersized-ci-bursts",
    packageFiles: 1_850,
    description:
      "A medium fleet (2×c6a.large) outgrown by CI: bursts of 350–480 requests/min three times a working day, p95 9–14 s and host CPU in the 90s during them (7 days, 1-minute data).",
    days: 7,
    period: 60,
    seed: 11,
    f,
    load: (t, rand) => {
      const base = 20 + 60 * businessWeight(t) + rand() * 10;
      const burst = burstAt.has(Math.floor(t / 60_000));
      const rpm = burst ? 350 + rand() * 130 : base;
      const cpu = Math.min(98, 6 + rpm * 0.2 + rand() * 3);
      return {
        rpm,
        p95: burst ? 9 + rand() * 5 : 0.6 + rand() * 0.8,
        err5xx: burst ? 0.01 + rand() * 0.02 : 0,
        cpu,
        mem: 58 + rand() * 10 + (burst ? 12 : 0),
        tasks: 6,
        efsIo: 8 + rand() * 4 + (burst ? 15 : 0),
        efsMbps: 2 + rpm * 0.02,
        permittedMbps: 1536,
      };
    },
  });
}

// 2. A heavy fleet (2×c6a.xlarge, 12 tasks) for a team of five: at most ~25 requests/min, CPU under 6 %.
{
  const f = fleet({
    instanceType: "c6a.xlarge",
    hosts: 2,
    min: 2,
    max: 4,
    desired: 12,
    memory: 512,
    reservation: 384,
    cpu: 640,
    workers: 4,
    fsMode: "elastic",
    fsBytes: 3 * 2 ** 30,
  });
  example({
    name: "oversized-idle",
    packageFiles: 140,
    description:
      "A heavy fleet (2×c6a.xlarge, 12 tasks) serving a small team: bursts of ~25 requests/min, host CPU under 6 %, nights without a request (30 days, 5-minute data).",
    days: 30,
    period: 300,
    seed: 23,
    f,
    load: (t, rand) => {
      const w = businessWeight(t);
      const rpm = w < 0.1 ? (rand() < 0.3 ? rand() * 2 : 0) : w * 14 + rand() * (rand() < 0.02 ? 14 : 4);
      return {
        rpm,
        p95: 0.3 + rand() * 0.3,
        err5xx: 0,
        cpu: 1.5 + rpm * 0.12 + rand(),
        mem: 38 + rand() * 6,
        tasks: 12,
        efsIo: 1 + rand(),
        efsMbps: 0.2 + rpm * 0.01,
        permittedMbps: 1536,
      };
    },
  });
}

// 3. A medium fleet on a bursting EFS of 12 GiB holding 1,800 packages: baseline 1 MiB/s (50 KiB/s per
// GiB, at least 1 MiB/s: FACTS §4), burst credits drain every working day and throughput is pinned at
// the permitted rate while CPU stays near 30 %. A bigger instance would not help; elastic throughput would.
{
  const f = fleet({
    instanceType: "c6a.large",
    hosts: 2,
    min: 2,
    max: 4,
    desired: 6,
    memory: 512,
    reservation: 384,
    cpu: 640,
    workers: 4,
    fsMode: "bursting",
    fsBytes: 12 * 2 ** 30,
  });
  let credits = 2.1e12;
  example({
    name: "efs-bound",
    packageFiles: 12_400,
    description:
      "A medium fleet on a 12 GiB bursting EFS with 1,800 packages: burst credits drain each working day, throughput pinned at the permitted rate, p95 6–9 s, host CPU ~30 % — a bigger instance would not help (21 days, 5-minute data).",
    days: 21,
    period: 300,
    seed: 37,
    f,
    load: (t, rand) => {
      const w = businessWeight(t);
      const rpm = 15 + w * 110 + rand() * 15;
      const wantMbps = 0.5 + rpm * 0.9;
      // Bursting: 100 MiB/s while credits last, else the 1 MiB/s baseline; credits earned at baseline.
      const permitted = credits > 1e9 ? 100 : 1;
      const used = Math.min(wantMbps, permitted);
      credits = Math.max(0, Math.min(2.1e12, credits + (1 - used) * 1048576 * 300));
      const starved = wantMbps > permitted;
      return {
        rpm,
        p95: starved ? 6 + rand() * 3 : 0.8 + rand() * 0.6,
        err5xx: starved ? 0.004 * rand() : 0,
        cpu: 12 + rpm * 0.12 + rand() * 3,
        mem: 55 + rand() * 8,
        tasks: 6,
        efsIo: starved ? 35 + rand() * 10 : 10 + rand() * 5,
        efsMbps: used,
        permittedMbps: permitted,
        credits,
      };
    },
  });
}
