// `npm run bench`: cold-start medians of the CLI beside bare `node -e 0` on the same machine, as ratios,
// then the fleet simulation and synth cold start when those benches exist.
// Usage: npm run bench [-- --runs N]
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const argRuns = process.argv.indexOf("--runs");
const RUNS = argRuns > 0 ? Number(process.argv[argRuns + 1]) : 15;
const node = process.execPath;
const bin = join(root, "bin", "pypictl");

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

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
  return median(ms);
}

const examples = existsSync(join(root, "examples")) ? readdirSync(join(root, "examples")).filter((f) => f.endsWith(".json")).sort() : [];
const replay = examples.find((f) => f.startsWith("fleet-oom")) ?? examples.find((f) => f.startsWith("host-swapping")) ?? examples[0];

const rows = [];
const base = time(["-e", "0"], RUNS);
rows.push(["node -e 0", base]);
rows.push(["pypictl --version", time([bin, "--version"], RUNS)]);
if (replay) rows.push([`pypictl doctor --replay examples/${replay}`, time([bin, "doctor", "--replay", join(root, "examples", replay)], RUNS)]);
rows.push(["pypictl doctor --local --samples 2", time([bin, "doctor", "--local", "--samples", "2"], Math.max(3, Math.ceil(RUNS / 5)))]);

console.log(`cold start, median of ${RUNS} runs (doctor --local: ${Math.max(3, Math.ceil(RUNS / 5))}), Node ${process.version}, ${process.arch}`);
console.log(`${"command".padEnd(52)} ${"median ms".padStart(10)} ${"× node".padStart(8)}`);
for (const [name, ms] of rows) console.log(`${name.padEnd(52)} ${ms.toFixed(1).padStart(10)} ${(ms / base).toFixed(2).padStart(8)}`);
console.log("goals: --version ≤ 1.5× node; replay < 3× node; doctor --local includes (samples − 1) s of vmstat sampling by design");

for (const extra of ["bench-e2e.mjs", "bench-replay.mjs", "bench-budget.mjs", "bench-fleet.mjs", "bench-synth.mjs"]) {
  const p = join(root, "scripts", extra);
  if (!existsSync(p)) continue;
  console.log(`\n== ${extra}`);
  const r = spawnSync(node, [p], { cwd: root, stdio: "inherit" });
  if (r.status !== 0) process.exitCode = r.status ?? 1;
}
