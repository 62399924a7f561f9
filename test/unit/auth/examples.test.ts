/** The auth-* and upload-* example bundles replay into the findings they were written to show. */
import { describe, expect, it } from "vitest";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { runCli } from "../../../src/cli/main.js";
import { captureIo } from "../../helpers/io.js";

const dir = join(import.meta.dirname, "..", "..", "..", "examples");
const expected: Record<string, Record<string, string>> = {
  "auth-stale-password.json": {
    "auth.index-protected": "pass",
    "auth.credentials-accepted": "fail",
    "auth.health-endpoint": "pass",
    "auth.client-config": "fail",
  },
  "auth-open-index.json": { "auth.index-protected": "fail", "auth.credentials-accepted": "pass" },
  "auth-unencoded-password.json": { "auth.credentials-accepted": "pass", "auth.client-config": "fail" },
  "upload-oom-large-dist.json": {
    "upload.dist-files": "fail",
    "upload.fleet-signals": "fail",
    "ecs.oom-kills": "fail",
  },
};

describe("example bundles (auth, upload)", () => {
  const files = readdirSync(dir).filter((f) => /^(auth|upload)-.*\.json$/.test(f));
  it("every auth/upload example has expectations", () => {
    expect(files.sort()).toEqual(Object.keys(expected).sort());
  });
  for (const f of files) {
    it(`${f} replays into its findings`, async () => {
      const io = captureIo();
      const code = await runCli(["doctor", "--replay", join(dir, f), "--format", "json"], io);
      expect(io.stderr.text).toBe("");
      const report = JSON.parse(io.stdout.text) as {
        findings: Array<{ checkId: string; status: string; hints: string[] }>;
      };
      const got = Object.fromEntries(report.findings.map((x) => [x.checkId, x.status]));
      expect(got).toMatchObject(expected[f]!);
      expect(code).toBe(Object.values(expected[f]!).includes("fail") ? 1 : 0);
    });
  }
  it("the stale-password example names both levers: roll tasks and refresh instances", async () => {
    const io = captureIo();
    await runCli(
      [
        "doctor",
        "--replay",
        join(dir, "auth-stale-password.json"),
        "--only",
        "auth.credentials-accepted",
        "--format",
        "json",
      ],
      io,
    );
    const hints = (
      JSON.parse(io.stdout.text) as { findings: Array<{ hints: string[] }> }
    ).findings[0]!.hints.join("\n");
    expect(hints).toContain(
      "aws ecs update-service --cluster pypi-cluster --service pypiserver --force-new-deployment",
    );
    expect(hints).toContain("start-instance-refresh --auto-scaling-group-name pypiserver-asg");
  });
  it("the upload example gives advice twine can follow for the large wheel (twine has no --timeout)", async () => {
    const io = captureIo();
    await runCli(
      [
        "doctor",
        "--replay",
        join(dir, "upload-oom-large-dist.json"),
        "--only",
        "upload.dist-files",
        "--format",
        "json",
      ],
      io,
    );
    expect(io.stdout.text).toContain("twine upload --verbose");
    expect(io.stdout.text).toContain("idle_timeout.timeout_seconds");
    expect(io.stdout.text).not.toMatch(/twine[^"]*--timeout/);
  });
});
