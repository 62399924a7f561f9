// `doctor --watch` as a user runs it: a real process, stdout a pipe (not a terminal), stopped by a real
// SIGINT. Its AWS calls are answered by the simulated fleet preloaded into the child (sim-preload.mjs),
// whose memory series fails in round 2 and recovers in round 3.
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..", "..");
const healthy = Array.from({ length: 60 }, () => 60);
const climbing = Array.from({ length: 60 }, (_, i) => (i < 50 ? 60 : 135));

describe("doctor --watch in a real process", () => {
  it("logs changes one per line on a pipe and ends with the final report on SIGINT", async () => {
    const dir = mkdtempSync(join(tmpdir(), "pypictl-watch-e2e-"));
    const sc = join(dir, "scenario.json");
    writeFileSync(sc, JSON.stringify({ metrics: { "ecs.MemoryUtilization": healthy } }));
    const child = spawn(
      process.execPath,
      ["--import", join(root, "test", "fixtures", "aws", "sim-preload.mjs"), join(root, "bin", "pypictl"), "doctor", "--stack", "pypiserver", "--region", "eu-west-1", "--only", "ecs.memory-utilization,ecs.running-tasks", "--watch", "1"],
      { cwd: root, env: { ...process.env, PYPICTL_SIM_SCENARIO: sc, AWS_ACCESS_KEY_ID: "AKIDTEST", AWS_SECRET_ACCESS_KEY: "secret", AWS_EC2_METADATA_DISABLED: "true", NO_COLOR: "" }, stdio: ["ignore", "pipe", "pipe"] },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    const rounds = () => stderr.match(/^watch: round \d+/gm)?.length ?? 0;
    const waiters: Array<() => void> = [];
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
      waiters.splice(0).forEach((w) => w());
    });
    const until = (n: number) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no round ${n}; stderr: ${stderr}`)), 30_000);
        const check = () => (rounds() >= n ? (clearTimeout(timer), resolve()) : waiters.push(check));
        check();
      });
    await until(1);
    writeFileSync(sc, JSON.stringify({ metrics: { "ecs.MemoryUtilization": climbing } }));
    await until(2);
    writeFileSync(sc, JSON.stringify({ metrics: { "ecs.MemoryUtilization": healthy } }));
    await until(3);
    child.kill("SIGINT");
    const code = await exited;
    expect(stderr).not.toMatch(/unexpected error|Error:/);
    const lines = stdout.split("\n");
    const fail = lines.findIndex((l) => /^\S+Z FAIL ecs\.memory-utilization: /.test(l));
    const recovered = lines.findIndex((l) => /^\S+Z RECOVERED \(fail → pass\) ecs\.memory-utilization: /.test(l));
    expect(fail).toBeGreaterThanOrEqual(0);
    expect(recovered).toBeGreaterThan(fail);
    expect(lines.findIndex((l) => l.startsWith("pypictl doctor — "))).toBeGreaterThan(recovered);
    expect(stdout).not.toMatch(/\x1b\[/);
    expect(code).toBe(0);
  }, 60_000);
});
