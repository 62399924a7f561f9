import { describe, expect, it } from "vitest";
import { ec2CpuCredits, ec2CpuSkew } from "../../../src/checks/ec2/checks.js";
import { ev, instances, metrics, run } from "../fleet/evidence.js";
import type { Check } from "../../../src/checks/model.js";

const c = (x: unknown) => x as Check;

describe("ec2.cpu-credits", () => {
  it("skips non-burstable fleets", () => {
    expect(run(c(ec2CpuCredits), ev({ "fleet.instances": instances(["c6a.large"]), "cloudwatch.metrics": metrics() })).status).toBe("skip");
  });
  it("fails when a burstable instance ran out, naming it and c6a.large", () => {
    const m = metrics({ "ec2.CPUCreditBalance.i-0": [50, 10, 0], "ec2.CPUCreditBalance.i-1": [200] });
    const f = run(c(ec2CpuCredits), ev({ "fleet.instances": instances(["t3.small", "t3.small"]), "cloudwatch.metrics": m }));
    expect(f).toMatchObject({ status: "fail", data: { count: 1, burstable: 2, lowest: 0 } });
    expect(f.resources!.find((r) => r.id === "i-0")!.status).toBe("fail");
    expect(f.hints[0]).toMatch(/asg_instance_type c6a\.large/);
    expect(run(c(ec2CpuCredits), ev({ "fleet.instances": instances(["t3.small"]), "cloudwatch.metrics": metrics({ "ec2.CPUCreditBalance.i-0": [200] }) })).status).toBe("pass");
    expect(run(c(ec2CpuCredits), ev({ "fleet.instances": instances(["t3.small"]), "cloudwatch.metrics": metrics() })).status).toBe("error");
  });
});

describe("ec2.cpu-skew", () => {
  it("warns on a large gap, passes when even, skips with one instance", () => {
    const m = metrics({ "ec2.CPUUtilization.i-0": [90, 85], "ec2.CPUUtilization.i-1": [20, 25], "ec2.CPUUtilization.i-2": [30] });
    const w = run(c(ec2CpuSkew), ev({ "fleet.instances": instances(["c6a.large", "c6a.large", "c6a.large"]), "cloudwatch.metrics": m }));
    expect(w).toMatchObject({ status: "warn", data: { busiest: "i-0", idlest: "i-1", skew: 65 } });
    expect(w.hints[0]).toMatch(/fewer, larger instances/);
    expect(w.hints.join(" ")).not.toMatch(/stickiness/i);
    const even = metrics({ "ec2.CPUUtilization.i-0": [30], "ec2.CPUUtilization.i-1": [35] });
    expect(run(c(ec2CpuSkew), ev({ "fleet.instances": instances(["c6a.large", "c6a.large"]), "cloudwatch.metrics": even })).status).toBe("pass");
    expect(run(c(ec2CpuSkew), ev({ "fleet.instances": instances(["c6a.large"]), "cloudwatch.metrics": metrics({ "ec2.CPUUtilization.i-0": [30] }) })).status).toBe("skip");
  });
});
