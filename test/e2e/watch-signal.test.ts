// `doctor --watch` as a user runs it: a real process, stdout a pipe (not a terminal), stopped by a real
// SIGINT. Its AWS calls go over HTTP to the simulated fleet on 127.0.0.1 (loopback.mjs) — the child runs
// the bundled CLI with its own copy of the SDK, so nothing can be patched into it — and the fleet's memory
// series fails in round 2 and recovers in round 3.
import { spawn } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..", "..");
const healthy = Array.from({ length: 60 }, () => 60);
const climbing = Array.from({ length: 60 }, (_, i) => (i < 50 ? 60 : 135));

describe("doctor --watch in a real process", () => {
  it("logs changes one per line on a pipe and ends with the final report on SIGINT", async () => {
    const { startLoopbackAws } = await import("../fixtures/aws/loopback.mjs");
    const { scenario } = await import("../fixtures/aws/sim.mjs");
    let memory = healthy;
    // The fleet reads its metrics on every call: each round sees the series set below.
    const live = new Proxy(scenario({}), {
      get: (t, k) => (k === "metrics" ? { "ecs.MemoryUtilization": memory } : Reflect.get(t, k)),
    });
    const fake = await startLoopbackAws(live);
    const child = spawn(
      process.execPath,
      [
        join(root, "bin", "pypictl"),
        "doctor",
        "--stack",
        "pypiserver",
        "--region",
        "eu-west-1",
        "--only",
        "ecs.memory-utilization,ecs.running-tasks",
        "--watch",
        "1",
      ],
      {
        cwd: root,
        env: { ...process.env, ...fake.env, AWS_EC2_METADATA_DISABLED: "true", NO_COLOR: "" },
        stdio: ["ignore", "pipe", "pipe"],
      },
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
    let code: number | null;
    try {
      await until(1);
      memory = climbing;
      await until(2);
      memory = healthy;
      await until(3);
      child.kill("SIGINT");
      code = await exited;
    } finally {
      child.kill("SIGKILL");
      await fake.close();
    }
    expect(stderr).not.toMatch(/unexpected error|Error:/);
    const lines = stdout.split("\n");
    const fail = lines.findIndex((l) => /^\S+Z FAIL ecs\.memory-utilization: /.test(l));
    const recovered = lines.findIndex((l) =>
      /^\S+Z RECOVERED \(fail → pass\) ecs\.memory-utilization: /.test(l),
    );
    expect(fail).toBeGreaterThanOrEqual(0);
    expect(recovered).toBeGreaterThan(fail);
    expect(lines.findIndex((l) => l.startsWith("pypictl doctor — "))).toBeGreaterThan(recovered);
    expect(stdout).not.toMatch(/\x1b\[/);
    expect(code).toBe(0);
  }, 60_000);
});
