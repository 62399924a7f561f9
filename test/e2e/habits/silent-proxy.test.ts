// A proxy that accepts TCP and never answers (issue 26, item 1): the built CLI in a real process, with
// HTTPS_PROXY at a silent listener on 127.0.0.1. The verdict must come at --timeout and the process must
// end within a second of it (exit 3) — for the SDK's calls (doctor's stack read, creds' secret) and for
// the index probe. Before the fix the CONNECT had no bound and its socket held the process forever.
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { createServer, type AddressInfo, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..", "..", "..");
const home = mkdtempSync(join(tmpdir(), "pypictl-silent-proxy-"));

let silent: Server;
let proxyUrl = "";
const held = new Set<Socket>();

beforeAll(async () => {
  silent = createServer((s) => {
    held.add(s);
    s.on("error", () => {});
    s.on("close", () => held.delete(s));
  });
  await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
  proxyUrl = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const s of held) s.destroy();
  await new Promise<void>((resolve) => silent.close(() => resolve()));
});

interface Run {
  code: number | null;
  /** Process start to exit. */
  wallMs: number;
  /** First stderr/stdout output (the verdict) to exit. */
  afterVerdictMs: number;
  output: string;
}

async function run(args: string[]): Promise<Run> {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: home,
    NO_COLOR: "1",
    HTTPS_PROXY: proxyUrl,
    AWS_ENDPOINT_URL: "https://aws.pypictl.test",
    AWS_REGION: "eu-west-1",
    AWS_ACCESS_KEY_ID: "AKIDEXAMPLE",
    AWS_SECRET_ACCESS_KEY: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
  };
  const started = Date.now();
  let firstOutputAt: number | undefined;
  let output = "";
  const child = spawn(process.execPath, [join(root, "bin", "pypictl"), ...args], {
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const collect = (d: Buffer) => {
    firstOutputAt ??= Date.now();
    output += d.toString();
  };
  child.stdout.on("data", collect);
  child.stderr.on("data", collect);
  // Without the fix the process never ends: cut it well after any honest exit.
  const killer = setTimeout(() => child.kill("SIGKILL"), 25_000);
  const code = await new Promise<number | null>((resolve) => child.on("exit", (c) => resolve(c)));
  clearTimeout(killer);
  const ended = Date.now();
  return { code, wallMs: ended - started, afterVerdictMs: ended - (firstOutputAt ?? ended), output };
}

/** Node's start-up and module loading on a loaded 2-core machine come before the deadline starts. */
const STARTUP_SLACK_MS = 3_000;
const TIMEOUT_S = 4;

// retry: the bounds are wall-clock (a second after the verdict); a machine loaded far past its cores can
// stall one teardown. Without the fix every attempt is killed at 25 s, so a retry hides nothing.
describe.concurrent("a silent proxy (accepts, never answers) ends the run at --timeout", { retry: 1 }, () => {
  const cases: [string, string[]][] = [
    ["doctor --stack (the SDK through CONNECT)", ["doctor", "--stack", "pypiserver"]],
    [
      "creds --secret-id (the SDK through CONNECT)",
      ["creds", "--url", "https://pypi.pypictl.test", "--secret-id", "pypi-secret"],
    ],
    [
      "doctor --url, the auth checks (the index probe through CONNECT)",
      ["doctor", "--url", "https://pypi.pypictl.test", "--only", "auth.index-protected,auth.health-endpoint"],
    ],
  ];
  for (const [name, args] of cases)
    it(`${name}: exit 3, the process gone within a second of the verdict`, async () => {
      const r = await run([...args, "--timeout", String(TIMEOUT_S)]);
      expect(r.code, r.output).toBe(3);
      expect(r.wallMs, r.output).toBeGreaterThanOrEqual(TIMEOUT_S * 1000);
      expect(r.wallMs, r.output).toBeLessThan(TIMEOUT_S * 1000 + 1000 + STARTUP_SLACK_MS);
      expect(r.afterVerdictMs, r.output).toBeLessThan(1000);
      // The proxy's address may be named; nothing suggests the run passed.
      expect(r.output).not.toMatch(/\bPASS\b/);
    });
});
