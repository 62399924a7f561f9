#!/usr/bin/env node
// Profiling helper (not the bench): runs the simulated fleet at one N many times, with a timeline of
// AWS calls and finished sources (medians over the runs with --timeline). Run after npm run build.
// Usage: node [--cpu-prof] scripts/prof-fleet.mjs [N] [runs] [short|realistic] [--timeline]
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runDoctor } from "../dist/checks/doctor.js";
import { CHECKS } from "../dist/checks/registry.js";
import { SOURCE_LOADERS } from "../dist/sources/registry.js";
import { DEFAULT_GATHER_SETTINGS } from "../dist/sources/context.js";
import { AwsClientPool } from "../dist/sources/aws/pool.js";
import { buildProbeScript } from "../dist/sources/host/probe-script.js";
import { installFleet, scenario, fleetTarget } from "../test/fixtures/aws/sim.mjs";
import { fakeHost } from "../test/fixtures/host/fake-host.mjs";

const N = Number(process.argv[2] ?? 200);
const RUNS = Number(process.argv[3] ?? 20);
const which = process.argv[4] ?? "realistic";
const now = new Date();
const window = {
  start: new Date(now.getTime() - 3_600_000).toISOString(),
  end: now.toISOString(),
  since: "1h",
};
const checks = CHECKS.filter((c) => ["efs", "ecs", "alb", "ec2", "host"].includes(c.id.split(".")[0]));
const untrimmed = readFileSync(new URL("../test/fixtures/aws/probe-stdout.txt", import.meta.url), "utf8");
const realistic = (() => {
  const dir = mkdtempSync(join(tmpdir(), "pypictl-bench-"));
  try {
    const h = fakeHost(untrimmed, dir, { packages: true });
    const script = buildProbeScript({
      samples: 5,
      mountPath: h.mountPath,
      packageDir: h.packageDir,
      procDir: h.proc,
    });
    return execFileSync("sh", ["-s"], { input: script, env: h.env, encoding: "utf8" })
      .split(h.packageDir)
      .join("/data/packages");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
})();
const compact = realistic.replace(
  /==> pypictl:mount <==[\s\S]*?<== pypictl:mount status=ok exit=0 ==>/,
  "==> pypictl:mount <==\npypictl.path_state=absent\npypictl.entries=0\n<== pypictl:mount status=ok exit=0 ==>",
);
const stdout = which === "short" ? compact : realistic;
async function runOnce(n, timeline) {
  const fleet = installFleet(
    scenario({
      instances: n,
      latencyMs: 20,
      probeStdout: stdout,
      stoppedTasks: [{ minutesAgo: 5, exitCode: 137, reason: "OutOfMemoryError" }],
    }),
    now,
    { light: true },
  );
  try {
    const t0 = performance.now();
    if (timeline) {
      for (const m of Object.values(fleet.mocks)) {
        const calls = m.calls();
        const push = calls.push.bind(calls);
        calls.push = (c) => {
          timeline.push([performance.now() - t0, c.args[0].constructor.name]);
          return push(c);
        };
      }
    }
    await runDoctor({
      checks,
      overrides: {},
      window,
      target: fleetTarget(),
      settings: {
        ...DEFAULT_GATHER_SETTINGS,
        ssmInitialPollMs: 0,
        ssmMaxPollMs: 50,
        aws: new AwsClientPool(),
      },
      toolVersion: "bench",
      ...(timeline
        ? {
            onProgress: (e) =>
              e.type === "source-done" && timeline.push([performance.now() - t0, `done: ${e.id}`]),
          }
        : {}),
      load: async (id) => SOURCE_LOADERS[id]?.(),
      now: () => now,
    });
    const ms = performance.now() - t0;
    if (timeline) timeline.push([ms, "report"]);
    return ms;
  } finally {
    fleet.restore();
  }
}
await runOnce(1);
const ms = [];
const events = new Map();
for (let i = 0; i < RUNS; i++) {
  const tl = [];
  ms.push(await runOnce(N, tl));
  const seen = new Map();
  for (const [t, what] of tl) {
    const k = `${what}#${(seen.get(what) ?? 0) + 1}`;
    seen.set(what, (seen.get(what) ?? 0) + 1);
    if (!events.has(k)) events.set(k, []);
    events.get(k).push(t);
  }
}
const med = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
ms.sort((a, b) => a - b);
console.log(`N=${N} ${which}: median ${med(ms).toFixed(1)} ms, min ${ms[0].toFixed(1)}`);
if (process.argv.includes("--timeline"))
  for (const [k, ts] of [...events].sort((a, b) => med(a[1]) - med(b[1])))
    console.log(`${med(ts).toFixed(1).padStart(7)} ms  ${k}`);
