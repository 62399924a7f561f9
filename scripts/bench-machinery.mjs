#!/usr/bin/env node
// What our own machinery buys (issue 23), measured where a user meets it. Run after `npm run build`:
//   node scripts/bench-machinery.mjs [--runs 11] [--bundle FILE]
// - code cache (src/cli/bundle-loader.ts on Node 20): wall medians of `--help` and of a replay, with and
//   without the cache (PYPICTL_NO_COMPILE_CACHE=1), runs interleaved so load changes hit both sides;
// - --bundle FILE: in-process load time of an evidence bundle — parseBundle (JSON.parse and the validator
//   generated from schemas/evidence.schema.json) and, apart, JSON.parse alone — e.g. of the 20-host 24 h
//   bundle that `node scripts/bench-replay.mjs --instances 20 --keep DIR` leaves in DIR/big.json.
//   (The points scanner this used to compare against, src/evidence/points-json.ts, is gone: issue 23.)
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bin, flag, median, root } from "./bench-lib.mjs";

const RUNS = flag("runs", 11);
const bundleArg = process.argv.indexOf("--bundle");
const bundle = bundleArg > 0 ? process.argv[bundleArg + 1] : undefined;

const cacheHome = mkdtempSync(join(tmpdir(), "pypictl-bench-machinery-"));
process.on("exit", () => rmSync(cacheHome, { recursive: true, force: true }));
const wall = (args, env) => {
  const t = performance.now();
  spawnSync(process.execPath, [bin, ...args], {
    cwd: root,
    stdio: "ignore",
    env: { ...process.env, NO_COLOR: "1", XDG_CACHE_HOME: cacheHome, ...env },
  });
  return performance.now() - t;
};
const ms = (x) => `${x.toFixed(0)} ms`;

console.log(`code cache (Node ${process.version}), ${RUNS} runs each, interleaved:`);
for (const args of [["--help"], ["doctor", "--replay", join(root, "examples", "fleet-oom-kills.json")]]) {
  wall(args, {}); // the first run writes the cache
  const on = [];
  const off = [];
  for (let i = 0; i < RUNS; i++) {
    on.push(wall(args, {}));
    off.push(wall(args, { PYPICTL_NO_COMPILE_CACHE: "1" }));
  }
  const [a, b] = [median(on), median(off)];
  console.log(
    `  pypictl ${args.join(" ").replace(root + "/", "")}: cache ${ms(a)}, none ${ms(b)} (${ms(b - a)} saved, ${(b / a).toFixed(2)}×)`,
  );
}

if (bundle) {
  const { parseBundle } = await import(join(root, "dist", "evidence", "bundle.js"));
  const bytes = readFileSync(bundle);
  const time = (fn) => {
    const t = performance.now();
    fn();
    return performance.now() - t;
  };
  const load = [];
  const plain = [];
  for (let i = 0; i < RUNS; i++) {
    plain.push(time(() => JSON.parse(bytes.toString("utf8"))));
    load.push(time(() => parseBundle(bytes, "bundle.json")));
  }
  const [a, b] = [median(load), median(plain)];
  console.log(
    `bundle load of ${bundle} (${(bytes.length / 1048576).toFixed(1)} MiB): parseBundle ${ms(a)}, of which JSON.parse ${ms(b)} (validation ≈ ${ms(a - b)})`,
  );
}
