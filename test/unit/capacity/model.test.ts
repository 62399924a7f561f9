/**
 * The capacity model against the module's own numbers (FACTS §1 formula, FACTS §2 stress tests), and its
 * properties over random configurations.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import {
  INSTANCE_FACTS,
  PROFILE_RESULTS,
  SIZES,
  capacityOf,
  moduleDefaults,
  place,
  presetConfig,
  recommend,
  type FleetConfig,
} from "../../../src/capacity/index.js";

describe("instance facts", () => {
  it("knows the presets' and the guide's types with the documented vCPU/memory/arch", () => {
    expect(INSTANCE_FACTS["t3.small"]).toMatchObject({
      vcpus: 2,
      memoryMiB: 2048,
      arch: "x86_64",
      baselineShare: 0.2,
    });
    expect(INSTANCE_FACTS["t3.micro"]).toMatchObject({ vcpus: 2, memoryMiB: 1024, baselineShare: 0.1 });
    expect(INSTANCE_FACTS["t4g.medium"]).toMatchObject({ vcpus: 2, memoryMiB: 4096, arch: "arm64" });
    expect(INSTANCE_FACTS["c6a.xlarge"]).toMatchObject({ vcpus: 4, memoryMiB: 8192, arch: "x86_64" });
    expect(INSTANCE_FACTS["c7g.large"]).toMatchObject({ vcpus: 2, memoryMiB: 4096, arch: "arm64" });
    expect(INSTANCE_FACTS["m7g.xlarge"]).toMatchObject({ vcpus: 4, memoryMiB: 16384, arch: "arm64" });
    expect(INSTANCE_FACTS["c6a.2xlarge"]).toMatchObject({ vcpus: 8, memoryMiB: 16384 });
    expect(INSTANCE_FACTS["c5.8xlarge"]).toBeUndefined(); // c5's next size is 9xlarge
    expect(INSTANCE_FACTS["c6a.large"]!.baselineShare).toBeUndefined();
  });
});

describe("calibration: FACTS §2's four profiles", () => {
  it("heavy is 2×c6a.xlarge with 12→24 tasks (FACTS §2) — the formula of FACTS §1 gives exactly that", () => {
    const c = capacityOf(presetConfig("heavy"));
    expect(c.perHost).toEqual({ byMemory: 19, byCpu: 6, slots: 6 });
    expect(c.config.tasksMin).toBe(12);
    expect(c.config.tasksMax).toBe(24);
    expect(c.slots).toEqual({ atMinHosts: 12, atMaxHosts: 24 });
  });

  it("each profile carries the burst it was tested at, and the next profile's burst exceeds it", () => {
    for (const size of SIZES) {
      const c = capacityOf(presetConfig(size));
      expect(c.requestsPerMinute.atMin, size).toBeGreaterThanOrEqual(
        PROFILE_RESULTS[size].testedBurstPerMinute,
      );
      expect(c.problems, size).toEqual([]);
    }
    expect(capacityOf(presetConfig("light")).requestsPerMinute.atMin).toBeLessThan(200);
    expect(capacityOf(presetConfig("medium")).requestsPerMinute.atMin).toBeLessThan(500);
  });

  it("a 500-request burst is over the limit on light and medium and within it on heavy (errors 2–5 %, 0.5–1 %, 0.05 %)", () => {
    const at500 = (size: (typeof SIZES)[number]) =>
      place(capacityOf(presetConfig(size)), { requestsPerMinute: 500 }).first;
    expect(at500("light")).toMatchObject({ limit: "cpu" });
    expect(at500("light").used).toBeGreaterThan(5);
    expect(at500("medium").used).toBeGreaterThan(1);
    expect(at500("heavy").used).toBeLessThanOrEqual(1);
    expect(at500("very-heavy").used).toBeLessThanOrEqual(0.5);
  });

  it("the recorded incident: t3.micro with 2×128 MiB tasks has no room; t3.small with 512 MiB tasks does (FACTS §2)", () => {
    const micro: FleetConfig = {
      ...moduleDefaults("t3.small", 1, 1, 512),
      instanceType: "t3.micro",
      containerMemory: 128,
      containerMemoryReservation: 96,
      tasksMin: 2,
      tasksMax: 2,
    };
    const c = capacityOf(micro);
    // 1024 − 300 − 500 = 224 MiB for tasks: 2 slots at 96 MiB reserved, and the page cache is what swaps.
    expect(c.memoryPerHost.headroomMiB).toBe(1024 - 300 - 192);
    const small = capacityOf(moduleDefaults("t3.small", 1, 1, 512));
    expect(small.problems).toEqual([]);
    expect(small.memoryPerHost.hardHeadroomMiB).toBeGreaterThan(0);
  });
});

describe("placement problems", () => {
  it("refuses a task max count above the slots, with the numbers", () => {
    const c = capacityOf({ ...presetConfig("medium"), tasksMax: 20 });
    const p = c.problems.find((x) => x.prop === "taskMaxCount");
    expect(p?.message).toContain("20 tasks at most");
    expect(p?.message).toContain("12 slots");
  });
  it("refuses a hard limit above host memory less the agent's reserve", () => {
    const c = capacityOf({
      ...presetConfig("light"),
      containerMemory: 1900,
      containerMemoryReservation: 512,
    });
    expect(c.problems.map((p) => p.prop)).toContain("containerMemory");
    expect(c.problems[0]!.message).toContain("2048 MiB − 300 MiB");
  });
});

describe("EFS is independent of the hosts", () => {
  it("a bigger instance leaves a bursting file system's use where it was; elastic removes the ceiling", () => {
    const current = { ...presetConfig("medium"), efsThroughputMode: "bursting" as const };
    const load = { requestsPerMinute: 60, efsPercent: 97, observedOn: current };
    const bigger = { ...presetConfig("very-heavy"), efsThroughputMode: "bursting" as const };
    expect(place(capacityOf(bigger), load).first).toMatchObject({ limit: "efs", used: 0.97 });
    const r = recommend(current, { requestsPerMinute: 60, efsPercent: 97 });
    expect(r.verdict).toBe("undersized");
    expect(r.changes[0]).toMatchObject({ field: "efsThroughputMode", to: "elastic" });
    expect(r.changes.some((c) => c.field === "instanceType" && c.to === "c6a.2xlarge")).toBe(false);
  });
});

describe("recommend", () => {
  it("an undersized medium fleet at 480/min with hot CPU gets heavy", () => {
    const r = recommend(presetConfig("medium"), { requestsPerMinute: 480, hostCpuPercent: 96 });
    expect(r.verdict).toBe("undersized");
    expect(r.recommended.config.instanceType).toBe("c6a.xlarge");
    expect(r.recommended.size).toBe("heavy");
    expect(r.changes[0]).toMatchObject({
      field: "instanceType",
      from: "c6a.large",
      to: "c6a.xlarge",
      relieves: "cpu",
    });
  });
  it("an idle heavy fleet gets the smaller configuration", () => {
    const r = recommend(presetConfig("heavy"), {
      requestsPerMinute: 12,
      hostCpuPercent: 4,
      taskMemoryPercentOfLimit: 30,
    });
    expect(r.verdict).toBe("oversized");
    expect(r.recommended.size).toBe("light");
    expect(r.changes[0]!.relieves).toBe("cost");
  });
  it("memory at the hard limit asks for more container memory", () => {
    const r = recommend(presetConfig("medium"), { requestsPerMinute: 40, taskMemoryPercentOfLimit: 97 });
    expect(r.verdict).toBe("undersized");
    expect(r.recommended.config.containerMemory).toBeGreaterThan(512);
    expect(r.changes.map((c) => c.field)).toContain("containerMemory");
  });
});

const known = Object.keys(INSTANCE_FACTS);
const configs = fc
  .record({
    instanceType: fc.constantFrom(...known),
    minHosts: fc.integer({ min: 1, max: 20 }),
    extraHosts: fc.integer({ min: 0, max: 20 }),
    containerMemory: fc.integer({ min: 256, max: 8192 }),
    reservationShare: fc.double({ min: 0.3, max: 1, noNaN: true }),
    workers: fc.integer({ min: 1, max: 16 }),
    tasksMin: fc.integer({ min: 1, max: 100 }),
    extraTasks: fc.integer({ min: 0, max: 100 }),
    mode: fc.constantFrom("elastic" as const, "bursting" as const),
  })
  .map((r): FleetConfig => ({
    instanceType: r.instanceType,
    minHosts: r.minHosts,
    maxHosts: r.minHosts + r.extraHosts,
    tasksMin: r.tasksMin,
    tasksMax: r.tasksMin + r.extraTasks,
    containerMemory: r.containerMemory,
    containerMemoryReservation: Math.max(128, Math.floor(r.containerMemory * r.reservationShare)),
    containerCpu: r.workers * 150 + 40,
    gunicornWorkers: r.workers,
    efsThroughputMode: r.mode,
  }));

describe("properties", () => {
  it("slots never exceed either resource, and more hosts never hold fewer tasks", () => {
    fc.assert(
      fc.property(configs, (c) => {
        const cap = capacityOf(c);
        const f = cap.instance;
        expect(cap.perHost.slots * c.containerMemoryReservation).toBeLessThanOrEqual(
          Math.max(0, f.memoryMiB - 800),
        );
        expect(cap.perHost.slots * c.containerCpu).toBeLessThanOrEqual(Math.max(0, f.vcpus * 1024 - 128));
        expect(cap.slots.atMaxHosts).toBeGreaterThanOrEqual(cap.slots.atMinHosts);
        expect(cap.requestsPerMinute.atMax).toBeGreaterThanOrEqual(0);
        expect(cap.effectiveVcpus).toBeLessThanOrEqual(c.minHosts * f.vcpus);
      }),
    );
  });
  it("placement problems appear exactly when the counts or limits exceed what the hosts have", () => {
    fc.assert(
      fc.property(configs, (c) => {
        const cap = capacityOf(c);
        const props = cap.problems.map((p) => p.prop);
        expect(props.includes("containerMemory")).toBe(c.containerMemory > cap.instance.memoryMiB - 300);
        if (cap.perHost.slots >= 1)
          expect(props.includes("taskMaxCount")).toBe(c.tasksMax > cap.slots.atMaxHosts);
      }),
    );
  });
  it("more load never uses less of any limit, and the first limit is the most pressed", () => {
    fc.assert(
      fc.property(
        configs,
        fc.integer({ min: 0, max: 5000 }),
        fc.integer({ min: 0, max: 5000 }),
        (c, a, b) => {
          const cap = capacityOf(c);
          const lo = place(cap, { requestsPerMinute: Math.min(a, b) });
          const hi = place(cap, { requestsPerMinute: Math.max(a, b) });
          for (const u of lo.uses)
            expect(hi.uses.find((x) => x.limit === u.limit)!.used).toBeGreaterThanOrEqual(u.used);
          for (const u of hi.uses)
            expect(u.used / u.target).toBeLessThanOrEqual(hi.first.used / hi.first.target);
        },
      ),
    );
  });
  it("a recommendation that is not still short fits the load and places without problems", () => {
    fc.assert(
      fc.property(
        configs,
        fc.integer({ min: 0, max: 900 }),
        fc.integer({ min: 0, max: 99 }),
        (c, rpm, mem) => {
          const r = recommend(c, { requestsPerMinute: rpm, taskMemoryPercentOfLimit: mem });
          if (r.verdict !== "fits" && !r.stillShort) {
            expect(r.recommended.placement.fits).toBe(true);
            expect(r.recommended.capacity.problems).toEqual([]);
          }
          if (r.verdict === "oversized") expect(r.current.placement.fits).toBe(true);
        },
      ),
      { numRuns: 60 },
    );
  });
});
