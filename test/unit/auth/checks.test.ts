/** auth.* checks from fixtures, the client-config source on a private HOME, and the probe against real sockets. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { evaluateCheck, limitsFor } from "../../../src/checks/runner.js";
import { authClientConfig } from "../../../src/checks/auth/client-config.js";
import {
  authCredentialsAccepted,
  authHealthEndpoint,
  authIndexProtected,
} from "../../../src/checks/auth/probe.js";
import type { Check } from "../../../src/checks/model.js";
import type { IndexProbe } from "../../../src/sources/http/index-probe.js";
import { indexProbeSource } from "../../../src/sources/http/index-probe.js";
import { gatherClientConfig } from "../../../src/sources/client/config.js";
import { encodeUserinfo } from "../../../src/creds/encode.js";
import { FakePypiServer } from "../../integration/creds/fake-pypiserver.js";
import { DEFAULT_GATHER_SETTINGS } from "../../../src/sources/context.js";

const window = { start: "2026-01-01T00:00:00Z", end: "2026-01-01T01:00:00Z", since: "1h" };
const at = "2026-01-01T01:00:00Z";
const probe = (p: Partial<IndexProbe>): IndexProbe => ({
  url: "https://h",
  credentials: { found: true, from: "secret" },
  anonymous: { path: "/simple/", status: 401, ms: 5, wwwAuthenticate: 'Basic realm="pypi"' },
  authenticated: { path: "/simple/", status: 200, ms: 7 },
  health: { path: "/health", status: 200, ms: 3 },
  fleet: { cluster: "c", service: "s", autoScalingGroup: "g" },
  ...p,
});
const run = (check: Check, value: unknown, id = "http.index-probe") =>
  evaluateCheck(check, { [id]: { ok: true, value, at } }, limitsFor(check, {}), window);
const C = (c: unknown) => c as Check;

describe("auth probe checks", () => {
  it("401 + Basic challenge passes; 200 fails as an open index; 401 without challenge warns", () => {
    expect(run(C(authIndexProtected), probe({})).status).toBe("pass");
    expect(
      run(C(authIndexProtected), probe({ anonymous: { path: "/simple/", status: 200, ms: 5 } })).messageId,
    ).toBe("open");
    expect(
      run(C(authIndexProtected), probe({ anonymous: { path: "/simple/", status: 401, ms: 5 } })).status,
    ).toBe("warn");
  });
  it("with credentials: 401 → not sent (encoding hint), 403 → stale (roll tasks / instances), 200 slow → warn", () => {
    const notSent = run(
      C(authCredentialsAccepted),
      probe({ authenticated: { path: "/simple/", status: 401, ms: 5 } }),
    );
    expect(notSent.messageId).toBe("not-sent");
    expect(notSent.hints.join(" ")).toMatch(/percent-encoded/);
    const stale = run(
      C(authCredentialsAccepted),
      probe({ authenticated: { path: "/simple/", status: 403, ms: 5 } }),
    );
    expect(stale.status).toBe("fail");
    expect(stale.hints.join(" ")).toMatch(/--cluster c --service s --force-new-deployment/);
    expect(stale.hints.join(" ")).toMatch(/start-instance-refresh --auto-scaling-group-name g/);
    expect(
      run(C(authCredentialsAccepted), probe({ authenticated: { path: "/simple/", status: 200, ms: 2500 } }))
        .status,
    ).toBe("warn");
  });
  it("names 5xx, timeouts and TLS failures", () => {
    const bad = run(
      C(authCredentialsAccepted),
      probe({ authenticated: { path: "/simple/", status: 502, ms: 5 } }),
    );
    expect(bad.messageId).toBe("server-error");
    expect(bad.hints.join(" ")).toMatch(/keep-alive/);
    const tls = run(
      C(authIndexProtected),
      probe({
        anonymous: {
          path: "/simple/",
          ms: 30,
          error: { kind: "tls", code: "CERT_HAS_EXPIRED", message: "certificate has expired" },
        },
      }),
    );
    expect(tls.message).toMatch(/TLS handshake failed \(CERT_HAS_EXPIRED\)/);
    const slow = run(C(authHealthEndpoint), probe({ health: { path: "/health", ms: 12_000, status: 200 } }));
    expect(slow.messageId).toBe("too-slow");
  });
  it("no credentials → skip; unreadable secret → error", () => {
    expect(
      run(
        C(authCredentialsAccepted),
        probe({ credentials: { found: false, from: "none", reason: "none" }, authenticated: undefined }),
      ).status,
    ).toBe("skip");
    expect(
      run(
        C(authCredentialsAccepted),
        probe({
          credentials: { found: false, from: "secret", reason: "AccessDenied" },
          authenticated: undefined,
        }),
      ).status,
    ).toBe("error");
  });
});

describe("http.index-probe against a pypiserver-like server", () => {
  let server: FakePypiServer;
  beforeAll(async () => {
    server = await new FakePypiServer({ username: "u", password: "p@ss" }).start();
  });
  afterAll(async () => server?.stop());
  const gather = (url: string, password: string) =>
    indexProbeSource.gather({
      target: { kind: "fleet", url },
      window,
      settings: { ...DEFAULT_GATHER_SETTINGS, credentials: { username: "u", password }, httpTimeoutMs: 2000 },
      signal: new AbortController().signal,
      dep: () => {
        throw new Error("no deps");
      },
    });
  it("records status codes, the challenge and timings — never the credentials", async () => {
    const r = await gather(server.url, "p@ss");
    expect(r.ok && r.value.anonymous.status).toBe(401);
    expect(r.ok && r.value.anonymous.wwwAuthenticate).toBe('Basic realm="pypi"');
    expect(r.ok && r.value.authenticated?.status).toBe(200);
    expect(r.ok && r.value.health.status).toBe(200);
    expect(JSON.stringify(r)).not.toMatch(/p@ss|cEBzcw|dTpwQHNz/);
    const wrong = await gather(server.url, "nope");
    expect(wrong.ok && wrong.value.authenticated?.status).toBe(403);
  });
  it("names a refused connection", async () => {
    const r = await gather("http://127.0.0.1:9", "x");
    expect(r.ok && r.value.anonymous.error?.kind).toBe("refused");
  });
});

describe("client.config", () => {
  const creds = { username: "u", password: "p@ss:w/rd#1%" };
  it("finds stale, unencoded, %% and /simple/ problems without recording any credential", async () => {
    const home = mkdtempSync(join(tmpdir(), "pypictl-client-"));
    mkdirSync(join(home, ".config", "pip"), { recursive: true });
    writeFileSync(
      join(home, ".config", "pip", "pip.conf"),
      `[global]\nindex-url = https://u:${encodeUserinfo(creds.password).replace(/%/g, "%%")}@pypi.example.com/simple/\n`,
    );
    writeFileSync(
      join(home, ".pypirc"),
      `[distutils]\nindex-servers = p\n[p]\nrepository = https://pypi.example.com/simple/\nusername = u\npassword = ${encodeUserinfo(creds.password)}\n`,
    );
    writeFileSync(
      join(home, ".netrc"),
      `machine pypi.example.com login u password old\nmachine other.org login a password b\n`,
    );
    const env = {
      HOME: home,
      PIP_INDEX_URL: `https://u:${creds.password}@pypi.example.com/simple/`,
      XDG_CONFIG_DIRS: join(home, "none"),
    };
    const c = await gatherClientConfig(
      env,
      { fleetHost: "pypi.example.com", fleetHostname: "pypi.example.com", creds },
      "found",
    );
    const by = (w: string) => c.entries.find((e) => e.where.includes(w))!;
    expect(by("pip.conf").problems).toContain("double-percent");
    expect(by("pip.conf").effective).toBe(false);
    expect(by("env PIP_INDEX_URL").problems).toContain("unencoded-reserved");
    expect(by("env PIP_INDEX_URL").effective).toBe(true);
    expect(by(".pypirc").problems).toEqual(["upload-url-simple", "encoded-password"]);
    expect(by(".netrc").problems).toEqual(["stale-password"]);
    expect(c.entries.some((e) => e.where.includes("other.org"))).toBe(false);
    expect(JSON.stringify(c)).not.toMatch(/p@ss|p%40ss|old/);
    const f = evaluateCheck(C(authClientConfig), { "client.config": { ok: true, value: c, at } }, {}, window);
    expect(f.status).toBe("fail");
    expect(f.hints.join("\n")).toMatch(/pypictl creds --format pypirc --write/);
  });
  it("no setting for the fleet → skip with the creds hint", async () => {
    const home = mkdtempSync(join(tmpdir(), "pypictl-client-"));
    const c = await gatherClientConfig(
      { HOME: home, PIP_CONFIG_FILE: "/dev/null" },
      { fleetHost: "h" },
      "none",
    );
    const f = evaluateCheck(C(authClientConfig), { "client.config": { ok: true, value: c, at } }, {}, window);
    expect(f.status).toBe("skip");
  });
});
