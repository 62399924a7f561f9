/**
 * Issue 14, "secrets in places they do not belong": a syntax error in a file that can hold a password never
 * quotes the file, and a user name or password typed into a URL never reaches a report, --verbose line or
 * saved evidence.
 */
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../../../src/cli/main.js";
import { parseStrictJson, JsonSyntaxError } from "../../../src/config/strict-json.js";
import { parseConfig } from "../../../src/config/config.js";
import { stripUserinfo } from "../../../src/config/url-userinfo.js";
import { parseBundle } from "../../../src/evidence/bundle.js";
import { captureIo } from "../../helpers/io.js";

const tmp = mkdtempSync(join(tmpdir(), "pypictl-secrets-"));
const PASSWORD = "hunter2-S3cr3t";

async function run(argv: string[], env: NodeJS.ProcessEnv = {}) {
  const io = captureIo(env);
  const code = await runCli(argv, io);
  return { code, out: io.stdout.text, err: io.stderr.text };
}

describe("syntax errors never quote the file", () => {
  // Each is broken right next to the password: V8's own messages would quote it.
  const broken = [
    `{"pypi_password": {"value": ${PASSWORD}}}`,
    `{"pypi_password": {"value": "${PASSWORD}" "sensitive": true}}`,
    `{"pypi_password": {"value": "${PASSWORD}`,
    `${PASSWORD}`,
    `{"pypi_password": {"value": "${PASSWORD}",}}`,
    `{"pypi_password": {"value": "${PASSWORD}\u0001"}}`,
  ];
  for (const text of broken) {
    it(`terraform outputs and config: ${JSON.stringify(text).slice(0, 50)}…`, async () => {
      const tf = join(tmp, "tf.json");
      writeFileSync(tf, text);
      const c = await run(["creds", "--terraform-outputs", tf, "--url", "https://pypi.example.com"]);
      expect(c.code).toBe(2);
      expect(c.err).toMatch(/not valid JSON: .* at line \d+, column \d+/);
      expect(c.err).not.toContain("hunter2");
      const d = await run(["doctor", "--local", "--config", tf]);
      expect(d.code).toBe(2);
      expect(d.err).not.toContain("hunter2");
    });
  }

  it("an evidence bundle's syntax error is located, not quoted", async () => {
    const b = join(tmp, "bad-bundle.json");
    writeFileSync(b, `{"kind": "pypictl-evidence", "x": ${PASSWORD}}`);
    const r = await run(["doctor", "--replay", b]);
    expect(r.code).toBe(2);
    expect(r.err).toContain("line 1, column");
    expect(r.err).not.toContain("hunter2");
  });

  it("the strict reader agrees with JSON.parse on valid JSON and reports line and column", () => {
    const text = JSON.stringify(
      { a: [1, -2.5e3, 'x\n"\u00e9\ud83d\ude00', true, false, null, { b: {} }], c: "" },
      null,
      2,
    );
    expect(parseStrictJson(text)).toEqual(JSON.parse(text));
    try {
      parseStrictJson('{\n  "a": 1,\n  "b": x\n}');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(JsonSyntaxError);
      expect((e as JsonSyntaxError).line).toBe(3);
      expect((e as JsonSyntaxError).column).toBe(8);
    }
  });
});

describe("config files", () => {
  const bad: Array<[string, RegExp]> = [
    ['{"since": "20d"}', /since: at most 15d/],
    ['{"since": "1h", "since": "2h"}', /duplicate key "since"/],
    ['{"target": {"stack": "a", "stack": "b"}}', /duplicate key "stack" \(in target\)/],
    ['{"thresholds": {"constructor": {"x": 1}}}', /key "constructor" is not allowed/],
    ['{"__proto__": {"since": "1h"}}', /key "__proto__" is not allowed/],
    ['{"thresholds": {"host.iowait": {"prototype": 1}}}', /key "prototype" is not allowed/],
    ['{"host": {"samples": "5"}}', /host\.samples: must be a number/],
    ['{"host": {"samples": 5.5}}', /host\.samples: must be a whole number/],
    ['{"host": {"mountPath": "relative/dir"}}', /host\.mountPath: "relative\/dir" is relative/],
    ['{"host": {"packageDir": "/proc/self"}}', /host\.packageDir: .*pseudo file system/],
    ['{"target": {"stack": 5}}', /target\.stack: must be a non-empty string/],
    ['{"target": []}', /target: must be an object/],
    [
      '{"thresholds": {"host.iowait": {"maxIowaitPercent": "15"}}}',
      /thresholds\.host\.iowait\.maxIowaitPercent: must be a number/,
    ],
    ['{"thresholds": {"host.iowait": {"maxIowaitPercent": 1e308}}}', /out of range/],
    ['{"only": "host"}', /only: must be an array of strings/],
    ['{"creds": {"name": "a b"}}', /creds\.name: .* is not a valid repository name/],
  ];
  for (const [text, message] of bad) {
    it(`refuses ${text}`, async () => {
      const f = join(tmp, "config.json");
      writeFileSync(f, text);
      const cmd = text.includes('"creds"')
        ? ["creds", "--config", f, "--url", "https://pypi.example.com", "--secret-id", "s"]
        : ["doctor", "--local", "--config", f];
      const r = await run(cmd);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(message);
    });
  }
});

describe("userinfo is stripped from every URL before it is stored or printed", () => {
  it("stripUserinfo takes everything up to the last @ (a raw @ or / in a password leaks nothing)", () => {
    expect(stripUserinfo("https://u:p@pypi.example.com/simple/")).toEqual({
      url: "https://pypi.example.com/simple/",
      hadUserinfo: true,
    });
    expect(stripUserinfo("https://u:p@ss/w#rd@pypi.example.com")).toEqual({
      url: "https://pypi.example.com",
      hadUserinfo: true,
    });
    expect(stripUserinfo("https://pypi.example.com:8443/x")).toEqual({
      url: "https://pypi.example.com:8443/x",
      hadUserinfo: false,
    });
    expect(stripUserinfo("pypi.example.com")).toEqual({ url: "pypi.example.com", hadUserinfo: false });
  });

  it("config target.url: stripped, with a warning", () => {
    const c = parseConfig(
      JSON.stringify({ target: { url: `https://admin:${PASSWORD}@pypi.example.com` } }),
      "c.json",
    );
    expect(c.target.url).toBe("https://pypi.example.com");
    expect(c.warnings.join("\n")).toMatch(/c\.json: target\.url: credentials in a URL/);
  });

  it("a replayed bundle whose target.url carries a password shows it nowhere", async () => {
    const b = JSON.parse(
      readFileSync(join(import.meta.dirname, "../../../examples/auth-stale-password.json"), "utf8"),
    );
    b.target.url = `https://admin:${PASSWORD}@pypi.example.com`;
    expect(parseBundle(JSON.stringify(b), "b.json").target).toMatchObject({
      url: "https://pypi.example.com",
    });
    const f = join(tmp, "url-bundle.json");
    writeFileSync(f, JSON.stringify(b));
    for (const format of ["human", "json", "markdown", "junit"]) {
      const r = await run(["doctor", "--replay", f, "--format", format, "--verbose"]);
      expect(r.code).toBeLessThan(2);
      expect(r.out + r.err).not.toContain("hunter2");
    }
  });

  it("doctor --url with a password: warned, and absent from the report, --verbose output and saved evidence", async () => {
    const evidence = join(tmp, "e.json");
    // Nothing listens on 127.0.0.1:9 — the run fails fast, but what it stores and prints is what matters.
    const r = await run(
      [
        "doctor",
        "--only",
        "auth",
        "--url",
        `https://admin:${PASSWORD}@127.0.0.1:9`,
        "--format",
        "json",
        "--verbose",
        "--save-evidence",
        evidence,
      ],
      {
        AWS_ACCESS_KEY_ID: "AKIAFAKE",
        AWS_SECRET_ACCESS_KEY: "fake",
        AWS_REGION: "eu-west-1",
        AWS_ENDPOINT_URL: "http://127.0.0.1:9",
        AWS_MAX_ATTEMPTS: "1",
      },
    );
    expect(r.err).toContain("--url: credentials in a URL");
    expect(r.out + r.err).not.toContain("hunter2");
    expect(r.out + r.err).not.toContain("admin:");
    // A report names the stripped URL; a JSON error document (the run could not start) names no target.
    const doc = r.out ? (JSON.parse(r.out) as { target?: { url?: string }; error?: unknown }) : {};
    if (doc.target) expect(doc.target.url).toBe("https://127.0.0.1:9");
    else if (r.out) expect(doc.error).toBeDefined();
    if (existsSync(evidence)) expect(readFileSync(evidence, "utf8")).not.toContain("hunter2");
  });

  it("Terraform outputs' server URLs lose their userinfo", async () => {
    const { parseTerraformOutputs } = await import("../../../src/sources/target/terraform.js");
    const tf = parseTerraformOutputs(
      JSON.stringify({
        pypi_server_urls: { value: [`https://u:${PASSWORD}@pypi.example.com`] },
        ecs_cluster_name: { value: "c" },
      }),
      "tf",
    );
    expect(tf.urls).toEqual(["https://pypi.example.com"]);
    expect(JSON.stringify(tf.target)).not.toContain("hunter2");
  });
});
