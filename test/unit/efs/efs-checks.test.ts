import { describe, expect, it } from "vitest";
import { efsBurstCredits, efsPercentIoLimit, efsThroughputUtilization } from "../../../src/checks/efs/checks.js";
import { ev, fileSystem, metrics, run } from "../fleet/evidence.js";
import type { Check } from "../../../src/checks/model.js";

const c = (x: unknown) => x as Check;

describe("efs.percent-io-limit", () => {
  it("passes under the limit, fails above it with concrete hints", () => {
    expect(run(c(efsPercentIoLimit), ev({ "cloudwatch.metrics": metrics(), "efs.file-system": fileSystem() })).status).toBe("pass");
    const f = run(c(efsPercentIoLimit), ev({ "cloudwatch.metrics": metrics({ "efs.PercentIOLimit": [40, 95, 70] }) }));
    expect(f).toMatchObject({ status: "fail", threshold: { name: "maxPercent", value: 80 }, observed: { value: 95, unit: "%" } });
    expect(f.message).toMatch(/95 %.*I\/O-operations ceiling/);
    expect(f.hints.join(" ")).toMatch(/backend/);
  });
  it("skips when idle, for Max I/O, or without a file system; errors when EFS publishes nothing", () => {
    expect(run(c(efsPercentIoLimit), ev({ "cloudwatch.metrics": metrics({ "efs.PercentIOLimit": [] }) })).status).toBe("skip");
    expect(run(c(efsPercentIoLimit), ev({ "cloudwatch.metrics": metrics(), "efs.file-system": fileSystem({ performanceMode: "maxIO" }) })).status).toBe("skip");
    expect(run(c(efsPercentIoLimit), ev({ "cloudwatch.metrics": metrics({}, { context: { fileSystemId: undefined }, unavailable: { efs: "no EFS" } }) })).status).toBe("skip");
    const e = run(c(efsPercentIoLimit), ev({ "cloudwatch.metrics": metrics({ "efs.PermittedThroughput": [], "efs.PercentIOLimit": [] }) }));
    expect(e.status).toBe("error");
    expect(e.message).toMatch(/FileSystemId=fs-0123456789abcdef0.*wrong or in another region/);
    expect(run(c(efsPercentIoLimit), ev({ "cloudwatch.metrics": metrics({}, { status: { "efs.PermittedThroughput": "Forbidden" } }) })).status).toBe("error");
    expect(run(c(efsPercentIoLimit), {}).status).toBe("error");
  });
});

describe("efs.throughput-utilization", () => {
  const mib = 1048576;
  it("computes Sum(MeteredIOBytes)/period ÷ PermittedThroughput: pass, warn, fail", () => {
    // 100 MiB/s permitted; 5 MiB/s used → 5 %.
    expect(run(c(efsThroughputUtilization), ev({ "cloudwatch.metrics": metrics() })).observed!.value).toBe(5);
    const warn = run(c(efsThroughputUtilization), ev({ "cloudwatch.metrics": metrics({ "efs.MeteredIOBytes": [60 * 85 * mib] }), "efs.file-system": fileSystem({ throughputMode: "bursting" }) }));
    expect(warn).toMatchObject({ status: "warn", observed: { value: 85 } });
    expect(warn.hints[0]).toMatch(/efsThroughputMode: "elastic".*efs_throughput_mode = "elastic"/);
    const fail = run(c(efsThroughputUtilization), ev({ "cloudwatch.metrics": metrics({ "efs.MeteredIOBytes": [60 * 99 * mib], "efs.PermittedThroughput": [100 * mib] }), "efs.file-system": fileSystem({ throughputMode: "provisioned" }) }));
    expect(fail).toMatchObject({ status: "fail", threshold: { name: "failPercent", value: 95 } });
    expect(fail.hints[0]).toMatch(/efs_provisioned_throughput_in_mibps/);
  });
  it("skips without I/O and errors when EFS publishes nothing", () => {
    expect(run(c(efsThroughputUtilization), ev({ "cloudwatch.metrics": metrics({ "efs.MeteredIOBytes": [] }) })).status).toBe("skip");
    expect(run(c(efsThroughputUtilization), ev({ "cloudwatch.metrics": metrics({ "efs.PermittedThroughput": [] }) })).status).toBe("error");
  });
});

describe("efs.burst-credits", () => {
  const T = 2 ** 40;
  it("skips unless bursting", () => {
    expect(run(c(efsBurstCredits), ev({ "cloudwatch.metrics": metrics(), "efs.file-system": fileSystem() }))).toMatchObject({ status: "skip", messageId: "not-bursting" });
  });
  it("fails when low and draining, warns when low and flat, passes above the threshold", () => {
    const bursting = fileSystem({ throughputMode: "bursting" });
    const fail = run(c(efsBurstCredits), ev({ "cloudwatch.metrics": metrics({ "efs.BurstCreditBalance": [1.2e12, 0.9e12, 0.4e12] }), "efs.file-system": bursting }));
    expect(fail).toMatchObject({ status: "fail", messageId: "draining", threshold: { name: "minBalanceBytes", value: 1e12 } });
    expect(fail.hints[0]).toMatch(/efs_throughput_mode = "elastic"/);
    expect(run(c(efsBurstCredits), ev({ "cloudwatch.metrics": metrics({ "efs.BurstCreditBalance": [0.5e12, 0.6e12] }), "efs.file-system": bursting })).status).toBe("warn");
    expect(run(c(efsBurstCredits), ev({ "cloudwatch.metrics": metrics({ "efs.BurstCreditBalance": [2 * T, 1.9 * T] }), "efs.file-system": bursting })).status).toBe("pass");
    expect(run(c(efsBurstCredits), ev({ "cloudwatch.metrics": metrics({ "efs.BurstCreditBalance": [] }), "efs.file-system": bursting })).status).toBe("error");
  });
  it("is error when the file system could not be described", () => {
    const f = run(c(efsBurstCredits), { "cloudwatch.metrics": { ok: true, value: metrics(), at: "x" }, "efs.file-system": { ok: false, kind: "access-denied", message: "denied", action: "elasticfilesystem:DescribeFileSystems", at: "x" } });
    expect(f).toMatchObject({ status: "error", data: { action: "elasticfilesystem:DescribeFileSystems" } });
  });
});
