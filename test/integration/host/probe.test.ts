/**
 * The real probe on this machine: run the script, parse it, compare with /proc/meminfo and vmstat read
 * here; then `pypictl doctor --local` end to end through the CLI.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { hostname } from "node:os";
import { describe, expect, it } from "vitest";
import { buildProbeScript } from "../../../src/sources/host/probe-script.js";
import { parseProbeOutput } from "../../../src/sources/host/parse.js";
import { hostProbeSource } from "../../../src/sources/host/source.js";
import { runScriptLocally } from "../../../src/sources/host/local.js";
import { runCli } from "../../../src/cli/main.js";
import type { Finding } from "../../../src/checks/model.js";
import { captureIo } from "../../helpers/io.js";
import { assertValidReport } from "../../helpers/schema.js";

const HOST_IDS = [
  "host.swap-activity",
  "host.swap-used",
  "host.memory-available",
  "host.iowait",
  "host.package-count",
  "host.efs-mount",
];
const meminfoKb = (field: string): number =>
  Number(new RegExp(`^${field}:\\s+(\\d+) kB$`, "m").exec(readFileSync("/proc/meminfo", "utf8"))![1]);

describe("the probe on this machine", () => {
  it("runs, parses every section, and agrees with /proc/meminfo and vmstat", async () => {
    const script = buildProbeScript({
      samples: 2,
      mountPath: "/data/packages",
      packageDir: "/data/packages",
    });
    const run = await runScriptLocally(script, new AbortController().signal);
    expect(run.code).toBe(0);
    const r = parseProbeOutput(hostname(), run.stdout);
    if (!r.ok) throw new Error(r.message);
    const { snapshot } = r;
    for (const [name, s] of Object.entries(snapshot))
      expect(s.ok, `${name}: ${s.ok ? "" : s.error}`).toBe(true);
    if (
      !snapshot.meminfo.ok ||
      !snapshot.vmstat.ok ||
      !snapshot.nproc.ok ||
      !snapshot.free.ok ||
      !snapshot.meta.ok
    )
      return;
    expect(snapshot.meminfo.value.kB.MemTotal).toBe(meminfoKb("MemTotal"));
    expect(snapshot.meminfo.value.kB.SwapTotal).toBe(meminfoKb("SwapTotal"));
    // MemAvailable moves; within 5 % of a fresh read.
    expect(Math.abs(snapshot.meminfo.value.kB.MemAvailable! - meminfoKb("MemAvailable"))).toBeLessThan(
      meminfoKb("MemTotal") * 0.05,
    );
    expect(snapshot.free.value.mem.total).toBe(Math.floor(meminfoKb("MemTotal") / 1024));
    expect(snapshot.vmstat.value.rows).toHaveLength(2);
    const handVmstat = execFileSync("vmstat", ["1", "1"], { encoding: "utf8" }).trim().split("\n");
    expect(snapshot.vmstat.value.columns).toEqual(expect.arrayContaining(handVmstat[1]!.trim().split(/\s+/)));
    expect(snapshot.nproc.value).toBe(Number(execFileSync("nproc", { encoding: "utf8" }).trim()));
    expect(snapshot.meta.value.hostname).toBe(execFileSync("uname", ["-n"], { encoding: "utf8" }).trim());
    expect(run.stdout.length).toBeLessThan(24_000);
  });

  it("discover mode: finds this machine's NFS mounts (as /proc/self/mountstats lists them), times the window, counts blocked tasks", async () => {
    const run = await runScriptLocally(
      buildProbeScript({ samples: 3, mountPath: "/data/packages", discover: true }),
      new AbortController().signal,
    );
    expect(run.code).toBe(0);
    const r = parseProbeOutput(hostname(), run.stdout);
    if (!r.ok || !r.snapshot.mount.ok)
      throw new Error(r.ok ? String((r.snapshot.mount as { error: string }).error) : r.message);
    const nfsHere = readFileSync("/proc/self/mountstats", "utf8")
      .split("\n")
      .filter((l) => / with fstype nfs4? /.test(l) || / with fstype nfs4?$/.test(l)).length;
    const m = r.snapshot.mount.value;
    expect(m.mode).toBe("discover");
    expect(m.nfsMounts).toHaveLength(nfsHere);
    if (nfsHere === 0) {
      expect(m).toMatchObject({ pick: "none", judged: [] });
      expect(r.snapshot.packages).toEqual({
        ok: true,
        value: { dir: "", dirState: "none", files: 0, complete: true },
      });
    }
    for (const j of m.judged ?? []) expect(j.window?.seconds ?? j.windowError).toBeTruthy();
    // Real /proc: one D-state count per sample (this machine's tasks, whatever they are doing).
    expect(r.snapshot.blocked).toMatchObject({
      ok: true,
      value: { samples: [expect.any(Object), expect.any(Object), expect.any(Object)] },
    });
  });

  it("the host.probe source: local target, raw kept, abort kills the run", async () => {
    const ctx = {
      target: { kind: "local" as const, host: "this-host" },
      window: { start: "2026-01-01T00:00:00Z", end: "2026-01-01T01:00:00Z", since: "1h" },
      settings: { samples: 2, mountPath: "/data/packages", packageDir: "/data/packages" },
      signal: new AbortController().signal,
      dep: () => {
        throw new Error("no deps locally");
      },
    };
    expect(typeof hostProbeSource.deps === "function" && hostProbeSource.deps(ctx.target)).toEqual([]);
    // Over SSM: the instances, and the task definition's EFS id unless the target names the file system.
    expect(typeof hostProbeSource.deps === "function" && hostProbeSource.deps({ kind: "fleet" })).toEqual([
      "fleet.instances",
      "ecs.service",
    ]);
    expect(
      typeof hostProbeSource.deps === "function" &&
        hostProbeSource.deps({ kind: "fleet", fileSystemId: "fs-0123abcd" }),
    ).toEqual(["fleet.instances"]);
    const res = await hostProbeSource.gather(ctx);
    if (!res.ok) throw new Error(res.message);
    expect(res.value.hosts).toHaveLength(1);
    expect(res.value.hosts[0]!.host).toBe("this-host");
    expect(res.raw).toMatch(/==> pypictl:vmstat <==/);

    const ac = new AbortController();
    const started = Date.now();
    const p = runScriptLocally(
      buildProbeScript({ samples: 30, mountPath: "/data/packages", packageDir: "/data/packages" }),
      ac.signal,
    );
    setTimeout(() => ac.abort(new Error("deadline")), 300);
    await expect(p).rejects.toThrow(/deadline/);
    expect(Date.now() - started).toBeLessThan(5000);
  });
});

describe("pypictl doctor --local", () => {
  it("--samples 2 --format json: schema-shaped findings for all six host checks, real numbers", async () => {
    const io = captureIo();
    // --mount-path given: the volume checks judge it even off the fleet (without it, a machine with no
    // /data/packages and no ECS agent reports them not applicable: test/e2e/habits/output.test.ts).
    const code = await runCli(
      ["doctor", "--local", "--samples", "2", "--format", "json", "--mount-path", "/data/packages"],
      io,
    );
    const report = JSON.parse(io.stdout.text) as { target: unknown; findings: Finding[] };
    assertValidReport(report);
    expect(report.target).toEqual({ kind: "local", host: hostname() });
    const byId = new Map(report.findings.map((f) => [f.checkId, f]));
    for (const id of HOST_IDS) expect(byId.has(id), id).toBe(true);
    const mem = byId.get("host.memory-available")!;
    expect(mem.status).not.toBe("error");
    expect(Math.abs(mem.observed!.value - meminfoKb("MemAvailable") / 1024)).toBeLessThan(
      (meminfoKb("MemTotal") / 1024) * 0.05,
    );
    expect(mem.data.totalMiB).toBe(Math.round((meminfoKb("MemTotal") / 1024) * 10) / 10);
    const swap = byId.get("host.swap-used")!;
    expect(swap.status).toBe(
      meminfoKb("SwapTotal") === 0 || meminfoKb("SwapTotal") === meminfoKb("SwapFree") ? "pass" : "fail",
    );
    for (const id of ["host.iowait", "host.swap-activity"]) {
      const f = byId.get(id)!;
      expect(f.status, f.message).not.toBe("error");
      expect(f.observed!.series).toHaveLength(1);
    }
    // This machine has no /data/packages: --mount-path names a path that does not exist (error, naming the
    // flag), and the count cannot be taken there (error). Not a pass on numbers that were not read.
    const hasMount = (() => {
      try {
        readFileSync("/data/packages");
        return true;
      } catch (e) {
        return (e as NodeJS.ErrnoException).code !== "ENOENT";
      }
    })();
    if (!hasMount) {
      expect(byId.get("host.efs-mount")).toMatchObject({
        status: "error",
        messageId: "path-absent",
        message: expect.stringMatching(/--mount-path \/data\/packages does not exist/),
      });
      expect(byId.get("host.package-count")).toMatchObject({ status: "error", messageId: "dir-absent" });
      expect(code).toBe(report.findings.some((f) => f.status === "fail") ? 1 : 3);
    }
  });
  it("--save-evidence writes a bundle that replays to the same findings", async () => {
    const { mkdtempSync, rmSync } = await import("node:fs");
    const { join } = await import("node:path");
    const { tmpdir } = await import("node:os");
    const dir = mkdtempSync(join(tmpdir(), "pypictl-ev-"));
    try {
      const file = join(dir, "ev.json");
      const io = captureIo();
      await runCli(["doctor", "--local", "--samples", "2", "--format", "json", "--save-evidence", file], io);
      const live = JSON.parse(io.stdout.text) as { findings: Finding[] };
      const io2 = captureIo();
      await runCli(["doctor", "--replay", file, "--format", "json"], io2);
      const replay = JSON.parse(io2.stdout.text) as { findings: Finding[] };
      expect(replay.findings).toEqual(live.findings);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
