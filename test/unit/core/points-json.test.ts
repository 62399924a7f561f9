/**
 * The bundle parser's points scanner (src/evidence/points-json.ts) gives exactly what JSON.parse gives, for
 * any JSON: compact or indented, points of any number, strings that spell `"points":[…]`, duplicate keys,
 * `__proto__`, and text that is not JSON (same SyntaxError).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseWithPoints } from "../../../src/evidence/points-json.js";
import { packedPointsOf, pointCount, pointValues } from "../../../src/sources/aws/packed-points.js";

const same = (text: string) => expect(parseWithPoints(Buffer.from(text))).toStrictEqual(JSON.parse(text));

const number = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
  fc.integer({ min: 0, max: 10_000 }).map((n) => n / 100),
  fc.constantFrom(
    0,
    -0,
    0.1,
    0.30000000000000004,
    5e-324,
    1.7976931348623157e308,
    9007199254740992,
    123456789012345.6,
  ),
);
const time = fc
  .date({ min: new Date("2000-01-01"), max: new Date("2100-01-01"), noInvalidDate: true })
  .map((d) => d.toISOString());
const points = fc.array(fc.tuple(fc.oneof(time, fc.string()), number), { maxLength: 20 });

describe("parseWithPoints", () => {
  it("equals JSON.parse for series of points, compact and indented", () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.string(), fc.record({ period: fc.integer(), points }), { maxKeys: 5 }),
        fc.boolean(),
        (series, pretty) => {
          const doc = { sources: { "cloudwatch.metrics": { ok: true, value: { series } } } };
          same(pretty ? JSON.stringify(doc, null, 2) : JSON.stringify(doc));
        },
      ),
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 300) },
    );
  });

  it("equals JSON.parse for any JSON value (points or not)", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        same(JSON.stringify({ points: v, x: { points: v } }));
      }),
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 300) },
    );
  });

  it("reads numbers as JSON.parse does, exponents and long mantissas included", () => {
    const texts = [
      "0",
      "-0",
      "-0.0",
      "1.5",
      "0.1",
      "123456789012345",
      "1234567890123456789",
      "1e5",
      "1E-7",
      "-2.5e+3",
      "9007199254740993",
      "1.7976931348623157e308",
      "5e-324",
      "0.0000001",
      "100",
      "3.141592653589793238",
    ];
    for (const n of texts) {
      const v = (parseWithPoints(`{"points":[["t",${n}]]}`) as { points: Array<[string, number]> })
        .points[0]![1];
      expect(Object.is(v, JSON.parse(n)), n).toBe(true);
    }
  });

  it.each([
    ['{"a":"\\"points\\":[[\\"x\\",1]]","points":[["t",1]]}', "a string that spells a points array"],
    ['{"points" : [ [ "t" , 1 ] , ["u",2] ] }', "spaces everywhere JSON allows them"],
    ['{"x":{"points":[["t",1]],"points":[["u",2]]}}', "a duplicate key: the last one wins"],
    ['{"__proto__":{"points":[["t",1]]}}', "__proto__ stays an own key"],
    ['{"points":[["t",1e999]]}', "1e999 is left to JSON.parse (Infinity, then validation names it)"],
    ['{"points":[["t\\n",1],["é",2]]}', "escaped and non-ASCII times are left to JSON.parse"],
    ['{"points":[["t",1,2]],"p":[["t",1]]}', "a triple is not a point"],
    ['["points",[["t",1]]]', "a string value, not a key"],
    ['{"s":"a\\\\","points":[]}', "a string ending in an escaped backslash"],
  ])("equals JSON.parse: %s (%s)", (text) => same(text));

  it.each([
    '{"points":[["t",01]]}',
    '{"points":[["t",1]],}',
    '{"points":[["t",1]]',
    '{"points":[["t",.5]]}',
    '{"s":"unterminated',
  ])("throws JSON.parse's SyntaxError for %s", (text) => {
    expect(() => parseWithPoints(text)).toThrow(SyntaxError);
  });

  it("holds the arrays it read packed, times shared between series, and reads them back as pairs", () => {
    const text = '{"a":{"points":[["t",1],["u",-0]]},"b":{"points":[["t",3],["u",4.5]]},"other":[["t",1]]}';
    const v = parseWithPoints(text) as Record<string, { points: Array<[string, number]> }>;
    const a = packedPointsOf(v.a)!;
    const b = packedPointsOf(v.b)!;
    expect(a.values).toBeInstanceOf(Float64Array);
    expect(a.times).toBe(b.times);
    expect(packedPointsOf(v.other)).toBeUndefined();
    expect(Object.is(v.a!.points[1]![1], -0)).toBe(true);
    expect(pointValues(v.b!)).toEqual([3, 4.5]);
    expect(pointCount(v.b!)).toBe(2);
    // Each read is a fresh array of its own: a check that changes it changes nothing for the next.
    v.b!.points[0]![1] = 99;
    expect(v.b!.points[0]).toEqual(["t", 3]);
    // Serialised, spread and assigned like an ordinary property.
    expect(JSON.stringify(v)).toBe(text.replace("-0]", "0]"));
    expect({ ...v.a }).toEqual({
      points: [
        ["t", 1],
        ["u", -0],
      ],
    });
    v.a!.points = [["x", 7]];
    expect(v.a!.points).toEqual([["x", 7]]);
    expect(packedPointsOf(v.a)).toBeUndefined();
    expect(Object.keys(v.a!)).toEqual(["points"]);
  });
});
