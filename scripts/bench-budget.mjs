#!/usr/bin/env node
// Whole-process runs of bin/pypictl against the loopback fake (test/fixtures/aws/loopback.mjs: the real
// SDK, every call counted at the fake), for the call budgets and slow paths of issues 12 and 9:
// 1. GetMetricData calls and wall time for 1 h, 24 h and 15 d windows at 1, 50 and 200 t3 instances (four
//    per-instance EC2 series each, the largest plan), against the documented budget — metricCallBudget()
//    in src/sources/aws/cloudwatch.ts, the table in the README's Performance section. The fake answers
//    every series with the window's full number of points.
// 2. AWS calls per selection (--only efs, ecs, alb, ec2, auth, host and all), 50 instances, 1 h.
// 3. The SSM wait: `--only host` with the fake's probe taking the sampling window; the wait is the probe
//    source's own time (--verbose), as a ratio to the sampling window.
// 4. An endpoint that answers every request with an HTML 500 page: wall time and exit code.
// Usage: node scripts/bench-budget.mjs [--runs 1] [--samples 5] (npm run build first; npm run bench does)
import { createServer } from "node:http";
import { startLoopbackAws } from "../test/fixtures/aws/loopback.mjs";
import { scenario, instanceId } from "../test/fixtures/aws/sim.mjs";
import { metricCallBudget, metricPlan, periodFor } from "../dist/sources/aws/cloudwatch.js";
import { bin, flag, median, spread, timeNode, verdict } from "./bench-lib.mjs";

/** Runs per case of the window table (its call counts are deterministic; its wall times are one run's). */
const RUNS = flag("runs", 1);
/** Runs of the SSM wait and the all-500 endpoint, judged on every run. */
const JUDGED_RUNS = Math.max(3, RUNS);
const SAMPLES = flag("samples", 5);
const HOME = { HOME: "/nonexistent" };
const base = ["doctor", "--stack", "pypiserver", "--format", "json", "--quiet"];

/** Every catalogue series with `points` values; per-instance series the same for every instance. */
function fleetMetrics(points, n) {
  const wave = (b, s, phase = 0) =>
    Array.from({ length: points }, (_, i) =>
      Math.max(0, Math.round((b + s * Math.sin((i / points) * 2 * Math.PI + phase)) * 100) / 100),
    );
  return {
    "efs.PercentIOLimit": wave(20, 8),
    "efs.BurstCreditBalance": wave(2.3e12, 1e10),
    "efs.PermittedThroughput": wave(104857600, 0),
    "efs.MeteredIOBytes": wave(3e8, 6e7),
    "ecs.MemoryUtilization": wave(60, 10),
    "ecs.CPUUtilization": wave(35, 15),
    "alb.RequestCount": wave(1200, 600),
    "alb.TargetResponseTime.p95": wave(0.8, 0.3),
    "alb.UnHealthyHostCount": wave(0, 0),
    "alb.HealthyHostCount": wave(2 * n, 0),
    "ec2.CPUUtilization": (i) => wave(30, 10, i % 7),
    "ec2.CPUCreditBalance": () => wave(200, 20),
    "ec2.CPUSurplusCreditBalance": () => wave(0, 0),
    "ec2.CPUSurplusCreditsCharged": () => wave(0, 0),
  };
}

/** Run doctor against a fresh fake `runs` times: wall times, exit status and the calls of the last run. */
async function measure(sc, args, { runs = RUNS, probeMs = 0, okCodes = [0, 1, 3] } = {}) {
  const fake = await startLoopbackAws(sc, { probeMs });
  try {
    const ms = [];
    let calls = [];
    /** Each run's calls: a goal on calls is judged on every run. */
    const allCalls = [];
    let status;
    for (let i = 0; i < runs; i++) {
      const before = fake.calls.length;
      const r = await timeNode([bin, ...args], { env: { ...fake.env, ...HOME }, okCodes });
      ms.push(r.ms);
      status = r.status;
      calls = fake.calls.slice(before);
      allCalls.push(calls);
    }
    return { ms, calls, allCalls, status };
  } finally {
    await fake.close();
  }
}

const count = (calls, suffix) => calls.filter((c) => c.endsWith(suffix)).length;

// ---- 1. GetMetricData per window and fleet size -------------------------------------------------------
const WINDOWS = [
  ["1h", 3_600_000],
  ["24h", 86_400_000],
  ["15d", 15 * 86_400_000],
];
const SIZES = [1, 50, 200];
console.log(
  `GetMetricData budget: doctor --stack pypiserver --skip host --since W, t3.small instances, ${RUNS === 1 ? "one run" : `median of ${RUNS}`} each`,
);
console.log(
  `${"window".padEnd(7)} ${"N".padStart(4)} ${"series".padStart(7)} ${"period".padStart(7)} ${"points".padStart(7)} ${"budget".padStart(7)} ${"calls".padStart(6)} ${"all AWS".padStart(8)}  wall, median (range)`,
);
const over = [];
for (const [since, span] of WINDOWS) {
  for (const n of SIZES) {
    const end = new Date();
    const window = { start: new Date(end.getTime() - span).toISOString(), end: end.toISOString(), since };
    const period = periodFor(window);
    const points = Math.ceil(span / 1000 / period);
    const instances = Array.from({ length: n }, (_, i) => ({
      instanceId: instanceId(i),
      instanceType: "t3.small",
    }));
    const { specs } = metricPlan({
      cluster: "c",
      service: "s",
      fileSystemId: "fs",
      loadBalancer: "app/x/1",
      targetGroup: "targetgroup/x/1",
      instances,
    });
    const budget = metricCallBudget(specs.length, window);
    const sc = scenario({ instances: n, instanceType: "t3.small", metrics: fleetMetrics(points, n) });
    const r = await measure(sc, [...base, "--skip", "host", "--since", since]);
    const calls = Math.max(...r.allCalls.map((c) => count(c, ":GetMetricData")));
    if (calls > budget) over.push(`${since} N=${n}: ${calls} > ${budget}`);
    console.log(
      `${since.padEnd(7)} ${String(n).padStart(4)} ${String(specs.length).padStart(7)} ${`${period}s`.padStart(7)} ${String(points).padStart(7)} ${String(budget).padStart(7)} ${String(calls).padStart(6)} ${String(r.calls.length).padStart(8)}  ${spread(r.ms)}`,
    );
  }
}
console.log(
  `${over.length ? "NOT MET" : "MET    "}  GetMetricData calls within the documented budget in every case${over.length ? `: ${over.join("; ")}` : ""}`,
);

// ---- 2. Calls per selection --------------------------------------------------------------------------
console.log(
  `\nAWS calls per selection: doctor --stack pypiserver --only SEL, 50 × t3.small, --since 1h, --samples 2 (1 run each)`,
);
const sel = scenario({ instances: 50, instanceType: "t3.small" });
for (const only of ["efs", "ecs", "alb", "ec2", "auth", "host", "all"]) {
  const args = only === "all" ? [...base, "--samples", "2"] : [...base, "--only", only, "--samples", "2"];
  const r = await measure(sel, args, { runs: 1 });
  const byAction = {};
  for (const c of r.calls) byAction[c] = (byAction[c] ?? 0) + 1;
  const list = Object.entries(byAction)
    .map(([a, k]) => `${a.split(":")[1]}${k > 1 ? `×${k}` : ""}`)
    .join(" ");
  console.log(
    `  ${(only === "all" ? "(all)" : `--only ${only}`).padEnd(13)} ${String(r.calls.length).padStart(4)} calls ${`${r.ms[0].toFixed(0)} ms`.padStart(8)}  ${list}`,
  );
}

// ---- 3. The SSM wait ---------------------------------------------------------------------------------
// The probe source's own time (--verbose: from its first request to its result) is the SSM wait: the probe
// cannot finish before its sampling window, so the goal is the window plus one poll interval.
const windowMs = (SAMPLES - 1) * 1000;
const POLL_CAP_MS = 2000;
const probe = scenario({ instances: 2 });
const fakeSsm = await startLoopbackAws(probe, { probeMs: windowMs });
try {
  const waits = [];
  const walls = [];
  for (let i = 0; i < JUDGED_RUNS; i++) {
    const r = await timeNode([bin, ...base, "--only", "host", "--samples", String(SAMPLES), "--verbose"], {
      env: { ...fakeSsm.env, ...HOME },
    });
    const m = /source host\.probe: ok in (\d+) ms/.exec(r.stderr);
    if (!m) throw new Error(`no host.probe timing in --verbose output: ${r.stderr.slice(0, 500)}`);
    waits.push(Number(m[1]));
    walls.push(r.ms);
  }
  console.log(
    `\nSSM wait: doctor --only host --samples ${SAMPLES} (2 instances; the fake's probe runs the ${windowMs / 1000} s sampling window)`,
  );
  console.log(
    `  host.probe ${spread(waits)} = ${(median(waits) / windowMs).toFixed(2)}× the window; whole process ${spread(walls)}`,
  );
  console.log(
    verdict(
      `SSM wait ÷ sampling window (goal: the window + one ${POLL_CAP_MS / 1000} s poll interval)`,
      waits.map((w) => w / windowMs),
      Number((1 + POLL_CAP_MS / windowMs).toFixed(2)),
    ).line,
  );
} finally {
  await fakeSsm.close();
}

// ---- 4. An endpoint that answers 500 to everything ---------------------------------------------------
const server = createServer((req, res) => {
  req.resume();
  res.writeHead(500, { "content-type": "text/html" });
  res.end(
    "<html><head><title>500 Internal Server Error</title></head><body><h1>Internal Server Error</h1></body></html>",
  );
});
await new Promise((r) => server.listen(0, "127.0.0.1", r));
const url = `http://127.0.0.1:${server.address().port}`;
try {
  const env = {
    ...HOME,
    AWS_ENDPOINT_URL: url,
    AWS_REGION: "eu-west-1",
    AWS_ACCESS_KEY_ID: "AKIDBENCH",
    AWS_SECRET_ACCESS_KEY: "bench",
    AWS_EC2_METADATA_DISABLED: "true",
    AWS_CONFIG_FILE: "/dev/null",
    AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
  };
  const args = [
    bin,
    "doctor",
    "--cluster",
    "pypiserver",
    "--service",
    "pypiserver",
    "--file-system-id",
    "fs-0123456789abcdef0",
    "--format",
    "json",
    "--quiet",
  ];
  const ms = [];
  const codes = [];
  for (let i = 0; i < JUDGED_RUNS; i++) {
    const r = await timeNode(args, { env, okCodes: [0, 1, 2, 3] });
    ms.push(r.ms);
    codes.push(r.status);
  }
  console.log(
    `\nall-500 endpoint (HTML 500 page for every request), doctor --cluster --service --file-system-id: ${spread(ms)}, exit ${[...new Set(codes)].join("/")}`,
  );
  const allThree = codes.every((c) => c === 3);
  const v = verdict(
    "all-500 endpoint ends in exit 3 within a few seconds",
    ms.map((m) => m / 1000),
    5,
    { unit: " s", digits: 1 },
  );
  console.log(allThree ? v.line : `NOT MET  all-500 endpoint: exit ${codes.join(",")} (goal: 3)`);
} finally {
  server.closeAllConnections?.();
  await new Promise((r) => server.close(r));
}
