// An AWS endpoint that answers too much (issue 26, item 4): the built CLI in a real process talks to the
// simulated fleet on 127.0.0.1 (loopback.mjs), where CloudWatch answers every GetMetricData with 100 MB of
// valid JSON. The answer is read up to MAX_AWS_ANSWER_BYTES (8 MiB), so the run ends inside its --timeout;
// only CloudWatch's checks fail, naming the limit, the operation and the endpoint; the rest is judged.
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { LoopbackFault } from "../fixtures/aws/loopback.mjs";

const root = join(import.meta.dirname, "..", "..");
const home = mkdtempSync(join(tmpdir(), "pypictl-huge-"));
/** Node's start-up and the CLI's module loading on a loaded 2-core machine, on top of --timeout. */
const SLACK_MS = 4_000;

async function run(args: string[], fault: LoopbackFault, killAfterMs = 60_000) {
  const { startLoopbackAws } = await import("../fixtures/aws/loopback.mjs");
  const { scenario } = await import("../fixtures/aws/sim.mjs");
  const fake = await startLoopbackAws(scenario({}), { fault });
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: home,
    NO_COLOR: "1",
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    ...fake.env,
  };
  const started = Date.now();
  const child = spawn(process.execPath, [join(root, "bin", "pypictl"), ...args], {
    cwd: root,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const killer = setTimeout(() => child.kill("SIGKILL"), killAfterMs);
  try {
    const code = await new Promise<number | null>((resolve) => child.on("close", (c) => resolve(c)));
    return { code, wallMs: Date.now() - started, stdout, stderr, url: fake.url, calls: fake.calls };
  } finally {
    clearTimeout(killer);
    child.kill("SIGKILL");
    await fake.close();
  }
}

const FLEET = [
  "--cluster",
  "pypiserver",
  "--service",
  "pypiserver",
  "--file-system-id",
  "fs-0123456789abcdef0",
  "--region",
  "eu-west-1",
];

interface Finding {
  checkId: string;
  status: string;
  message: string;
}

describe("a 100 MB answer from CloudWatch", () => {
  for (const declare of [false, true])
    it(`${declare ? "with" : "without"} a Content-Length: --timeout 5 ends in time; only CloudWatch's checks fail, naming the limit`, async () => {
      const r = await run(["doctor", ...FLEET, "--only", "ecs,efs", "--format", "json", "--timeout", "5"], {
        mode: "huge",
        services: ["monitoring"],
        declare,
      });
      expect(r.code, r.stderr).toBe(3);
      expect(r.wallMs).toBeLessThan(5_000 + SLACK_MS);
      expect(r.calls).toContain("monitoring:(huge)");
      const report = JSON.parse(r.stdout) as { findings: Finding[] };
      const errors = report.findings.filter((f) => f.status === "error");
      expect(errors.length).toBeGreaterThan(0);
      for (const f of errors) {
        expect(f.message).toContain("cloudwatch.metrics");
        expect(f.message).toContain(`the answer to GetMetricData from ${r.url} is larger than 8 MiB`);
        expect(f.message).toContain("MAX_AWS_ANSWER_BYTES");
      }
      // Partial evidence: the checks that did not need CloudWatch are judged.
      expect(report.findings.some((f) => f.status === "pass")).toBe(true);
    });
});
