/**
 * Issue 19, the time-series rows: each case an on-call engineer met, as evidence shaped like our examples
 * (the fleet of scripts/make-fleet-examples.mjs, 2 instances × 2 tasks), and what doctor must say.
 *
 * AWS facts relied on:
 * - EC2 basic monitoring (both fleets: `Monitoring.Enabled: false`, the module's launch template without a
 *   `monitoring` block) publishes one AWS/EC2 datapoint per 5 minutes, stamped at the interval's start
 *   (AWS docs ec2/viewing_metrics_with_cloudwatch; FACTS §9).
 * - EFS publishes its metrics every minute (AWS docs efs/efs-metrics); bursting file systems burst to at
 *   least 100 MiB/s (efs/performance "Bursting throughput").
 * - ALB metrics are 1-minute; UnHealthyHostCount/HealthyHostCount need TargetGroup+LoadBalancer; 5xx counts
 *   are published only when non-zero (AWS docs elasticloadbalancing/application/load-balancer-cloudwatch-metrics).
 * - A target stays `unused` Target.InvalidState while its instance is stopped, until deregistered
 *   (DescribeTargetHealth TargetHealth.Reason, botocore elbv2 service-2.json).
 * - pip's socket timeout is 15 s (`--timeout` default); the module's sizing expects p95 < 5 s in normal
 *   traffic (FACTS §2, §8). A percentile of fewer than 20 samples is their maximum (nearest rank).
 */
import { describe, expect, it } from "vitest";
import { ecsCpuUtilization } from "../../../src/checks/ecs/checks.js";
import { efsBurstCredits, efsPercentIoLimit } from "../../../src/checks/efs/checks.js";
import { alb5xxRate, albP95Latency, albTargetHealth } from "../../../src/checks/alb/checks.js";
import type { Check } from "../../../src/checks/model.js";
import { ev, fileSystem, metrics, run, targets } from "./evidence.js";

const c = (x: unknown) => x as Check;
const flat = (v: number, n = 60) => Array.from({ length: n }, () => v);
const ramp = (a: number, b: number, n: number) =>
  Array.from({ length: n }, (_, i) => a + ((b - a) * i) / Math.max(1, n - 1));
const FIVE_MIN = 300;
const instances = { instances: ["i-0a1b2c3d4e5f60001", "i-0a1b2c3d4e5f60002"] };

/** EC2 CPUUtilization for both instances as basic monitoring answers it: 12 points an hour. */
function cpu(busy: number[], other = flat(30, 12)) {
  return metrics(
    { "ec2.CPUUtilization.i-0a1b2c3d4e5f60001": busy, "ec2.CPUUtilization.i-0a1b2c3d4e5f60002": other },
    {
      context: instances,
      spacing: {
        "ec2.CPUUtilization.i-0a1b2c3d4e5f60001": FIVE_MIN,
        "ec2.CPUUtilization.i-0a1b2c3d4e5f60002": FIVE_MIN,
      },
    },
  );
}

describe("issue 19 rows: judged by time", () => {
  it("hosts at 100 % CPU for 45 min with 5-minute EC2 points: ecs.cpu-utilization fails and names basic monitoring", () => {
    // 11:15–12:00 at 100 %: nine 5-minute datapoints (the old count said "9 min").
    const f = run(c(ecsCpuUtilization), ev({ "cloudwatch.metrics": cpu([...flat(35, 3), ...flat(100, 9)]) }));
    expect(f).toMatchObject({ status: "fail", messageId: "high", data: { minutes: 45, peak: 100, busy: 1 } });
    expect(f.message).toContain("45 min");
    expect(f.message).toContain("11:15–12:00 UTC");
    expect(f.message).toMatch(/basic monitoring/);
    // One 5-minute point above 80 % is 5 minutes of saturation: a warning, not a pass.
    expect(
      run(c(ecsCpuUtilization), ev({ "cloudwatch.metrics": cpu([...flat(35, 6), 92, ...flat(35, 5)]) })),
    ).toMatchObject({ status: "warn", messageId: "short", data: { minutes: 5 } });
  });

  it("EFS PercentIOLimit at 100 % for 9 min, or three 6-min bursts in an hour: not a pass", () => {
    const nine = run(
      c(efsPercentIoLimit),
      ev({
        "cloudwatch.metrics": metrics({
          "efs.PercentIOLimit": [...flat(30, 40), ...flat(100, 9), ...flat(30, 11)],
        }),
      }),
    );
    expect(nine).toMatchObject({ status: "warn", messageId: "short", data: { minutes: 9, peak: 100 } });
    const bursts = [
      ...flat(30, 5),
      ...flat(100, 6),
      ...flat(30, 14),
      ...flat(100, 6),
      ...flat(30, 14),
      ...flat(100, 6),
      ...flat(30, 9),
    ];
    const three = run(
      c(efsPercentIoLimit),
      ev({ "cloudwatch.metrics": metrics({ "efs.PercentIOLimit": bursts }) }),
    );
    expect(three).toMatchObject({ status: "warn", data: { runs: 3, total: 18, minutes: 6 } });
    expect(three.message).toContain("18 min in 3 run(s)");
  });

  it("UnHealthyHostCount = 2 for 25 min with targets unhealthy.draining + initial: fails, not 'all targets serve'", () => {
    const f = run(
      c(albTargetHealth),
      ev({
        "elb.targets": targets({
          targets: [
            { id: "i-0a1b2c3d4e5f60001", port: 32768, state: "healthy" },
            {
              id: "i-0a1b2c3d4e5f60001",
              port: 32769,
              state: "unhealthy.draining",
              reason: "Target.DeregistrationInProgress",
            },
            { id: "i-0a1b2c3d4e5f60002", port: 32770, state: "healthy" },
            { id: "i-0a1b2c3d4e5f60002", port: 32771, state: "initial", reason: "Elb.InitialHealthChecking" },
          ],
        }),
        "cloudwatch.metrics": metrics({
          "alb.UnHealthyHostCount": [...flat(0, 35), ...flat(2, 25)],
          "alb.HealthyHostCount": [...flat(4, 35), ...flat(2, 25)],
        }),
      }),
    );
    expect(f).toMatchObject({ status: "fail", messageId: "unhealthy", data: { bad: 2, total: 4 } });
    expect(f.message).not.toMatch(/All targets serve/);
    expect(f.message).toContain("for the last 25 min");
  });

  it("a target unused / Target.InvalidState for an hour with HealthyHostCount halved: persistence beats the snapshot", () => {
    const snapshot = targets({
      targets: [
        { id: "i-0a1b2c3d4e5f60001", port: 32768, state: "healthy" },
        { id: "i-0a1b2c3d4e5f60001", port: 32769, state: "healthy" },
        {
          id: "i-0a1b2c3d4e5f60002",
          port: 32770,
          state: "unused",
          reason: "Target.InvalidState",
          description: "Target is in the stopped state",
        },
        {
          id: "i-0a1b2c3d4e5f60002",
          port: 32771,
          state: "unused",
          reason: "Target.InvalidState",
          description: "Target is in the stopped state",
        },
      ],
    });
    const stuck = run(
      c(albTargetHealth),
      ev({
        "elb.targets": snapshot,
        "cloudwatch.metrics": metrics({ "alb.HealthyHostCount": flat(2), "alb.UnHealthyHostCount": flat(0) }),
      }),
    );
    expect(stuck).toMatchObject({ status: "fail", data: { bad: 2 } });
    expect(stuck.message).toContain("HealthyHostCount at most 2 for the last 60 min");
    // The same snapshot 4 minutes into a scale-in is a transition.
    const fresh = run(
      c(albTargetHealth),
      ev({
        "elb.targets": snapshot,
        "cloudwatch.metrics": metrics({
          "alb.HealthyHostCount": [...flat(4, 56), ...flat(2, 4)],
          "alb.UnHealthyHostCount": flat(0),
        }),
      }),
    );
    expect(fresh).toMatchObject({ status: "warn", messageId: "transition" });
  });

  it("24 h window at 8 requests a minute, two minutes at 50 % 5xx: fails, and the text is true", () => {
    const n = 1440;
    const e5 = flat(0, n);
    e5[700] = 4;
    e5[1000] = 4;
    const f = run(
      c(alb5xxRate),
      ev({
        "cloudwatch.metrics": metrics({
          "alb.RequestCount": flat(8, n),
          "alb.HTTPCode_Target_5XX_Count": e5,
        }),
      }),
    );
    expect(f).toMatchObject({
      status: "fail",
      messageId: "bad-minute",
      data: { worstErrors: 4, worstRequests: 40, worstPct: 10 },
    });
    expect(f.message).toContain("in the 5-minute block from");
    expect(f.message).toContain("1440 minutes had fewer than 10 requests and were judged in 5-minute blocks");
    expect(f.message).not.toMatch(/worst minute 0/);
    // The observed series shows each minute at its block's share (what was judged), not 4 of 8 = 50 %.
    expect(Math.max(...f.observed!.series!.map(([, v]) => v))).toBe(10);
  });

  it("one stray 5xx in a quiet hour stays a pass, and says so truly", () => {
    const e5 = flat(0);
    e5[17] = 1;
    const f = run(
      c(alb5xxRate),
      ev({
        "cloudwatch.metrics": metrics({ "alb.RequestCount": flat(3), "alb.HTTPCode_Target_5XX_Count": e5 }),
      }),
    );
    expect(f.status).toBe("pass");
    expect(f.message).toContain("no minute or block had 2 or more 5xx");
  });

  const bursting = fileSystem({ throughputMode: "bursting" });
  it("BurstCreditBalance recharging 45 min then draining 15 min (empty in ~0.7 h): fails on the recent slope", () => {
    // +0.2e12/h for 45 min, then −1.2e12/h for 15 min: 0.85e12 left, drained in ~0.7 h at the recent rate
    // (the window's least-squares slope says ~30 h: the old check judged by it).
    const up = ramp(1.0e12, 1.15e12, 45);
    const down = ramp(1.15e12, 1.15e12 - (1.2e12 * 15) / 60, 16).slice(1);
    const f = run(
      c(efsBurstCredits),
      ev({
        "cloudwatch.metrics": metrics({ "efs.BurstCreditBalance": [...up, ...down] }),
        "efs.file-system": bursting,
      }),
    );
    expect(f).toMatchObject({ status: "fail", messageId: "running-out" });
    expect(f.data.hoursLeft).toBeCloseTo(0.7, 1);
    expect(f.message).toContain("the last 15 minutes' drain rate");
  });

  it("a flat 20 GB burst balance: below the module's 1e12 alarm, a 100 MiB/s burst lasts ~3 min: warns", () => {
    const f = run(
      c(efsBurstCredits),
      ev({
        "cloudwatch.metrics": metrics({ "efs.BurstCreditBalance": flat(20e9) }),
        "efs.file-system": bursting,
      }),
    );
    expect(f).toMatchObject({ status: "warn", messageId: "low", data: { nowGB: 20, burstMinutes: 3.2 } });
    expect(f.message).toContain("not draining");
  });

  it("p95 14 s for 40 min: fails (degraded: sizing says under 5 s, pip gives up at 15 s)", () => {
    const f = run(
      c(albP95Latency),
      ev({
        "cloudwatch.metrics": metrics({ "alb.TargetResponseTime.p95": [...flat(0.9, 20), ...flat(14, 40)] }),
      }),
    );
    expect(f).toMatchObject({ status: "fail", messageId: "degraded", data: { slowMinutes: 40, peak: 14 } });
    expect(f.message).toContain("11:20–12:00 UTC");
  });

  it("three quiet minutes whose 'p95' is one 25 s upload: not a failure; the widening is said", () => {
    const req = flat(1200);
    const p95 = flat(0.8);
    for (const i of [30, 31, 32]) {
      req[i] = 3;
      p95[i] = 25;
    }
    const f = run(
      c(albP95Latency),
      ev({ "cloudwatch.metrics": metrics({ "alb.RequestCount": req, "alb.TargetResponseTime.p95": p95 }) }),
    );
    expect(f.status).toBe("pass");
    expect(f.data.peak).toBe(0.8);
    expect(f.message).toContain("3 minutes had fewer than 20 requests");
    // The same three minutes with real traffic are three slow minutes: a sustained failure.
    const busy = run(
      c(albP95Latency),
      ev({ "cloudwatch.metrics": metrics({ "alb.TargetResponseTime.p95": p95 }) }),
    );
    expect(busy).toMatchObject({ status: "fail", messageId: "sustained", data: { minutes: 3 } });
  });
});

describe("a healthy default fleet gives no fail and no warn from the metric checks", () => {
  // One hour of a healthy 2 × c6a.large fleet: basic monitoring (5-minute EC2 points), CI bursts that lift
  // CPU and p95 for a few minutes, one stray 5xx, quiet minutes at 8 requests, a rolling deploy at 11:10
  // (one target draining 4 minutes while its replacement passes its initial checks) and a scale-out at 11:40
  // (4 → 6 targets).
  const req = flat(600);
  for (let i = 0; i < 10; i++) req[i] = 8; // a quiet start
  for (let i = 25; i < 29; i++) req[i] = 3000; // a CI burst
  const p95 = flat(0.9);
  for (let i = 0; i < 10; i++) p95[i] = i === 4 ? 25 : 0.6; // one slow 25 s upload among 8 requests
  for (let i = 25; i < 29; i++) p95[i] = 6.5; // the burst
  const e5 = flat(0);
  e5[37] = 1; // one stray 5xx
  const healthyCount = [...flat(4, 10), ...flat(3, 4), ...flat(4, 26), ...flat(5, 3), ...flat(6, 17)];
  const unhealthyCount = flat(0);
  const m = metrics(
    {
      "ec2.CPUUtilization.i-0a1b2c3d4e5f60001": [30, 28, 35, 33, 31, 72, 41, 36, 48, 30, 29, 31],
      "ec2.CPUUtilization.i-0a1b2c3d4e5f60002": [25, 27, 30, 29, 26, 66, 38, 33, 22, 21, 24, 25],
      "efs.PercentIOLimit": [...flat(10, 25), ...flat(45, 4), ...flat(12, 31)],
      "efs.BurstCreditBalance": ramp(2.1e12, 2.05e12, 60),
      "alb.RequestCount": req,
      "alb.TargetResponseTime.p95": p95,
      "alb.HTTPCode_Target_5XX_Count": e5,
      "alb.HealthyHostCount": healthyCount,
      "alb.UnHealthyHostCount": unhealthyCount,
    },
    {
      context: instances,
      spacing: {
        "ec2.CPUUtilization.i-0a1b2c3d4e5f60001": FIVE_MIN,
        "ec2.CPUUtilization.i-0a1b2c3d4e5f60002": FIVE_MIN,
      },
    },
  );
  const six = targets({
    targets: Array.from({ length: 6 }, (_, i) => ({
      id: i < 4 ? "i-0a1b2c3d4e5f60001" : "i-0a1b2c3d4e5f60002",
      port: 32768 + i,
      state: "healthy",
    })),
  });
  const evidence = ev({
    "cloudwatch.metrics": m,
    "elb.targets": six,
    "efs.file-system": fileSystem({ throughputMode: "bursting" }),
  });
  for (const check of [
    ecsCpuUtilization,
    efsPercentIoLimit,
    efsBurstCredits,
    alb5xxRate,
    albP95Latency,
    albTargetHealth,
  ])
    it(`${check.id}: pass`, () => {
      const f = run(c(check), evidence);
      expect(f.status, f.message).toBe("pass");
    });
  it("alb.5xx-rate and alb.p95-latency say how the quiet minutes were judged", () => {
    expect(run(c(alb5xxRate), evidence).message).toContain("10 minutes had fewer than 10 requests");
    expect(run(c(albP95Latency), evidence).message).toContain("10 minutes had fewer than 20 requests");
  });
});
