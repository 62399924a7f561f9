/**
 * The shared series judge, pinned over generated series: spacing of 1 and 5 minutes (EC2 basic monitoring
 * publishes one datapoint per 5 minutes, stamped at the interval's start — AWS docs
 * ec2/viewing_metrics_with_cloudwatch; FACTS §9), missing datapoints and timestamp jitter.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import {
  describeWidening,
  judgeSustained,
  minutesAbove,
  runsAbove,
  spacingSeconds,
  spacingNote,
  timed,
  trailingMinutes,
  trendOf,
  unitsByVolume,
  type TimedPoint,
} from "../../../src/checks/series-judge.js";

const START = Date.parse("2026-11-20T11:00:00Z");
const iso = (ms: number) => new Date(ms).toISOString();

/** A window of `minutes` sampled every `spacing` seconds; each value from `value(minuteOffset)`. */
function sampled(spacing: number, minutes: number, value: (min: number) => number): TimedPoint[] {
  const out: TimedPoint[] = [];
  for (let s = 0; s < minutes * 60; s += spacing) out.push({ t: START + s * 1000, v: value(s / 60) });
  return out;
}

const spacingArb = fc.constantFrom(60, 300);

describe("runs by wall-clock time", () => {
  it("a block above the limit measures the same in 1- and 5-minute spacing (±one spacing)", () => {
    fc.assert(
      fc.property(
        spacingArb,
        fc.integer({ min: 0, max: 11 }),
        fc.integer({ min: 1, max: 11 }),
        (spacing, startBlock, lenBlocks) => {
          // A saturated stretch aligned to 5-minute blocks: [startBlock*5, (startBlock+lenBlocks)*5) minutes.
          const from = startBlock * 5;
          const to = Math.min(60, from + lenBlocks * 5);
          const pts = sampled(spacing, 60, (m) => (m >= from && m < to ? 100 : 20));
          const runs = runsAbove(pts, 80, spacingSeconds(pts, 60));
          expect(runs).toHaveLength(1);
          expect(runs[0]!.minutes).toBe(to - from);
          expect(runs[0]!.start).toBe(START + from * 60_000);
        },
      ),
    );
  });

  it("the spacing is read from the timestamps, never below the query period, despite gaps and jitter", () => {
    fc.assert(
      fc.property(
        spacingArb,
        // Timestamps off by up to 10 s either way (CloudWatch aligns them; a replayed or hand-made bundle may not).
        fc.array(fc.integer({ min: -10, max: 10 }), { minLength: 12, maxLength: 12 }),
        fc.integer({ min: 0, max: 3 }),
        (spacing, jitter, drops) => {
          let pts = sampled(spacing, spacing === 60 ? 12 : 60, () => 1).map((p, i) => ({
            t: p.t + jitter[i % jitter.length]! * 1000,
            v: p.v,
          }));
          // Drop a few points (but not so many that gaps outnumber regular steps).
          pts = pts.filter((_, i) => i === 0 || i % 4 !== 1 || drops-- <= 0);
          expect(spacingSeconds(pts, 60)).toBe(spacing);
        },
      ),
    );
  });

  it("one missing datapoint continues a run; two end it", () => {
    fc.assert(
      fc.property(spacingArb, fc.integer({ min: 3, max: 8 }), (spacing, n) => {
        const all = Array.from({ length: 2 * n + 2 }, (_, i) => ({ t: START + i * spacing * 1000, v: 100 }));
        const oneGap = all.filter((_, i) => i !== n);
        const twoGap = all.filter((_, i) => i !== n && i !== n + 1);
        expect(runsAbove(oneGap, 80, spacing)).toHaveLength(1);
        expect(runsAbove(oneGap, 80, spacing)[0]!.minutes).toBe(((2 * n + 2) * spacing) / 60);
        expect(runsAbove(twoGap, 80, spacing)).toHaveLength(2);
      }),
    );
  });

  it("runs never overlap, lie inside the series' span and add up to no more than the span", () => {
    fc.assert(
      fc.property(
        spacingArb,
        fc.array(fc.tuple(fc.boolean(), fc.boolean()), { minLength: 1, maxLength: 60 }),
        (spacing, spec) => {
          // [present, above] per slot.
          const pts = spec.flatMap(([present, above], i) =>
            present ? [{ t: START + i * spacing * 1000, v: above ? 90 : 10 }] : [],
          );
          const runs = runsAbove(pts, 80, spacing);
          const spanEnd = START + spec.length * spacing * 1000;
          let prevEnd = -Infinity;
          for (const r of runs) {
            expect(r.start).toBeGreaterThanOrEqual(prevEnd);
            expect(r.start).toBeGreaterThanOrEqual(START);
            expect(r.end).toBeLessThanOrEqual(spanEnd);
            expect(r.minutes).toBeGreaterThan(0);
            prevEnd = r.end;
          }
          // Minutes above never exceed the run time (runs also cover single missing points).
          const inRuns = runs.reduce((a, r) => a + r.minutes, 0);
          expect(minutesAbove(pts, 80, spacing)).toBeLessThanOrEqual(inRuns + 1e-9);
        },
      ),
    );
  });

  it("judgeSustained: fail iff the longest run reaches failMinutes; a shorter run warns; else pass", () => {
    fc.assert(
      fc.property(
        spacingArb,
        fc.array(fc.integer({ min: 0, max: 100 }), { minLength: 1, maxLength: 60 }),
        fc.integer({ min: 1, max: 30 }),
        (spacing, vs, failMinutes) => {
          const pts = vs.map((v, i) => ({ t: START + i * spacing * 1000, v }));
          const j = judgeSustained(pts, spacing, { limit: 80, failMinutes, warnMinutes: 5 });
          const longestRun = Math.max(0, ...runsAbove(pts, 80, spacing).map((r) => r.minutes));
          if (longestRun >= failMinutes) expect(j.status).toBe("fail");
          else if (longestRun >= 5) expect(j.status).toBe("warn");
          else expect(j.status).toBe("pass");
        },
      ),
    );
  });

  it("trailingMinutes counts back from the newest datapoint only", () => {
    const pts = sampled(300, 60, (m) => (m >= 35 ? 2 : 0));
    expect(trailingMinutes(pts, 300, (v) => v > 0)).toBe(25);
    expect(trailingMinutes(pts, 300, (v) => v > 5)).toBe(0);
  });

  it("names basic monitoring", () => {
    expect(spacingNote(300)).toMatch(/basic monitoring/);
    expect(spacingNote(60)).toBe("");
  });

  it("timed sorts (GetMetricData answers newest first by default) and drops garbage", () => {
    expect(
      timed([
        [iso(START + 60_000), 2],
        [iso(START), 1],
        ["not a time", 3],
        [iso(START + 120_000), Number.NaN],
      ]),
    ).toEqual([
      { t: START, v: 1 },
      { t: START + 60_000, v: 2 },
    ]);
  });
});

describe("volume units", () => {
  it("every row is in exactly one unit; enough units reach the volume; widths stay within 15 minutes", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 40 }), { minLength: 1, maxLength: 120 }),
        fc.integer({ min: 1, max: 30 }),
        (vols, min) => {
          const rows = vols.map((volume, i) => ({ t: START + i * 60_000, volume }));
          const u = unitsByVolume(rows, min, 60);
          const seen = u.units.flatMap((x) => x.members).sort((a, b) => a - b);
          expect(seen).toEqual(rows.map((_, i) => i));
          for (const x of u.units) {
            if (x.enough) expect(x.volume).toBeGreaterThanOrEqual(min);
            expect(x.end - x.start).toBeLessThanOrEqual(15 * 60_000);
            if (x.widenedTo === 0) expect(x.members).toHaveLength(1);
          }
          expect(u.lowMinutes).toBe(vols.filter((v) => v < min).length);
          expect(u.shortMinutes).toBeLessThanOrEqual(u.lowMinutes);
        },
      ),
    );
  });

  it("says what it widened, in words", () => {
    const rows = Array.from({ length: 12 }, (_, i) => ({ t: START + i * 60_000, volume: 8 }));
    const u = unitsByVolume(rows, 10, 60);
    expect(describeWidening(u, 10, "requests")).toBe(
      "12 minutes had fewer than 10 requests and were judged in 5-minute blocks",
    );
    const busy = unitsByVolume([{ t: START, volume: 100 }], 10, 60);
    expect(describeWidening(busy, 10, "requests")).toBe("");
  });
});

describe("trends", () => {
  it("the steeper of recent and window slope: a balance that recharged and now drains is judged by the drain", () => {
    // 45 min recharging +1e9/min, then 15 min draining −3e9/min.
    const pts = sampled(60, 60, (m) => (m < 45 ? 1e11 + m * 1e9 : 1.45e11 - (m - 45) * 3e9));
    const t = trendOf(pts);
    expect(t.window).toBeGreaterThan(0);
    expect(t.from).toBe("recent");
    expect(t.falling).toBeCloseTo(-3e9 * 60, -6);
  });

  it("a steady series' trend is its slope whatever the spacing", () => {
    fc.assert(
      fc.property(spacingArb, fc.double({ min: -1e6, max: 1e6, noNaN: true }), (spacing, perMin) => {
        const pts = sampled(spacing, 60, (m) => 1e9 + perMin * m);
        expect(trendOf(pts).falling).toBeCloseTo(perMin * 60, 0);
      }),
    );
  });
});
