/**
 * The `size.load` source against strict aws-sdk-client-mock stubs (the simulated fleet; unexpected calls
 * fail): 14 days × 20 hosts in 3 GetMetricData calls, none over the 100,800-datapoint page, values placed
 * by timestamp (gaps stay null), the period CloudWatch keeps for the window's age, and faults that cost
 * only the series of the failed call.
 */
import { afterEach, describe, expect, it } from "vitest";
import { GetMetricDataCommand, type GetMetricDataCommandInput } from "@aws-sdk/client-cloudwatch";
import { DescribeAutoScalingGroupsCommand } from "@aws-sdk/client-auto-scaling";
import { installFleet, scenario, fleetTarget, type Fleet } from "../../fixtures/aws/sim.mjs";
import { gather } from "../../../src/checks/runner.js";
import { SOURCE_LOADERS } from "../../../src/sources/registry.js";
import { DEFAULT_GATHER_SETTINGS } from "../../../src/sources/context.js";
import { AwsClientPool } from "../../../src/sources/aws/pool.js";
import { packCalls, sizeCallBudget, sizePlan } from "../../../src/sources/aws/size-load.js";
import { resolutionFor, type SizeLoadEvidence } from "../../../src/capacity/evidence.js";
import type { Window } from "../../../src/window.js";

/** The source judges the window's age by the real clock (what CloudWatch still keeps today). */
const NOW = new Date(Math.floor(Date.now() / 300_000) * 300_000);
const DAY = 86_400_000;
const win = (days: number): Window => ({
  start: new Date(NOW.getTime() - days * DAY).toISOString(),
  end: NOW.toISOString(),
  since: `${days}d`,
});

let fleet: Fleet | undefined;
afterEach(() => fleet?.restore());

/** CloudWatch's answer to one call, paged at 100,800 datapoints; every 7th minute has no datapoint. */
function cloudwatch(f: Fleet, opts: { failWhen?: (q: GetMetricDataCommandInput) => Error | undefined } = {}) {
  const seen: Array<{ queries: number; points: number }> = [];
  f.mocks.cloudwatch.on(GetMetricDataCommand).callsFake(async (input: GetMetricDataCommandInput) => {
    const fault = opts.failWhen?.(input);
    if (fault) throw fault;
    const start = input.StartTime!.getTime();
    const end = input.EndTime!.getTime();
    const all = input.MetricDataQueries!.map((q) => {
      const p = q.MetricStat!.Period! * 1000;
      const ts: Date[] = [];
      const vs: number[] = [];
      for (let t = start; t < end; t += p) {
        if ((t / p) % 7 === 3) continue;
        ts.push(new Date(t));
        vs.push(q.Label === "requests" ? (t / 60_000) % 500 : 42);
      }
      return { q, ts, vs };
    });
    const points = all.reduce((a, x) => a + x.ts.length, 0);
    seen.push({ queries: all.length, points });
    if (points > 100_800) throw new Error(`test: ${points} datapoints in one call would page`);
    return {
      MetricDataResults: all.map(({ q, ts, vs }) => ({
        Id: q.Id,
        Label: q.Label,
        StatusCode: "Complete",
        Timestamps: ts,
        Values: vs,
      })),
      Messages: [],
    };
  });
  return seen;
}

async function gatherLoad(window: Window) {
  const ev = await gather(["size.load"], {
    target: fleetTarget(),
    window,
    settings: { ...DEFAULT_GATHER_SETTINGS, aws: new AwsClientPool() },
    load: async (id) => SOURCE_LOADERS[id]?.(),
    now: () => NOW,
  });
  return ev;
}

describe("size.load", () => {
  it("14 days × 20 hosts: 3 GetMetricData calls, each within one page", async () => {
    fleet = installFleet(scenario({ instances: 20, fsThroughputMode: "bursting" }), NOW);
    const seen = cloudwatch(fleet);
    const ev = await gatherLoad(win(14));
    const r = ev["size.load"]!;
    expect(r.ok).toBe(true);
    const v = (r as { value: SizeLoadEvidence }).value;
    expect(seen).toHaveLength(3);
    expect(v.calls).toBe(3);
    for (const c of seen) expect(c.points).toBeLessThanOrEqual(100_800);
    expect(Object.keys(v.series).filter((k) => k.startsWith("hostCpu."))).toHaveLength(20);
    expect(v.resolution).toMatchObject({ periodSeconds: 60, hostPeriodSeconds: 300 });
    // Values sit at their timestamps; the minutes CloudWatch did not answer stay null.
    const req = v.series.requests!;
    expect(req.values).toHaveLength(20_160);
    const i = req.values.findIndex((x) => x === null);
    expect(Math.round(Date.parse(req.start) / 60_000 + i) % 7).toBe(3);
    expect(req.values[i + 1]).toBe((Date.parse(req.start) / 60_000 + i + 1) % 500);
    expect(v.series.efsCredits).toBeDefined(); // bursting mode
    expect(v.autoScalingGroup).toMatchObject({ name: "pypiserver-asg", min: 1, max: 20 });
    expect(fleet.mocks.autoscaling.commandCalls(DescribeAutoScalingGroupsCommand).length).toBeGreaterThan(0);
  });

  it("a throttled call costs only its own series; the others are judged", async () => {
    fleet = installFleet(scenario({ instances: 20 }), NOW);
    cloudwatch(fleet, {
      failWhen: (q) =>
        q.MetricDataQueries!.some((x) => x.Label === "requests")
          ? Object.assign(new Error("Rate exceeded"), {
              name: "Throttling",
              $metadata: { httpStatusCode: 400 },
            })
          : undefined,
    });
    const ev = await gatherLoad(win(14));
    const v = (ev["size.load"] as { value: SizeLoadEvidence }).value;
    expect(v.series.requests).toMatchObject({ status: "Error", values: [] });
    expect(v.series.requests!.error).toMatch(/^throttled/);
    expect(Object.values(v.series).some((s) => s.status === "Complete" && s.values.length > 0)).toBe(true);
  });

  it("every call denied: the source fails as a whole, naming the action", async () => {
    fleet = installFleet(scenario({ instances: 2 }), NOW);
    cloudwatch(fleet, {
      failWhen: () =>
        Object.assign(new Error("User is not authorized to perform: cloudwatch:GetMetricData"), {
          name: "AccessDenied",
          $metadata: { httpStatusCode: 403 },
        }),
    });
    const r = (await gatherLoad(win(14)))["size.load"]!;
    expect(r.ok).toBe(false);
    expect(r).toMatchObject({ kind: "access-denied" });
  });

  it("a 30-day window reads 5-minute data, a 90-day one hourly", async () => {
    fleet = installFleet(scenario({ instances: 2 }), NOW);
    cloudwatch(fleet);
    const v30 = ((await gatherLoad(win(30)))["size.load"] as { value: SizeLoadEvidence }).value;
    expect(v30.resolution.periodSeconds).toBe(300);
    expect(v30.resolution.why).toContain("5-minute data (kept 63 days)");
    expect(v30.series.requests!.values).toHaveLength(30 * 288);
    expect(resolutionFor(new Date(NOW.getTime() - 90 * DAY), NOW)).toMatchObject({
      periodSeconds: 3600,
      hostPeriodSeconds: 3600,
    });
    expect(resolutionFor(new Date(NOW.getTime() - 15 * DAY), NOW).periodSeconds).toBe(60);
  });
});

describe("call packing", () => {
  it("never puts more than 100,800 datapoints or 500 queries in a call, and uses few calls", () => {
    const sizes = [20_160, 20_160, 4032, 4032, 100_800, 200_000, 1, 1];
    const calls = packCalls(sizes.map((points) => ({ points })));
    for (const c of calls)
      if (c.length > 1) expect(c.reduce((a, x) => a + x.points, 0)).toBeLessThanOrEqual(100_800);
    expect(calls.flat()).toHaveLength(sizes.length);
    const many = packCalls(Array.from({ length: 1200 }, () => ({ points: 1 })));
    expect(many.map((c) => c.length)).toEqual([500, 500, 200]);
  });

  it("budget: 14 d × 20 hosts is 3 calls; 14 d × 200 hosts at most 11", () => {
    const plan = (n: number) =>
      sizePlan({
        cluster: "c",
        service: "s",
        loadBalancer: "app/x/y",
        fileSystemId: "fs-1",
        efsBursting: true,
        instances: Array.from({ length: n }, (_, i) => `i-${i}`),
        periodSeconds: 60,
        hostPeriodSeconds: 300,
      }).specs;
    const end = NOW;
    const start = new Date(NOW.getTime() - 14 * DAY);
    expect(sizeCallBudget(plan(20), start, end, 300)).toBe(3);
    expect(sizeCallBudget(plan(200), start, end, 300)).toBeLessThanOrEqual(11);
  });
});
