// An AWS endpoint that answers too much (issue 26, item 4): the built CLI in a real process talks to the
// simulated fleet on 127.0.0.1 (loopback.mjs), where CloudWatch answers every GetMetricData with 100 MB of
// valid JSON. The answer is read up to MAX_AWS_ANSWER_BYTES (8 MiB), so the run ends inside its --timeout;
// only CloudWatch's checks fail, naming the limit, the operation and the endpoint; the rest is judged.
import { describe, expect, it } from "vitest";
import type { LoopbackFault } from "../fixtures/aws/loopback.mjs";
import { LOOPBACK_FLEET_ARGS, runAgainstLoopback } from "../helpers/loopback-cli.js";

/** Node's start-up and the CLI's module loading on a loaded 2-core machine, on top of --timeout. */
const SLACK_MS = 4_000;

/** The CLI against the loopback fleet with `fault` (test/helpers/loopback-cli.ts). */
const run = (args: string[], fault: LoopbackFault, killAfterMs = 60_000) =>
  runAgainstLoopback(args, fault, killAfterMs);

const FLEET = LOOPBACK_FLEET_ARGS;

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
