/**
 * Issue 10, AWS and network conventions, through the built CLI as a user runs it: AWS_DEFAULT_REGION,
 * a profile that does not exist, and HTTPS_PROXY/HTTP_PROXY/NO_PROXY for the AWS calls and the index probe
 * (a real proxy on 127.0.0.1: test/helpers/local-proxy.ts).
 */
import { execFile } from "node:child_process";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LocalProxy } from "../../helpers/local-proxy.js";
import { FakeSecretIndex } from "../../helpers/fake-secret-index.js";
import { bypassesProxy, proxySettings } from "../../../src/sources/net/proxy.js";

const root = join(import.meta.dirname, "..", "..", "..");
const bin = join(root, "bin", "pypictl");
const tmp = mkdtempSync(join(tmpdir(), "pypictl-awsenv-"));
const CREDS = { username: "ci-reader", password: "s3cret-pw" };

/** The environment of a user with nothing AWS- or proxy-related set, HOME in a temp dir. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env))
    // The machine's CA settings too (AWS_CA_BUNDLE, PIP_CERT, REQUESTS_CA_BUNDLE…): each replaces the
    // trust store these tests extend with NODE_EXTRA_CA_CERTS, as it does for the aws CLI and pip.
    if (!/^AWS_|_proxy$|_PROXY$|^PIP_|^(REQUESTS|CURL)_CA_BUNDLE$/i.test(k) && k !== "HOME") env[k] = v;
  const home = mkdtempSync(join(tmp, "home-"));
  return {
    ...env,
    HOME: home,
    NO_COLOR: "1",
    // pip's config files (this machine's /etc/pip.conf may name a CA bundle): none, as pip's own switch.
    PIP_CONFIG_FILE: "/dev/null",
    AWS_ACCESS_KEY_ID: "AKIDEXAMPLE",
    AWS_SECRET_ACCESS_KEY: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    ...extra,
  };
}

function cli(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { env, encoding: "utf8", timeout: 60_000 }, (e, out, err) => {
      resolve({ code: e ? ((e as { code?: number }).code ?? 1) : 0, out, err });
    });
  });
}

let plain: FakeSecretIndex;
let secure: FakeSecretIndex;
let caFile: string;

beforeAll(async () => {
  // A self-signed certificate for the two .pypictl.test names the proxy maps to 127.0.0.1.
  const key = join(tmp, "key.pem");
  caFile = join(tmp, "cert.pem");
  execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-keyout",
      key,
      "-out",
      caFile,
      "-days",
      "2",
      "-subj",
      "/CN=pypictl.test",
      "-addext",
      "subjectAltName=DNS:aws.pypictl.test,DNS:index.pypictl.test",
    ],
    { stdio: "ignore" },
  );
  plain = await new FakeSecretIndex(CREDS).start();
  secure = await new FakeSecretIndex(CREDS, {
    key: readFileSync(key, "utf8"),
    cert: readFileSync(caFile, "utf8"),
  }).start();
});
afterAll(async () => {
  await plain?.stop();
  await secure?.stop();
});

describe("AWS region and profile", () => {
  it("honours AWS_DEFAULT_REGION as the aws CLI does; AWS_REGION wins over it", async () => {
    const args = [
      "creds",
      "--secret-id",
      "pypiserver",
      "--url",
      "https://pypi.example.com",
      "--format",
      "env",
    ];
    const before = plain.calls.length;
    const r = await cli(
      args,
      cleanEnv({ AWS_DEFAULT_REGION: "eu-central-1", AWS_ENDPOINT_URL: `http://127.0.0.1:${plain.port}` }),
    );
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(r.out).toContain("PIP_INDEX_URL=");
    expect(
      plain.calls
        .slice(before)
        .filter((c) => c.kind === "aws")
        .map((c) => c.region),
    ).toEqual(["eu-central-1"]);
    const both = await cli(
      args,
      cleanEnv({
        AWS_DEFAULT_REGION: "eu-central-1",
        AWS_REGION: "us-east-2",
        AWS_ENDPOINT_URL: `http://127.0.0.1:${plain.port}`,
      }),
    );
    expect(both.code).toBe(0);
    expect(plain.calls.at(-1)?.region).toBe("us-east-2");
  });

  it("with no region anywhere, says which variables and which file it looked at (creds and doctor)", async () => {
    const env = cleanEnv();
    const creds = await cli(["creds", "--secret-id", "pypiserver", "--url", "https://pypi.example.com"], env);
    expect(creds.code).toBe(2);
    expect(creds.err).toContain(
      `No AWS region: looked at --region, AWS_REGION, AWS_DEFAULT_REGION and the region of profile default in ${env.HOME}/.aws/config`,
    );
    const doctor = await cli(["doctor", "--cluster", "c", "--service", "s"], env);
    expect(doctor.code).toBe(2);
    expect(doctor.err).toMatch(/No AWS region: looked at --region, AWS_REGION, AWS_DEFAULT_REGION/);
    // What works without AWS, where a new user first needs it (issue 22).
    for (const r of [creds, doctor]) {
      expect(r.err).toContain("Without AWS: ");
      expect(r.err).toContain("`pypictl doctor --local`");
      expect(r.err).toContain("`pypictl doctor --examples`");
      expect(r.err).toContain("`pypictl doctor --replay example:NAME`");
    }
    expect(creds.err).toMatch(/`pypictl creds --terraform-outputs \S*examples\/terraform\/outputs\.json`/);
    expect(doctor.err).not.toContain("--terraform-outputs");
  });

  it("with no credentials anywhere, the error points at what works without AWS (doctor and creds)", async () => {
    const env = cleanEnv({ AWS_REGION: "eu-west-1", AWS_EC2_METADATA_DISABLED: "true" });
    delete env.AWS_ACCESS_KEY_ID;
    delete env.AWS_SECRET_ACCESS_KEY;
    const doctor = await cli(["doctor", "--timeout", "20"], env);
    const creds = await cli(["creds", "--timeout", "20"], env);
    for (const r of [doctor, creds]) {
      expect(r.code, r.err).toBe(2);
      expect(r.err).toMatch(/AWS credentials are missing or expired/);
      expect(r.err).toMatch(/Without AWS: .*`pypictl doctor --local`.*--examples.*--replay example:NAME/);
    }
    expect(creds.err).toMatch(/`pypictl creds --terraform-outputs \S*examples\/terraform\/outputs\.json`/);
    // The file it names is there and does what the pointer says, still without AWS.
    const path = /--terraform-outputs (\S+)`/.exec(creds.err)![1]!;
    const tried = await cli(["creds", "--terraform-outputs", path], env);
    expect(tried.code, tried.err).toBe(0);
    expect(tried.out).toContain("PIP_INDEX_URL=");
  });

  it("--profile nosuch says the profile does not exist and where profiles were read from", async () => {
    const dir = mkdtempSync(join(tmp, "aws-"));
    writeFileSync(
      join(dir, "config"),
      "[default]\nregion = eu-west-1\n\n[profile ops]\nregion = eu-west-1\nsso_session = corp\n\n[sso-session corp]\nsso_region = eu-west-1\n",
    );
    writeFileSync(
      join(dir, "credentials"),
      "[ci]\naws_access_key_id = AKIDEXAMPLE\naws_secret_access_key = x\n",
    );
    const env = cleanEnv({
      AWS_CONFIG_FILE: join(dir, "config"),
      AWS_SHARED_CREDENTIALS_FILE: join(dir, "credentials"),
    });
    for (const args of [
      ["doctor", "--profile", "nosuch"],
      ["creds", "--profile", "nosuch", "--secret-id", "x", "--url", "https://pypi.example.com"],
    ]) {
      const r = await cli(args, env);
      expect(r.code, r.err).toBe(2);
      expect(r.err).toContain(
        `AWS profile "nosuch" (--profile) does not exist: read profiles from ${dir}/config (AWS_CONFIG_FILE) and ${dir}/credentials (AWS_SHARED_CREDENTIALS_FILE)`,
      );
      expect(r.err).toContain("known profiles: default, ops, ci");
      expect(r.err).not.toMatch(/No AWS region/);
    }
    const viaEnv = await cli(["doctor"], cleanEnv({ AWS_PROFILE: "nosuch" }));
    expect(viaEnv.code).toBe(2);
    expect(viaEnv.err).toMatch(
      /AWS profile "nosuch" \(AWS_PROFILE\) does not exist: read profiles from .*\/\.aws\/config \(not found\)/,
    );
  });
});

describe("HTTPS_PROXY / HTTP_PROXY / NO_PROXY", () => {
  it("HTTPS_PROXY: the Secrets Manager call and the index probe both go through the proxy's CONNECT tunnel", async () => {
    const proxy = await new LocalProxy().start();
    try {
      const r = await cli(
        [
          "creds",
          "--check",
          "--secret-id",
          "pypiserver",
          "--url",
          `https://index.pypictl.test:${secure.port}`,
        ],
        cleanEnv({
          AWS_REGION: "eu-west-1",
          AWS_ENDPOINT_URL: `https://aws.pypictl.test:${secure.port}`,
          HTTPS_PROXY: proxy.url,
          NODE_EXTRA_CA_CERTS: caFile,
        }),
      );
      expect(r.code, r.out + r.err).toBe(0);
      expect(r.out).toMatch(/auth\.credentials-accepted/);
      const targets = proxy.log.map((l) => `${l.method} ${l.target}`);
      expect(targets).toContain(`CONNECT aws.pypictl.test:${secure.port}`);
      expect(targets).toContain(`CONNECT index.pypictl.test:${secure.port}`);
    } finally {
      await proxy.stop();
    }
  });

  it("HTTP_PROXY with proxy credentials: plain-http index forwarded with the absolute URL; the proxy password is never printed", async () => {
    const proxy = await new LocalProxy({ user: "corp", password: "pr0xy-pass" }).start();
    try {
      const r = await cli(
        ["creds", "--check", "--secret-id", "pypiserver", "--url", `http://index.pypictl.test:${plain.port}`],
        cleanEnv({
          AWS_REGION: "eu-west-1",
          AWS_ENDPOINT_URL: `http://aws.pypictl.test:${plain.port}`,
          http_proxy: proxy.url,
        }),
      );
      expect(r.code, r.out + r.err).toBe(0);
      expect(proxy.log.every((l) => l.authorized)).toBe(true);
      const targets = proxy.log.map((l) => `${l.method} ${l.target}`);
      expect(targets).toContain(`CONNECT aws.pypictl.test:${plain.port}`);
      expect(targets).toContain(`GET http://index.pypictl.test:${plain.port}/simple/`);
      expect(targets).toContain(`GET http://index.pypictl.test:${plain.port}/health`);
      expect(r.out + r.err).not.toContain("pr0xy-pass");
    } finally {
      await proxy.stop();
    }
  });

  it("NO_PROXY exempts hosts: nothing reaches the proxy", async () => {
    const proxy = await new LocalProxy().start();
    try {
      const r = await cli(
        ["creds", "--check", "--secret-id", "pypiserver", "--url", `http://127.0.0.1:${plain.port}`],
        cleanEnv({
          AWS_REGION: "eu-west-1",
          AWS_ENDPOINT_URL: `http://127.0.0.1:${plain.port}`,
          HTTP_PROXY: proxy.url,
          HTTPS_PROXY: proxy.url,
          NO_PROXY: "localhost,127.0.0.1",
        }),
      );
      expect(r.code, r.out + r.err).toBe(0);
      expect(proxy.log).toEqual([]);
    } finally {
      await proxy.stop();
    }
  });

  it("reads the variables as curl does: lower case first, NO_PROXY suffixes, ports and *", () => {
    const s = proxySettings({
      HTTPS_PROXY: "http://upper:1",
      https_proxy: "lower:3128",
      NO_PROXY: ".internal,example.com:8443,[::1]",
    })!;
    expect(s.https?.href).toBe("http://lower:3128/");
    expect(s.http).toBeUndefined();
    expect(bypassesProxy("pypi.internal", 443, s.noProxy)).toBe(true);
    expect(bypassesProxy("internal", 443, s.noProxy)).toBe(true);
    expect(bypassesProxy("example.com", 443, s.noProxy)).toBe(false);
    expect(bypassesProxy("example.com", 8443, s.noProxy)).toBe(true);
    expect(bypassesProxy("::1", 80, s.noProxy)).toBe(true);
    expect(bypassesProxy("anything", 1, ["*"])).toBe(true);
    expect(proxySettings({})).toBeUndefined();
  });
});

mkdirSync(tmp, { recursive: true });

describe("a non-ASCII password (pip and twine send Basic auth as Latin-1)", () => {
  const UNICODE = { username: "ci-reader", password: "pässwörd-€" };
  let index: FakeSecretIndex;
  beforeAll(async () => {
    index = await new FakeSecretIndex(UNICODE).start();
  });
  afterAll(async () => index?.stop());

  it("creds prints the config with a warning naming the reason; creds --check fails with it", async () => {
    const env = cleanEnv({ AWS_REGION: "eu-west-1", AWS_ENDPOINT_URL: `http://127.0.0.1:${index.port}` });
    const printed = await cli(
      ["creds", "--secret-id", "pypiserver", "--url", `http://127.0.0.1:${index.port}`, "--format", "env"],
      env,
    );
    expect(printed.code).toBe(0);
    expect(printed.out).toContain("PIP_INDEX_URL=");
    expect(printed.err).toContain(
      "warning: the password has non-ASCII characters: pip and twine (requests) encode Basic auth as Latin-1",
    );
    expect(printed.err).not.toContain("pässwörd");
    const check = await cli(
      ["creds", "--check", "--secret-id", "pypiserver", "--url", `http://127.0.0.1:${index.port}`],
      env,
    );
    expect(check.code).toBe(1);
    // The report wraps at 80 columns off a terminal: compare with the line breaks folded.
    expect(check.out.replace(/\s+/g, " ")).toMatch(
      /FAIL\s+auth\.credentials-accepted .*200 for pypictl's UTF-8 request, but the password has non-ASCII characters: pip and twine \(requests\) encode Basic auth as Latin-1/,
    );
    expect(check.out + check.err).not.toContain("pässwörd");
  });

  it("auth.client-config fails a pip or twine setting with a non-ASCII password, with the reason", async () => {
    const pw = encodeURIComponent(UNICODE.password);
    const env = cleanEnv({
      PIP_INDEX_URL: `https://ci-reader:${pw}@pypi.example.com/simple/`,
      TWINE_REPOSITORY_URL: "https://pypi.example.com/",
      TWINE_PASSWORD: UNICODE.password,
      TWINE_USERNAME: "ci-reader",
    });
    const r = await cli(["doctor", "--local", "--only", "auth.client-config", "--format", "json"], env);
    const f = JSON.parse(r.out).findings[0];
    expect(f.status).toBe("fail");
    expect(f.data.problems).toEqual(["non-ascii-password"]);
    expect(f.resources.map((x: { id: string; status: string }) => [x.id, x.status])).toEqual(
      expect.arrayContaining([
        ["env PIP_INDEX_URL", "fail"],
        ["env TWINE_REPOSITORY_URL/TWINE_PASSWORD", "fail"],
      ]),
    );
    expect(f.resources[0].message).toMatch(/Latin-1/);
    expect(r.code).toBe(1);
    expect(r.out).not.toContain("pässwörd");
  });
});
