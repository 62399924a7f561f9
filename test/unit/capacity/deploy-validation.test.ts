/** deploy/synth refuse what the capacity model cannot place (resolveProps → UsageError → exit 2), with the numbers. */
import { describe, expect, it } from "vitest";
import { resolveProps } from "../../../src/infra/props.js";
import { UsageError } from "../../../src/errors.js";

const HTTP = { allowHttp: true, allowedCidrs: ["10.0.0.0/8"] };

function refusal(props: Parameters<typeof resolveProps>[0]): UsageError {
  try {
    resolveProps(props);
  } catch (e) {
    if (e instanceof UsageError) return e;
    throw e;
  }
  throw new Error("accepted");
}

describe("capacity validation in resolveProps", () => {
  it("refuses a task max count above the slots of maxInstances hosts", () => {
    const e = refusal({ ...HTTP, size: "medium", taskMaxCount: 20 });
    expect(e.message).toMatch(
      /^taskMaxCount \(--task-max-count\): cannot be placed: 20 tasks at most, but 4 × c6a.large have 12 slots \(3 per host/,
    );
    expect(e.subject).toBe("--task-max-count");
  });
  it("refuses a desired count above every slot", () => {
    const e = refusal({ ...HTTP, taskMinCount: 13, taskMaxCount: 13 });
    expect(e.message).toContain("13 tasks at most, but 4 × t3.small have 12 slots");
  });
  it("refuses a hard limit above host memory less the agent's reserve", () => {
    const e = refusal({ ...HTTP, instanceType: "t3.small", containerMemory: 1800, taskMinCount: 1 });
    expect(e.message).toContain("1800 MiB does not fit on t3.small: 2048 MiB − 300 MiB");
  });
  it("keeps the default maximum within the slots (min 3 hosts, max 4: 2×9 tasks would not fit 12 slots)", () => {
    const p = resolveProps({ ...HTTP, minInstances: 3 });
    expect(p.taskMinCount).toBe(9);
    expect(p.taskMaxCount).toBe(12);
  });
  it("accepts every preset as it is", () => {
    for (const size of ["light", "medium", "heavy", "very-heavy"] as const)
      expect(resolveProps({ ...HTTP, size }).taskMaxCount).toBeGreaterThan(0);
  });
});
