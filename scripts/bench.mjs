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

function time(args, runs, { warm = true, okCodes = [0, 1, 3] } = {}) {
  const ms = [];
  if (warm) spawnSync(node, args, { cwd: root, stdio: "ignore" }); // warm the file cache once
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(node, args, {
      cwd: root,
      stdio: ["ignore", "ignore", "pipe"],
      env: { ...process.env, NO_COLOR: "1" },
    });
    const t1 = process.hrtime.bigint();
    if (!okCodes.includes(r.status)) throw new Error(`${args.join(" ")} exited ${r.status}: ${r.stderr}`);
    ms.push(Number(t1 - t0) / 1e6);
  }
  return ms;
}

const examples = existsSync(join(root, "examples"))
  ? readdirSync(join(root, "examples"))
      .filter((f) => f.endsWith(".json"))
      .sort()
  : [];
const replay =
  examples.find((f) => f.startsWith("fleet-oom")) ??
  examples.find((f) => f.startsWith("host-swapping")) ??
  examples[0];

// Interleaved: round i times `node -e 0`, then each command; a command's run is judged against the mean
// of the `node -e 0` runs either side of it, so a change of load during the bench skews no ratio alone.
const commands = [["pypictl --version", [bin, "--version"], 1.5]];
if (replay)
  commands.push([
    `pypictl doctor --replay examples/${replay}`,
    [bin, "doctor", "--replay", join(root, "examples", replay)],
    3,
  ]);
const baseRuns = time(["-e", "0"], 1);
const runs = commands.map(() => []);
for (let i = 0; i < RUNS; i++) {
  commands.forEach(([, args], k) => runs[k].push(time(args, 1, { warm: i === 0 })[0]));
  baseRuns.push(time(["-e", "0"], 1, { warm: false })[0]);
}
const ratios = runs.map((ms) => ms.map((m, i) => m / ((baseRuns[i] + baseRuns[i + 1]) / 2)));
const base = median(baseRuns);
const local = time([bin, "doctor", "--local", "--samples", "2"], Math.max(3, Math.ceil(RUNS / 5)));

console.log(
  `cold start, ${RUNS} runs each, interleaved with node -e 0 (doctor --local: ${local.length}), Node ${process.version}, ${process.arch}`,
);
console.log(
  `${"command".padEnd(52)} ${"median ms".padStart(10)} ${"× node".padStart(8)} ${"worst ×".padStart(8)}`,
);
console.log(`${"node -e 0".padEnd(52)} ${base.toFixed(1).padStart(10)} ${"1.00".padStart(8)}`);
commands.forEach(([name], k) =>
  console.log(
    `${name.padEnd(52)} ${median(runs[k]).toFixed(1).padStart(10)} ${median(ratios[k]).toFixed(2).padStart(8)} ${Math.max(
      ...ratios[k],
    )
      .toFixed(2)
      .padStart(8)}`,
  ),
);
// doctor --local includes (samples − 1) s of vmstat sampling by design: shown, no goal.
console.log(
  `${"pypictl doctor --local --samples 2".padEnd(52)} ${median(local).toFixed(1).padStart(10)} ${(median(local) / base).toFixed(2).padStart(8)}`,
);
commands.forEach(([name, , goal], k) => console.log(verdict(`${name} vs node -e 0`, ratios[k], goal).line));

for (const extra of [
  "bench-e2e.mjs",
  "bench-replay.mjs",
  "bench-budget.mjs",
  "bench-size.mjs",
  "bench-fleet.mjs",
  "bench-synth.mjs",
]) {
  const p = join(root, "scripts", extra);
  if (!existsSync(p)) continue;
  console.log(`\n== ${extra}`);
  const r = spawnSync(node, [p], { cwd: root, stdio: "inherit" });
  if (r.status !== 0) process.exitCode = r.status ?? 1;
}
