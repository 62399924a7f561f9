#!/usr/bin/env node
// `pypictl size` against the loopback fake (test/fixtures/aws/loopback.mjs: the real SDK, every call counted
// at the fake): GetMetricData calls and wall time for 14- and 30-day windows at 2, 20 and 200 hosts, against
// the budget sizeCallBudget() computes from the plan (≤ 100,800 datapoints and ≤ 500 queries per call).
// The fake answers every series with the window's full number of points; its index answers / with the
// package count, as pypiserver does. The last line checks the issue's claim: 14 days × 20 hosts in ≤ 5 calls.
// Usage: node scripts/bench-size.mjs [--runs 1] (npm run build first; npm run bench does)
import { startLoopbackAws } from "../test/fixtures/aws/loopback.mjs";
import { scenario, instanceId } from "../test/fixtures/aws/sim.mjs";
import { sizeCallBudget, sizePlan } from "../dist/sources/aws/size-load.js";
import { resolutionFor } from "../dist/capacity/evidence.js";
import { bin, flag, spread, timeNode } from "./bench-lib.mjs";

const RUNS = flag("runs", 1);
const HOME = { HOME: "/nonexistent" };
const DAY = 86_400_000;

/** Every size series with the window's points; hosts a little apart. */
function sizeMetrics(points, hostPoints, n) {
  const wave = (len, b, s) =>
    Array.from({ length: len }, (_, i) =>
      Math.max(0, Math.round(b + s * Math.sin((i / len) * 40 * Math.PI))),
    );
  const m = {
    requests: wave(points, 120, 100),
    p95: wave(points, 1, 1),
    taskMemory: wave(points, 60, 10),
    runningTasks: wave(points, 2 * n, 0),
    efsIo: wave(points, 15, 5),
    efsMetered: wave(points, 3e8, 6e7),
    efsPermitted: wave(points, 104857600, 0),
  };
  for (let i = 0; i < n; i++) m[`hostCpu.${instanceId(i)}`] = wave(hostPoints, 40, 20);
  return m;
}

console.log(
  `GetMetricData budget: size --stack pypiserver --since W --no-cost, c6a.large hosts, ${RUNS === 1 ? "one run" : `median of ${RUNS}`} each`,
);
console.log(
  `${"window".padEnd(7)} ${"N".padStart(4)} ${"series".padStart(7)} ${"period".padStart(7)} ${"budget".padStart(7)} ${"calls".padStart(6)} ${"all AWS".padStart(8)}  wall, median (range)`,
);
const over = [];
/** The issue's claim: a 14-day window on a 20-host fleet in a handful (≤ 5) of GetMetricData calls. */
const CLAIM = { days: 14, hosts: 20, maxCalls: 5 };
let claim;
for (const days of [14, 30]) {
  for (const n of [2, 20, 200]) {
    const end = new Date(Math.floor(Date.now() / 300_000) * 300_000);
    const start = new Date(end.getTime() - days * DAY);
    const res = resolutionFor(start, end);
    const points = Math.floor((days * DAY) / 1000 / res.periodSeconds);
    const hostPoints = Math.floor((days * DAY) / 1000 / res.hostPeriodSeconds);
    const { specs } = sizePlan({
      cluster: "c",
      service: "s",
      loadBalancer: "app/x/1",
      fileSystemId: "fs",
      instances: Array.from({ length: n }, (_, i) => instanceId(i)),
      periodSeconds: res.periodSeconds,
      hostPeriodSeconds: res.hostPeriodSeconds,
    });
    const budget = sizeCallBudget(specs, start, end, res.hostPeriodSeconds);
    const sc = scenario({
      instances: n,
      desired: 2 * n,
      running: 2 * n,
      metrics: sizeMetrics(points, hostPoints, n),
    });
    const fake = await startLoopbackAws(sc, { now: end, memo: true });
    try {
      const ms = [];
      let calls = [];
      for (let i = 0; i < RUNS; i++) {
        const before = fake.calls.length;
        const r = await timeNode(
          [
            bin,
            "size",
            "--stack",
            "pypiserver",
            "--since",
            `${days}d`,
            "--no-cost",
            "--format",
            "json",
            "--quiet",
          ],
          {
            env: { ...fake.env, ...HOME },
            okCodes: [0, 3],
          },
        );
        ms.push(r.ms);
        calls = fake.calls.slice(before);
      }
      const gmd = calls.filter((c) => c.endsWith(":GetMetricData")).length;
      if (gmd > budget) over.push(`${days}d N=${n}: ${gmd} > ${budget}`);
      if (days === CLAIM.days && n === CLAIM.hosts) claim = { gmd, wall: spread(ms) };
      console.log(
        `${`${days}d`.padEnd(7)} ${String(n).padStart(4)} ${String(specs.length).padStart(7)} ${`${res.periodSeconds}s`.padStart(7)} ${String(budget).padStart(7)} ${String(gmd).padStart(6)} ${String(calls.length).padStart(8)}  ${spread(ms)}`,
      );
    } finally {
      await fake.close();
    }
  }
}
console.log(
  `${over.length ? "NOT MET" : "MET    "}  size's GetMetricData calls within the packed budget in every case${over.length ? `: ${over.join("; ")}` : ""}`,
);
const claimMet = claim !== undefined && claim.gmd <= CLAIM.maxCalls;
console.log(
  `${claimMet ? "MET    " : "NOT MET"}  a ${CLAIM.days}-day window on ${CLAIM.hosts} hosts in ${claim?.gmd ?? "?"} GetMetricData calls (claim: a handful, ≤ ${CLAIM.maxCalls}); whole run ${claim?.wall ?? "?"}`,
);
if (over.length || !claimMet) process.exitCode = 1;
