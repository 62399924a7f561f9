#!/usr/bin/env node
// Simulated fleets of 1, 10, 50 and 200 instances behind strict fake clients answering after a fixed
// per-call latency: AWS calls per doctor run and wall time (SSM sampling excluded: the first poll is
// immediate). The real sources, SSM runner, parsers and checks run; only `send` is faked (sim.mjs, light
// mode: plain functions instead of sinon stubs). Run after `npm run build` (npm run bench does).
// Usage: node scripts/bench-fleet.mjs [--latency 20] [--untrimmed]
// The realistic probe output is what TODAY's probe script prints on the host of
// test/fixtures/aws/probe-stdout.txt (a full, untrimmed output with an EFS mountstats entry): the script is
// run for real on a fake host made from it (test/fixtures/host/fake-host.mjs). --untrimmed adds a row set
// with the fixture itself (all of /proc/meminfo and mountstats), for comparison.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runDoctor } from "../dist/checks/doctor.js";
import { CHECKS } from "../dist/checks/registry.js";
import { SOURCE_LOADERS } from "../dist/sources/registry.js";
import { DEFAULT_GATHER_SETTINGS } from "../dist/sources/context.js";
import { AwsClientPool } from "../dist/sources/aws/pool.js";
import { LIST_OUTPUT_LIMIT } from "../dist/sources/aws/ssm-probe.js";
import { buildProbeScript } from "../dist/sources/host/probe-script.js";
import { installFleet, scenario, fleetTarget, wrappedOutput } from "../test/fixtures/aws/sim.mjs";
import { fakeHost } from "../test/fixtures/host/fake-host.mjs";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
const arg = process.argv.indexOf("--latency");
const LATENCY = arg > 0 ? Number(process.argv[arg + 1]) : 20;
const SIZES = [1, 10, 50, 200];
const now = new Date();
const window = {
  start: new Date(now.getTime() - 3_600_000).toISOString(),
  end: now.toISOString(),
  since: "1h",
};
const checks = CHECKS.filter((c) => ["efs", "ecs", "alb", "ec2", "host"].includes(c.id.split(".")[0]));

const untrimmed = readFileSync(new URL("../test/fixtures/aws/probe-stdout.txt", import.meta.url), "utf8");
const SAMPLES = 5;
const realistic = (() => {
  const dir = mkdtempSync(join(tmpdir(), "pypictl-bench-"));
  try {
    const h = fakeHost(untrimmed, dir, { packages: true });
    const script = buildProbeScript({
      samples: SAMPLES,
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

async function runOnce(n, probeStdout) {
  const fleet = installFleet(
    scenario({
      instances: n,
      latencyMs: LATENCY,
      probeStdout,
      stoppedTasks: [{ minutesAgo: 5, exitCode: 137, reason: "OutOfMemoryError" }],
    }),
    now,
    { light: true },
  );
  try {
    const t0 = performance.now();
    const { report } = await runDoctor({
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
      load: async (id) => SOURCE_LOADERS[id]?.(),
      now: () => now,
    });
    const ms = performance.now() - t0;
    const byAction = {};
    for (const a of fleet.actions()) byAction[a] = (byAction[a] ?? 0) + 1;
    return { ms, calls: fleet.calls(), byAction, errors: report.summary.error };
  } finally {
    fleet.restore();
  }
}

const sets = [
  ["short probe output (no EFS mount entry)", compact, true],
  [`realistic probe output: today's probe on an EFS host, --samples ${SAMPLES}`, realistic, true],
];
if (process.argv.includes("--untrimmed"))
  sets.push([
    "untrimmed output (all of meminfo and mountstats; not what the probe prints; no goal)",
    untrimmed,
    false,
  ]);
const verdicts = [];
for (const [label, stdout, judged] of sets) {
  const listed = wrappedOutput(stdout).length;
  console.log(`\nsimulated fleet, ${LATENCY} ms per AWS call — ${label}`);
  console.log(
    `  ${stdout.length} characters of stdout, ${listed} wrapped (gzip+base64; the listing returns ${LIST_OUTPUT_LIMIT})`,
  );
  console.log(
    `${"instances".padStart(9)} ${"AWS calls".padStart(10)} ${"goal ≤".padStart(7)} ${"wall ms".padStart(9)} ${"× N=1".padStart(7)}  per-action (SSM)`,
  );
  await runOnce(1, stdout); // warm module loading
  let base;
  const missed = [];
  for (const n of SIZES) {
    const runs = [];
    for (let i = 0; i < 5; i++) runs.push(await runOnce(n, stdout));
    runs.sort((a, b) => a.ms - b.ms);
    const r = runs[2];
    base ??= r.ms;
    const goal = Math.ceil(n / 50) + Math.ceil(n / 100) + 12;
    const ssm = Object.entries(r.byAction)
      .filter(([a]) => a.startsWith("ssm:"))
      .map(([a, c]) => `${a.slice(4)}×${c}`)
      .join(" ");
    // Every run is judged, not the median: one run over the goal is a miss.
    const calls = Math.max(...runs.map((x) => x.calls));
    const slowest = runs[runs.length - 1].ms;
    if (calls > goal) missed.push(`N=${n}: ${calls} calls > ${goal}`);
    if (slowest > base * 1.5) missed.push(`N=${n}: slowest run ${(slowest / base).toFixed(2)}× > 1.5×`);
    console.log(
      `${String(n).padStart(9)} ${String(r.calls).padStart(10)} ${String(goal).padStart(7)} ${r.ms.toFixed(0).padStart(9)} ${(r.ms / base).toFixed(2).padStart(7)}  ${ssm}${r.errors ? `  (${r.errors} error findings!)` : ""}`,
    );
  }
  if (judged)
    verdicts.push(
      `${missed.length ? "NOT MET" : "MET"} — ${label}${missed.length ? `: ${missed.join("; ")}` : ""}`,
    );
}
console.log(
  "\ngoals (issue 3): AWS calls ≤ ⌈N/50⌉ + ⌈N/100⌉ + 12; every run's wall time ≤ 1.5 × the N=1 median (SSM sampling excluded; 5 runs each)",
);
for (const v of verdicts) console.log(`  ${v}`);
