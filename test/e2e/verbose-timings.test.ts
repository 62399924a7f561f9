// `--verbose` per-source request timings (issue 12): the built CLI against the loopback fleet, whose every
// answer comes after a set latency. Each AWS source must report its own requests — counted, and timed on
// the wire from the moment each was sent — whatever else the process was doing meanwhile.
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";

const root = join(import.meta.dirname, "..", "..");
const home = mkdtempSync(join(tmpdir(), "pypictl-verbose-"));
const LATENCY_MS = 40;

it("doctor --verbose: each AWS source names its own request count and wire time", async () => {
  const { startLoopbackAws } = await import("../fixtures/aws/loopback.mjs");
  const { scenario } = await import("../fixtures/aws/sim.mjs");
  const fake = await startLoopbackAws(scenario({ instances: 3, latencyMs: LATENCY_MS }));
  try {
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: home, NO_COLOR: "1", ...fake.env };
    const child = spawn(
      process.execPath,
      [
        join(root, "bin", "pypictl"),
        "doctor",
        "--stack",
        "pypiserver",
        "--skip",
        "host",
        "--verbose",
        "--format",
        "json",
      ],
      { env, stdio: ["ignore", "pipe", "pipe"] },
    );
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.stdout.resume();
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    expect([0, 1], stderr).toContain(code);
    const lines = [
      ...stderr.matchAll(
        /^source ([\w.-]+): ok in \d+ ms, (\d+) requests? over (\d+) ms \((\d+) ms on the wire\)$/gm,
      ),
    ];
    const by = new Map(
      lines.map((m) => [m[1]!, { count: Number(m[2]), spanMs: Number(m[3]), wireMs: Number(m[4]) }]),
    );
    // The sources that call AWS each saw their own calls; none borrowed another's.
    for (const id of ["cloudwatch.metrics", "ecs.service", "elb.targets"]) {
      const s = by.get(id);
      expect(s, `${id} in:\n${stderr}`).toBeDefined();
      expect(s!.count).toBeGreaterThanOrEqual(1);
      // Every request waited at least the fake's latency on the wire; the span covers at least one.
      expect(s!.wireMs).toBeGreaterThanOrEqual(s!.count * LATENCY_MS - 2);
      expect(s!.spanMs).toBeGreaterThanOrEqual(LATENCY_MS - 2);
    }
    const total = [...by.values()].reduce((a, s) => a + s.count, 0);
    expect(total).toBeLessThanOrEqual(fake.calls.length);
  } finally {
    await fake.close();
  }
}, 60_000);
