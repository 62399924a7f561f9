/**
 * Validation of packed points (a bundle's series as the bundle parser holds them) names the same first
 * problem as validation of the same bundle as plain JSON.parse arrays: which series, which point, time
 * or value — for bundles with bad times, negative or absurd values anywhere, shared or own time axes.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseWithPoints } from "../../../src/evidence/points-json.js";
import { validateBundleValues } from "../../../src/evidence/validate.js";
import { packedPointsOf } from "../../../src/sources/aws/packed-points.js";

const problem = (value: unknown): string | undefined => {
  try {
    validateBundleValues(value, "b.json");
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
};

const START = Date.parse("2026-11-20T11:00:00Z");
const goodTime = (i: number) => new Date(START + i * 60_000).toISOString();
const time = (i: number) =>
  fc.oneof(
    { weight: 12, arbitrary: fc.constant(goodTime(i)) },
    fc.constant("yesterday"),
    fc.constant(goodTime(i + 1)),
  );
const value = fc.oneof(
  { weight: 12, arbitrary: fc.double({ min: 0, max: 1e6, noNaN: true }) },
  fc.constant(-1),
  fc.constant(2e15),
  fc.constant(-0),
);
const series = fc.integer({ min: 0, max: 6 }).chain((n) =>
  fc.record({
    namespace: fc.constant("AWS/EC2"),
    metric: fc.constant("CPUUtilization"),
    dimensions: fc.constant({}),
    stat: fc.constant("Average"),
    period: fc.constant(60),
    status: fc.constant("Complete"),
    points: fc.tuple(...Array.from({ length: n }, (_, i) => fc.tuple(time(i), value))),
  }),
);

describe("validation of packed points", () => {
  it("fails exactly as validation of the same bundle's plain arrays does", () => {
    fc.assert(
      fc.property(fc.array(series, { maxLength: 5 }), (list) => {
        const doc = {
          window: { start: goodTime(0), end: goodTime(60), since: "1h" },
          sources: {
            "cloudwatch.metrics": {
              ok: true,
              at: goodTime(60),
              value: {
                periodSeconds: 60,
                start: goodTime(0),
                end: goodTime(60),
                series: Object.fromEntries(list.map((s, k) => [`ec2.CPUUtilization.i-${k}`, s])),
              },
            },
          },
        };
        const text = JSON.stringify(doc);
        const packed = parseWithPoints(text) as typeof doc;
        for (const s of Object.values(packed.sources["cloudwatch.metrics"].value.series))
          expect(packedPointsOf(s)).toBeDefined();
        expect(problem(packed)).toBe(problem(JSON.parse(text)));
      }),
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 300) },
    );
  });
});
