import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..", "..");

describe("bench pieces work (npm run bench itself is not part of the suite)", () => {
  it("the whole-process fleet bench runs once at 0 ms and prints a verdict with its ratio", () => {
    const r = spawnSync(
      process.execPath,
      [join(root, "scripts/bench-e2e.mjs"), "--runs", "1", "--latency", "0", "--instances", "2"],
      { encoding: "utf8", timeout: 120_000 },
    );
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/baseline node -e 0: \d+ ms/);
    // Every AWS call of an AWS-only run reached the fake: 15 since ec2.cpu-skew reads where the tasks run
    // (DescribeContainerInstances).
    expect(r.stdout).toMatch(/N=2, 0 ms\/call .* 15 {2}[\d. ]+\n/);
    expect(r.stdout).toMatch(
      /^(MET|NOT MET) +AWS-only diagnosis .*median \d+\.\d\d×, worst \d+\.\d\d× of \d+ \(goal ≤ 4×\)$/m,
    );
  });

  it("the replay bench builds a bundle deterministically, replays it and prints both verdicts", () => {
    const r = spawnSync(
      process.execPath,
      [join(root, "scripts/bench-replay.mjs"), "--runs", "1", "--instances", "2"],
      { encoding: "utf8", timeout: 120_000 },
    );
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/bundle: 2 instances, 24 series, 27072 points; [\d.]+ MiB compact/);
    expect(r.stdout).toMatch(
      /^(MET|NOT MET) +replay of the 2 × 1440 bundle \(compact\), whole process: median \d+ ms/m,
    );
    expect(r.stdout).toMatch(/^(MET|NOT MET) +replay peak RSS .* \(goal ≤ 2×\)$/m);
  });
});
