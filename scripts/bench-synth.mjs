#!/usr/bin/env node
// Cold start of `pypictl synth`: the median wall time of N fresh `node bin/pypictl synth > /dev/null` runs
// (offline, default props). Needs a build (npm run build). Usage: node scripts/bench-synth.mjs [--runs N] [--json]
// Importable: `import { benchSynth } from "./bench-synth.mjs"` → { runs, medianMs, minMs, maxMs, samplesMs }.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const bin = join(root, "bin", "pypictl");

export function benchSynth({ runs = 5, args = [] } = {}) {
  // An empty HOME and no AWS variables: synth must not need (or look for) credentials.
  const home = mkdtempSync(join(tmpdir(), "pypictl-bench-"));
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith("AWS_") && !k.startsWith("CDK_")),
  );
  Object.assign(env, { HOME: home, AWS_EC2_METADATA_DISABLED: "true", NO_COLOR: "1" });
  const samplesMs = [];
  try {
    spawnSync(process.execPath, [bin, "synth", ...args], { cwd: home, env, stdio: "ignore" }); // warm the file cache once
    for (let i = 0; i < runs; i++) {
      const t0 = process.hrtime.bigint();
      const r = spawnSync(process.execPath, [bin, "synth", ...args], {
        cwd: home,
        env,
        stdio: ["ignore", "ignore", "pipe"],
        encoding: "utf8",
      });
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      if (r.status !== 0) throw new Error(`pypictl synth exited ${r.status}:\n${r.stderr}`);
      samplesMs.push(ms);
    }
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
  const sorted = [...samplesMs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const medianMs = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { runs, medianMs, minMs: sorted[0], maxMs: sorted[sorted.length - 1], samplesMs };
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const argv = process.argv.slice(2);
  const i = argv.indexOf("--runs");
  const runs = i >= 0 ? Number(argv[i + 1]) : 5;
  if (!Number.isInteger(runs) || runs < 1) {
    console.error("bench-synth: --runs must be a whole number ≥ 1");
    process.exitCode = 2;
  } else {
    const r = benchSynth({ runs });
    if (argv.includes("--json")) console.log(JSON.stringify(r));
    else
      console.log(
        `pypictl synth cold start: median ${(r.medianMs / 1000).toFixed(2)} s over ${r.runs} runs (min ${(r.minMs / 1000).toFixed(2)} s, max ${(r.maxMs / 1000).toFixed(2)} s)`,
      );
  }
}
