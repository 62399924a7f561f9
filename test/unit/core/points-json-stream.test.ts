/**
 * The bundle parser fed in chunks (PointsJsonStream, what `--replay` reads a file with) gives what it gives
 * for the whole text at once — the same value, the same arrays held packed — however the bytes are cut:
 * at every position of small documents, in chunks of many sizes for the recorded examples, and through
 * strings, escapes, `"points"` keys, arrays and multi-byte characters cut in two.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { PointsJsonStream, parseWithPoints } from "../../../src/evidence/points-json.js";
import { packedPointsOf } from "../../../src/sources/aws/packed-points.js";

/** Feed `bytes` cut at `cuts` (ascending positions) and finish. */
function parseCut(bytes: Buffer, cuts: readonly number[]): unknown {
  const stream = new PointsJsonStream();
  let from = 0;
  for (const to of [...cuts, bytes.length]) {
    // A chunk is the caller's to reuse once fed: scribble over it to prove nothing keeps a view of it.
    const chunk = Buffer.from(bytes.subarray(from, to));
    stream.feed(chunk);
    chunk.fill(0x41);
    from = to;
  }
  return stream.finish();
}

/** Feed `bytes` in chunks of `size`. */
const parseInChunks = (bytes: Buffer, size: number) =>
  parseCut(
    bytes,
    Array.from({ length: Math.ceil(bytes.length / size) - 1 }, (_, k) => (k + 1) * size),
  );

/** Where the packed arrays are (path → times and values), to compare two parses' holding, not just values. */
function packed(
  v: unknown,
  path = "$",
  out: Record<string, { times: readonly string[]; values: number[] }> = {},
) {
  if (typeof v !== "object" || v === null) return out;
  const p = packedPointsOf(v);
  if (p) out[path] = { times: [...p.times], values: [...p.values] };
  for (const [k, x] of Object.entries(v)) if (!(p && k === "points")) packed(x, `${path}.${k}`, out);
  return out;
}

function expectSame(bytes: Buffer, streamed: unknown, what: string, whole = parseWithPoints(bytes)) {
  expect(streamed, what).toStrictEqual(whole);
  expect(packed(streamed), what).toStrictEqual(packed(whole));
}

/** The outcome of parsing, SyntaxError included (its message is JSON.parse's: compared as such). */
function outcome(parse: () => unknown): unknown {
  try {
    return { value: parse() };
  } catch (e) {
    return { error: (e as Error).constructor.name };
  }
}

const number = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer({ min: 0, max: 10_000 }).map((n) => n / 100),
  fc.constantFrom(-0, 1e21, 5e-324),
);
const time = fc
  .date({ min: new Date("2000-01-01"), max: new Date("2100-01-01"), noInvalidDate: true })
  .map((d) => d.toISOString());
const points = fc.array(
  fc.tuple(fc.oneof({ weight: 5, arbitrary: time }, fc.string({ unit: "binary", maxLength: 4 })), number),
  { maxLength: 5 },
);
const series = fc.dictionary(
  fc.string({ unit: "binary", maxLength: 6 }),
  fc.record({ points, note: fc.string({ unit: "binary", maxLength: 8 }) }),
  { maxKeys: 3 },
);

describe("PointsJsonStream", () => {
  it("gives the whole-text value for documents cut at every position", () => {
    fc.assert(
      fc.property(series, fc.jsonValue({ maxDepth: 1 }), fc.boolean(), (s, other, pretty) => {
        const doc = { sources: { m: { value: { series: s } } }, other, points: other };
        const bytes = Buffer.from(pretty ? JSON.stringify(doc, null, 2) : JSON.stringify(doc));
        const whole = parseWithPoints(bytes);
        for (let cut = 0; cut <= bytes.length; cut++)
          expectSame(bytes, parseCut(bytes, [cut]), `cut at ${cut}`, whole);
      }),
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 40) },
    );
  });

  it("gives the whole-text value for documents cut into many random chunks", () => {
    fc.assert(
      fc.property(
        series.chain((s) => {
          const bytes = Buffer.from(JSON.stringify({ a: s, b: s }));
          return fc.tuple(
            fc.constant(bytes),
            fc.uniqueArray(fc.integer({ min: 0, max: bytes.length }), { maxLength: 12 }),
          );
        }),
        ([bytes, cuts]) =>
          expectSame(
            bytes,
            parseCut(
              bytes,
              [...cuts].sort((x, y) => x - y),
            ),
            `cuts ${cuts.join(",")}`,
          ),
      ),
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 300) },
    );
  });

  it.each([
    ['{"a":"\\"points\\":[[\\"x\\",1]]","points":[["t",1]]}', "a string that spells a points array"],
    ['{"points" : [ [ "t" , 1 ] , ["u",2] ] }', "spaces everywhere JSON allows them"],
    ['{"x":{"points":[["t",1]],"points":[["u",2]]}}', "a duplicate key"],
    ['{"__proto__":{"points":[["t",1]]}}', "__proto__"],
    ['{"points":[["t",1e999]]}', "1e999"],
    ['{"points":[["t",1],["t",12345678901234567890]]}', "a long mantissa"],
    [
      '{"points":[["t\\n",1],["é",2]],"s":"ünïcødé \\\\ \\" \\u00e9 😀"}',
      "escapes and multi-byte characters",
    ],
    ['{"s":"a\\\\","points":[],"t":"\\\\\\"points\\":[[\\"x\\",1]]"}', "escaped backslashes and quotes"],
    [
      '{"points":[["t",1]],"q":{"points":[["t",1],["u",2],["v",3]]},"r":{"points":[["t",1],["u",2]]}}',
      "axes sharing a prefix",
    ],
    ['{"points":[["t",01]]}', "a leading zero: not JSON"],
    ['{"points":[["t",1]]', "cut short: not JSON"],
    ['{"s":"unterminated', "an unterminated string"],
    ['{"points"', "a key at the very end"],
    ['{"points":', "a colon at the very end"],
    ['{"points":[["t",1', "a number at the very end"],
  ])("cut at every position: %s (%s)", (text) => {
    const bytes = Buffer.from(text);
    const whole = outcome(() => parseWithPoints(bytes));
    expect(whole).toStrictEqual(outcome(() => JSON.parse(text)));
    for (let cut = 0; cut <= bytes.length; cut++)
      expect(
        outcome(() => parseCut(bytes, [cut])),
        `cut at ${cut}`,
      ).toStrictEqual(whole);
    // Byte by byte: every chunk boundary at once.
    expect(outcome(() => parseInChunks(bytes, 1))).toStrictEqual(whole);
    if ("value" in (whole as object))
      expect(packed(parseInChunks(bytes, 1))).toStrictEqual(packed(parseWithPoints(bytes)));
  });

  const examples = join(import.meta.dirname, "..", "..", "..", "examples");
  it.each(readdirSync(examples).filter((f) => f.endsWith(".json")))(
    "reads examples/%s alike in chunks of any size",
    (file) => {
      const bytes = readFileSync(join(examples, file));
      for (const size of [1, 3, 64, 1000, 4096, 65_536])
        expectSame(bytes, parseInChunks(bytes, size), `chunks of ${size}`);
    },
  );

  it("holds no more than a chunk and the arrays it is cut in, not the file", () => {
    const series = Array.from(
      { length: 50 },
      (_, k) =>
        `"s${k}":{"points":[${Array.from({ length: 100 }, (_, i) => `["2026-11-20T10:${String(i % 60).padStart(2, "0")}:00Z",${k + i / 10}]`).join(",")}]}`,
    );
    const bytes = Buffer.from(`{${series.join(",")}}`);
    const stream = new PointsJsonStream();
    let most = 0;
    for (let from = 0; from < bytes.length; from += 1000) {
      stream.feed(bytes.subarray(from, from + 1000));
      most = Math.max(most, (stream as unknown as { buf: Buffer }).buf.length);
    }
    expect(stream.finish()).toStrictEqual(parseWithPoints(bytes));
    const longestArray = Math.max(...series.map((s) => s.length));
    expect(most).toBeLessThanOrEqual(2 * (1000 + longestArray));
    expect(most).toBeLessThan(bytes.length / 10);
  });
});
