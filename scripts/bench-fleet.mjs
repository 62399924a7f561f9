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
import { LIST_OUTPUT_LIMIT } from "../dist/sources/aws/ssm-probe.js";
import { wrappedOutput } from "../test/fixtures/aws/sim.mjs";
import { probeOutputs, runSimulatedDoctor } from "./sim-fleet.mjs";

const arg = process.argv.indexOf("--latency");
const LATENCY = arg > 0 ? Number(process.argv[arg + 1]) : 20;
const SIZES = [1, 10, 50, 200];
const now = new Date();
const SAMPLES = 5;
const { realistic, compact, untrimmed } = probeOutputs(SAMPLES);
const runOnce = (n, probeStdout) => runSimulatedDoctor({ n, latencyMs: LATENCY, probeStdout, now });

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
    // 9 one-call reads (service, task definition, ASG, target health, 2 attribute reads, EFS, one
    // GetMetricData, one FilterLogEvents) + SSM (SendCommand takes 50 instances; one
    // ListCommandInvocations per command) + the service's tasks (ListTasks pages and DescribeTasks take
    // 100; the simulated fleet runs 2 per host) + the stopped tasks (one page) + where the tasks run
    // (DescribeContainerInstances takes 100, for ec2.cpu-skew).
    const goal = 9 + 2 * Math.ceil(n / 50) + 2 * Math.ceil((2 * n) / 100) + 2 + Math.ceil(n / 100);
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
  "\ngoals: AWS calls ≤ 11 + 2⌈N/50⌉ (SSM) + 2⌈2N/100⌉ (the tasks: list + describe) + ⌈N/100⌉ (their hosts); every run's wall time ≤ 1.5 × the N=1 median (SSM sampling excluded; 5 runs each)",
);
for (const v of verdicts) console.log(`  ${v}`);
