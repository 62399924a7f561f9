#!/usr/bin/env node
// Replay of a large evidence bundle (issue 12): a 200-instance fleet over a 24 h window at the 1-minute
// period (1,440 points per series; the CPU credit series 288: EC2 publishes them every 5 minutes),
// gathered by the real AWS sources (dist/, so `npm run build` first) from the simulated fleet of
// test/fixtures/aws/sim.mjs and written as `--save-evidence` writes it — compact, and (for comparison)
// with --pretty. Every value is a function of its position: the same bundle byte for byte on every run.
// Then `pypictl doctor --replay` runs as a whole process; wall time and the child's own peak RSS
// (process.resourceUsage().maxRSS through bench-rss.mjs) are measured per run.
// Goals: replay ≤ 1 s and peak RSS ≤ 2 × the bundle's size, on every run. Memory is judged twice: the
// whole process (Node and the CLI included, ~60 MiB before any bundle) and what the bundle adds to the
// peak of replaying a small one.
// Usage: node scripts/bench-replay.mjs [--runs 5] [--instances 200] [--keep DIR]
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gather, neededSources } from "../dist/checks/runner.js";
import { CHECKS } from "../dist/checks/registry.js";
import { SOURCE_LOADERS } from "../dist/sources/registry.js";
import { DEFAULT_GATHER_SETTINGS } from "../dist/sources/context.js";
import { bundleText, makeBundle } from "../dist/evidence/bundle.js";
import { AwsClientPool } from "../dist/sources/aws/pool.js";
import { installFleet, scenario, fleetTarget } from "../test/fixtures/aws/sim.mjs";
import { bin, flag, median, root, spread, timeNode, verdict } from "./bench-lib.mjs";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
const RUNS = flag("runs", 5);
const INSTANCES = flag("instances", 200);
const POINTS = 1440;
const NOW = new Date("2026-11-20T12:00:00Z");
const WINDOW = {
  start: new Date(NOW.getTime() - 86_400_000).toISOString(),
  end: NOW.toISOString(),
  since: "24h",
};
const MIB = 1048576;

/** A day of a metric: a daily swell plus a deterministic ripple, never negative. */
const day = (base, swing, phase = 0) =>
  Array.from({ length: POINTS }, (_, i) =>
    Math.max(
      0,
      Math.round(
        (base + swing * Math.sin((i / POINTS) * 2 * Math.PI + phase) + ((i * 37 + phase * 101) % 17) / 17) *
          100,
      ) / 100,
    ),
  );

/**
 * The fleet: burstable t3.small instances, so each carries the four per-instance EC2 series (CPU, credit
 * balance, surplus balance, surplus charged) — the largest per-instance set the checks read; three of
 * them have points, as CloudWatch publishes them.
 */
export function bigScenario(n = INSTANCES) {
  return scenario({
    instances: n,
    instanceType: "t3.small",
    // The largest bundle: EC2 detailed monitoring (1-minute CPUUtilization); the CPU credit metrics are
    // 5-minute whatever the monitoring (AWS docs: burstable-performance-instances-monitoring-cpu-credits).
    ec2DetailedMonitoring: true,
    metrics: {
      "efs.PercentIOLimit": day(20, 8),
      "efs.BurstCreditBalance": day(2.3e12, 1e10),
      "efs.PermittedThroughput": day(104857600, 0),
      "efs.MeteredIOBytes": day(300 * MIB, 60 * MIB),
      "ecs.MemoryUtilization": day(60, 10),
      "ecs.CPUUtilization": day(35, 15),
      "alb.RequestCount": day(1200, 600),
      "alb.HTTPCode_ELB_5XX_Count": day(0.3, 0.3),
      "alb.HTTPCode_ELB_502_Count": day(0.2, 0.2),
      "alb.HTTPCode_ELB_503_Count": day(0.05, 0.05),
      "alb.HTTPCode_ELB_504_Count": day(0.05, 0.05),
      "alb.HTTPCode_Target_5XX_Count": day(0.4, 0.4),
      "alb.TargetConnectionErrorCount": day(0.1, 0.1),
      "alb.TargetResponseTime.p95": day(0.8, 0.3),
      "alb.UnHealthyHostCount": day(0, 0),
      "alb.HealthyHostCount": day(2 * n, 0),
      // Each instance its own curve; surplus credits charged are published only when charged (none here).
      "ec2.CPUUtilization": (i) => day(30, 10, i),
      "ec2.CPUCreditBalance": (i) => day(200, 20, i / 3),
      "ec2.CPUSurplusCreditBalance": () => day(0, 0),
      "ec2.CPUSurplusCreditsCharged": () => [],
    },
  });
}

/** Gather the AWS evidence of the big fleet and return it as a bundle (the object --save-evidence writes). */
export async function bigBundle(n = INSTANCES) {
  const checks = CHECKS.filter((c) => ["efs", "ecs", "alb", "ec2"].includes(c.id.split(".")[0]));
  const fleet = installFleet(bigScenario(n), NOW, { light: true });
  try {
    const evidence = await gather(neededSources(checks), {
      target: fleetTarget(),
      window: WINDOW,
      settings: { ...DEFAULT_GATHER_SETTINGS, ssmInitialPollMs: 0, aws: new AwsClientPool() },
      load: async (id) => SOURCE_LOADERS[id]?.(),
      now: () => NOW,
    });
    for (const [id, e] of Object.entries(evidence))
      if (!e.ok) throw new Error(`bench bundle: ${id} failed: ${e.message}`);
    return makeBundle({
      version: "bench",
      window: WINDOW,
      target: fleetTarget(),
      evidence,
      now: NOW,
      description: `bench: ${n} instances × ${POINTS} points`,
    });
  } finally {
    fleet.restore();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const keep = process.argv.includes("--keep") ? process.argv[process.argv.indexOf("--keep") + 1] : undefined;
  const dir = keep ?? mkdtempSync(join(tmpdir(), "pypictl-bench-replay-"));
  try {
    const bundle = await bigBundle();
    const series = Object.values(bundle.sources["cloudwatch.metrics"].value.series);
    const points = series.reduce((a, s) => a + s.points.length, 0);
    const files = { compact: join(dir, "big.json"), pretty: join(dir, "big-pretty.json") };
    writeFileSync(files.compact, bundleText(bundle));
    writeFileSync(files.pretty, bundleText(bundle, { pretty: true }));
    const size = { compact: statSync(files.compact).size, pretty: statSync(files.pretty).size };
    console.log(
      `bundle: ${INSTANCES} instances, ${series.length} series, ${points} points; ${(size.compact / MIB).toFixed(1)} MiB compact, ${(size.pretty / MIB).toFixed(1)} MiB --pretty (${(size.pretty / size.compact).toFixed(2)}×)`,
    );
    // The fixed cost of any replay (Node, the CLI, the checks) is what a small bundle's replay takes; what
    // the big bundle adds on top is what it costs to hold it.
    const small = join(root, "examples", "fleet-healthy.json");
    const fixed = [];
    for (let i = 0; i < Math.max(3, Math.ceil(RUNS / 2)); i++)
      fixed.push(
        (await timeNode([bin, "doctor", "--replay", small, "--format", "json"], { okCodes: [0, 1] })).rssMiB,
      );
    const fixedMiB = median(fixed);
    console.log(
      `fixed cost: replay of examples/fleet-healthy.json (${(statSync(small).size / 1024).toFixed(0)} KiB) peaks at ${fixedMiB.toFixed(0)} MiB RSS`,
    );
    console.log(
      `${"doctor --replay".padEnd(22)} ${"wall, median (range)".padStart(26)} ${"peak RSS MiB".padStart(13)} ${"RSS ÷ file".padStart(11)} ${"(RSS − fixed) ÷ file".padStart(21)}`,
    );
    const results = {};
    for (const kind of ["compact", "pretty"]) {
      const runs = kind === "compact" ? RUNS : Math.max(1, Math.ceil(RUNS / 2));
      const ms = [];
      const rss = [];
      for (let i = 0; i < runs; i++) {
        const r = await timeNode([bin, "doctor", "--replay", files[kind], "--format", "json"], {
          okCodes: [0, 1],
        });
        ms.push(r.ms);
        rss.push(r.rssMiB);
      }
      results[kind] = { ms, rss };
      const ratio = rss.map((m) => (m * MIB) / size[kind]);
      const added = rss.map((m) => ((m - fixedMiB) * MIB) / size[kind]);
      console.log(
        `${kind.padEnd(22)} ${spread(ms).padStart(26)} ${median(rss).toFixed(0).padStart(13)} ${`${median(ratio).toFixed(2)}×`.padStart(11)} ${`${median(added).toFixed(2)}×`.padStart(21)}`,
      );
    }
    const c = results.compact;
    console.log(
      verdict(`replay of the ${INSTANCES} × ${POINTS} bundle (compact), whole process`, c.ms, 1000, {
        unit: " ms",
        digits: 0,
      }).line,
    );
    const mib = (size.compact / MIB).toFixed(1);
    console.log(
      verdict(
        `replay peak RSS ÷ bundle size (compact, ${mib} MiB; whole process)`,
        c.rss.map((m) => (m * MIB) / size.compact),
        2,
      ).line,
    );
    console.log(
      verdict(
        `replay peak RSS above the fixed cost ÷ bundle size (compact, ${mib} MiB)`,
        c.rss.map((m) => ((m - fixedMiB) * MIB) / size.compact),
        2,
      ).line,
    );
  } finally {
    if (!keep) rmSync(dir, { recursive: true, force: true });
  }
}
