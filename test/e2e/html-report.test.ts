// `--format html` in a real browser: Debian's chromium, driven by playwright-core. The page must load
// with no console error and no request beyond itself, show the header, the timeline (threshold lines,
// event markers, hover titles), the findings and the provenance, and keep hostile strings as text.
// Screenshots go to test-output/ (gitignored). CI installs chromium (scripts/test-setup.sh); a developer
// machine without it skips, CI never does.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BrowserContext } from "playwright-core";
import { runCli } from "../../src/cli/main.js";
import { captureIo } from "../helpers/io.js";

const CHROMIUM = process.env.PYPICTL_CHROMIUM ?? "/usr/bin/chromium";
const root = join(import.meta.dirname, "..", "..");
const shots = join(root, "test-output", "html");
const haveBrowser = existsSync(CHROMIUM);
if (!haveBrowser && process.env.CI)
  throw new Error(`${CHROMIUM} is missing: scripts/test-setup.sh installs Debian's chromium`);

const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

async function htmlFor(bundle: string, out: string): Promise<number> {
  const io = captureIo();
  const code = await runCli(["doctor", "--replay", bundle, "--format", "html", "-o", out, "--quiet"], io);
  expect(io.stderr.text).toBe("");
  return code;
}

describe.skipIf(!haveBrowser)("html report in headless chromium", () => {
  let browser: BrowserContext;
  let userDataDir: string;
  const tmp = mkdtempSync(join(tmpdir(), "pypictl-html-"));

  beforeAll(async () => {
    const { chromium } = await import("playwright-core");
    userDataDir = mkdtempSync(join(tmpdir(), "pypictl-chromium-"));
    // A fresh profile each run (playwright takes the user-data-dir here, not in args).
    browser = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      args: ARGS,
      headless: true,
      viewport: { width: 1200, height: 900 },
    });
    mkdirSync(shots, { recursive: true });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
  });

  async function open(file: string) {
    const page = await browser.newPage();
    const errors: string[] = [];
    const requests: string[] = [];
    page.on("console", (m) => {
      if (m.type() === "error") errors.push(m.text());
    });
    page.on("pageerror", (e) => errors.push(String(e)));
    page.on("request", (r) => requests.push(r.url()));
    const url = pathToFileURL(file).href;
    await page.goto(url, { waitUntil: "load" });
    return { page, errors, requests, url };
  }

  it("renders the OOM incident: header, timeline with thresholds and kill markers, findings, provenance", async () => {
    const file = join(tmp, "oom.html");
    expect(await htmlFor(join(root, "examples", "fleet-oom-kills.json"), file)).toBe(1);
    const { page, errors, requests, url } = await open(file);
    expect(errors).toEqual([]);
    expect(requests).toEqual([url]); // nothing fetched beyond the file itself

    await expect(page.locator("#glance h1").textContent()).resolves.toContain("FAIL");
    const glance = await page.locator("#glance .glance-line").allTextContents();
    expect(glance.find((l) => l.includes("OOM:"))).toMatch(/OOM kills 3.*memory 98\.3 % of hard limit/);
    expect(await page.locator("svg.timeline g.series").count()).toBeGreaterThanOrEqual(1);
    expect(await page.locator("svg.timeline line.threshold").count()).toBeGreaterThanOrEqual(1);
    expect(await page.locator("svg.timeline g.event-oom-kill").count()).toBe(3);
    // Hover values: every point carries its time and value.
    const title = await page
      .locator('svg.timeline g.series[data-check="ecs.memory-utilization"] circle.point title')
      .first()
      .textContent();
    // Hover times in the report's one format: HH:MM inside a one-day window.
    expect(title).toMatch(/^11:\d\d \d+(\.\d)? % of hard limit$/);
    expect(
      await page.locator('#findings section.playbook[data-playbook="oom"] article.status-fail').count(),
    ).toBe(2);
    expect(
      await page.locator('#findings article[data-check="ecs.oom-kills"] li.hint').count(),
    ).toBeGreaterThan(0);
    expect(await page.locator("#provenance tr.source").count()).toBeGreaterThan(3);
    expect(await page.locator("#target").textContent()).toContain("2026-11-20T11:00:00.000Z");
    // The SVG is laid out (not zero-sized) and the page prints.
    const box = await page.locator("svg.timeline").boundingBox();
    expect(box?.width ?? 0).toBeGreaterThan(600);
    await page.screenshot({ path: join(shots, "fleet-oom-kills.png"), fullPage: true });
    const pdf = await page.pdf({ format: "A4" });
    expect(pdf.length).toBeGreaterThan(10_000);
    await page.close();
  });

  it("keeps hostile strings as text: no script runs, no element is injected", async () => {
    const bundle = JSON.parse(readFileSync(join(root, "examples", "fleet-unhealthy-targets.json"), "utf8"));
    const evil = `<script>console.error("pwned")</script><img src=x onerror="console.error('pwned')">"'&`;
    bundle.sources["ecs.service"].value.events.push({
      at: bundle.window.end.replace(/:00\.000Z$/, ":00.000Z"),
      message: `unable to place a task ${evil}`,
    });
    bundle.target.stack = `stack${evil}`;
    const src = join(tmp, "hostile.json");
    writeFileSync(src, JSON.stringify(bundle));
    const file = join(tmp, "hostile.html");
    await htmlFor(src, file);
    const { page, errors, requests, url } = await open(file);
    expect(errors).toEqual([]);
    expect(requests).toEqual([url]);
    expect(await page.locator("script").count()).toBe(0);
    expect(await page.locator("img").count()).toBe(0);
    await expect(page.locator("#glance h1").textContent()).resolves.toContain(`stack${evil}`);
    await expect(page.locator("#events").textContent()).resolves.toContain(evil);
    await page.screenshot({ path: join(shots, "hostile.png"), fullPage: true });
    await page.close();
  });
});
