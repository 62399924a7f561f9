/** doctor's "make it bigger" hints name the capacity model's target. */
import { describe, expect, it } from "vitest";
import {
  instanceForTasks,
  moreCpuThan,
  moreMemoryThan,
  nextContainerMemory,
} from "../../../src/capacity/hints.js";
import { memoryHints } from "../../../src/checks/ecs/checks.js";
import { instanceSizeHint } from "../../../src/checks/host/common.js";
import { capacityOf, moduleDefaults } from "../../../src/capacity/index.js";

describe("capacity targets for hints", () => {
  it("more CPU: the next size of the family; burstable moves to a steady family of at least its size", () => {
    expect(moreCpuThan("c6a.large")).toMatchObject({ instanceType: "c6a.xlarge", vcpus: 4 });
    expect(moreCpuThan("m7g.xlarge")).toMatchObject({ instanceType: "m7g.2xlarge", vcpus: 8 });
    expect(moreCpuThan("t3.small")).toMatchObject({ instanceType: "c6a.large" });
    expect(moreCpuThan("t4g.medium")).toMatchObject({ instanceType: "c7g.large" });
    expect(moreCpuThan("t3.xlarge")).toMatchObject({ instanceType: "c6a.2xlarge" }); // at least its 4 vCPU and 16 GiB
    expect(moreCpuThan(undefined).instanceType).toBe("c6a.xlarge");
    expect(moreCpuThan("x9.huge").instanceType).toBe("c6a.xlarge");
  });

  it("more memory: the next size above the host's MemTotal (a t3.small shows ~1.9 GiB)", () => {
    expect(moreMemoryThan(916).instanceType).toBe("t3.small"); // FACTS §2's t3.micro
    expect(moreMemoryThan(1914).instanceType).toBe("t3.medium");
    expect(moreMemoryThan(undefined).instanceType).toBe("t3.nano");
  });

  it("an instance for tasks: the smallest that places them, per the model", () => {
    const t = instanceForTasks(1024, 3)!;
    expect(t.instanceType).toBe("c6a.xlarge");
    expect(capacityOf(moduleDefaults(t.instanceType, 1, 1, 1024)).perHost.slots).toBeGreaterThanOrEqual(3);
    expect(capacityOf(moduleDefaults("c6a.large", 1, 1, 1024)).perHost.slots).toBeLessThan(3);
    expect(nextContainerMemory(512)).toBe(1024);
    expect(nextContainerMemory(1024)).toBe(2048);
  });

  it("the hints carry the targets", () => {
    const hints = memoryHints({
      arn: "td",
      containers: [{ name: "p", essential: true, memoryMiB: 512 }],
      fileSystemIds: [],
    });
    expect(hints[0]).toContain("from 512 to 1024 MiB");
    expect(hints[2]).toContain("c6a.xlarge (8 GiB) places 3 tasks of 1024 MiB per host");
    expect(hints[2]).toContain('asg_instance_type = "c6a.xlarge"');
    expect(instanceSizeHint(916)).toContain("Increase the instance size to t3.small (2 GiB");
    expect(instanceSizeHint(916)).toContain("over this host's 916 MiB");
  });
});
