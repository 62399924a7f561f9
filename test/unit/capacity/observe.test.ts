/** The pure readings size makes of evidence: worker counts, sustained levels by wall clock, quantiles. */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { quantile, sustainedMax, workersFrom } from "../../../src/capacity/observe.js";
import { resolutionFor, type SizeSeries } from "../../../src/capacity/evidence.js";

const series = (period: number, values: Array<number | null>): SizeSeries => ({
  namespace: "AWS/EC2",
  metric: "CPUUtilization",
  dimensions: {},
  stat: "Average",
  period,
  start: "2026-11-20T00:00:00.000Z",
  values,
  status: "Complete",
});

describe("workersFrom", () => {
  it("GUNICORN_CMD_ARGS wins over the command, which wins over a written gunicorn.conf.py", () => {
    expect(workersFrom({ gunicornCmdArgs: "--workers 6 --timeout 30", command: ["-w", "2"] })).toBe(6);
    expect(workersFrom({ gunicornCmdArgs: "--workers=3" })).toBe(3);
    expect(workersFrom({ command: ["gunicorn", "-w", "5", "app"] })).toBe(5);
    expect(
      workersFrom({
        command: ["sh", "-c", "cat > /data/gunicorn.conf.py <<'EOF'\nworkers = 4\nEOF\nexec run"],
      }),
    ).toBe(4);
    expect(workersFrom({ command: ["sh", "-c", "max_workers = 9"] })).toBeUndefined();
    expect(workersFrom({})).toBeUndefined();
  });
});

describe("sustainedMax", () => {
  it("judges by wall clock: two 5-minute points make 10 minutes, ten 1-minute points do", () => {
    expect(sustainedMax(series(300, [10, 90, 95, 20]), 600)).toBe(90);
    expect(sustainedMax(series(60, [95, 95, 95, 95, 95, 95, 95, 95, 95, 20]), 600)).toBe(20);
    expect(sustainedMax(series(60, Array(10).fill(95)), 600)).toBe(95);
  });
  it("a missing value breaks a run", () => {
    expect(sustainedMax(series(300, [90, null, 95, 10]), 600)).toBe(10);
    expect(sustainedMax(series(300, [90, null, 95]), 600)).toBeUndefined();
  });
  it("never exceeds the peak, and a longer run never holds higher", () => {
    fc.assert(
      fc.property(
        fc.array(fc.option(fc.integer({ min: 0, max: 100 }), { nil: null }), { minLength: 1, maxLength: 60 }),
        (vs) => {
          const s = series(60, vs);
          const present = vs.filter((v): v is number => v !== null);
          const ten = sustainedMax(s, 600);
          const five = sustainedMax(s, 300);
          if (ten !== undefined) {
            expect(ten).toBeLessThanOrEqual(Math.max(...present));
            expect(five).toBeDefined();
            expect(ten).toBeLessThanOrEqual(five!);
          }
        },
      ),
    );
  });
});

describe("quantile and resolution", () => {
  it("nearest rank", () => {
    expect(quantile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.99)).toBe(10);
    expect(quantile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.5)).toBe(5);
    expect(quantile([], 0.5)).toBeUndefined();
  });
  it("the finest period CloudWatch keeps for the window's start, with hosts at 5 minutes at least", () => {
    const now = new Date("2026-11-20T00:00:00Z");
    const ago = (d: number) => new Date(now.getTime() - d * 86_400_000);
    expect(resolutionFor(ago(1), now)).toMatchObject({ periodSeconds: 60, hostPeriodSeconds: 300 });
    expect(resolutionFor(ago(15), now).periodSeconds).toBe(60);
    expect(resolutionFor(ago(15.5), now).periodSeconds).toBe(300);
    expect(resolutionFor(ago(63), now).periodSeconds).toBe(300);
    expect(resolutionFor(ago(64), now)).toMatchObject({ periodSeconds: 3600, hostPeriodSeconds: 3600 });
    expect(resolutionFor(ago(20), now).why).toBe(
      "5-minute data (kept 63 days): the window starts 20 days ago",
    );
  });
});
