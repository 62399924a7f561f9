import { describe, expect, it } from "vitest";
import { ec2CpuCredits, ec2CpuSkew } from "../../../src/checks/ec2/checks.js";
import { ev, instances, metrics, run } from "../fleet/evidence.js";
import type { Check } from "../../../src/checks/model.js";

const c = (x: unknown) => x as Check;

describe("ec2.cpu-credits", () => {
  // DescribeInstanceCreditSpecifications → { InstanceId, CpuCredits: "standard" | "unlimited" } per instance.
  const fleet = (
    types: string[],
    modes: Array<"standard" | "unlimited" | undefined>,
    creditSpecError?: string,
  ) => {
    const f = instances(types);
    f.instances.forEach((i, k) => {
      if (modes[k]) i.cpuCredits = modes[k];
    });
    if (creditSpecError) f.creditSpecError = creditSpecError;
    return f;
  };
  it("skips non-burstable fleets", () => {
    expect(
      run(
        c(ec2CpuCredits),
        ev({ "fleet.instances": instances(["c6a.large"]), "cloudwatch.metrics": metrics() }),
      ).status,
    ).toBe("skip");
  });
  it("passes a t3.small in unlimited mode (the launch default) at zero credits: it keeps bursting", () => {
    const m = metrics({
      "ec2.CPUCreditBalance.i-0": [12, 3, 0, 0],
      "ec2.CPUSurplusCreditBalance.i-0": [0, 0, 4.2, 9.8],
    });
    const f = run(
      c(ec2CpuCredits),
      ev({ "fleet.instances": fleet(["t3.small"], ["unlimited"]), "cloudwatch.metrics": m }),
    );
    expect(f).toMatchObject({ status: "pass", data: { lowest: 0 } });
    expect(f.message).toMatch(/not throttled.*keep bursting on surplus credits/);
  });
  it("warns (cost, not throttling) when an unlimited instance was billed surplus credits", () => {
    const m = metrics({
      "ec2.CPUCreditBalance.i-0": [0, 0],
      "ec2.CPUSurplusCreditBalance.i-0": [576, 576],
      "ec2.CPUSurplusCreditsCharged.i-0": [1.5, 2.5],
    });
    const f = run(
      c(ec2CpuCredits),
      ev({ "fleet.instances": fleet(["t3.small"], ["unlimited"]), "cloudwatch.metrics": m }),
    );
    expect(f).toMatchObject({ status: "warn", messageId: "charged", data: { charged: 4, chargedCount: 1 } });
    expect(f.message).toMatch(/no throttling, extra cost/);
  });
  it("fails only a standard-mode instance at ~0, naming it and c6a.large", () => {
    const m = metrics({ "ec2.CPUCreditBalance.i-0": [50, 10, 0], "ec2.CPUCreditBalance.i-1": [200] });
    const f = run(
      c(ec2CpuCredits),
      ev({
        "fleet.instances": fleet(["t3.small", "t3.small"], ["standard", "standard"]),
        "cloudwatch.metrics": m,
      }),
    );
    expect(f).toMatchObject({
      status: "fail",
      messageId: "exhausted",
      data: { count: 1, burstable: 2, lowest: 0 },
    });
    expect(f.resources!.find((r) => r.id === "i-0")).toMatchObject({
      status: "fail",
      message: expect.stringMatching(/standard mode: held to baseline/),
    });
    expect(f.hints[0]).toMatch(
      /c6a\.large.*`--instance-type c6a\.large`.*`asg_instance_type = "c6a\.large"`/,
    );
    expect(
      run(
        c(ec2CpuCredits),
        ev({
          "fleet.instances": fleet(["t3.small"], ["standard"]),
          "cloudwatch.metrics": metrics({ "ec2.CPUCreditBalance.i-0": [200] }),
        }),
      ).status,
    ).toBe("pass");
    expect(
      run(
        c(ec2CpuCredits),
        ev({ "fleet.instances": fleet(["t3.small"], ["standard"]), "cloudwatch.metrics": metrics() }),
      ).status,
    ).toBe("error");
  });
  it("with the credit option unreadable: a surplus balance proves unlimited (pass); otherwise warns, naming the permission", () => {
    const denied =
      "ec2:DescribeInstanceCreditSpecifications failed (UnauthorizedOperation: You are not authorized to perform this operation.)";
    const borrowed = metrics({
      "ec2.CPUCreditBalance.i-0": [0, 0],
      "ec2.CPUSurplusCreditBalance.i-0": [3, 7],
    });
    expect(
      run(
        c(ec2CpuCredits),
        ev({ "fleet.instances": fleet(["t3.small"], [undefined], denied), "cloudwatch.metrics": borrowed }),
      ).status,
    ).toBe("pass");
    const w = run(
      c(ec2CpuCredits),
      ev({
        "fleet.instances": fleet(["t3.small"], [undefined], denied),
        "cloudwatch.metrics": metrics({ "ec2.CPUCreditBalance.i-0": [0, 0] }),
      }),
    );
    expect(w).toMatchObject({ status: "warn", messageId: "mode-unknown" });
    expect(w.message).toMatch(/UnauthorizedOperation/);
    expect(w.hints[0]).toMatch(/ec2:DescribeInstanceCreditSpecifications/);
  });
});

describe("ec2.cpu-skew", () => {
  it("warns on a large gap, passes when even, skips with one instance", () => {
    const m = metrics({
      "ec2.CPUUtilization.i-0": [90, 85],
      "ec2.CPUUtilization.i-1": [20, 25],
      "ec2.CPUUtilization.i-2": [30],
    });
    const w = run(
      c(ec2CpuSkew),
      ev({ "fleet.instances": instances(["c6a.large", "c6a.large", "c6a.large"]), "cloudwatch.metrics": m }),
    );
    expect(w).toMatchObject({ status: "warn", data: { busiest: "i-0", idlest: "i-1", skew: 65 } });
    expect(w.hints.join(" ")).toMatch(/fewer, larger instances/);
    expect(w.message).toMatch(/Which instances run pypiserver tasks is unknown/);
    expect(w.hints.join(" ")).not.toMatch(/stickiness/i);
    const even = metrics({ "ec2.CPUUtilization.i-0": [30], "ec2.CPUUtilization.i-1": [35] });
    expect(
      run(
        c(ec2CpuSkew),
        ev({ "fleet.instances": instances(["c6a.large", "c6a.large"]), "cloudwatch.metrics": even }),
      ).status,
    ).toBe("pass");
    expect(
      run(
        c(ec2CpuSkew),
        ev({
          "fleet.instances": instances(["c6a.large"]),
          "cloudwatch.metrics": metrics({ "ec2.CPUUtilization.i-0": [30] }),
        }),
      ).status,
    ).toBe("skip");
  });
});
