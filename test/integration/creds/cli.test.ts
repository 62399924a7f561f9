/**
 * `pypictl creds` end to end: sources (Terraform outputs, Secrets Manager mocked, stack outputs mocked),
 * printing and masking, --write merges proved with the real pip and twine, --dry-run, --check probes.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync, readFileSync, statSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { mockClient } from "aws-sdk-client-mock";
import { SecretsManagerClient, GetSecretValueCommand } from "@aws-sdk/client-secrets-manager";
import { CloudFormationClient, DescribeStacksCommand } from "@aws-sdk/client-cloudformation";
import { FakePypiServer } from "./fake-pypiserver.js";
import { havePipAndTwine, isolatedEnv, makeDist, pipInstall, readBytes, twineUpload } from "./clients.js";
import { runCli } from "../../../src/cli/main.js";
import { captureIo } from "../../helpers/io.js";
import { encodeUserinfo } from "../../../src/creds/encode.js";

const PASSWORD = `Cli@pw:/#%?&=+[]!$'()*,~x`;
const USER = "cli-user";
// Skipped only on a developer machine without pip or twine: in CI (CI=true) a missing client fails loudly.
const d = havePipAndTwine() || process.env.CI ? describe : describe.skip;

d("pypictl creds", () => {
  let server: FakePypiServer;
  let home: string;
  let tfFile: string;
  const sm = mockClient(SecretsManagerClient);
  const cfn = mockClient(CloudFormationClient);
  const cli = async (args: string[], opts: { tty?: boolean; env?: NodeJS.ProcessEnv } = {}) => {
    const io = captureIo({ HOME: home, ...opts.env }, { tty: opts.tty ?? false });
    const code = await runCli(args, io);
    return { code, stdout: io.stdout.text, stderr: io.stderr.text };
  };

  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), "pypictl-creds-cli-"));
    server = await new FakePypiServer({ username: USER, password: PASSWORD }).start();
    const dist = makeDist("demo-pkg", "0.2.0", join(home, "seed"));
    server.addFile("demo_pkg-0.2.0-py3-none-any.whl", readBytes(dist.wheel));
    tfFile = join(home, "outputs.json");
    writeFileSync(
      tfFile,
      JSON.stringify({
        pypi_server_urls: { value: [server.url], type: ["list", "string"], sensitive: false },
        pypi_username: { value: USER, sensitive: true },
        pypi_password: { value: PASSWORD, sensitive: true },
        ecs_cluster_name: { value: "pypi-cluster" },
        ecs_service_name: { value: "pypiserver" },
      }),
    );
  });
  afterEach(() => {
    sm.reset();
    cfn.reset();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it("prints env from Terraform outputs when stdout is not a terminal", async () => {
    const r = await cli(["creds", "--terraform-outputs", tfFile]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      `PIP_INDEX_URL='http://${USER}:${encodeUserinfo(PASSWORD)}@127.0.0.1:${server.port}/simple/'`,
    );
    expect(r.stderr).toBe("");
  });

  it("masks the password on a terminal without --show-password, shows it with", async () => {
    for (const format of ["env", "pip.conf", "pypirc", "netrc", "uv", "uv-env", "poetry", "json"]) {
      const r = await cli(["creds", "--terraform-outputs", tfFile, "--format", format], { tty: true });
      expect(r.code, format).toBe(0);
      expect(r.stdout, format).toContain("***");
      expect(r.stdout, format).not.toContain("Cli@pw");
      expect(r.stdout, format).not.toContain(encodeUserinfo(PASSWORD));
      expect(r.stderr).toMatch(/--show-password/);
    }
    const shown = await cli(
      ["creds", "--terraform-outputs", tfFile, "--format", "pypirc", "--show-password"],
      { tty: true },
    );
    expect(shown.stdout).toContain(`password = ${PASSWORD}`);
  });

  it("reads the secret from Secrets Manager with configurable key names", async () => {
    sm.on(GetSecretValueCommand, { SecretId: "pypi/creds" }).resolves({
      SecretString: JSON.stringify({ user: USER, pass: PASSWORD }),
    });
    const r = await cli([
      "creds",
      "--secret-id",
      "pypi/creds",
      "--region",
      "eu-west-1",
      "--url",
      server.url,
      "--username-key",
      "user",
      "--password-key",
      "pass",
      "--format",
      "json",
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      username: USER,
      password: PASSWORD,
      uploadUrl: `${server.url}/`,
    });
    const bad = await cli([
      "creds",
      "--secret-id",
      "pypi/creds",
      "--region",
      "eu-west-1",
      "--url",
      server.url,
    ]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/no string "username" in the secret \(its keys: user, pass\).*--username-key/);
    expect(bad.stderr).not.toContain("Cli@pw");
  });

  it("finds the URL and secret in the stack's outputs", async () => {
    cfn.on(DescribeStacksCommand).resolves({
      Stacks: [
        {
          StackName: "pypiserver",
          CreationTime: new Date(),
          StackStatus: "CREATE_COMPLETE",
          Outputs: [
            { OutputKey: "IndexUrl", OutputValue: server.url },
            {
              OutputKey: "SecretArn",
              OutputValue: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:pypi-AbCdEf",
            },
          ],
        },
      ],
    });
    sm.on(GetSecretValueCommand).resolves({
      SecretString: JSON.stringify({ username: USER, password: PASSWORD }),
    });
    const r = await cli(["creds", "--stack", "pypiserver", "--region", "eu-west-1", "--format", "pip.conf"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(
      `index-url = http://${USER}:${encodeUserinfo(PASSWORD)}@127.0.0.1:${server.port}/simple/`,
    );
  });

  it("with no flags reads the default stack pypiserver, as --help says", async () => {
    cfn.on(DescribeStacksCommand, { StackName: "pypiserver" }).resolves({
      Stacks: [
        {
          StackName: "pypiserver",
          CreationTime: new Date(),
          StackStatus: "CREATE_COMPLETE",
          Outputs: [
            { OutputKey: "IndexUrl", OutputValue: server.url },
            {
              OutputKey: "SecretArn",
              OutputValue: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:pypi-AbCdEf",
            },
          ],
        },
      ],
    });
    sm.on(GetSecretValueCommand).resolves({
      SecretString: JSON.stringify({ username: USER, password: PASSWORD }),
    });
    const r = await cli(["creds", "--region", "eu-west-1", "--format", "pip.conf"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`127.0.0.1:${server.port}/simple/`);
    // No default stack: exit 2 naming the flags that would identify the credentials.
    cfn.reset();
    cfn.on(DescribeStacksCommand).rejects(
      Object.assign(new Error("Stack with id pypiserver does not exist"), {
        name: "ValidationError",
        $metadata: { httpStatusCode: 400 },
      }),
    );
    const none = await cli(["creds", "--region", "eu-west-1"]);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(
      /default stack pypiserver does not exist.*--secret-id, --stack or --terraform-outputs/,
    );
  });

  it("a failing secret read is exit 2 naming the secret, never a value", async () => {
    sm.on(GetSecretValueCommand).rejects(
      Object.assign(new Error("User is not authorized to perform: secretsmanager:GetSecretValue"), {
        name: "AccessDeniedException",
      }),
    );
    const r = await cli(["creds", "--secret-id", "pypi/creds", "--region", "eu-west-1", "--url", server.url]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--secret-id pypi\/creds: cannot read the secret \(AccessDeniedException/);
  });

  it("a secret read the endpoint never answers is exit 3 (incomplete) naming the endpoint, not bad input", async () => {
    sm.on(GetSecretValueCommand).rejects(
      Object.assign(
        new Error(
          "@smithy/node-http-handler - [ERROR] a request has exceeded the configured 10000 ms requestTimeout.",
        ),
        {
          name: "TimeoutError",
          $endpoint: "https://secretsmanager.eu-west-1.amazonaws.com",
        },
      ),
    );
    const r = await cli(["creds", "--secret-id", "pypi/creds", "--region", "eu-west-1", "--url", server.url]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(
      /--secret-id pypi\/creds: cannot read the secret \(timeout: no answer from https:\/\/secretsmanager\.eu-west-1\.amazonaws\.com in time/,
    );
    expect(r.stderr).not.toMatch(/@smithy/);
    expect(r.stdout).toBe("");
  });

  it("--write merges into an existing pip.conf (comments and other sections kept, 0600, backup), and pip installs with it", async () => {
    const conf = join(home, "pip", "pip.conf");
    const before =
      "# my pip settings\n[global]\ntimeout = 60\nindex-url = https://old:stale@127.0.0.1/simple/\n\n[install]\n# keep me\nno-compile = true\n";
    const { mkdirSync } = await import("node:fs");
    mkdirSync(join(home, "pip"), { recursive: true });
    writeFileSync(conf, before, { mode: 0o644 });
    const dry = await cli([
      "creds",
      "--terraform-outputs",
      tfFile,
      "--format",
      "pip.conf",
      "--write",
      "--path",
      conf,
      "--dry-run",
    ]);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/-index-url = https:\/\/old:\*\*\*@/);
    expect(dry.stdout).toMatch(/\+index-url = http:\/\/cli-user:\*\*\*@/);
    expect(dry.stdout).not.toContain("stale");
    expect(dry.stdout).not.toContain(encodeUserinfo(PASSWORD));
    expect(readFileSync(conf, "utf8")).toBe(before);

    const w = await cli([
      "creds",
      "--terraform-outputs",
      tfFile,
      "--format",
      "pip.conf",
      "--write",
      "--path",
      conf,
    ]);
    expect(w.code, w.stderr).toBe(0);
    expect(w.stdout).toMatch(/replaced \[global\] index-url.*\.bak/);
    const after = readFileSync(conf, "utf8");
    expect(after).toContain("# my pip settings\n[global]\ntimeout = 60\nindex-url = http://");
    expect(after).toContain("[install]\n# keep me\nno-compile = true\n");
    expect(statSync(conf).mode & 0o777).toBe(0o600);
    expect(readFileSync(`${conf}.bak`, "utf8")).toBe(before);
    expect(statSync(`${conf}.bak`).mode & 0o777).toBe(0o600);
    const again = await cli([
      "creds",
      "--terraform-outputs",
      tfFile,
      "--format",
      "pip.conf",
      "--write",
      "--path",
      conf,
    ]);
    expect(again.stdout).toMatch(/already up to date/);

    const r = await pipInstall("demo-pkg", isolatedEnv(home, { PIP_CONFIG_FILE: conf }));
    expect(r.status, r.stderr).toBe(0);
  });

  it("--write pypirc to the standard ~/.pypirc keeps [pypi] and twine uploads with -r pypictl", async () => {
    writeFileSync(
      join(home, ".pypirc"),
      "[distutils]\nindex-servers =\n    pypi\n\n[pypi]\n# token\nusername = __token__\npassword = pypi-abc\n",
    );
    const w = await cli(["creds", "--terraform-outputs", tfFile, "--format", "pypirc", "--write"]);
    expect(w.code, w.stderr).toBe(0);
    const rc = readFileSync(join(home, ".pypirc"), "utf8");
    expect(rc).toMatch(/index-servers =\n {4}pypi\n {4}pypictl\n/);
    expect(rc).toContain("[pypi]\n# token\nusername = __token__\npassword = pypi-abc\n");
    const dist = makeDist("cli-upload", "1.0.0", join(home, "d1"));
    const t = await twineUpload([dist.wheel], isolatedEnv(home), ["-r", "pypictl"]);
    expect(t.status, t.stdout + t.stderr).toBe(0);
    expect(server.files.has("cli_upload-1.0.0-py3-none-any.whl")).toBe(true);
  });

  it("--write netrc (standard ~/.netrc) and pip finds it", async () => {
    writeFileSync(join(home, ".netrc"), "# mine\nmachine example.org login a password b\n");
    const w = await cli(["creds", "--terraform-outputs", tfFile, "--format", "netrc", "--write"]);
    expect(w.code, w.stderr).toBe(0);
    const text = readFileSync(join(home, ".netrc"), "utf8");
    expect(text).toContain("# mine\nmachine example.org login a password b\n");
    expect(statSync(join(home, ".netrc")).mode & 0o777).toBe(0o600);
    const r = await pipInstall("demo-pkg", isolatedEnv(home), ["--index-url", `${server.url}/simple/`]);
    expect(r.status, r.stderr).toBe(0);
  });

  it("--write uv keeps other indexes and comments; env/json need --path; poetry cannot be written", async () => {
    const uv = join(home, ".config", "uv", "uv.toml");
    const w = await cli(["creds", "--terraform-outputs", tfFile, "--format", "uv", "--write"], {
      env: { XDG_CONFIG_HOME: join(home, ".config") },
    });
    expect(w.code, w.stderr).toBe(0);
    expect(existsSync(uv)).toBe(true);
    expect((await cli(["creds", "--terraform-outputs", tfFile, "--format", "env", "--write"])).code).toBe(2);
    expect(
      (
        await cli([
          "creds",
          "--terraform-outputs",
          tfFile,
          "--format",
          "poetry",
          "--write",
          "--path",
          join(home, "x"),
        ])
      ).code,
    ).toBe(2);
  });

  it("--check: 200 with the right credentials, 403 (stale) with the wrong ones, without printing either", async () => {
    const ok = await cli(["creds", "--terraform-outputs", tfFile, "--check"]);
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/auth.credentials-accepted/);
    const staleTf = join(home, "stale.json");
    writeFileSync(
      staleTf,
      readFileSync(tfFile, "utf8").replace(JSON.stringify(PASSWORD), JSON.stringify("Stale@pw:1")),
    );
    const stale = await cli(["creds", "--terraform-outputs", staleTf, "--check"]);
    expect(stale.code).toBe(1);
    expect(stale.stdout).toMatch(/403/);
    expect(stale.stdout).toMatch(/force-new-deployment/);
    expect(stale.stdout + stale.stderr).not.toContain("Stale@pw");
    expect(ok.stdout + ok.stderr).not.toContain("Cli@pw");
  });

  it("usage errors are exit 2 and name the flag", async () => {
    const r = await cli(["creds", "--dry-run", "--terraform-outputs", tfFile]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--dry-run needs --write/);
    // Nothing names the credentials and the default stack does not exist.
    cfn.on(DescribeStacksCommand).rejects(
      Object.assign(new Error("Stack with id pypiserver does not exist"), {
        name: "ValidationError",
        $metadata: { httpStatusCode: 400 },
      }),
    );
    const none = await cli(["creds", "--url", server.url, "--region", "eu-west-1"]);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/--secret-id, --stack or --terraform-outputs/);
  });
});
