#!/usr/bin/env node
// Profiling helper (not the bench): runs the simulated fleet at one N many times, with a timeline of
// AWS calls and finished sources (medians over the runs with --timeline). Run after npm run build.
// Usage: node [--cpu-prof] scripts/prof-fleet.mjs [N] [runs] [short|realistic] [--timeline]
import { probeOutputs, runSimulatedDoctor } from "./sim-fleet.mjs";

const N = Number(process.argv[2] ?? 200);
const RUNS = Number(process.argv[3] ?? 20);
const which = process.argv[4] ?? "realistic";
const now = new Date();
const stdout = probeOutputs()[which === "short" ? "compact" : "realistic"];
async function runOnce(n, timeline) {
  const r = await runSimulatedDoctor({
    n,
    latencyMs: 20,
    probeStdout: stdout,
    now,
    ...(timeline
      ? {
          onCall: (t, name) => timeline.push([t, name]),
          onProgress: (t, e) => e.type === "source-done" && timeline.push([t, `done: ${e.id}`]),
        }
      : {}),
  });
  timeline?.push([r.ms, "report"]);
  return r.ms;
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
