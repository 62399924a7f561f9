// doctor with --terraform-outputs: the module's pypi_username/pypi_password reach the auth probe, and the
// password never reaches the report or stderr.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FakePypiServer } from "./fake-pypiserver.js";
import { runCli } from "../../../src/cli/main.js";
import { captureIo } from "../../helpers/io.js";

const PASSWORD = "tf-Canary:p@ss/w#rd%";
const server = new FakePypiServer({ username: "pypi-user", password: PASSWORD });
const dir = mkdtempSync(join(tmpdir(), "pypictl-tf-"));
const saved = { ...process.env };

beforeAll(async () => {
  await server.start();
  // The fleet resolution checks the credential chain; no AWS call is made for --only auth.
  Object.assign(process.env, {
    AWS_ACCESS_KEY_ID: "AKIDTEST",
    AWS_SECRET_ACCESS_KEY: "x",
    AWS_EC2_METADATA_DISABLED: "true",
  });
});
afterAll(async () => {
  await server.stop();
  for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
  Object.assign(process.env, saved);
});

function outputs(password: string): string {
  const file = join(dir, `tf-${Math.random().toString(36).slice(2)}.json`);
  const v = (value: unknown) => ({ value, type: "string", sensitive: false });
  writeFileSync(
    file,
    JSON.stringify({
      ecs_cluster_name: v("pypi"),
      ecs_service_name: v("pypiserver"),
      ecs_service_arn: v("arn:aws:ecs:eu-west-1:123456789012:service/pypi/pypiserver"),
      pypi_server_urls: { value: [server.url], type: ["list", "string"], sensitive: false },
      pypi_username: v("pypi-user"),
      pypi_password: { value: password, type: "string", sensitive: true },
    }),
  );
  return file;
}

describe("doctor --terraform-outputs", () => {
  it("probes the index with the module's credentials: accepted → pass, exit 0, password nowhere", async () => {
    const io = captureIo({ ...process.env });
    const code = await runCli(
      [
        "doctor",
        "--terraform-outputs",
        outputs(PASSWORD),
        "--only",
        "auth.credentials-accepted,auth.index-protected",
        "--format",
        "json",
        "--verbose",
      ],
      io,
    );
    const report = JSON.parse(io.stdout.text);
    expect(report.findings.map((f: { checkId: string; status: string }) => [f.checkId, f.status])).toEqual([
      ["auth.index-protected", "pass"],
      ["auth.credentials-accepted", "pass"],
    ]);
    expect(code).toBe(0);
    // Plain words for where the credentials came from (was "with the settings credentials").
    const accepted = report.findings.find(
      (f: { checkId: string }) => f.checkId === "auth.credentials-accepted",
    );
    expect(accepted.message).toMatch(/^GET \/simple\/ with these credentials: 200 in \d+ ms$/);
    expect(accepted.message).not.toContain("settings");
    for (const text of [io.stdout.text, io.stderr.text]) {
      expect(text).not.toContain(PASSWORD);
      expect(text).not.toContain(encodeURIComponent(PASSWORD));
    }
  });

  it("a stale password in the outputs is a 403 → fail", async () => {
    const io = captureIo({ ...process.env });
    const code = await runCli(
      [
        "doctor",
        "--terraform-outputs",
        outputs("stale-one"),
        "--only",
        "auth.credentials-accepted",
        "--format",
        "json",
      ],
      io,
    );
    const finding = JSON.parse(io.stdout.text).findings[0];
    expect(finding.status).toBe("fail");
    expect(JSON.stringify(finding)).toContain("403");
    expect(code).toBe(1);
  });
});
