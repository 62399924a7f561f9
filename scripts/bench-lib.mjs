// Shared pieces of the benches: timing whole processes, medians and spreads, goal verdicts.
// A goal is MET only when every rerun meets it (not just the median): one slow rerun is a miss.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const root = join(dirname(fileURLToPath(import.meta.url)), "..");
export const bin = join(root, "bin", "pypictl");
const rssProbe = join(root, "scripts", "bench-rss.mjs");

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** "412 ms (380–455)": median and range. */
export function spread(xs, unit = "ms", digits = 0) {
  const s = [...xs].sort((a, b) => a - b);
  return `${median(s).toFixed(digits)} ${unit} (${s[0].toFixed(digits)}–${s[s.length - 1].toFixed(digits)})`;
}

/** Flag value: `--runs 5` → 5; `--latency 0,20` → [0, 20] with list. */
export function flag(name, fallback, { list = false } = {}) {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = process.argv[i + 1];
  return list ? v.split(",").map(Number) : Number(v);
}

/**
 * Run `node args…` to completion; resolves to wall ms, exit status and peak RSS (MiB, reported by the
 * child itself through bench-rss.mjs, so no external `time` is needed).
 */
export function timeNode(args, { env = {}, okCodes = [0, 1, 3], input } = {}) {
  const dir = mkdtempSync(join(tmpdir(), "pypictl-bench-"));
  const rssFile = join(dir, "rss");
  writeFileSync(rssFile, "");
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const p = spawn(process.execPath, ["--import", rssProbe, ...args], {
      cwd: root,
      env: { ...process.env, NO_COLOR: "1", BENCH_RSS_FILE: rssFile, ...env },
      stdio: [input === undefined ? "ignore" : "pipe", "ignore", "pipe"],
    });
    let stderr = "";
    p.stderr.on("data", (d) => (stderr += d));
    if (input !== undefined) p.stdin.end(input);
    p.on("close", (status) => {
      const ms = performance.now() - t0;
      const rssMiB = Number(readFileSync(rssFile, "utf8").trim() || 0) / 1024;
      rmSync(dir, { recursive: true, force: true });
      if (!okCodes.includes(status))
        reject(new Error(`node ${args.join(" ")} exited ${status}: ${stderr.slice(0, 2000)}`));
      else resolve({ ms, status, rssMiB, stderr });
    });
  });
}

/** The baseline every ratio is against: `node -e 0`, measured in the same run. */
export async function baseline(runs) {
  const ms = [];
  const rss = [];
  for (let i = 0; i < runs; i++) {
    const r = await timeNode(["-e", "0"]);
    ms.push(r.ms);
    rss.push(r.rssMiB);
  }
  return { ms, median: median(ms), rssMiB: median(rss) };
}

/** One verdict line: every rerun must meet the goal. `values` are per-rerun measures, `limit` the goal. */
export function verdict(name, values, limit, { unit = "×", digits = 2 } = {}) {
  const worst = Math.max(...values);
  const met = values.every((v) => v <= limit);
  return {
    met,
    line: `${met ? "MET    " : "NOT MET"}  ${name}: median ${median(values).toFixed(digits)}${unit}, worst ${worst.toFixed(digits)}${unit} of ${values.length} (goal ≤ ${limit}${unit})`,
  };
}
