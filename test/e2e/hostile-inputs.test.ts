// Inputs that never end or never start (issue 26, item 4), given to the built CLI in a real process: a FIFO
// with no writer as --config, a standard input that stays open as --terraform-outputs -, /dev/zero. Each
// run ends at its --timeout (or at once for a size limit) with exit 2 naming the flag, the file and the
// limit — and the process itself ends: no descriptor or thread left holding it open.
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..", "..");
const tmp = mkdtempSync(join(tmpdir(), "pypictl-e2e-inputs-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
/** Node's start-up and the CLI's module loading on a loaded 2-core machine, on top of --timeout. */
const SLACK_MS = 4_000;

async function run(args: string[], stdin: "ignore" | "pipe" = "ignore") {
  const started = Date.now();
  const child = spawn(process.execPath, [join(root, "bin", "pypictl"), ...args], {
    cwd: root,
    env: { PATH: process.env.PATH, HOME: tmp, NO_COLOR: "1" },
    stdio: [stdin, "pipe", "pipe"],
  });
  // A writer that holds standard input open and never writes: the CLI must not wait for its end.
  if (stdin === "pipe") child.stdin!.write("{");
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
  const killer = setTimeout(() => child.kill("SIGKILL"), 30_000);
  try {
    const code = await new Promise<number | null>((resolve) => child.on("close", (c) => resolve(c)));
    return { code, wallMs: Date.now() - started, stdout, stderr };
  } finally {
    clearTimeout(killer);
    child.stdin?.destroy();
  }
}

describe.concurrent("inputs that never end: the process ends at --timeout", () => {
  it("doctor --config FIFO (no writer) --timeout 2: exit 2 in about 2 s", async () => {
    const fifo = join(tmp, "config.toml");
    execFileSync("mkfifo", [fifo]);
    const r = await run(["doctor", "--config", fifo, "--replay", "example:fleet-healthy", "--timeout", "2"]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain(
      `--config ${fifo}: nothing arrived from this FIFO within 2 s (the time limit: --timeout); nothing of it was used`,
    );
    expect(r.wallMs).toBeGreaterThanOrEqual(1_900);
    expect(r.wallMs).toBeLessThan(2_000 + SLACK_MS);
  });

  it("creds --terraform-outputs - with standard input held open: exit 2 in about 2 s", async () => {
    const r = await run(["creds", "--terraform-outputs", "-", "--format", "netrc", "--timeout", "2"], "pipe");
    expect(r.code, r.stderr).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain(
      "--terraform-outputs - (standard input): this standard input did not end (1 bytes arrived) within 2 s (the time limit: --timeout)",
    );
    expect(r.wallMs).toBeGreaterThanOrEqual(1_900);
    expect(r.wallMs).toBeLessThan(2_000 + SLACK_MS);
  });

  it("doctor --terraform-outputs /dev/zero: exit 2 at once, naming the limit", async () => {
    const r = await run(["doctor", "--terraform-outputs", "/dev/zero", "--region", "eu-west-1"]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain(
      "--terraform-outputs /dev/zero: went on past 16 MiB; a Terraform outputs file may have at most 16 MiB (MAX_TERRAFORM_OUTPUTS_BYTES)",
    );
    expect(r.wallMs).toBeLessThan(SLACK_MS);
  });
});
