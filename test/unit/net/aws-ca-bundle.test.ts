/**
 * AWS_CA_BUNDLE and the profile's ca_bundle, as the aws CLI v2 honours them (issue 22), against a real
 * HTTPS endpoint on 127.0.0.1 whose certificate a private CA (made with openssl now) signed: the SDK
 * client pypictl builds trusts it only when a setting names the CA — directly and through a proxy's
 * CONNECT tunnel. TLS and proxy failures are named with the variable that fixes them, never `internal`.
 */
import { createServer, type Server } from "node:net";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GetSecretValueCommand } from "@aws-sdk/client-secrets-manager";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { AwsClients } from "../../../src/sources/aws/clients.js";
import { classifyError } from "../../../src/sources/classify.js";
import { UsageError } from "../../../src/errors.js";
import { LocalProxy } from "../../helpers/local-proxy.js";
import { runCli } from "../../../src/cli/main.js";
import { EXIT } from "../../../src/cli/exit-codes.js";
import { captureIo } from "../../helpers/io.js";
import { makeTestCa, tlsServer, type TestCa } from "../../helpers/tls-ca.js";

let ca: TestCa;
let home: string;
type Srv = Awaited<ReturnType<typeof tlsServer>>;
const servers: Record<"good" | "wrongName" | "expired", Srv> = {} as never;
/** Secrets Manager's JSON answer to GetSecretValue (botocore service-2.json: SecretString, Name, ARN). */
const ANSWER = JSON.stringify({
  ARN: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:pypi-AbCdEf",
  Name: "pypi",
  SecretString: '{"username":"u","password":"p"}',
});

beforeAll(async () => {
  ca = makeTestCa();
  home = mkdtempSync(join(tmpdir(), "pypictl-aws-ca-home-"));
  for (const name of ["good", "wrongName", "expired"] as const)
    servers[name] = await tlsServer(ca.certs[name], (_req, res) => {
      res.writeHead(200, { "content-type": "application/x-amz-json-1.1" }).end(ANSWER);
    });
});

afterAll(async () => {
  for (const s of Object.values(servers)) await s.close();
});

afterEach(() => {
  vi.unstubAllEnvs();
});

/** The environment of a run: an endpoint on 127.0.0.1, static credentials, no profile files of the user's. */
function stubEnv(endpoint: string, extra: Record<string, string> = {}): void {
  const env: Record<string, string | undefined> = {
    HOME: home,
    AWS_CONFIG_FILE: join(home, "config"),
    AWS_SHARED_CREDENTIALS_FILE: join(home, "credentials"),
    AWS_ENDPOINT_URL: endpoint,
    AWS_REGION: "eu-west-1",
    AWS_ACCESS_KEY_ID: "AKIDEXAMPLE",
    AWS_SECRET_ACCESS_KEY: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
    AWS_PROFILE: undefined,
    AWS_CA_BUNDLE: undefined,
    NODE_EXTRA_CA_CERTS: undefined,
    HTTPS_PROXY: undefined,
    https_proxy: undefined,
    NO_PROXY: undefined,
    no_proxy: undefined,
    ...extra,
  };
  for (const [k, v] of Object.entries(env)) vi.stubEnv(k, v);
}

async function getSecret(settings: { profile?: string } = {}) {
  const clients = new AwsClients({ ...settings, maxAttempts: 1 });
  const sm = await clients.secretsManager();
  return sm.send(new GetSecretValueCommand({ SecretId: "pypi" }));
}

/** The failure as a source records it. */
async function failure(settings: { profile?: string } = {}) {
  try {
    await getSecret(settings);
  } catch (e) {
    const r = classifyError(e);
    if (r.ok) throw new Error("classified as ok");
    return r;
  }
  throw new Error("the call succeeded");
}

describe("AWS_CA_BUNDLE: the CA of AWS calls, as the aws CLI reads it", () => {
  it("without it, a private CA's endpoint is a TLS failure named as one, with AWS_CA_BUNDLE to set", async () => {
    stubEnv(`https://localhost:${servers.good.port}`);
    const f = await failure();
    expect(f.kind).toBe("unreachable");
    expect(f.message).toMatch(
      /^cannot reach https:\/\/localhost:\d+: TLS: the certificate is signed by a CA/,
    );
    expect(f.message).toMatch(/\(UNABLE_TO_VERIFY_LEAF_SIGNATURE\)/);
    expect(f.message).toMatch(/set AWS_CA_BUNDLE/);
    expect(f.message).not.toMatch(/internal/);
  });

  it("with AWS_CA_BUNDLE naming the CA, the same call succeeds", async () => {
    stubEnv(`https://localhost:${servers.good.port}`, { AWS_CA_BUNDLE: ca.caFile });
    expect((await getSecret()).SecretString).toBe('{"username":"u","password":"p"}');
  });

  it("ca_bundle in the profile in force works too; AWS_CA_BUNDLE wins over it", async () => {
    const config = join(home, "config-ca");
    writeFileSync(
      config,
      `[profile corp]\nregion = eu-west-1\naws_access_key_id = AKIDEXAMPLE\naws_secret_access_key = example\nca_bundle = ${ca.caFile}\n`,
    );
    stubEnv(`https://localhost:${servers.good.port}`, { AWS_CONFIG_FILE: config });
    expect((await getSecret({ profile: "corp" })).Name).toBe("pypi");
    // Another profile (default) has no ca_bundle: untrusted again.
    expect((await failure()).message).toMatch(/set AWS_CA_BUNDLE/);
    // The variable overrides the profile setting (aws CLI docs): a bundle without the CA fails.
    stubEnv(`https://localhost:${servers.good.port}`, {
      AWS_CONFIG_FILE: config,
      AWS_CA_BUNDLE: ca.otherCaFile,
    });
    const f = await failure({ profile: "corp" });
    expect(f.message).toMatch(/the CA bundle in use, AWS_CA_BUNDLE \(.*other\.pem\), does not hold the CA/);
  });

  it("through a proxy's CONNECT tunnel: the TLS inside it trusts the bundle (end to end)", async () => {
    const proxy = await new LocalProxy().start();
    try {
      stubEnv(`https://aws.pypictl.test:${servers.good.port}`, {
        AWS_CA_BUNDLE: ca.caFile,
        HTTPS_PROXY: proxy.url,
      });
      expect((await getSecret()).Name).toBe("pypi");
      expect(proxy.log.map((l) => `${l.method} ${l.target}`)).toContain(
        `CONNECT aws.pypictl.test:${servers.good.port}`,
      );
    } finally {
      await proxy.stop();
    }
  });

  it("a bundle that cannot be read is the setting's fault: a UsageError naming it (exit 2)", async () => {
    stubEnv(`https://localhost:${servers.good.port}`, { AWS_CA_BUNDLE: join(home, "nope.pem") });
    const e = await getSecret().catch((x: unknown) => x);
    expect(e).toBeInstanceOf(UsageError);
    expect((e as Error).message).toMatch(/^AWS_CA_BUNDLE: cannot read the CA bundle .*nope\.pem \(ENOENT\)/);
    const notPem = join(home, "not.pem");
    writeFileSync(notPem, "hello\n");
    stubEnv(`https://localhost:${servers.good.port}`, { AWS_CA_BUNDLE: notPem });
    expect(((await getSecret().catch((x: unknown) => x)) as Error).message).toMatch(
      /holds no PEM certificate/,
    );
  });

  it("a certificate for another host name, and an expired one, are named as such", async () => {
    stubEnv(`https://localhost:${servers.wrongName.port}`, { AWS_CA_BUNDLE: ca.caFile });
    const name = await failure();
    expect(name.kind).toBe("unreachable");
    expect(name.message).toMatch(
      /TLS: the certificate is not for this host name \(ERR_TLS_CERT_ALTNAME_INVALID\)/,
    );
    expect(name.message).toMatch(/AWS_ENDPOINT_URL|NO_PROXY/);
    stubEnv(`https://localhost:${servers.expired.port}`, { AWS_CA_BUNDLE: ca.caFile });
    const expired = await failure();
    expect(expired.message).toMatch(/TLS: the certificate has expired \(CERT_HAS_EXPIRED\)/);
  });
});

describe("doctor when AWS cannot be reached for TLS", () => {
  it("exit 3 (could not reach), the failure named with AWS_CA_BUNDLE, not an internal error", async () => {
    stubEnv(`https://localhost:${servers.good.port}`);
    const io = captureIo({ ...process.env });
    const code = await runCli(["doctor", "--stack", "pypi", "--timeout", "10"], io);
    const text = (io.stdout.text + io.stderr.text).replace(/\s+/g, " ");
    expect(code, text).toBe(EXIT.incomplete);
    expect(text).toMatch(/cannot read the outputs of stack pypi: .*TLS: the certificate is signed by a CA/);
    expect(text).toMatch(/set AWS_CA_BUNDLE/);
    expect(text).not.toMatch(/internal/);
  });

  it("an AWS_CA_BUNDLE that cannot be read: exit 2 naming it, before any call", async () => {
    stubEnv(`https://localhost:${servers.good.port}`, { AWS_CA_BUNDLE: join(home, "missing.pem") });
    const io = captureIo({ ...process.env });
    expect(await runCli(["doctor", "--stack", "pypi", "--timeout", "10"], io)).toBe(EXIT.usage);
    expect(io.stderr.text).toMatch(/AWS_CA_BUNDLE: cannot read the CA bundle .*missing\.pem \(ENOENT\)/);
  });
});

describe("proxy failures of AWS calls are named, with HTTPS_PROXY / NO_PROXY", () => {
  let refuser: Server;
  let refuserPort = 0;
  beforeAll(async () => {
    // A proxy that answers every CONNECT 403, as squid does for a host its ACLs deny.
    refuser = createServer((s) => {
      s.once("data", () => s.end("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n"));
      s.on("error", () => {});
    });
    await new Promise<void>((r) => refuser.listen(0, "127.0.0.1", r));
    refuserPort = (refuser.address() as { port: number }).port;
  });
  afterAll(async () => {
    await new Promise<void>((r) => refuser.close(() => r()));
  });

  it("the proxy refuses the connection", async () => {
    const closed = await new Promise<number>((resolve) => {
      const s = createServer();
      s.listen(0, "127.0.0.1", () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    stubEnv("https://aws.pypictl.test", { HTTPS_PROXY: `http://127.0.0.1:${closed}` });
    const f = await failure();
    expect(f.kind).toBe("unreachable");
    expect(f.message).toMatch(/the proxy could not be reached \(EPROXY_UNREACHABLE ECONNREFUSED\)/);
    expect(f.message).toMatch(/check HTTPS_PROXY .*NO_PROXY/);
  });

  it("the proxy wants credentials (407)", async () => {
    const proxy = await new LocalProxy({ user: "me", password: "pw" }).start();
    try {
      stubEnv("https://aws.pypictl.test", { HTTPS_PROXY: `http://127.0.0.1:${proxy.port}` });
      const f = await failure();
      expect(f.message).toMatch(/the proxy wants credentials \(407\) \(EPROXY_AUTH\)/);
      expect(f.message).toMatch(/HTTPS_PROXY: http:\/\/USER:PASSWORD@proxy:port/);
    } finally {
      await proxy.stop();
    }
  });

  it("the proxy refuses the CONNECT (403)", async () => {
    stubEnv("https://aws.pypictl.test", { HTTPS_PROXY: `http://127.0.0.1:${refuserPort}` });
    const f = await failure();
    expect(f.message).toMatch(/the proxy refused to open the tunnel \(CONNECT\) \(EPROXY_REFUSED\)/);
    expect(f.message).toMatch(/NO_PROXY/);
    expect(f.kind).not.toBe("internal");
  });
});
