// Hanging AWS endpoints, as a user meets them: the built CLI in a real process (its own bundled SDK, so
// nothing is patched into it) talks HTTP to the simulated fleet on 127.0.0.1 (loopback.mjs), which accepts
// and never answers, answers after the deadline, or trickles one byte at a time. Every run must end with
// exit 3 in about its --timeout, naming the endpoint — and the process itself must end (no socket left
// holding it open), so the wall time measured is the process's, start to exit.
import { describe, expect, it } from "vitest";
import type { LoopbackFault } from "../fixtures/aws/loopback.mjs";
import { LOOPBACK_FLEET_ARGS, runAgainstLoopback } from "../helpers/loopback-cli.js";

/** The CLI against the loopback fleet with `fault` (test/helpers/loopback-cli.ts). */
const run = (args: string[], fault: LoopbackFault, killAfterMs = 40_000) =>
  runAgainstLoopback(args, fault, killAfterMs);

const MODES: LoopbackFault[] = [
  { mode: "hang" },
  { mode: "late", lateMs: 6_000 },
  { mode: "trickle", trickleMs: 200 },
];

/** Node's start-up and the CLI's module loading on a loaded 2-core machine, on top of --timeout. */
const SLACK_MS = 4_000;
const FLEET = LOOPBACK_FLEET_ARGS;

describe.concurrent("hanging AWS endpoints end the run in about its --timeout", () => {
  for (const fault of MODES) {
    it(`doctor, every call ${fault.mode}: --timeout 2 → exit 3, every check an error naming --timeout and the endpoint`, async () => {
      const r = await run(
        ["doctor", ...FLEET, "--only", "ecs,efs", "--format", "json", "--timeout", "2"],
        fault,
      );
      expect(r.code, r.stderr).toBe(3);
      expect(r.wallMs).toBeGreaterThanOrEqual(1_900);
      expect(r.wallMs).toBeLessThan(2_000 + SLACK_MS);
      const report = JSON.parse(r.stdout) as { findings: Array<{ status: string; message: string }> };
      expect(report.findings.length).toBeGreaterThan(0);
      for (const f of report.findings) {
        expect(f.status).toBe("error");
        expect(f.message).toMatch(/--timeout/);
      }
      expect(report.findings.some((f) => f.message.includes(r.url))).toBe(true);
    });

    it(`doctor --stack, the stack read ${fault.mode}: --timeout 2 → exit 3 before gathering, naming the endpoint`, async () => {
      const r = await run(
        ["doctor", "--stack", "pypiserver", "--region", "eu-west-1", "--timeout", "2"],
        fault,
      );
      expect(r.code, r.stderr).toBe(3);
      expect(r.wallMs).toBeGreaterThanOrEqual(1_900);
      expect(r.wallMs).toBeLessThan(2_000 + SLACK_MS);
      expect(r.stderr).toContain("cannot read the outputs of stack pypiserver");
      expect(r.stderr).toContain(r.url);
      expect(r.stderr).toMatch(/--timeout ran out/);
    });

    it(`creds --secret-id, the secret read ${fault.mode}: --timeout 2 → exit 3 naming the endpoint, nothing on stdout`, async () => {
      const r = await run(
        [
          "creds",
          "--secret-id",
          "pypi/hang",
          "--url",
          "https://pypi.example.com",
          "--region",
          "eu-west-1",
          "--timeout",
          "2",
        ],
        fault,
      );
      expect(r.code, r.stderr).toBe(3);
      expect(r.wallMs).toBeGreaterThanOrEqual(1_900);
      expect(r.wallMs).toBeLessThan(2_000 + SLACK_MS);
      expect(r.stdout).toBe("");
      expect(r.stderr).toContain("--secret-id pypi/hang: cannot read the secret (timeout: no answer from");
      expect(r.stderr).toContain(r.url);
      expect(r.stderr).toMatch(/--timeout ran out/);
    });
  }

  it("doctor --only auth --secret-id, the secret read hangs: --timeout 2 ends the process too, not only the report", async () => {
    // The index is not there (port 9 refuses at once); the secret read is what hangs.
    const r = await run(
      [
        "doctor",
        "--only",
        "auth",
        "--url",
        "http://127.0.0.1:9/simple/",
        "--secret-id",
        "pypi/hang",
        "--region",
        "eu-west-1",
        "--format",
        "json",
        "--timeout",
        "2",
      ],
      { mode: "hang" },
    );
    expect(r.wallMs).toBeLessThan(2_000 + SLACK_MS);
    // What was gathered is judged, every time: the index refused (a fail: nothing serves there) while the
    // secret read that never answered costs only the check that needed the password. Before, whether the
    // index answers were kept depended on which of two timers at the same millisecond fired first (exit 1
    // in about 1 run in 4, exit 3 otherwise).
    expect(r.code, r.stderr).toBe(1);
    const report = JSON.parse(r.stdout) as { findings: Array<{ checkId: string; status: string }> };
    const status = (id: string) => report.findings.find((f) => f.checkId === id)?.status;
    expect(status("auth.credentials-accepted")).toBe("error");
    expect(status("auth.index-protected")).toBe("fail");
    expect(status("auth.health-endpoint")).toBe("fail");
  });

  it("creds --stack, the stack read hangs: exit 3 (the endpoint did not answer), not exit 2", async () => {
    const r = await run(["creds", "--stack", "pypiserver", "--region", "eu-west-1", "--timeout", "2"], {
      mode: "hang",
    });
    expect(r.code, r.stderr).toBe(3);
    expect(r.wallMs).toBeLessThan(2_000 + SLACK_MS);
    expect(r.stderr).toMatch(
      /cannot read the outputs of stack pypiserver: timeout: no answer from http:\/\/127\.0\.0\.1:\d+ in time \(the run's --timeout ran out\)/,
    );
  });

  // Without --timeout: a request that got no answer is not sent again (one request timeout, 10 s, instead
  // of 3 attempts × 10 s as before), so the defaults end in seconds too.
  it("creds without --timeout, the secret read hangs: one request timeout (~10 s), not attempts × 10 s", async () => {
    const r = await run(
      ["creds", "--secret-id", "pypi/hang", "--url", "https://pypi.example.com", "--region", "eu-west-1"],
      { mode: "hang" },
    );
    expect(r.code, r.stderr).toBe(3);
    expect(r.wallMs).toBeGreaterThanOrEqual(9_500);
    expect(r.wallMs).toBeLessThan(10_000 + SLACK_MS);
    expect(r.stderr).toMatch(
      /no answer from http:\/\/127\.0\.0\.1:\d+ in time \(a request has exceeded the configured 10000 ms requestTimeout/,
    );
  }, 30_000);

  it("doctor without --timeout, only CloudWatch hangs: the rest reports, CloudWatch's checks error after one request timeout", async () => {
    const r = await run(["doctor", ...FLEET, "--only", "ecs,efs", "--format", "json"], {
      mode: "hang",
      services: ["monitoring"],
    });
    expect(r.code, r.stderr).toBe(3);
    expect(r.wallMs).toBeGreaterThanOrEqual(9_500);
    expect(r.wallMs).toBeLessThan(10_000 + SLACK_MS);
    const report = JSON.parse(r.stdout) as {
      findings: Array<{ checkId: string; status: string; message: string }>;
    };
    const errors = report.findings.filter((f) => f.status === "error");
    expect(errors.length).toBeGreaterThan(0);
    expect(report.findings.some((f) => f.status === "pass")).toBe(true);
    for (const f of errors) expect(f.message).toContain(r.url);
  }, 30_000);
});
