/**
 * Issue 14: a corpus of crafted evidence bundles — wrong types, null, objects, booleans, negative and absurd
 * numbers in series, prototype keys, a window ending before it starts, an empty sources map, … — each taken
 * from a real example and broken in one place. Every one must replay to exit 2 with the field path in the
 * message, never to a verdict (38 of 58 used to replay to exit 0/1).
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../../../src/cli/main.js";
import { validateBundle } from "../../../src/evidence/validate.js";
import { captureIo } from "../../helpers/io.js";

const tmp = mkdtempSync(join(tmpdir(), "pypictl-corpus-"));
const load = (name: string): any =>
  JSON.parse(readFileSync(join(import.meta.dirname, "../../../examples", name), "utf8"));
const FLEET = "fleet-healthy.json";
const HOST = "host-healthy.json";

const series = (b: any) => b.sources["cloudwatch.metrics"].value.series;
const firstSeries = (b: any) => series(b)[Object.keys(series(b))[0]!];
const host = (b: any) => b.sources["host.probe"].value.hosts[0];
const snap = (b: any) => host(b).snapshot;
const svc = (b: any) => b.sources["ecs.service"].value;

/** [name, example, mutation, text the message must contain (the field path)] */
const CORPUS: Array<[string, string, (b: any) => void, string]> = [
  // the envelope
  ["sources empty", HOST, (b) => (b.sources = {}), "sources"],
  ["sources null", HOST, (b) => (b.sources = null), "sources"],
  ["sources an array", HOST, (b) => (b.sources = []), "sources"],
  [
    "window end before start",
    HOST,
    (b) => ([b.window.start, b.window.end] = [b.window.end, b.window.start]),
    "window.end",
  ],
  ["window start not a time", HOST, (b) => (b.window.start = "yesterday"), "window.start"],
  ["window start a number", HOST, (b) => (b.window.start = 1700000000), "window.start"],
  ["window missing", HOST, (b) => delete b.window, "window"],
  ["createdAt null", HOST, (b) => (b.createdAt = null), "createdAt"],
  ["kind wrong", HOST, (b) => (b.kind = "something-else"), "kind"],
  ["schemaVersion 2", HOST, (b) => (b.schemaVersion = 2), "schemaVersion"],
  ["schemaVersion a string", HOST, (b) => (b.schemaVersion = "1"), "schemaVersion"],
  ["unknown top-level key", HOST, (b) => (b.extra = 1), "extra"],
  [
    "__proto__ at the top",
    HOST,
    (b) => Object.defineProperty(b, "__proto__", { value: { x: 1 }, enumerable: true }),
    "__proto__",
  ],
  [
    "constructor in sources",
    HOST,
    (b) => (b.sources.constructor = { ok: true, value: {}, at: b.createdAt }),
    "constructor",
  ],
  ["prototype key deep in a value", HOST, (b) => (snap(b).meminfo.value.kB.prototype = 1), "prototype"],
  ["target a string", HOST, (b) => (b.target = "local"), "target"],
  ["target field a number", FLEET, (b) => (b.target.cluster = 5), "target.cluster"],
  ["tool missing", HOST, (b) => delete b.tool, "tool"],
  ["a source with ok a string", HOST, (b) => (b.sources["host.probe"].ok = "true"), "sources.host.probe.ok"],
  ["a source with no at", HOST, (b) => delete b.sources["host.probe"].at, "sources.host.probe.at"],
  [
    "a failed source with an unknown kind",
    HOST,
    (b) => (b.sources["host.probe"] = { ok: false, kind: "exploded", message: "x", at: b.createdAt }),
    "kind",
  ],
  ["an ok source with no value", HOST, (b) => delete b.sources["host.probe"].value, "value"],
  ["a source that is null", HOST, (b) => (b.sources["host.probe"] = null), "sources.host.probe"],
  // CloudWatch series
  ["series point value a string", FLEET, (b) => (firstSeries(b).points[0][1] = "12"), "points[0][1]"],
  ["series point value null", FLEET, (b) => (firstSeries(b).points[1][1] = null), "points[1][1]"],
  ["series point value an object", FLEET, (b) => (firstSeries(b).points[2][1] = { v: 1 }), "points[2][1]"],
  ["series point value a boolean", FLEET, (b) => (firstSeries(b).points[3][1] = true), "points[3][1]"],
  ["series point value negative", FLEET, (b) => (firstSeries(b).points[0][1] = -5), "points[0][1]"],
  ["series point value absurd", FLEET, (b) => (firstSeries(b).points[0][1] = 1e300), "points[0][1]"],
  [
    "series point value infinite (1e999)",
    FLEET,
    (b) => (firstSeries(b).points[0][1] = "INF"),
    "points[0][1]",
  ],
  ["series point time garbage", FLEET, (b) => (firstSeries(b).points[0][0] = "soon"), "points[0][0]"],
  ["series point not a pair", FLEET, (b) => (firstSeries(b).points[0] = [1]), "points[0]"],
  ["series points an object", FLEET, (b) => (firstSeries(b).points = {}), "points"],
  ["series points null", FLEET, (b) => (firstSeries(b).points = null), "points"],
  ["series a string", FLEET, (b) => (b.sources["cloudwatch.metrics"].value.series = "x"), "series"],
  [
    "series dimensions with a number",
    FLEET,
    (b) => (firstSeries(b).dimensions = { FileSystemId: 5 }),
    "dimensions",
  ],
  ["series period zero", FLEET, (b) => (firstSeries(b).period = 0), "period"],
  [
    "metrics end before start",
    FLEET,
    (b) => (b.sources["cloudwatch.metrics"].value.end = "2000-01-01T00:00:00.000Z"),
    "cloudwatch.metrics.value.end",
  ],
  [
    "metrics periodSeconds negative",
    FLEET,
    (b) => (b.sources["cloudwatch.metrics"].value.periodSeconds = -60),
    "periodSeconds",
  ],
  // ECS / ELB / EFS / instances
  ["runningCount a string", FLEET, (b) => (svc(b).runningCount = "4"), "runningCount"],
  ["desiredCount negative", FLEET, (b) => (svc(b).desiredCount = -1), "desiredCount"],
  ["pendingCount fractional", FLEET, (b) => (svc(b).pendingCount = 0.5), "pendingCount"],
  ["deployments null", FLEET, (b) => (svc(b).deployments = null), "deployments"],
  [
    "container memory negative",
    FLEET,
    (b) => (svc(b).taskDefinition.containers[0].memoryReservationMiB = -512),
    "memoryReservationMiB",
  ],
  [
    "container essential a string",
    FLEET,
    (b) => (svc(b).taskDefinition.containers[0].essential = "yes"),
    "essential",
  ],
  ["event time garbage", FLEET, (b) => (svc(b).events[0].at = "noon"), "events[0].at"],
  [
    "stopped tasks listed negative",
    FLEET,
    (b) => (b.sources["ecs.stopped-tasks"].value.listed = -3),
    "listed",
  ],
  ["targets an object", FLEET, (b) => (b.sources["elb.targets"].value.targets = {}), "targets"],
  ["target state null", FLEET, (b) => (b.sources["elb.targets"].value.targets[0].state = null), "state"],
  ["instances via unknown", FLEET, (b) => (b.sources["fleet.instances"].value.via = "magic"), "via"],
  [
    "file system size negative",
    FLEET,
    (b) => (b.sources["efs.file-system"].value.sizeBytes = -1),
    "sizeBytes",
  ],
  // host probe
  ["vmstat row value a string", HOST, (b) => (snap(b).vmstat.value.rows[1].wa = "12"), "rows[1].wa"],
  ["vmstat row value null", HOST, (b) => (snap(b).vmstat.value.rows[1].si = null), "rows[1].si"],
  ["vmstat row value negative", HOST, (b) => (snap(b).vmstat.value.rows[2].so = -1), "rows[2].so"],
  ["vmstat rows an object", HOST, (b) => (snap(b).vmstat.value.rows = {}), "rows"],
  ["free total a boolean", HOST, (b) => (snap(b).free.value.mem.total = true), "mem.total"],
  ["free available absurd", HOST, (b) => (snap(b).free.value.mem.available = 1e200), "mem.available"],
  [
    "meminfo value an object",
    HOST,
    (b) => (snap(b).meminfo.value.kB.MemAvailable = { kB: 1 }),
    "kB.MemAvailable",
  ],
  ["nproc zero", HOST, (b) => (snap(b).nproc.value = 0), "nproc"],
  ["section ok a number", HOST, (b) => (snap(b).free.ok = 1), "free.ok"],
  ["package files negative", HOST, (b) => (snap(b).packages.value.files = -10), "packages.value.files"],
  ["package dirState unknown", HOST, (b) => (snap(b).packages.value.dirState = "maybe"), "dirState"],
  ["mount pathState unknown", HOST, (b) => (snap(b).mount.value.pathState = "yes"), "pathState"],
  ["host ok a string", HOST, (b) => (host(b).ok = "true"), "hosts[0].ok"],
  ["hosts null", HOST, (b) => (b.sources["host.probe"].value.hosts = null), "hosts"],
];

async function replay(text: string) {
  const f = join(tmp, "b.json");
  writeFileSync(f, text);
  const io = captureIo();
  const code = await runCli(["doctor", "--replay", f, "--format", "json"], io);
  return { code, out: io.stdout.text, err: io.stderr.text };
}

// The first case pays for loading the CLI; on a loaded 2-core machine that alone can take seconds.
describe("crafted bundles all exit 2 naming the field", { timeout: 90_000 }, () => {
  it("the corpus is at least as large as the issue's 58", () =>
    expect(CORPUS.length).toBeGreaterThanOrEqual(58));

  for (const [name, example, mutate, path] of CORPUS) {
    it(name, async () => {
      const b = load(example);
      mutate(b);
      let text = JSON.stringify(b);
      // JSON cannot say Infinity; 1e999 is how a file does, and JSON.parse reads it as Infinity.
      text = text.replace('"INF"', "1e999");
      const r = await replay(text);
      expect(r.code, r.err).toBe(2);
      // JSON mode prints one document even on refusal (issue 22): the usage error, no verdict.
      const doc = JSON.parse(r.out) as { error?: { kind?: string }; findings?: unknown };
      expect(doc.error?.kind).toBe("usage");
      expect(doc.findings).toBeUndefined();
      expect(r.err).toContain(path);
    });
  }

  it("the unbroken examples still replay", async () => {
    for (const example of [FLEET, HOST])
      expect((await replay(JSON.stringify(load(example)))).code).toBeLessThan(2);
  });
});

describe("validation stays fast on a 200-instance × 1440-point bundle", () => {
  it("validates in a few times what JSON.parse of the same text takes", () => {
    const b = load(FLEET);
    const proto = firstSeries(b);
    const t0 = Date.parse("2026-11-19T12:00:00.000Z");
    const points: Array<[string, number]> = Array.from({ length: 1440 }, (_, i) => [
      new Date(t0 + i * 60_000).toISOString(),
      (i * 7) % 100,
    ]);
    for (let n = 0; n < 200; n++) series(b)[`ec2.CPUUtilization.i-${n}`] = { ...proto, points };
    const text = JSON.stringify(b);
    // Against JSON.parse of the same text, timed alike (the fastest of 3 each): a ratio holds on a loaded
    // machine where a wall bound does not (500 ms failed at 700 ms at load average 17), and still catches
    // a validator that walks the points more than a few times.
    const fastest = (f: () => void): number =>
      Math.min(
        ...[0, 1, 2].map(() => {
          const t = performance.now();
          f();
          return performance.now() - t;
        }),
      );
    const parseMs = fastest(() => JSON.parse(text));
    const json = JSON.parse(text);
    const ms = fastest(() => validateBundle(json, "big.json"));
    console.log(
      `validateBundle: ${(text.length / 1e6).toFixed(1)} MB, ${200 * 1440} points in ${ms.toFixed(1)} ms (JSON.parse ${parseMs.toFixed(1)} ms)`,
    );
    expect(ms).toBeLessThan(4 * parseMs + 20);
  });
});
