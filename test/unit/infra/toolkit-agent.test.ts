/**
 * deploy/synth/diff/destroy go through toolkit-lib, which reads neither HTTPS_PROXY nor AWS_CA_BUNDLE: the
 * agent pypictl hands its SDK config must trust the CA a setting names (a real TLS server on 127.0.0.1
 * whose certificate a private CA signed), and be absent when nothing is set (the SDK's own agent).
 */
import { get } from "node:https";
import type { Agent } from "node:https";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toolkitAgent } from "../../../src/infra/toolkit.js";
import { UsageError } from "../../../src/errors.js";
import { makeTestCa, tlsServer, type TestCa } from "../../helpers/tls-ca.js";

let ca: TestCa;
let server: Awaited<ReturnType<typeof tlsServer>>;
const base = { HOME: "/nonexistent", AWS_CONFIG_FILE: "/dev/null", AWS_SHARED_CREDENTIALS_FILE: "/dev/null" };

beforeAll(async () => {
  ca = makeTestCa();
  server = await tlsServer(ca.certs.good, (_req, res) => res.end("ok"));
});
afterAll(() => server.close());

function fetchVia(agent: Agent | undefined): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = get({ host: "127.0.0.1", port: server.port, path: "/", agent, timeout: 5_000 }, (res) => {
      let body = "";
      res.on("data", (d: Buffer) => (body += d.toString()));
      res.on("end", () => resolve(body));
    });
    req.on("error", reject);
  });
}

describe("the toolkit's agent", () => {
  it("is the SDK's own when neither a proxy nor a CA bundle is set", async () => {
    expect(await toolkitAgent(undefined, { ...base })).toBeUndefined();
  });

  it("trusts AWS_CA_BUNDLE: the private CA's server answers through it, not through node's default", async () => {
    const agent = await toolkitAgent(undefined, { ...base, AWS_CA_BUNDLE: ca.caFile });
    expect(agent).toBeDefined();
    expect(await fetchVia(agent)).toBe("ok");
    await expect(fetchVia(undefined)).rejects.toThrow(/self[- ]signed|unable to verify|certificate/i);
  });

  it("a bundle that cannot be read stops with the setting named", async () => {
    const e = await toolkitAgent(undefined, { ...base, AWS_CA_BUNDLE: "/nonexistent/ca.pem" }).catch(
      (x: unknown) => x,
    );
    expect(e).toBeInstanceOf(UsageError);
    expect((e as Error).message).toMatch(/^AWS_CA_BUNDLE: cannot read the CA bundle/);
  });

  it("is made for HTTPS_PROXY alone", async () => {
    expect(await toolkitAgent(undefined, { ...base, HTTPS_PROXY: "http://127.0.0.1:3128" })).toBeDefined();
  });
});
