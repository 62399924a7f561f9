/**
 * A recognisable canary password runs through every command and format: doctor (human, json, junit,
 * markdown, --save-evidence, -o, --verbose, replay), creds (each format on a terminal without
 * --show-password, --dry-run, --write, --check against a server that rejects it) and error paths. The canary,
 * in any form (raw, percent-encoded, JSON-escaped, inside a Basic header), may appear only where creds was
 * asked to print it (stdout not a terminal) and in the config files --write wrote.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, writeFileSync, readdirSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { mockClient } from "aws-sdk-client-mock";
import { SecretsManagerClient, GetSecretValueCommand } from "@aws-sdk/client-secrets-manager";
import { FakePypiServer } from "./creds/fake-pypiserver.js";
import { runCli } from "../../src/cli/main.js";
import { captureIo } from "../helpers/io.js";
import { encodeUserinfo } from "../../src/creds/encode.js";

const CANARY = "Canary-7f3a#Pw:@/%?z";
const USER = "canary-user";
const FORMS = [
  CANARY,
  encodeUserinfo(CANARY),
  encodeURIComponent(CANARY),
  JSON.stringify(CANARY).slice(1, -1),
  "Canary-7f3a",
  Buffer.from(`${USER}:${CANARY}`).toString("base64"),
];
const leaks = (text: string) => FORMS.filter((f) => text.includes(f));

describe("canary: the password appears only where creds was asked to print it", () => {
  let server: FakePypiServer;
  let rejecting: FakePypiServer;
  let home: string;
  let tf: string;
  const sm = mockClient(SecretsManagerClient);
  const saved = { ...process.env };
  /** Every stream of every call that must stay clean, labelled. */
  const clean: Array<{ label: string; text: string }> = [];

  const cli = async (
    label: string,
    args: string[],
    opts: { tty?: boolean; env?: NodeJS.ProcessEnv } = {},
  ) => {
    // The CLI reads the environment it is given (a real run: process.env), region included.
    const io = captureIo({ HOME: home, AWS_REGION: "eu-west-1", ...opts.env }, { tty: opts.tty ?? false });
    const code = await runCli(args, io);
    return { code, stdout: io.stdout.text, stderr: io.stderr.text, label };
  };
  const mustBeClean = (r: { label: string; stdout: string; stderr: string }) => {
    clean.push(
      { label: `${r.label} stdout`, text: r.stdout },
      { label: `${r.label} stderr`, text: r.stderr },
    );
  };

  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), "pypictl-canary-"));
    // AWS: no real endpoint is ever reached (Secrets Manager is mocked; anything else is refused locally).
    Object.assign(process.env, {
      AWS_ACCESS_KEY_ID: "AKIDCANARYTEST",
      AWS_SECRET_ACCESS_KEY: "canary-test-secret-key",
      AWS_REGION: "eu-west-1",
      AWS_EC2_METADATA_DISABLED: "true",
      AWS_ENDPOINT_URL: "http://127.0.0.1:9",
      AWS_MAX_ATTEMPTS: "1",
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    });
    server = await new FakePypiServer({ username: USER, password: CANARY }).start();
    rejecting = await new FakePypiServer({ username: USER, password: "a-different-password" }).start();
    sm.on(GetSecretValueCommand).resolves({
      SecretString: JSON.stringify({ username: USER, password: CANARY }),
    });
    tf = join(home, "outputs.json");
    writeFileSync(
      tf,
      JSON.stringify({
        pypi_server_urls: { value: [server.url] },
        pypi_username: { value: USER },
        pypi_password: { value: CANARY },
      }),
    );
    // The user's own config holds the canary too (stale forms and right ones): doctor must compare, not print.
    writeFileSync(
      join(home, ".pypirc"),
      `[distutils]\nindex-servers = private\n\n[private]\nrepository = ${server.url}/simple/\nusername = ${USER}\npassword = ${encodeUserinfo(CANARY)}\n`,
    );
    writeFileSync(join(home, ".netrc"), `machine 127.0.0.1 login ${USER} password "${CANARY}"\n`);
  });
  afterAll(async () => {
    await server?.stop();
    await rejecting?.stop();
    sm.restore();
    process.env = saved;
  });

  const fleet = () => [
    "--url",
    server.url,
    "--secret-id",
    "pypi/canary",
    "--region",
    "eu-west-1",
    "--cluster",
    "c",
    "--service",
    "s",
  ];
  const clientEnv = () => ({
    PIP_INDEX_URL: `http://${USER}:${CANARY}@127.0.0.1:${server.port}/simple/`,
    TWINE_PASSWORD: CANARY,
    PIP_CONFIG_FILE: "/dev/null",
  });

  it("doctor in every format, with evidence, output file and --verbose", async () => {
    for (const format of ["human", "json", "junit", "markdown"]) {
      const r = await cli(
        `doctor ${format}`,
        ["doctor", ...fleet(), "--only", "auth,upload", "--format", format, "--verbose"],
        { env: clientEnv() },
      );
      expect([0, 1, 3]).toContain(r.code);
      mustBeClean(r);
    }
    const json = await cli(
      "doctor json (again)",
      ["doctor", ...fleet(), "--only", "auth", "--format", "json"],
      { env: clientEnv() },
    );
    mustBeClean(json);
    const report = JSON.parse(json.stdout) as { findings: Array<{ checkId: string; status: string }> };
    expect(report.findings.find((f) => f.checkId === "auth.credentials-accepted")?.status).toBe("pass");
    expect(report.findings.find((f) => f.checkId === "auth.client-config")?.status).toBe("fail");

    const bundle = join(home, "evidence.json");
    const out = join(home, "report.md");
    const saved = await cli(
      "doctor --save-evidence -o",
      [
        "doctor",
        ...fleet(),
        "--only",
        "auth,upload",
        "--save-evidence",
        bundle,
        "-o",
        out,
        "--format",
        "markdown",
      ],
      { env: clientEnv() },
    );
    mustBeClean(saved);
    clean.push(
      { label: "evidence bundle", text: readFileSync(bundle, "utf8") },
      { label: "report file", text: readFileSync(out, "utf8") },
    );
    const replay = await cli("doctor --replay", ["doctor", "--replay", bundle, "--format", "json"]);
    mustBeClean(replay);
    expect(replay.code).toBe(1);
  });

  it("doctor --local reads the client config and prints none of it", async () => {
    const r = await cli(
      "doctor --local",
      ["doctor", "--local", "--only", "auth,upload", "--dist", home, "--format", "json"],
      { env: clientEnv() },
    );
    mustBeClean(r);
    expect([0, 1, 3]).toContain(r.code);
  });

  it("creds prints on a terminal only masked; --dry-run and --write summaries are masked; --check prints nothing secret", async () => {
    for (const format of ["env", "pip.conf", "pypirc", "netrc", "uv", "uv-env", "poetry", "json"]) {
      const r = await cli(`creds ${format} tty`, ["creds", "--terraform-outputs", tf, "--format", format], {
        tty: true,
      });
      expect(r.code).toBe(0);
      mustBeClean(r);
      const piped = await cli(`creds ${format} piped`, [
        "creds",
        "--secret-id",
        "pypi/canary",
        "--url",
        server.url,
        "--format",
        format,
      ]);
      expect(piped.code).toBe(0);
      // Asked for it: stdout is not a terminal, so this is the one place the canary may appear.
      expect(leaks(piped.stdout).length, format).toBeGreaterThan(0);
      clean.push({ label: `creds ${format} piped stderr`, text: piped.stderr });
    }
    const conf = join(home, "pip.conf");
    writeFileSync(
      conf,
      `[global]\nindex-url = http://${USER}:${encodeUserinfo(CANARY)}x@127.0.0.1/simple/\n`,
    );
    mustBeClean(
      await cli("creds --dry-run", [
        "creds",
        "--terraform-outputs",
        tf,
        "--format",
        "pip.conf",
        "--write",
        "--path",
        conf,
        "--dry-run",
      ]),
    );
    mustBeClean(
      await cli("creds --write", [
        "creds",
        "--terraform-outputs",
        tf,
        "--format",
        "pip.conf",
        "--write",
        "--path",
        conf,
      ]),
    );
    expect(statSync(conf).mode & 0o777).toBe(0o600);
    mustBeClean(await cli("creds --check ok", ["creds", "--terraform-outputs", tf, "--check"]));
    const rejected = await cli("creds --check rejected", [
      "creds",
      "--secret-id",
      "pypi/canary",
      "--url",
      rejecting.url,
      "--check",
    ]);
    expect(rejected.code).toBe(1);
    mustBeClean(rejected);
  });

  it("error paths name the flag and never the password", async () => {
    const calls: Array<[string, string[]]> = [
      [
        "creds bad key",
        ["creds", "--secret-id", "pypi/canary", "--url", server.url, "--password-key", "nope"],
      ],
      ["creds bad url", ["creds", "--secret-id", "pypi/canary", "--url", "ftp://x"]],
      ["creds no source", ["creds", "--url", server.url]],
      ["creds dry-run without write", ["creds", "--terraform-outputs", tf, "--dry-run"]],
      ["creds write poetry", ["creds", "--terraform-outputs", tf, "--format", "poetry", "--write"]],
      [
        "creds unreadable path",
        [
          "creds",
          "--terraform-outputs",
          tf,
          "--format",
          "pip.conf",
          "--write",
          "--path",
          join(home, "no", "such", "\0dir"),
        ],
      ],
      ["doctor bad replay", ["doctor", "--replay", tf]],
      [
        "doctor unreachable index",
        [
          "doctor",
          "--url",
          "http://127.0.0.1:9",
          "--secret-id",
          "pypi/canary",
          "--region",
          "eu-west-1",
          "--only",
          "auth",
        ],
      ],
    ];
    for (const [label, args] of calls) {
      const r = await cli(label, args, { env: { PYPICTL_DEBUG: "1" } });
      expect(r.code, `${label}: ${r.stderr}`).not.toBe(0);
      mustBeClean(r);
    }
  });

  it("malformed files that hold the password: the error names the file, never quotes it", async () => {
    // A syntax error right after the password: a parser error excerpt would quote the text around it.
    const badTf = join(home, "bad-outputs.json");
    writeFileSync(
      badTf,
      `{"pypi_server_urls": {"value": ["${server.url}"]},\n "pypi_password": {"value": "${CANARY}"} oops,\n}`,
    );
    const badConfig = join(home, "bad-config.json");
    writeFileSync(
      badConfig,
      `{"target": {"url": "http://${USER}:${encodeUserinfo(CANARY)}@127.0.0.1/", "secretId": "${CANARY}",}}`,
    );
    const calls: Array<[string, string[]]> = [
      ["creds malformed terraform outputs", ["creds", "--terraform-outputs", badTf]],
      ["doctor malformed terraform outputs", ["doctor", "--terraform-outputs", badTf, "--only", "auth"]],
      ["creds malformed config", ["creds", "--config", badConfig]],
      ["doctor malformed config", ["doctor", "--config", badConfig, "--only", "auth"]],
    ];
    for (const [label, args] of calls) {
      const r = await cli(label, args, { env: { PYPICTL_DEBUG: "1" } });
      expect(r.code, `${label}: ${r.stderr}`).toBe(2);
      expect(r.stderr, label).toMatch(/bad-(outputs|config)\.json/);
      mustBeClean(r);
    }
  });

  it("a password embedded in --url is stripped from reports, --verbose, evidence and errors", async () => {
    const withUserinfo = `http://${USER}:${encodeUserinfo(CANARY)}@127.0.0.1:${server.port}`;
    const bundle = join(home, "evidence-userinfo.json");
    const r = await cli(
      "doctor --url with userinfo",
      [
        "doctor",
        "--url",
        withUserinfo,
        "--secret-id",
        "pypi/canary",
        "--region",
        "eu-west-1",
        "--only",
        "auth",
        "--format",
        "json",
        "--verbose",
        "--save-evidence",
        bundle,
      ],
      { env: clientEnv() },
    );
    expect([0, 1, 3], r.stderr).toContain(r.code);
    mustBeClean(r);
    clean.push({ label: "evidence bundle (url userinfo)", text: readFileSync(bundle, "utf8") });
    mustBeClean(
      await cli("doctor --replay (url userinfo)", ["doctor", "--replay", bundle, "--format", "markdown"]),
    );
    const creds = await cli("creds --url with userinfo", [
      "creds",
      "--secret-id",
      "pypi/canary",
      "--url",
      withUserinfo,
      "--check",
    ]);
    mustBeClean(creds);
  });

  it("nothing that must be clean contains the canary in any form", () => {
    expect(clean.length).toBeGreaterThan(40);
    const dirty = clean
      .map((c) => ({ label: c.label, forms: leaks(c.text) }))
      .filter((c) => c.forms.length > 0);
    expect(dirty).toEqual([]);
    // Files pypictl wrote besides the config it was asked to write: the backup and the temp files are gone or 0600.
    for (const f of readdirSync(home)) if (f.endsWith(".tmp")) throw new Error(`temp file left behind: ${f}`);
  });
});
