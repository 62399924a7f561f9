/**
 * The package count `size` reads from pypiserver's front page, against a real HTTP server on 127.0.0.1:
 * the welcome page's "serving N packages", no credential sent (the URL's userinfo is dropped), and every way
 * it cannot be had named — no URL, refused, a custom page, a 401 in front, a 5xx, a timeout — never a zero.
 * And the model: files beyond the profiles' 500 cost every request 14 µs each and lower the carry.
 */
import { createServer, type IncomingMessage, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  PACKAGE_COUNT_SOURCE,
  packageCountSource,
  parsePackageCount,
} from "../../../src/sources/http/package-count.js";
import { capacityOf, listingCost, CALIBRATED_PACKAGE_FILES } from "../../../src/capacity/model.js";
import { presetConfig } from "../../../src/capacity/profiles.js";
import { recommend } from "../../../src/capacity/recommend.js";
import { packageReadingOf } from "../../../src/capacity/observe.js";
import { welcomePage } from "../../fixtures/aws/loopback.mjs";
import { loadSource } from "../../../src/sources/registry.js";
import type { GatherContext } from "../../../src/sources/context.js";
import type { Evidence } from "../../../src/sources/model.js";

let server: Server;
let base = "";
const seen: IncomingMessage[] = [];
/** path → how to answer (status, body, or a hang). */
const pages: Record<string, { status: number; body: string } | "hang"> = {};

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push(req);
    const prefix = (req.url ?? "/").split("/")[1] ?? "";
    const page = pages[prefix];
    if (page === "hang") return;
    res.writeHead(page?.status ?? 404, { "content-type": "text/html" });
    res.end(page?.body ?? "Not Found");
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

/** Each case is its own "index" under a path prefix: /<name>/ is its front page. */
function ctx(url: string | undefined, timeoutMs = 2000): GatherContext {
  return {
    target: { kind: "fleet", ...(url !== undefined ? { url } : {}) },
    settings: { httpTimeoutMs: timeoutMs },
    signal: new AbortController().signal,
  } as unknown as GatherContext;
}

describe("http.package-count", () => {
  it("is a registered source", async () => {
    expect((await loadSource(PACKAGE_COUNT_SOURCE))?.id).toBe(PACKAGE_COUNT_SOURCE);
  });

  it("reads pypiserver's welcome page, sending no credentials", async () => {
    pages.ok = { status: 200, body: welcomePage(1834) };
    const u = new URL(`${base}/ok/simple/`);
    u.username = "alice";
    u.password = "s3cr3t";
    const r = await packageCountSource.gather(ctx(u.href));
    expect(r).toMatchObject({ ok: true, value: { url: `${base}/ok`, files: 1834 } });
    const req = seen.at(-1)!;
    expect(req.url).toBe("/ok/");
    expect(req.headers.authorization).toBeUndefined();
    expect(JSON.stringify(r)).not.toMatch(/s3cr3t|alice/);
  });

  it("parses the sentence in its forms and nothing else", () => {
    expect(parsePackageCount(welcomePage(0))).toBe(0);
    expect(parsePackageCount("<p>serving <b>12,345</b> packages.</p>")).toBe(12345);
    expect(parsePackageCount("<p>Welcome to our index</p>")).toBeUndefined();
    expect(parsePackageCount("serving many packages")).toBeUndefined();
  });

  it("says why when the count cannot be had — never a zero", async () => {
    pages.custom = { status: 200, body: "<html><body>Our company index</body></html>" };
    pages.locked = { status: 401, body: "Unauthorized" };
    pages.broken = { status: 502, body: "Bad Gateway" };
    pages.slow = "hang";
    const cases: Array<[string | undefined, string, RegExp]> = [
      [undefined, "no-identity", /no index URL known: pass --url/],
      [`${base}/custom`, "no-data", /does not say "serving N packages"/],
      [`${base}/locked`, "access-denied", /answered 401/],
      [`${base}/broken`, "server-error", /answered 502/],
      [`${base}/slow`, "timeout", /timeout/],
    ];
    for (const [url, kind, message] of cases) {
      const r = await packageCountSource.gather(ctx(url, 300));
      expect(r, url).toMatchObject({ ok: false, kind });
      expect(r.ok ? "" : r.message, url).toMatch(message);
    }
  });

  it("a refused connection is unreachable, named", async () => {
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, "127.0.0.1", r));
    const port = (probe.address() as { port: number }).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const r = await packageCountSource.gather(ctx(`http://127.0.0.1:${port}`));
    expect(r).toMatchObject({ ok: false, kind: "unreachable" });
    expect(r.ok ? "" : r.message).toMatch(/refused/);
  });
});

describe("the package count in the model", () => {
  it("files beyond the profiles' 500 cost 14 µs each per request and lower the carry", () => {
    expect(listingCost(undefined).carryFactor).toBe(1);
    expect(listingCost(CALIBRATED_PACKAGE_FILES).carryFactor).toBe(1);
    const at10k = listingCost(10_000);
    expect(at10k.extraSecondsPerRequest).toBeCloseTo(9500 * 14e-6, 9);
    expect(at10k.carryFactor).toBeCloseTo(0.96 / (0.96 + 0.133), 3);
    const heavy = presetConfig("heavy");
    const few = capacityOf(heavy).requestsPerMinute.atMin;
    const many = capacityOf(heavy, { packageFiles: 100_000 }).requestsPerMinute.atMin;
    expect(many).toBeLessThan(few * 0.5);
    expect(capacityOf(heavy, { packageFiles: 100_000 }).listing.packageFiles).toBe(100_000);
  });

  it("a load that fits at a few hundred files does not fit at 100,000", () => {
    const medium = presetConfig("medium");
    const load = { requestsPerMinute: 180 };
    expect(recommend(medium, load).verdict).not.toBe("undersized");
    const big = recommend(medium, { ...load, packageFiles: 100_000 });
    expect(big.verdict).toBe("undersized");
    expect(big.recommended.capacity.requestsPerMinute.atMin).toBeGreaterThanOrEqual(180);
  });

  it("the reading says where the count came from, or why it is missing", () => {
    const at = "2026-12-06T00:00:00.000Z";
    const ok: Evidence = {
      [PACKAGE_COUNT_SOURCE]: { ok: true, value: { url: "https://pypi.example.com", files: 42, ms: 9 }, at },
    };
    expect(packageReadingOf(ok)).toEqual({
      files: 42,
      source: 'the index\'s / page: "serving 42 packages"',
    });
    const bad: Evidence = {
      [PACKAGE_COUNT_SOURCE]: { ok: false, kind: "timeout", message: "GET https://x/: timeout", at },
    };
    expect(packageReadingOf(bad)).toEqual({
      missing: "package count: not read, because GET https://x/: timeout",
    });
    expect(packageReadingOf({})).toEqual({
      missing: "package count: not gathered (not in this evidence bundle)",
    });
  });
});
