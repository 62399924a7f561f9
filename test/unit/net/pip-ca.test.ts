/**
 * The index probe trusts the CA pip would (issue 22): REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE, PIP_CERT, then
 * `cert =` in pip's config files in pip's order — checked against an HTTPS pypiserver stand-in on
 * 127.0.0.1 whose certificate a private CA (openssl, now) signed. `creds --check` exits 3 (could not
 * reach) naming PIP_CERT / REQUESTS_CA_BUNDLE when nothing trusts it, and passes once pip's setting does;
 * proxy failures of the probe are named with HTTPS_PROXY / NO_PROXY.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { certInPipConf, pipCaSetting, pipConfigFiles } from "../../../src/sources/net/pip-ca.js";
import { readCaBundle } from "../../../src/sources/net/ca-bundle.js";
import { probe } from "../../../src/sources/http/request.js";
import { runCli } from "../../../src/cli/main.js";
import { EXIT } from "../../../src/cli/exit-codes.js";
import { captureIo } from "../../helpers/io.js";
import { FakeSecretIndex } from "../../helpers/fake-secret-index.js";
import { LocalProxy } from "../../helpers/local-proxy.js";
import { makeTestCa, tlsServer, type TestCa } from "../../helpers/tls-ca.js";

let ca: TestCa;
let index: FakeSecretIndex;
const creds = { username: "u", password: "not-a-real-password" };

beforeAll(async () => {
  ca = makeTestCa();
  index = await new FakeSecretIndex(creds, ca.certs.good).start();
});
afterAll(async () => {
  await index.stop();
});
afterEach(() => {
  vi.unstubAllEnvs();
});

/** A HOME with pip files in it; nothing of the machine's own pip configuration. */
function pipHome(files: Record<string, string> = {}): NodeJS.ProcessEnv {
  const home = mkdtempSync(join(tmpdir(), "pypictl-pip-home-"));
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(join(home, rel, ".."), { recursive: true });
    writeFileSync(join(home, rel), text);
  }
  return { HOME: home, XDG_CONFIG_DIRS: join(home, "etc-xdg") };
}

describe("which CA pip would use", () => {
  it("reads `cert` of [global] and [install] as RawConfigParser does", () => {
    expect(certInPipConf("[global]\ncert = /a.pem\n[install]\nCERT: /b.pem\n[download]\ncert=/c\n")).toEqual({
      global: "/a.pem",
      install: "/b.pem",
    });
    expect(certInPipConf("# cert = /x\n[global]\n; cert = /y\nindex-url = https://i\n")).toEqual({});
  });

  it("files in pip's order, later over earlier; [install] over [global]; PIP_CONFIG_FILE last", async () => {
    const env = pipHome({
      ".pip/pip.conf": "[global]\ncert = /legacy.pem\n",
      ".config/pip/pip.conf": "[global]\ncert = /user.pem\n",
    });
    expect(await pipCaSetting(env)).toEqual({
      path: "/user.pem",
      from: `cert in [global] of ${join(env.HOME!, ".config/pip/pip.conf")}`,
    });
    const venv = join(env.HOME!, "venv");
    mkdirSync(venv);
    writeFileSync(join(venv, "pip.conf"), "[install]\ncert = /site.pem\n");
    expect((await pipCaSetting({ ...env, VIRTUAL_ENV: venv }))?.path).toBe("/site.pem");
    const mine = join(env.HOME!, "mine.conf");
    writeFileSync(mine, "[global]\ncert = /env-file.pem\n");
    // PIP_CONFIG_FILE is loaded last and, existing, skips the user files; the site file's [install] still wins.
    expect((await pipCaSetting({ ...env, PIP_CONFIG_FILE: mine }))?.path).toBe("/env-file.pem");
    expect(pipConfigFiles({ ...env, PIP_CONFIG_FILE: mine })).not.toContain(
      join(env.HOME!, ".config/pip/pip.conf"),
    );
    expect((await pipCaSetting({ ...env, VIRTUAL_ENV: venv, PIP_CONFIG_FILE: mine }))?.path).toBe(
      "/site.pem",
    );
    expect(await pipCaSetting({ ...env, PIP_CONFIG_FILE: "/dev/null" })).toBeUndefined();
  });

  it("environment first: REQUESTS_CA_BUNDLE, CURL_CA_BUNDLE (they beat --cert in pip), then PIP_CERT", async () => {
    const env = pipHome({ ".config/pip/pip.conf": "[global]\ncert = /user.pem\n" });
    expect((await pipCaSetting({ ...env, PIP_CERT: "/p.pem" }))?.from).toBe("PIP_CERT");
    expect((await pipCaSetting({ ...env, PIP_CERT: "/p.pem", CURL_CA_BUNDLE: "/c.pem" }))?.from).toBe(
      "CURL_CA_BUNDLE",
    );
    expect(
      (await pipCaSetting({ ...env, PIP_CERT: "/p.pem", CURL_CA_BUNDLE: "/c", REQUESTS_CA_BUNDLE: "/r" }))
        ?.from,
    ).toBe("REQUESTS_CA_BUNDLE");
    // No file (PIP_CONFIG_FILE=/dev/null: this machine's /etc/pip.conf may name a bundle): pip's default.
    expect(await pipCaSetting({ ...pipHome(), PIP_CONFIG_FILE: "/dev/null" })).toBeUndefined();
  });
});

describe("the index probe against a private CA's index", () => {
  const root = () => `https://localhost:${index.port}`;

  it("without pip's CA: a TLS failure named as one; with it: the index answers", async () => {
    const env = pipHome();
    const bare = await probe({ root: root(), path: "/simple/", timeoutMs: 5000, env });
    expect(bare.error).toMatchObject({ kind: "tls", code: "UNABLE_TO_VERIFY_LEAF_SIGNATURE" });
    const trusted = await probe({
      root: root(),
      path: "/simple/",
      timeoutMs: 5000,
      env,
      ca: await readCaBundle(ca.caFile, "PIP_CERT"),
    });
    expect(trusted.error).toBeUndefined();
    expect(trusted.status).toBe(401);
  });

  it("through a proxy's CONNECT tunnel the TLS inside trusts pip's CA too", async () => {
    const proxy = await new LocalProxy().start();
    try {
      const a = await probe({
        root: `https://index.pypictl.test:${index.port}`,
        path: "/health",
        timeoutMs: 5000,
        env: { HTTPS_PROXY: proxy.url },
        ca: await readCaBundle(ca.caFile, "PIP_CERT"),
      });
      expect(a.status).toBe(200);
      expect(proxy.log[0]).toMatchObject({ method: "CONNECT", target: `index.pypictl.test:${index.port}` });
    } finally {
      await proxy.stop();
    }
  });

  it("proxy failures: 407 on a forwarded http:// request and on CONNECT, a proxy that is down", async () => {
    const proxy = await new LocalProxy({ user: "me", password: "pw" }).start();
    const plain = await new FakeSecretIndex(creds).start();
    try {
      const env = {
        HTTPS_PROXY: `http://127.0.0.1:${proxy.port}`,
        HTTP_PROXY: `http://127.0.0.1:${proxy.port}`,
      };
      const forwarded = await probe({
        root: `http://index.pypictl.test:${plain.port}`,
        path: "/health",
        timeoutMs: 5000,
        env,
      });
      expect(forwarded.error).toMatchObject({ kind: "proxy", code: "EPROXY_AUTH" });
      const tunnelled = await probe({
        root: `https://index.pypictl.test:${index.port}`,
        path: "/health",
        timeoutMs: 5000,
        env,
      });
      expect(tunnelled.error).toMatchObject({ kind: "proxy", code: "EPROXY_AUTH" });
    } finally {
      await proxy.stop();
      await plain.stop();
    }
    const down = await probe({
      root: `https://index.pypictl.test:${index.port}`,
      path: "/health",
      timeoutMs: 5000,
      env: { HTTPS_PROXY: `http://127.0.0.1:${proxy.port}` },
    });
    expect(down.error).toMatchObject({ kind: "proxy", code: "EPROXY_UNREACHABLE ECONNREFUSED" });
  });
});

describe("creds --check against a private CA's index", () => {
  function outputsFile(url: string): string {
    const dir = mkdtempSync(join(tmpdir(), "pypictl-ca-tf-"));
    const tf = join(dir, "outputs.json");
    writeFileSync(
      tf,
      JSON.stringify({
        pypi_server_urls: { value: [url] },
        pypi_username: { value: creds.username, sensitive: true },
        pypi_password: { value: creds.password, sensitive: true },
      }),
    );
    return tf;
  }

  async function check(env: NodeJS.ProcessEnv, url = `https://localhost:${index.port}`) {
    // The probe reads pip's settings where pip does: the process environment.
    for (const k of [
      "PIP_CERT",
      "REQUESTS_CA_BUNDLE",
      "CURL_CA_BUNDLE",
      "PIP_CONFIG_FILE",
      "VIRTUAL_ENV",
      "HTTPS_PROXY",
      "https_proxy",
    ])
      vi.stubEnv(k, undefined);
    for (const [k, v] of Object.entries(env)) vi.stubEnv(k, v);
    const io = captureIo(env);
    const code = await runCli(
      ["creds", "--terraform-outputs", outputsFile(url), "--check", "--timeout", "10"],
      io,
    );
    // Wrapped to the width: compare words.
    return { code, out: (io.stdout.text + io.stderr.text).replace(/\s+/g, " ") };
  }

  it("nothing trusts the CA: exit 3, the TLS failure named, PIP_CERT / REQUESTS_CA_BUNDLE to set", async () => {
    const r = await check({ ...pipHome(), PIP_CONFIG_FILE: "/dev/null" });
    expect(r.code).toBe(EXIT.incomplete);
    expect(r.out).toMatch(/UNABLE_TO_VERIFY_LEAF_SIGNATURE/);
    expect(r.out).toMatch(/set PIP_CERT or REQUESTS_CA_BUNDLE/);
    expect(r.out).not.toMatch(/internal/);
    expect(r.out).not.toContain(creds.password);
  });

  it("PIP_CERT, or `cert =` in the user's pip.conf, names the CA: the check passes", async () => {
    expect((await check({ ...pipHome(), PIP_CERT: ca.caFile })).code).toBe(EXIT.ok);
    const viaConf = await check(pipHome({ ".config/pip/pip.conf": `[global]\ncert = ${ca.caFile}\n` }));
    expect(viaConf.code, viaConf.out).toBe(EXIT.ok);
  });

  it("a pip setting naming a file that is not there: the index checks say so and are not evaluated (exit 3)", async () => {
    const r = await check({ ...pipHome(), PIP_CERT: "/nonexistent/corp-ca.pem" });
    expect(r.code).toBe(EXIT.incomplete);
    expect(r.out).toMatch(/PIP_CERT: cannot read the CA bundle \/nonexistent\/corp-ca\.pem \(ENOENT\)/);
  });

  it("a bundle without the CA: the hint names the file in use", async () => {
    const r = await check({ ...pipHome(), REQUESTS_CA_BUNDLE: ca.otherCaFile });
    expect(r.code).toBe(EXIT.incomplete);
    expect(r.out).toMatch(/The CA bundle in use, REQUESTS_CA_BUNDLE \(.*other\.pem\), does not hold the CA/);
  });

  it("a certificate for another name, and an expired one, are named with what to do", async () => {
    const wrong = await tlsServer(ca.certs.wrongName, (_q, s) => s.end());
    const expired = await tlsServer(ca.certs.expired, (_q, s) => s.end());
    try {
      const name = await check({ ...pipHome(), PIP_CERT: ca.caFile }, `https://localhost:${wrong.port}`);
      expect(name.code).toBe(EXIT.incomplete);
      expect(name.out).toMatch(/ERR_TLS_CERT_ALTNAME_INVALID/);
      expect(name.out).toMatch(/NO_PROXY/);
      const old = await check({ ...pipHome(), PIP_CERT: ca.caFile }, `https://localhost:${expired.port}`);
      expect(old.code).toBe(EXIT.incomplete);
      expect(old.out).toMatch(/CERT_HAS_EXPIRED/);
      expect(old.out).toMatch(/has expired or is not valid yet/);
    } finally {
      await wrong.close();
      await expired.close();
    }
  });

  it("a proxy that wants credentials: exit 3, HTTPS_PROXY named", async () => {
    const proxy = await new LocalProxy({ user: "me", password: "pw" }).start();
    try {
      const r = await check(
        { ...pipHome(), PIP_CERT: ca.caFile, HTTPS_PROXY: `http://127.0.0.1:${proxy.port}` },
        `https://index.pypictl.test:${index.port}`,
      );
      expect(r.code).toBe(EXIT.incomplete);
      expect(r.out).toMatch(/EPROXY_AUTH/);
      expect(r.out).toMatch(/put them in HTTPS_PROXY/);
    } finally {
      await proxy.stop();
    }
  });
});
