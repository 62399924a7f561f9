/**
 * The documented GetMetricData call budget (README, Performance): long windows coarsen their period so no
 * series exceeds 1,440 points, and batches are sized so one call's datapoints fit one page (≤ 100,800), so
 * the call count is known before the run. The table below is the README's; the gathering test counts calls.
 */
import { afterEach, describe, expect, it } from "vitest";
import fc from "fast-check";
import { GetMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import {
  MAX_DATAPOINTS_PER_CALL,
  MAX_QUERIES_PER_CALL,
  alignedWindow,
  metricCallBudget,
  metricPlan,
  periodFor,
  queriesPerCall,
} from "../../../src/sources/aws/cloudwatch.js";
import { installFleet, scenario, fleetTarget, instanceId, type Fleet } from "../../fixtures/aws/sim.mjs";
import { gather } from "../../../src/checks/runner.js";
import { AwsClientPool } from "../../../src/sources/aws/pool.js";
import { SETTINGS, load } from "../fleet/harness.js";
import type { Window } from "../../../src/checks/model.js";

const END = new Date("2026-11-20T12:00:00Z");
const windowOf = (hours: number): Window => ({
  start: new Date(END.getTime() - hours * 3_600_000).toISOString(),
  end: END.toISOString(),
  since: `${hours}h`,
});
/** Series of a full plan: 16 fleet-level, and 4 per burstable (t3) instance — the largest plan. */
const seriesFor = (n: number) =>
  metricPlan({
    cluster: "c",
    service: "s",
    fileSystemId: "fs",
    loadBalancer: "app/x/1",
    targetGroup: "targetgroup/x/1",
    instances: Array.from({ length: n }, (_, i) => ({ instanceId: instanceId(i), instanceType: "t3.small" })),
  }).specs.length;

let fleet: Fleet | undefined;
afterEach(() => fleet?.restore());

describe("GetMetricData call budget", () => {
  it.each([
    [1, 1, 1, 1],
    [50, 1, 4, 4],
    [200, 2, 12, 12],
  ])(
    "%i t3 instances: 1 h → %i call(s), 24 h → %i, 15 d → %i (the README table)",
    (n, hour, day, fortnight) => {
      const series = seriesFor(n);
      expect([
        metricCallBudget(series, windowOf(1)),
        metricCallBudget(series, windowOf(24)),
        metricCallBudget(series, windowOf(360)),
      ]).toEqual([hour, day, fortnight]);
    },
  );

  it("any window up to 15 days: ≤ 1,440 points a series, ≤ 100,800 datapoints and ≤ 500 queries a call", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 360 * 60 }),
        fc.integer({ min: 1, max: 2000 }),
        (minutes, series) => {
          const w: Window = {
            start: new Date(END.getTime() - minutes * 60_000).toISOString(),
            end: END.toISOString(),
            since: `${minutes}m`,
          };
          const period = periodFor(w);
          const { start, end } = alignedWindow(w, period);
          const points = Math.ceil((end.getTime() - start.getTime()) / (period * 1000));
          expect(points).toBeLessThanOrEqual(1441); // aligned to the period: one partial bucket at most
          const perCall = queriesPerCall(points);
          expect(perCall).toBeLessThanOrEqual(MAX_QUERIES_PER_CALL);
          expect(perCall * points).toBeLessThanOrEqual(MAX_DATAPOINTS_PER_CALL);
          expect(metricCallBudget(series, w)).toBe(Math.ceil(series / perCall));
        },
      ),
    );
  });

  it("gathering 200 t3 instances over 24 h makes exactly the budgeted calls, each within one page", async () => {
    const day = windowOf(24);
    fleet = installFleet(scenario({ instances: 200, instanceType: "t3.small" }), END);
    const ev = await gather(["cloudwatch.metrics"], {
      target: fleetTarget(),
      window: day,
      settings: { ...SETTINGS, aws: new AwsClientPool() },
      load,
      now: () => END,
    });
    expect(ev["cloudwatch.metrics"]?.ok).toBe(true);
    const calls = fleet.mocks.cloudwatch.commandCalls(GetMetricDataCommand);
    expect(calls).toHaveLength(metricCallBudget(seriesFor(200), day));
    for (const c of calls)
      expect(c.args[0].input.MetricDataQueries!.length * 1440).toBeLessThanOrEqual(MAX_DATAPOINTS_PER_CALL);
  });
});
