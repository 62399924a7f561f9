// `npm run bench`: cold-start medians of the CLI beside bare `node -e 0` on the same machine, as ratios,
// then the fleet simulation and synth cold start when those benches exist.
// Usage: npm run bench [-- --runs N]
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import { median, verdict } from "./bench-lib.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const argRuns = process.argv.indexOf("--runs");
const RUNS = argRuns > 0 ? Number(process.argv[argRuns + 1]) : 15;
const node = process.execPath;
const bin = join(root, "bin", "pypictl");

function time(args, runs, okCodes = [0, 1, 3]) {
  const ms = [];
  spawnSync(node, args, { cwd: root, stdio: "ignore" }); // warm the file cache once
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(node, args, { cwd: root, stdio: ["ignore", "ignore", "pipe"], env: { ...process.env, NO_COLOR: "1" } });
    const t1 = process.hrtime.bigint();
    if (!okCodes.includes(r.status)) throw new Error(`${args.join(" ")} exited ${r.status}: ${r.stderr}`);
    ms.push(Number(t1 - t0) / 1e6);
  }
  return ms;
}

const examples = existsSync(join(root, "examples")) ? readdirSync(join(root, "examples")).filter((f) => f.endsWith(".json")).sort() : [];
const replay = examples.find((f) => f.startsWith("fleet-oom")) ?? examples.find((f) => f.startsWith("host-swapping")) ?? examples[0];

const rows = [];
const baseRuns = time(["-e", "0"], RUNS);
const base = median(baseRuns);
rows.push(["node -e 0", baseRuns]);
const version = time([bin, "--version"], RUNS);
rows.push(["pypictl --version", version]);
const replayRuns = replay ? time([bin, "doctor", "--replay", join(root, "examples", replay)], RUNS) : undefined;
if (replayRuns) rows.push([`pypictl doctor --replay examples/${replay}`, replayRuns]);
rows.push(["pypictl doctor --local --samples 2", time([bin, "doctor", "--local", "--samples", "2"], Math.max(3, Math.ceil(RUNS / 5)))]);

console.log(`cold start, median of ${RUNS} runs (doctor --local: ${Math.max(3, Math.ceil(RUNS / 5))}), Node ${process.version}, ${process.arch}`);
console.log(`${"command".padEnd(52)} ${"median ms".padStart(10)} ${"× node".padStart(8)} ${"worst ×".padStart(8)}`);
for (const [name, ms] of rows) console.log(`${name.padEnd(52)} ${median(ms).toFixed(1).padStart(10)} ${(median(ms) / base).toFixed(2).padStart(8)} ${(Math.max(...ms) / base).toFixed(2).padStart(8)}`);
// Each run against the baseline's median: one slow run is a miss. doctor --local includes (samples − 1) s
// of vmstat sampling by design, so it has no goal.
console.log(verdict("pypictl --version vs node -e 0", version.map((m) => m / base), 1.5).line);
if (replayRuns) console.log(verdict(`doctor --replay examples/${replay} vs node -e 0`, replayRuns.map((m) => m / base), 3).line);

for (const extra of ["bench-e2e.mjs", "bench-replay.mjs", "bench-budget.mjs", "bench-fleet.mjs", "bench-synth.mjs"]) {
  const p = join(root, "scripts", extra);
  if (!existsSync(p)) continue;
  console.log(`\n== ${extra}`);
  const r = spawnSync(node, [p], { cwd: root, stdio: "inherit" });
  if (r.status !== 0) process.exitCode = r.status ?? 1;
}
