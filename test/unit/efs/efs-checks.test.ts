import { describe, expect, it } from "vitest";
import {
  efsBurstCredits,
  efsPercentIoLimit,
  efsThroughputUtilization,
} from "../../../src/checks/efs/checks.js";
import { ev, fileSystem, metrics, run } from "../fleet/evidence.js";
import type { Check } from "../../../src/checks/model.js";

const c = (x: unknown) => x as Check;

describe("efs.percent-io-limit", () => {
  it("passes under the limit, fails when above it for 10 minutes in a row with concrete hints", () => {
    expect(
      run(c(efsPercentIoLimit), ev({ "cloudwatch.metrics": metrics(), "efs.file-system": fileSystem() }))
        .status,
    ).toBe("pass");
    // 12 one-minute points at 90–95 % inside an otherwise quiet hour: sustained, like the module's 2 × 300 s alarm.
    const sustained = [...Array(30).fill(40), ...Array(12).fill(92), 95, ...Array(17).fill(40)];
    const f = run(
      c(efsPercentIoLimit),
      ev({ "cloudwatch.metrics": metrics({ "efs.PercentIOLimit": sustained }) }),
    );
    expect(f).toMatchObject({
      status: "fail",
      threshold: { name: "maxPercent", value: 80 },
      observed: { value: 95, unit: "%" },
      data: { minutes: 13 },
    });
    expect(f.message).toMatch(/above 80 % for 13 min.*I\/O-operations ceiling/);
    expect(f.hints.join(" ")).toMatch(/backend/);
  });
  it("does not fail on a one-minute peak (the module's alarm averages over 10 minutes)", () => {
    const p = run(
      c(efsPercentIoLimit),
      ev({ "cloudwatch.metrics": metrics({ "efs.PercentIOLimit": [40, 40, 97, 40, 40] }) }),
    );
    expect(p).toMatchObject({ status: "pass", data: { peak: 97, minutes: 1 } });
  });
  it("skips when idle, for Max I/O, or without a file system; errors when EFS publishes nothing", () => {
    expect(
      run(c(efsPercentIoLimit), ev({ "cloudwatch.metrics": metrics({ "efs.PercentIOLimit": [] }) })).status,
    ).toBe("skip");
    expect(
      run(
        c(efsPercentIoLimit),
        ev({ "cloudwatch.metrics": metrics(), "efs.file-system": fileSystem({ performanceMode: "maxIO" }) }),
      ).status,
    ).toBe("skip");
    expect(
      run(
        c(efsPercentIoLimit),
        ev({
          "cloudwatch.metrics": metrics(
            {},
            { context: { fileSystemId: undefined }, unavailable: { efs: "no EFS" } },
          ),
        }),
      ).status,
    ).toBe("skip");
    const e = run(
      c(efsPercentIoLimit),
      ev({ "cloudwatch.metrics": metrics({ "efs.PermittedThroughput": [], "efs.PercentIOLimit": [] }) }),
    );
    expect(e.status).toBe("error");
    expect(e.message).toMatch(/FileSystemId=fs-0123456789abcdef0.*wrong or in another region/);
    expect(
      run(
        c(efsPercentIoLimit),
        ev({ "cloudwatch.metrics": metrics({}, { status: { "efs.PermittedThroughput": "Forbidden" } }) }),
      ).status,
    ).toBe("error");
    expect(run(c(efsPercentIoLimit), {}).status).toBe("error");
  });
});

describe("efs.throughput-utilization", () => {
  const mib = 1048576;
  it("computes Sum(MeteredIOBytes)/period ÷ PermittedThroughput: pass, warn, fail", () => {
    // 100 MiB/s permitted; 5 MiB/s used → 5 %.
    expect(run(c(efsThroughputUtilization), ev({ "cloudwatch.metrics": metrics() })).observed!.value).toBe(5);
    const warn = run(
      c(efsThroughputUtilization),
      ev({
        "cloudwatch.metrics": metrics({ "efs.MeteredIOBytes": [60 * 85 * mib] }),
        "efs.file-system": fileSystem({ throughputMode: "bursting" }),
      }),
    );
    expect(warn).toMatchObject({ status: "warn", observed: { value: 85 } });
    expect(warn.hints[0]).toMatch(
      /`pypictl deploy --efs-throughput-mode elastic`.*`efs_throughput_mode = "elastic"`/,
    );
    const fail = run(
      c(efsThroughputUtilization),
      ev({
        "cloudwatch.metrics": metrics({
          "efs.MeteredIOBytes": [60 * 50 * mib, 60 * 99 * mib, 60 * 99 * mib, 60 * 98 * mib],
          "efs.PermittedThroughput": [100 * mib, 100 * mib, 100 * mib, 100 * mib],
        }),
        "efs.file-system": fileSystem({ throughputMode: "provisioned" }),
      }),
    );
    expect(fail).toMatchObject({
      status: "fail",
      threshold: { name: "failPercent", value: 95 },
      data: { minutes: 3, span: " (11:01–11:04 UTC)" },
    });
    expect(fail.hints[0]).toMatch(/efs_provisioned_throughput_in_mibps/);
    // One minute at the limit during a burst: throttled for a moment, a warning.
    const blip = run(
      c(efsThroughputUtilization),
      ev({
        "cloudwatch.metrics": metrics({
          "efs.MeteredIOBytes": [60 * 20 * mib, 60 * 99 * mib, 60 * 20 * mib],
        }),
      }),
    );
    expect(blip).toMatchObject({ status: "warn", messageId: "peak", data: { minutes: 1 } });
  });
  it("skips without I/O and errors when EFS publishes nothing", () => {
    expect(
      run(c(efsThroughputUtilization), ev({ "cloudwatch.metrics": metrics({ "efs.MeteredIOBytes": [] }) }))
        .status,
    ).toBe("skip");
    expect(
      run(
        c(efsThroughputUtilization),
        ev({ "cloudwatch.metrics": metrics({ "efs.PermittedThroughput": [] }) }),
      ).status,
    ).toBe("error");
  });
});

describe("efs.burst-credits", () => {
  const T = 2 ** 40;
  it("skips unless bursting", () => {
    expect(
      run(c(efsBurstCredits), ev({ "cloudwatch.metrics": metrics(), "efs.file-system": fileSystem() })),
    ).toMatchObject({ status: "skip", messageId: "not-bursting" });
  });
  const bursting = fileSystem({ throughputMode: "bursting" });
  const ramp = (a: number, b: number, n = 60) =>
    Array.from({ length: n }, (_, i) => a + ((b - a) * i) / (n - 1));
  it("fails when the window's trend runs the credits out within 2 h, or they are gone", () => {
    // 1.2e12 → 0.4e12 bytes in an hour: 0.8e12/h, 0.4e12 left → 0.5 h.
    const fail = run(
      c(efsBurstCredits),
      ev({
        "cloudwatch.metrics": metrics({ "efs.BurstCreditBalance": ramp(1.2e12, 0.4e12) }),
        "efs.file-system": bursting,
      }),
    );
    expect(fail).toMatchObject({
      status: "fail",
      messageId: "running-out",
      threshold: { name: "minHoursLeft", value: 2 },
      data: { hoursLeft: 0.5 },
    });
    expect(fail.hints[0]).toMatch(/efs_throughput_mode = "elastic"/);
    // Flat at zero: throttled to the baseline although nothing drains any more.
    expect(
      run(
        c(efsBurstCredits),
        ev({
          "cloudwatch.metrics": metrics({ "efs.BurstCreditBalance": ramp(2e9, 1e9) }),
          "efs.file-system": bursting,
        }),
      ),
    ).toMatchObject({ status: "fail", messageId: "exhausted" });
  });
  it("warns below the alarm threshold, draining or not (the module's alarm fires there); passes above it", () => {
    // 0.95e12 → 0.9e12: 0.05e12/h, 18 h left: the module's alarm would fire, nothing throttles yet.
    expect(
      run(
        c(efsBurstCredits),
        ev({
          "cloudwatch.metrics": metrics({ "efs.BurstCreditBalance": ramp(0.95e12, 0.9e12) }),
          "efs.file-system": bursting,
        }),
      ),
    ).toMatchObject({ status: "warn", messageId: "low" });
    expect(
      run(
        c(efsBurstCredits),
        ev({
          "cloudwatch.metrics": metrics({ "efs.BurstCreditBalance": ramp(0.85 * T, 0.88 * T) }),
          "efs.file-system": bursting,
        }),
      ),
    ).toMatchObject({ status: "warn", messageId: "low" });
    // Recharging above the alarm threshold.
    expect(
      run(
        c(efsBurstCredits),
        ev({
          "cloudwatch.metrics": metrics({ "efs.BurstCreditBalance": ramp(0.92 * T, 0.96 * T) }),
          "efs.file-system": bursting,
        }),
      ).status,
    ).toBe("pass");
    // Draining 0.1 TiB over the hour from 2 TiB: 19 h left.
    expect(
      run(
        c(efsBurstCredits),
        ev({
          "cloudwatch.metrics": metrics({ "efs.BurstCreditBalance": ramp(2 * T, 1.9 * T) }),
          "efs.file-system": bursting,
        }),
      ).status,
    ).toBe("pass");
    expect(
      run(
        c(efsBurstCredits),
        ev({ "cloudwatch.metrics": metrics({ "efs.BurstCreditBalance": [] }), "efs.file-system": bursting }),
      ).status,
    ).toBe("error");
  });
  it("is error when the file system could not be described", () => {
    const f = run(c(efsBurstCredits), {
      "cloudwatch.metrics": { ok: true, value: metrics(), at: "x" },
      "efs.file-system": {
        ok: false,
        kind: "access-denied",
        message: "denied",
        action: "elasticfilesystem:DescribeFileSystems",
        at: "x",
      },
    });
    expect(f).toMatchObject({ status: "error", data: { action: "elasticfilesystem:DescribeFileSystems" } });
  });
});
