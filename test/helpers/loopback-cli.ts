/**
 * The built CLI in a real process (its own bundled SDK, nothing patched into it) against the simulated fleet
 * on 127.0.0.1 (test/fixtures/aws/loopback.mjs) with a fault: what the e2e fault tests run. The wall time is
 * the process's, start to exit, so a socket left holding the process open shows; it is killed (and the
 * test then fails on its exit code) if it outlives `killAfterMs`.
 */
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { LoopbackFault } from "../fixtures/aws/loopback.mjs";

const root = join(import.meta.dirname, "..", "..");
const home = mkdtempSync(join(tmpdir(), "pypictl-loopback-cli-"));

/** The simulated fleet's identity flags (the ids test/fixtures/aws/sim.mjs answers for). */
export const LOOPBACK_FLEET_ARGS = [
  "--cluster",
  "pypiserver",
  "--service",
  "pypiserver",
  "--file-system-id",
  "fs-0123456789abcdef0",
  "--region",
  "eu-west-1",
];

export interface LoopbackRun {
  code: number | null;
  wallMs: number;
  stdout: string;
  stderr: string;
  /** The fake endpoint's URL (what error messages must name). */
  url: string;
  /** The calls the fake received ("monitoring:(huge)"…). */
  calls: string[];
}

export async function runAgainstLoopback(
  args: string[],
  fault: LoopbackFault,
  killAfterMs = 40_000,
): Promise<LoopbackRun> {
  const { startLoopbackAws } = await import("../fixtures/aws/loopback.mjs");
  const { scenario } = await import("../fixtures/aws/sim.mjs");
  const fake = await startLoopbackAws(scenario({}), { fault });
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: home,
    NO_COLOR: "1",
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    ...fake.env,
  };
  const started = Date.now();
  const child = spawn(process.execPath, [join(root, "bin", "pypictl"), ...args], {
    cwd: root,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const killer = setTimeout(() => child.kill("SIGKILL"), killAfterMs);
  try {
    const code = await new Promise<number | null>((resolve) => child.on("close", (c) => resolve(c)));
    return { code, wallMs: Date.now() - started, stdout, stderr, url: fake.url, calls: fake.calls };
  } finally {
    clearTimeout(killer);
    child.kill("SIGKILL");
    await fake.close();
  }
}
