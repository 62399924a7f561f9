/**
 * Issue 26, items 6 and 7: creds takes its credentials from one source only and names it; no URL kept in a
 * bundle carries a password, a query or a token-like path segment, and a malformed index URL never puts
 * its password into a `host` field.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { resolveCreds } from "../../../src/cli/commands/creds-run.js";
import { EMPTY_CONFIG } from "../../../src/config/config.js";
import { safeUrl, scrubUrls } from "../../../src/config/url-userinfo.js";
import { hostOf, inspectCredentialUrl } from "../../../src/creds/encode.js";
import { makeBundle, bundleText } from "../../../src/evidence/bundle.js";
import type { AwsClients } from "../../../src/sources/aws/clients.js";
import { AwsClientPool } from "../../../src/sources/aws/pool.js";
import { gatherClientConfig } from "../../../src/sources/client/config.js";
import { captureIo } from "../../helpers/io.js";

const tmp = mkdtempSync(join(tmpdir(), "pypictl-sources-"));
const SECRET_ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:pypi-AbCdEf";
const STACK_PASSWORD = "default-stack-password-9";

/** The default stack exists and its secret answers: what creds must NOT fall back to. */
function defaultStack(calls: string[]) {
  return (settings: { region?: string | undefined }): AwsClients => {
    const cloudformation = async () => ({
      config: { region: async () => settings.region ?? "eu-west-1", credentials: async () => ({}) },
      send: async (cmd: { input: { StackName: string } }) => {
        calls.push(`DescribeStacks ${cmd.input.StackName}`);
        return {
          Stacks: [
            {
              StackName: cmd.input.StackName,
              Outputs: [
                { OutputKey: "IndexUrl", OutputValue: "https://stack.example.com" },
                { OutputKey: "SecretArn", OutputValue: SECRET_ARN },
              ],
            },
          ],
        };
      },
    });
    const secretsManager = async () => ({
      send: async () => {
        calls.push("GetSecretValue");
        return { SecretString: JSON.stringify({ username: "u", password: STACK_PASSWORD }) };
      },
    });
    return { settings, cloudformation, secretsManager } as unknown as AwsClients;
  };
}

function tfFile(outputs: Record<string, unknown>): string {
  const f = join(tmp, `tf-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(
    f,
    JSON.stringify(Object.fromEntries(Object.entries(outputs).map(([k, v]) => [k, { value: v }]))),
  );
  return f;
}

const env = { AWS_REGION: "eu-west-1", AWS_ACCESS_KEY_ID: "x", AWS_SECRET_ACCESS_KEY: "y" };

async function creds(flags: Record<string, unknown>, calls: string[]) {
  return resolveCreds({ color: false, ...flags } as never, EMPTY_CONFIG, {}, captureIo(env), {
    aws: new AwsClientPool(defaultStack(calls)),
  });
}

describe("creds: one credentials source (item 6)", () => {
  it("a Terraform outputs file with an empty password is an error naming it, not the default stack's password", async () => {
    const calls: string[] = [];
    const file = tfFile({
      pypi_server_urls: ["https://tf.example.com"],
      ecs_cluster_name: "c",
      pypi_username: "u",
      pypi_password: "",
    });
    await expect(creds({ terraformOutputs: file }, calls)).rejects.toThrow(
      new RegExp(`--terraform-outputs ${file}: no credentials \\(pypi_password is empty\\)`),
    );
    expect(calls).toEqual([]);
  });

  it("a Terraform file with credentials uses them and says so; its secret ARN is the next choice", async () => {
    const calls: string[] = [];
    const file = tfFile({
      pypi_server_urls: ["https://tf.example.com"],
      pypi_username: "tf",
      pypi_password: "p",
    });
    const r = await creds({ terraformOutputs: file }, calls);
    expect(r.credentials).toEqual({ username: "tf", password: "p" });
    expect(r.origin).toBe(`Terraform outputs ${file}`);
    expect(calls).toEqual([]);
    const withSecret = tfFile({
      pypi_server_urls: ["https://tf.example.com"],
      pypi_user_secret_arn: SECRET_ARN,
    });
    const s = await creds({ terraformOutputs: withSecret }, calls);
    expect(s.origin).toBe(`secret ${SECRET_ARN}`);
    expect(calls).toEqual(["GetSecretValue"]);
  });

  it("an explicit --secret-id wins over the Terraform file's credentials, never a mix", async () => {
    const calls: string[] = [];
    const file = tfFile({
      pypi_server_urls: ["https://tf.example.com"],
      pypi_username: "tf",
      pypi_password: "p",
    });
    const r = await creds({ terraformOutputs: file, secretId: SECRET_ARN }, calls);
    expect(r.credentials.password).toBe(STACK_PASSWORD);
    expect(r.origin).toBe(`secret ${SECRET_ARN}`);
  });
});

describe("URLs in bundles and host fields (item 7)", () => {
  it("a malformed index URL never yields its password as the host", () => {
    for (const url of [
      "https://user:s3cr3t-pw/pypi.example.com/simple/",
      "https://user:s3cr3t pw@",
      "https://user:s3cr3t-pw",
    ]) {
      expect(inspectCredentialUrl(url).host ?? "").not.toContain("s3cr3t");
      expect(hostOf(url) ?? "").not.toContain("s3cr3t");
    }
    expect(inspectCredentialUrl("https://u:p@pypi.example.com:8443/simple/").host).toBe(
      "pypi.example.com:8443",
    );
    expect(hostOf("https://[::1]:8080/simple/")).toBe("[::1]:8080");
  });

  it("a client config with a malformed URL keeps no fragment of the password in its evidence", async () => {
    const ev = await gatherClientConfig(
      { PIP_INDEX_URL: "https://alice:hunter2-longpw/pypi.example.com/simple/", HOME: tmp },
      {},
      "none",
    );
    expect(JSON.stringify(ev)).not.toContain("hunter2");
  });

  it("userinfo, queries, fragments and token-like path segments are stripped", () => {
    expect(safeUrl("https://u:pw@pypi.example.com/simple/?token=abc#x")).toBe(
      "https://pypi.example.com/simple/",
    );
    expect(safeUrl("https://pypi.fury.io/AbCdEf0123456789xYz42/acct/")).toBe(
      "https://pypi.fury.io/***/acct/",
    );
    expect(safeUrl("https://x.example/pypi-AgEIcHlwaS5vcmcCJD/simple/")).toBe(
      "https://x.example/***/simple/",
    );
    // File names and ordinary paths stay.
    const file = "https://x.example/packages/numpy-1.26.4-cp312-cp312-manylinux_2_17_x86_64.whl";
    expect(safeUrl(file)).toBe(file);
    expect(scrubUrls("cannot reach https://a:b@h.example/?k=v: ECONNREFUSED")).toBe(
      "cannot reach https://h.example/: ECONNREFUSED",
    );
  });

  it("every URL kept in a saved bundle is safe: the target's and those inside evidence", () => {
    const b = makeBundle({
      version: "t",
      window: { start: "2026-01-01T00:00:00.000Z", end: "2026-01-01T01:00:00.000Z", since: "1h" },
      target: { kind: "fleet", url: "https://pypi.example.com/?auth=SECRETQUERY" },
      evidence: {
        "http.index-probe": {
          ok: false,
          kind: "unreachable",
          message: "cannot reach https://user:SECRETPW@pypi.example.com/simple/?sig=SECRETSIG",
          at: "2026-01-01T01:00:00.000Z",
        },
      } as never,
      now: new Date("2026-01-01T01:00:00.000Z"),
    });
    const text = bundleText(b);
    expect(text).not.toMatch(/SECRET/);
    expect(text).toContain("https://pypi.example.com/simple/");
  });
});
