import { execFileSync, spawnSync } from "node:child_process";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  MAX_LISTED_CHARS,
  MOUNTSTATS_AFTER_MAX_CHARS,
  MOUNTSTATS_MAX_CHARS,
  PROBE_OUTPUT_LIMIT,
  SSM_STDOUT_LIMIT,
  buildProbeScript,
  escapeMountPath,
  shellQuote,
} from "../../../src/sources/host/probe-script.js";
import { parseMountstatsEntry, parseProbeOutput, splitSections } from "../../../src/sources/host/parse.js";
import { fixture } from "./fixtures.js";

const tmp = mkdtempSync(join(tmpdir(), "pypictl-probe-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function run(script: string, env: NodeJS.ProcessEnv = process.env): string {
  return execFileSync("sh", ["-s"], { input: script, env, cwd: tmp, encoding: "utf8", timeout: 90_000 });
}

/** A fake /proc tree with the given mountstats (and the real meminfo/loadavg fixtures). */
function fakeProc(name: string, mountstats: string): string {
  const dir = join(tmp, name);
  mkdirSync(join(dir, "self"), { recursive: true });
  writeFileSync(join(dir, "self", "mountstats"), mountstats);
  writeFileSync(join(dir, "meminfo"), fixture("real-meminfo.txt"));
  writeFileSync(join(dir, "loadavg"), fixture("real-loadavg.txt"));
  // One task, asleep (state S): the blocked-task count reads /proc/[pid]/task/[tid]/stat.
  mkdirSync(join(dir, "1", "task", "1"), { recursive: true });
  writeFileSync(join(dir, "1", "task", "1", "stat"), "1 (systemd) S 0 1 1 0 -1 4194560 0 0 0 0\n");
  return dir;
}

describe("shellQuote", () => {
  it("survives the shell unchanged", () => {
    for (const v of [`it's`, `a "b" $HOME \`id\` \\ ;|&<>`, "", "new\nline", "'''"]) {
      expect(execFileSync("sh", ["-c", `printf '%s' ${shellQuote(v)}`], { encoding: "utf8" })).toBe(v);
    }
    expect(() => shellQuote("a\0b")).toThrow(/NUL/);
  });
  it("escapes paths like the kernel does", () => {
    expect(escapeMountPath("/data/my packages\\x")).toBe("/data/my\\040packages\\134x");
  });
});

describe("buildProbeScript", () => {
  it("is POSIX sh that dash accepts (no bash-isms)", () => {
    const script = buildProbeScript({
      samples: 5,
      mountPath: "/data/packages",
      packageDir: "/data/packages",
    });
    expect(spawnSync("dash", ["-n"], { input: script }).status).toBe(0);
    expect(script).not.toMatch(
      /\[\[|\bfunction\b|^\s*local\s|<<<|\$\{[A-Za-z_]+\/\/|\bsource\b|\[ [^\]]*==|\$'|\bpipefail\b/m,
    );
  });
  it("validates its numbers", () => {
    expect(() => buildProbeScript({ samples: 0, mountPath: "/x", packageDir: "/x" })).toThrow(/samples/);
    expect(() => buildProbeScript({ samples: 61, mountPath: "/x", packageDir: "/x" })).toThrow(/samples/);
    expect(() => buildProbeScript({ samples: 1.5, mountPath: "/x", packageDir: "/x" })).toThrow(/samples/);
  });
  it("passes paths with quotes and spaces through safely, and counts files not directories", () => {
    const dir = join(tmp, `it's a "pkg" dir $(touch pwned) ; x`);
    mkdirSync(join(dir, "sub", "deeper"), { recursive: true });
    for (const f of [
      "a-1.0.tar.gz",
      "b-2.0-py3-none-any.whl",
      "sub/c-1.0.tar.gz",
      "sub/deeper/d-0.1.zip",
      ".hidden",
    ])
      writeFileSync(join(dir, f), "x");
    const out = run(buildProbeScript({ samples: 2, mountPath: dir, packageDir: dir }));
    const r = parseProbeOutput("t", out);
    if (!r.ok) throw new Error(r.message);
    expect(r.snapshot.meta.ok && r.snapshot.meta.value).toMatchObject({
      mountPath: dir,
      packageDir: dir,
      samples: 2,
    });
    expect(r.snapshot.packages.ok && r.snapshot.packages.value).toMatchObject({
      dir,
      dirState: "dir",
      files: 4,
      complete: true,
    });
    expect(r.snapshot.mount.ok && r.snapshot.mount.value).toMatchObject({ pathState: "dir" });
    expect(() => readFileSync(join(tmp, "pwned"))).toThrow();
  });
  it("extracts only the package mount's entry from mountstats, zero-count ops dropped", () => {
    const proc = fakeProc("proc-efs", fixture("proc-mountstats-efs.txt"));
    const out = run(
      buildProbeScript({
        samples: 1,
        mountPath: "/data/packages/",
        packageDir: join(tmp, "nope"),
        procDir: proc,
      }),
    );
    const sec = splitSections(out).get("mount")!;
    expect(sec.status).toBe("ok");
    expect(sec.body).not.toMatch(/device proc|overlay|\/dev\/nvme/);
    expect(sec.body).not.toMatch(/WRITE: 0 0/);
    const r = parseProbeOutput("t", out);
    if (!r.ok || !r.snapshot.mount.ok) throw new Error("mount section did not parse");
    const full = parseMountstatsEntry(fixture("efs-nfs41-healthy.mountstats"));
    if (!full.ok) throw new Error(full.error);
    const nonZero = Object.fromEntries(Object.entries(full.value.ops!).filter(([, o]) => o.ops > 0));
    expect(r.snapshot.mount.value.judged![0]!.ops).toEqual(nonZero);
    expect(r.snapshot.mount.value.judged![0]!.device).toBe(full.value.device);
    expect(r.snapshot.packages.ok && r.snapshot.packages.value.dirState).toBe("absent");
  });
  it("matches a mount point with a space (kernel-escaped as \\040)", () => {
    const entry = fixture("efs-nfs41-healthy.mountstats").replace(
      "mounted on /data/packages",
      "mounted on /srv/my\\040packages",
    );
    const proc = fakeProc("proc-space", `device /dev/vda mounted on / with fstype ext4\n${entry}`);
    const r = parseProbeOutput(
      "t",
      run(
        buildProbeScript({
          samples: 1,
          mountPath: "/srv/my packages",
          packageDir: "/srv/my packages",
          procDir: proc,
        }),
      ),
    );
    expect(r.ok && r.snapshot.mount.ok && r.snapshot.mount.value.judged?.[0]?.mountPoint).toBe(
      "/srv/my packages",
    );
  });
  it("does not match a mount point that only starts with the path", () => {
    const entry = fixture("efs-nfs41-healthy.mountstats").replace(
      "mounted on /data/packages",
      "mounted on /data/packages-old",
    );
    const proc = fakeProc("proc-prefix", entry);
    const r = parseProbeOutput(
      "t",
      run(
        buildProbeScript({
          samples: 1,
          mountPath: "/data/packages",
          packageDir: "/data/packages",
          procDir: proc,
        }),
      ),
    );
    expect(r.ok && r.snapshot.mount.ok && r.snapshot.mount.value.judged).toEqual([]);
  });
  it("reports an absent /proc file as missing", () => {
    const proc = join(tmp, "empty-proc");
    mkdirSync(proc, { recursive: true });
    const r = parseProbeOutput(
      "t",
      run(
        buildProbeScript({
          samples: 1,
          mountPath: "/data/packages",
          packageDir: "/data/packages",
          procDir: proc,
        }),
      ),
    );
    if (!r.ok) throw new Error(r.message);
    expect(r.snapshot.meminfo).toMatchObject({ ok: false, missing: true });
    expect(r.snapshot.mount).toMatchObject({
      ok: false,
      missing: true,
      error: expect.stringMatching(/mountstats/),
    });
    expect(r.snapshot.loadavg).toMatchObject({ ok: false, missing: true });
  });
  it(`stays under ${PROBE_OUTPUT_LIMIT} characters (SSM keeps ${SSM_STDOUT_LIMIT}) in the worst case`, () => {
    // 60 wide vmstat samples with big numbers, a huge NFS entry (200 busy ops, long opts), long paths.
    const bin = join(tmp, "bin");
    mkdirSync(bin, { recursive: true });
    const row =
      "  999  999 999999999999 999999999999 999999999999 999999999999 99999 99999 999999 999999 99999 99999 100 100 100 100 100 100";
    writeFileSync(
      join(bin, "vmstat"),
      `#!/bin/sh\n[ "$2" = 1 ] && [ "$3" = 1 ] && exit 0\necho "--procs-- -----------------------memory---------------------- ---swap-- -----io---- -system-- ----------cpu----------"\necho "   r    b         swpd         free         buff        cache   si   so    bi    bo   in   cs  us  sy  id  wa  st  gu"\ni=0; while [ $i -lt "$3" ]; do echo "${row}"; i=$((i+1)); done\n`,
    );
    chmodSync(join(bin, "vmstat"), 0o755);
    // Many busy NFS mounts, each with a huge entry (200 busy ops, long opts) and a long mount point; in the
    // second reading every op moved (the vmstat shim swaps the file in), so both readings hit their budgets.
    const opsAt = (n: number) =>
      Array.from(
        { length: 200 },
        (_, i) => `\t${`OP_NUMBER_${i}`.padStart(12)}: ${n} ${n} 9999 ${n} ${n} ${n} ${n} ${n} 9999`,
      ).join("\n");
    const huge = (n: number) =>
      Array.from({ length: 8 }, (_, k) =>
        fixture("efs-nfs41-healthy.mountstats")
          .replace(
            "mounted on /data/packages",
            `mounted on /var/lib/ecs/volumes/ecs-pypiserver-3-packages-${String(k).repeat(180)}`,
          )
          .replace(/\tper-op statistics[\s\S]*$/, `\tper-op statistics\n${opsAt(n)}\n`)
          .replace("local_lock=none", `local_lock=none,${"x".repeat(3000)}`),
      ).join("");
    const proc = fakeProc("proc-huge", huge(11111111111));
    writeFileSync(join(proc, "self", "mountstats.after"), huge(22222222222));
    writeFileSync(join(proc, "uptime"), "100.00 1.00\n");
    writeFileSync(
      join(bin, "vmstat"),
      `#!/bin/sh\ncp ${join(proc, "self", "mountstats.after")} ${join(proc, "self", "mountstats")}\necho "160.00 1.00" > ${join(proc, "uptime")}\n[ "$2" = 1 ] && [ "$3" = 1 ] && exit 0\necho "--procs-- -----------------------memory---------------------- ---swap-- -----io---- -system-- ----------cpu----------"\necho "   r    b         swpd         free         buff        cache   si   so    bi    bo   in   cs  us  sy  id  wa  st  gu"\ni=0; while [ $i -lt "$3" ]; do echo "${row}"; i=$((i+1)); done\n`,
    );
    // 60 samples, one second apart: the shimmed clock (uptime above) makes real pauses pointless here.
    writeFileSync(join(bin, "sleep"), "#!/bin/sh\n:\n");
    chmodSync(join(bin, "sleep"), 0o755);
    const longPath = `/data/${"p".repeat(200)}`;
    const script = buildProbeScript({
      samples: 60,
      mountPath: "/data/packages",
      discover: true,
      packageDir: longPath,
      procDir: proc,
    });
    const out = run(script, { ...process.env, PATH: `${bin}:${process.env.PATH}` });
    const sections = splitSections(out);
    expect(sections.get("vmstat")!.body.split("\n").length).toBeGreaterThanOrEqual(61);
    expect(sections.get("mount")!.body.length).toBeLessThanOrEqual(
      MOUNTSTATS_MAX_CHARS + MAX_LISTED_CHARS + 400,
    );
    expect(sections.get("mount")!.body).toMatch(/pypictl\.truncated=1/);
    expect(sections.get("mount")!.body).toMatch(/pypictl\.nfs_more=\d/);
    expect(sections.get("mount_after")!.body.length).toBeLessThanOrEqual(MOUNTSTATS_AFTER_MAX_CHARS + 100);
    expect(sections.get("blocked")!.body.split(" ").length).toBe(60);
    expect(out.length).toBeLessThan(PROBE_OUTPUT_LIMIT);
    const r = parseProbeOutput("t", out);
    expect(r.ok && r.snapshot.mount.ok && r.snapshot.mount.value.judged?.[0]?.truncated).toBe(true);
    expect(r.ok && r.snapshot.vmstat.ok && r.snapshot.vmstat.value.rows.length).toBe(60);
  }, 120_000);
});

const BUSYBOX = ["/usr/bin/busybox", "/bin/busybox"].find((p) => existsSync(p));
function BUSYBOX_SH(): string | undefined {
  return BUSYBOX ? `${BUSYBOX} sh` : undefined;
}

/**
 * A host with two pypiserver tasks (gunicorn arbiter + 2 workers each, as pypiserver runs gunicorn in-process:
 * every process has "--server gunicorn" on its command line) and a cgroup tree where one container's memory
 * cgroup OOM-killed a worker 3 times (cgroup v2 memory.events, hierarchical: its parents count the kills too).
 */
function gunicornHost(name: string): { proc: string; cgroup: string } {
  const proc = fakeProc(name, "");
  const cmd = [
    "/usr/local/bin/python",
    "/usr/local/bin/pypi-server",
    "run",
    "-p",
    "8080",
    "--server",
    "gunicorn",
    "/data/packages",
    "",
  ].join("\u0000");
  const pids: Array<[number, number, string]> = [
    [100, 1, cmd],
    [101, 100, cmd],
    [102, 100, cmd],
    [200, 1, cmd],
    [201, 200, cmd],
    [202, 200, cmd],
    [300, 1, "/usr/bin/containerd\u0000"],
  ];
  for (const [pid, ppid, c] of pids) {
    mkdirSync(join(proc, String(pid)), { recursive: true });
    writeFileSync(join(proc, String(pid), "cmdline"), c);
    writeFileSync(
      join(proc, String(pid), "stat"),
      `${pid} (pypi-server) S ${ppid} ${pid} ${pid} 0 -1 4194560\n`,
    );
  }
  const cgroup = join(tmp, `${name}-cgroup`);
  const task = join(cgroup, "ecstasks", "5c1b2d3e4f5a6b7c8d9e0f1a2b3c4d5e");
  const container = join(task, "docker-0a1b2c3d.scope");
  mkdirSync(container, { recursive: true });
  writeFileSync(join(cgroup, "cgroup.controllers"), "cpuset cpu io memory pids\n");
  const events = (kills: number) => `low 0\nhigh 0\nmax 17\noom 3\noom_kill ${kills}\noom_group_kill 0\n`;
  writeFileSync(join(cgroup, "ecstasks", "memory.events"), events(3));
  writeFileSync(join(task, "memory.events"), events(3));
  writeFileSync(join(container, "memory.events"), events(3));
  mkdirSync(join(cgroup, "system.slice", "ecs.service"), { recursive: true });
  writeFileSync(join(cgroup, "system.slice", "ecs.service", "memory.events"), events(0));
  return { proc, cgroup };
}

describe("gunicorn workers and cgroup OOM kills (probe v4)", () => {
  const shells: Array<[string, string | undefined]> = [
    ["sh", "sh"],
    ["busybox sh", BUSYBOX_SH()],
  ];
  for (const [label, shell] of shells)
    it.skipIf(!shell)(`counts workers and lists non-zero oom_kill counters under ${label}`, () => {
      const h = gunicornHost(`gunicorn-${label.replace(/ /g, "-")}`);
      const script = buildProbeScript({
        samples: 1,
        mountPath: "/data/packages",
        discover: true,
        procDir: h.proc,
        cgroupDir: h.cgroup,
      });
      const out = execFileSync(shell!.split(" ")[0]!, [...shell!.split(" ").slice(1), "-s"], {
        input: script,
        cwd: tmp,
        encoding: "utf8",
        timeout: 60_000,
      });
      const r = parseProbeOutput("t", out);
      if (!r.ok) throw new Error(r.message);
      expect(r.snapshot.procs).toEqual({ ok: true, value: { gunicornProcesses: 6, gunicornWorkers: 4 } });
      expect(r.snapshot.oom).toMatchObject({ ok: true, value: { cgroup: "v2" } });
      const paths = r.snapshot.oom!.ok ? r.snapshot.oom!.value.counters.map((c) => c.path).sort() : [];
      expect(paths).toEqual([
        "ecstasks/5c1b2d3e4f5a6b7c8d9e0f1a2b3c4d5e/docker-0a1b2c3d.scope/memory.events",
        "ecstasks/5c1b2d3e4f5a6b7c8d9e0f1a2b3c4d5e/memory.events",
        "ecstasks/memory.events",
      ]);
    });
});

describe.skipIf(!BUSYBOX)("under busybox (sh, awk, find, free, timeout)", () => {
  it("every section parses, the count works, paths with quotes survive", () => {
    const bb = join(tmp, "bb");
    mkdirSync(bb, { recursive: true });
    const applets = new Set(execFileSync(BUSYBOX!, ["--list"], { encoding: "utf8" }).split("\n"));
    for (const a of [
      "sh",
      "awk",
      "find",
      "free",
      "cat",
      "head",
      "grep",
      "date",
      "uname",
      "hostname",
      "nproc",
      "timeout",
      "printf",
      "wc",
      "sed",
      "xargs",
    ])
      if (applets.has(a) && !existsSync(join(bb, a))) symlinkSync(BUSYBOX!, join(bb, a));
    const pkg = join(tmp, `bb "pkg" it's`);
    mkdirSync(join(pkg, "x"), { recursive: true });
    writeFileSync(join(pkg, "a-1.0.tar.gz"), "x");
    writeFileSync(join(pkg, "x", "b-1.0-py3-none-any.whl"), "x");
    const script = buildProbeScript({ samples: 2, mountPath: "/", packageDir: pkg });
    // Only busybox on PATH first; the script appends the system dirs, so vmstat still comes from procps if present.
    const out = execFileSync(join(bb, "sh"), ["-s"], {
      input: script,
      env: { PATH: bb },
      cwd: tmp,
      encoding: "utf8",
    });
    const r = parseProbeOutput("bb", out);
    if (!r.ok) throw new Error(r.message);
    for (const name of ["meta", "free", "meminfo", "loadavg", "nproc", "mount", "packages"] as const) {
      const s = r.snapshot[name];
      expect(s.ok, `${name}: ${s.ok ? "" : s.error}`).toBe(true);
    }
    expect(r.snapshot.packages.ok && r.snapshot.packages.value).toMatchObject({ files: 2, complete: true });
    expect(r.snapshot.mount.ok && r.snapshot.mount.value.judged?.[0]?.mountPoint).toBe("/");
  });
});
