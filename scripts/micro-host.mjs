#!/usr/bin/env node
// Micro-bench of the per-host CPU path of a fleet doctor run (decode the listed output, parse it, judge it
// with the six host checks), without the fake AWS around it. Usage: node scripts/micro-host.mjs [probe-stdout-file
// (default: the untrimmed fixture)] [hosts] [rounds]. Run after npm run build.
import { readFileSync } from "node:fs";
import { decodeOutput, LIST_OUTPUT_LIMIT } from "../dist/sources/aws/ssm-probe.js";
import { parseProbeOutput } from "../dist/sources/host/parse.js";
import { HOST_CHECKS } from "../dist/checks/host/index.js";
import { evaluateCheck, limitsFor } from "../dist/checks/runner.js";
import { wrappedOutput, instanceId } from "../test/fixtures/aws/sim.mjs";

const stdout = readFileSync(
  process.argv[2] ?? new URL("../test/fixtures/aws/probe-stdout.txt", import.meta.url),
  "utf8",
);
const N = Number(process.argv[3] ?? 200);
const ROUNDS = Number(process.argv[4] ?? 200);
const listed = wrappedOutput(stdout);
const window = { start: "2026-11-27T00:00:00Z", end: "2026-11-27T02:00:00Z", since: "1h" };
const ids = Array.from({ length: N }, (_, i) => instanceId(i));
const t = { decode: [], parse: [], judge: [] };
for (let r = 0; r < ROUNDS; r++) {
  let t0 = performance.now();
  const outs = ids.map(() => decodeOutput(listed, LIST_OUTPUT_LIMIT));
  let t1 = performance.now();
  const hosts = outs.map((d, i) => parseProbeOutput(ids[i], d.stdout));
  let t2 = performance.now();
  const evidence = { "host.probe": { ok: true, value: { hosts } } };
  for (const c of HOST_CHECKS) evaluateCheck(c, evidence, limitsFor(c, {}), window);
  let t3 = performance.now();
  t.decode.push(t1 - t0);
  t.parse.push(t2 - t1);
  t.judge.push(t3 - t2);
}
const med = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
for (const [k, xs] of Object.entries(t))
  console.log(
    `${k.padEnd(7)} median ${med(xs).toFixed(2)} ms per ${N} hosts = ${((med(xs) / N) * 1000).toFixed(1)} µs/host`,
  );
