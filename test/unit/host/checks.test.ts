import { describe, expect, it } from "vitest";
import type { Check, Finding, Status } from "../../../src/checks/model.js";
import { evaluateCheck, limitsFor } from "../../../src/checks/runner.js";
import { HOST_CHECKS } from "../../../src/checks/host/index.js";
import { failed, ok, type Evidence } from "../../../src/sources/model.js";
import { parseProbeOutput } from "../../../src/sources/host/parse.js";
import type { HostResult } from "../../../src/sources/host/model.js";
import { WINDOW, evidenceOf, fixture, probe, withSection } from "./fixtures.js";

const byId = (id: string): Check => {
  const c = HOST_CHECKS.find((x) => x.id === id);
  if (!c) throw new Error(`no check ${id}`);
  return c;
};

function run(id: string, evidence: Evidence, overrides: Record<string, number> = {}): Finding {
  const c = byId(id);
  return evaluateCheck(c, evidence, limitsFor(c, overrides), WINDOW);
}

const IDS = [
  "host.swap-activity",
  "host.swap-used",
  "host.memory-available",
  "host.iowait",
  "host.package-count",
  "host.efs-mount",
];

function edited(base: string, section: string, body: string, end?: string): HostResult {
  return parseProbeOutput("h1", withSection(fixture(base), section, body, end));
}

describe("registry", () => {
  it("has the six host checks with their fixed ids, host scope, host.probe needed", () => {
    expect(HOST_CHECKS.map((c) => c.id)).toEqual(IDS);
    for (const c of HOST_CHECKS) {
      expect(c.scope).toBe("host");
      expect(c.needs).toEqual(["host.probe"]);
      expect(Object.keys(c.thresholds).length).toBeGreaterThan(0);
    }
  });
});

describe("incident fixtures", () => {
  const expected: Record<string, Record<string, Status>> = {
    "probe-healthy.txt": {
      "host.swap-activity": "pass",
      "host.swap-used": "pass",
      "host.memory-available": "pass",
      "host.iowait": "pass",
      "host.package-count": "pass",
      "host.efs-mount": "pass",
    },
    "probe-swapping.txt": {
      "host.swap-activity": "fail",
      "host.swap-used": "fail",
      "host.memory-available": "fail",
      "host.iowait": "fail",
      "host.package-count": "pass",
      "host.efs-mount": "pass",
    },
    "probe-low-memory.txt": {
      "host.swap-activity": "pass",
      "host.swap-used": "pass",
      "host.memory-available": "fail",
      "host.iowait": "pass",
      "host.package-count": "pass",
      "host.efs-mount": "pass",
    },
    "probe-iowait.txt": {
      "host.swap-activity": "pass",
      "host.swap-used": "pass",
      "host.memory-available": "pass",
      "host.iowait": "fail",
      "host.package-count": "pass",
      "host.efs-mount": "fail",
    },
    "probe-package-count.txt": {
      "host.swap-activity": "pass",
      "host.swap-used": "pass",
      "host.memory-available": "pass",
      "host.iowait": "pass",
      "host.package-count": "warn",
      "host.efs-mount": "pass",
    },
    "probe-efs-missing.txt": {
      "host.swap-activity": "pass",
      "host.swap-used": "pass",
      "host.memory-available": "pass",
      "host.iowait": "pass",
      "host.package-count": "skip",
      "host.efs-mount": "fail",
    },
    "probe-module-host.txt": {
      "host.swap-activity": "pass",
      "host.swap-used": "pass",
      "host.memory-available": "pass",
      "host.iowait": "pass",
      "host.package-count": "pass",
      "host.efs-mount": "pass",
    },
    "probe-efs-slow-now.txt": {
      "host.swap-activity": "pass",
      "host.swap-used": "pass",
      "host.memory-available": "pass",
      "host.iowait": "fail",
      "host.package-count": "pass",
      "host.efs-mount": "fail",
    },
  };
  for (const [file, statuses] of Object.entries(expected)) {
    it(file, () => {
      const ev = evidenceOf(probe(file));
      const got = Object.fromEntries(IDS.map((id) => [id, run(id, ev).status]));
      expect(got).toEqual(statuses);
    });
  }

  it("swapping (t3.micro incident): numbers, series, hints naming both levers", () => {
    const ev = evidenceOf(probe("probe-swapping.txt", "ip-10-0-2-51"));
    const sa = run("host.swap-activity", ev);
    expect(sa.observed).toMatchObject({ value: 5022, unit: "KiB/s" });
    expect(sa.observed!.series!.map(([, v]) => v)).toEqual([7430, 7826, 8100, 4022]);
    expect(sa.observed!.series![0]![0]).toBe("2026-02-17T09:41:06Z");
    expect(sa.message).toBe(
      "swapping while watched: so up to 5022 KiB/s in 4 of 4 one-second samples, si up to 4180 KiB/s for up to 4 s in a row (limit 0 KiB/s): the host is short of memory now",
    );
    expect(sa.hints[0]).toMatch(/asg_instance_type/);
    expect(sa.hints[0]).toMatch(/--instance-type/);
    expect(sa.hints[0]).toMatch(/instance size to t3\.small \(2 GiB, .* over this host.s \d+ MiB/); // the model's next size over a t3.micro
    expect(sa.resources).toEqual([expect.objectContaining({ id: "ip-10-0-2-51", status: "fail" })]);
    const su = run("host.swap-used", ev);
    expect(su.observed).toEqual({ value: 750, unit: "MiB" });
    expect(su.message).toMatch(
      /750 MiB of 1024 MiB swap in use and moving: si up to 4180 KiB\/s, so up to 5022 KiB\/s in 4 of 4 one-second samples.*short of memory now/,
    );
    expect(su.hints.join(" ")).toMatch(/asg_instance_type/);
    const ma = run("host.memory-available", ev);
    expect(ma.observed).toEqual({ value: 60.1, unit: "MiB" });
    expect(ma.threshold).toEqual({ name: "minAvailableMiB", value: 500, unit: "MiB" });
    expect(ma.hints.join("\n")).toMatch(/container_memory_reservation/);
    const io = run("host.iowait", ev);
    expect(io.observed!.value).toBe(84);
    expect(io.observed!.series!.map(([, v]) => v)).toEqual([84, 86, 82, 84]);
    expect(io.hints[0]).toMatch(/swapping in the same samples/);
  });

  it("judges only the samples after the first (the since-boot average)", () => {
    // First row wa=60, later rows 0: passes. The reverse fails.
    const head =
      "procs -----------memory---------- ---swap-- -----io---- -system-- ------cpu-----\n r  b   swpd   free   buff  cache   si   so    bi    bo   in   cs us sy id wa st\n";
    const row = (si: number, wa: number) =>
      ` 0  0      0 400000   2000 900000 ${si} ${si}  0  0  100  200  1  1 ${98 - wa} ${wa}  0\n`;
    const calmNow = evidenceOf(
      edited("probe-healthy.txt", "vmstat", head + row(900, 60) + row(0, 0) + row(0, 0)),
    );
    expect(run("host.iowait", calmNow).status).toBe("pass");
    expect(run("host.swap-activity", calmNow).status).toBe("pass");
    const busyNow = evidenceOf(
      edited("probe-healthy.txt", "vmstat", head + row(0, 0) + row(4, 12) + row(0, 8)),
    );
    expect(run("host.iowait", busyNow)).toMatchObject({ status: "fail", observed: { value: 10 } });
    expect(run("host.swap-activity", busyNow)).toMatchObject({ status: "fail", observed: { value: 4 } });
    const onlyBoot = evidenceOf(edited("probe-healthy.txt", "vmstat", head + row(0, 0)));
    expect(run("host.iowait", onlyBoot)).toMatchObject({
      status: "error",
      message: expect.stringMatching(/only 1 vmstat sample.*--samples/),
    });
  });

  it("thresholds are overridable", () => {
    const ev = evidenceOf(probe("probe-iowait.txt"));
    // The iowait incident also has blocked tasks (8 on 2 CPUs): both limits must be raised for a pass.
    expect(run("host.iowait", ev, { "host.iowait.maxIowaitPercent": 40 }).messageId).toBe("blocked");
    expect(
      run("host.iowait", ev, { "host.iowait.maxIowaitPercent": 40, "host.iowait.maxBlockedPerCpu": 5 })
        .status,
    ).toBe("pass");
    expect(
      run("host.package-count", evidenceOf(probe("probe-healthy.txt")), {
        "host.package-count.maxPackages": 100,
      }).status,
    ).toBe("warn");
    expect(
      run("host.memory-available", evidenceOf(probe("probe-healthy.txt")), {
        "host.memory-available.minAvailableMiB": 2000,
      }).status,
    ).toBe("fail");
  });
});

describe("swap-used", () => {
  it("no swap configured is a pass that says so", () => {
    const f = run("host.swap-used", evidenceOf(probe("probe-healthy.txt")));
    expect(f).toMatchObject({ status: "pass", messageId: "no-swap" });
    expect(f.message).toMatch(/no swap configured/);
  });
  it("swap configured and unused passes", () => {
    const mi = fixture("probe-healthy.txt").match(/==> pypictl:meminfo <==\n([\s\S]*?)<== /)![1]!;
    const f = run(
      "host.swap-used",
      evidenceOf(
        edited(
          "probe-healthy.txt",
          "meminfo",
          mi
            .replace(/SwapTotal:\s+0 kB/, "SwapTotal:  1048572 kB")
            .replace(/SwapFree:\s+0 kB/, "SwapFree:  1048572 kB"),
        ),
      ),
    );
    expect(f).toMatchObject({ status: "pass", messageId: "unused", observed: { value: 0 } });
  });
  // The months-old spike: 750 MiB still in swap, but si/so are 0 in every judged sample. Nothing hurts now.
  const vmstatOf = (file: string) => fixture(file).match(/==> pypictl:vmstat <==\n([\s\S]*?)<== /)![1]!;
  const still = (file: string) => {
    const [group, header, ...rows] = vmstatOf(file).trimEnd().split("\n");
    const cols = header!.trim().split(/\s+/);
    const quiet = rows.map((r, i) =>
      i === 0
        ? r
        : r
            .trim()
            .split(/\s+/)
            .map((v, k) => (cols[k] === "si" || cols[k] === "so" ? "0" : v))
            .join(" "),
    );
    return [group, header, ...quiet].join("\n");
  };
  it("swap in use that does not move while watched passes, saying it was swapped out earlier", () => {
    const f = run(
      "host.swap-used",
      evidenceOf(edited("probe-swapping.txt", "vmstat", still("probe-swapping.txt"))),
    );
    expect(f).toMatchObject({ status: "pass", messageId: "parked", observed: { value: 750 } });
    expect(f.message).toMatch(
      /750 MiB of 1024 MiB swap in use but not moving \(si\/so 0 in all 4 one-second samples\)/,
    );
  });
  it("the since-boot first vmstat row does not count as moving", () => {
    // Only the first row (the average since boot) shows swapping: that is history, not now.
    const [group, header, first, ...rest] = still("probe-swapping.txt").split("\n");
    const cols = header!.trim().split(/\s+/);
    const busyFirst = first!
      .trim()
      .split(/\s+/)
      .map((v, k) => (cols[k] === "si" ? "950" : v))
      .join(" ");
    const f = run(
      "host.swap-used",
      evidenceOf(edited("probe-swapping.txt", "vmstat", [group, header, busyFirst, ...rest].join("\n"))),
    );
    expect(f.status).toBe("pass");
  });
  it("swap in use with one moving sample fails; the moving limit is a named threshold", () => {
    const [group, header, ...rows] = still("probe-swapping.txt").split("\n");
    const cols = header!.trim().split(/\s+/);
    rows[2] = rows[2]!
      .trim()
      .split(/\s+/)
      .map((v, k) => (cols[k] === "so" ? "64" : v))
      .join(" ");
    const ev = evidenceOf(edited("probe-swapping.txt", "vmstat", [group, header, ...rows].join("\n")));
    expect(run("host.swap-used", ev)).toMatchObject({
      status: "fail",
      messageId: "used",
      data: expect.objectContaining({ movingSamples: 1, soMax: 64 }),
    });
    expect(run("host.swap-used", ev, { "host.swap-used.maxSwapMovingKiBPerSecond": 100 }).status).toBe(
      "pass",
    );
  });
  it("swap in use without usable vmstat is an error naming both (never a pass on numbers not read)", () => {
    const f = run(
      "host.swap-used",
      evidenceOf(edited("probe-swapping.txt", "vmstat", "", "status=missing reason=no-command:vmstat")),
    );
    expect(f).toMatchObject({ status: "error" });
    expect(f.message).toMatch(
      /750 MiB of swap in use.*moving needs vmstat si\/so.*`vmstat` is not installed/,
    );
    // No swap at all needs no vmstat: that is still a pass.
    expect(
      run(
        "host.swap-used",
        evidenceOf(edited("probe-healthy.txt", "vmstat", "", "status=missing reason=no-command:vmstat")),
      ).status,
    ).toBe("pass");
  });
  it("falls back to free -m when /proc/meminfo is unreadable", () => {
    const f = run(
      "host.swap-used",
      evidenceOf(edited("probe-swapping.txt", "meminfo", "", "status=missing reason=no-file:/proc/meminfo")),
    );
    expect(f).toMatchObject({
      status: "fail",
      observed: { value: 750 },
      data: expect.objectContaining({ source: "free -m" }),
    });
  });
});

describe("package-count", () => {
  it("an absent directory is an error that says so (not a pass, not a zero)", () => {
    const f = run(
      "host.package-count",
      evidenceOf(
        edited(
          "probe-healthy.txt",
          "packages",
          "pypictl.dir=/data/packages\npypictl.dir_state=absent\n",
          "status=ok",
        ),
      ),
    );
    expect(f.status).toBe("error");
    expect(f.message).toMatch(/\/data\/packages does not exist.*--package-dir/);
  });
  it("an incomplete count: over the limit is still a warn (at least N), under is an error", () => {
    const over = run(
      "host.package-count",
      evidenceOf(
        edited(
          "probe-healthy.txt",
          "packages",
          "pypictl.dir_state=dir\npypictl.limit_seconds=20\npypictl.files=4200\npypictl.find_exit=124\n",
          "status=ok",
        ),
      ),
    );
    expect(over).toMatchObject({ status: "warn", message: expect.stringMatching(/at least 4200/) });
    const under = run(
      "host.package-count",
      evidenceOf(
        edited(
          "probe-healthy.txt",
          "packages",
          "pypictl.dir_state=dir\npypictl.limit_seconds=20\npypictl.files=312\npypictl.find_exit=124\n",
          "status=ok",
        ),
      ),
    );
    expect(under).toMatchObject({ status: "error", message: expect.stringMatching(/20 s limit/) });
  });
  it("unreadable and not-a-directory are errors", () => {
    expect(
      run(
        "host.package-count",
        evidenceOf(edited("probe-healthy.txt", "packages", "pypictl.dir_state=unreadable\n", "status=ok")),
      ).message,
    ).toMatch(/not readable/);
    expect(
      run(
        "host.package-count",
        evidenceOf(edited("probe-healthy.txt", "packages", "pypictl.dir_state=other\n", "status=ok")),
      ).message,
    ).toMatch(/not a directory/);
  });
  it("warn hints name the cached-dir backend and a CloudFront caching layer", () => {
    const f = run("host.package-count", evidenceOf(probe("probe-package-count.txt")));
    expect(f.observed).toEqual({ value: 1500, unit: "count" });
    expect(f.hints.join("\n")).toMatch(/CloudFront/);
    expect(f.hints.join("\n")).toMatch(/--backend cached-dir/);
  });
});

describe("efs-mount", () => {
  const ENTRY = fixture("efs-nfs41-healthy.mountstats");
  const withMount = (base: string, mount: string, after?: string) => {
    let out = withSection(fixture(base), "mount", mount);
    if (after !== undefined) out = withSection(out, "mount_after", after);
    return evidenceOf(parseProbeOutput("h1", out));
  };
  /** A v3 mount section judging one entry (default: the healthy EFS entry on /data/packages). */
  const v3 = (
    o: {
      entry?: string;
      role?: string;
      fsid?: string;
      state?: string;
      mode?: string;
      uptime?: string;
      extra?: string;
    } = {},
  ) =>
    [
      `pypictl.mode=${o.mode ?? "discover"}`,
      `pypictl.path_state=${o.state ?? "dir"}`,
      `pypictl.uptime=${o.uptime ?? "86400.00"}`,
      ...(o.extra ? [o.extra] : []),
      `pypictl.pick=efs`,
      `pypictl.entries=1`,
      `pypictl.entry=${o.fsid ?? "fs-0123456789abcdef0"} ${o.role ?? "data-path"}`,
      o.entry ?? ENTRY,
    ].join("\n");
  /** The second reading: `ops` per-op lines that changed (kernel format), 4 s later. */
  const after = (ops: string[], o: { device?: string; age?: string; uptime?: string } = {}) =>
    [
      `pypictl.uptime=${o.uptime ?? "86404.00"}`,
      "pypictl.entries=1",
      o.device ?? ENTRY.split("\n")[0]!,
      `\tage:\t${o.age ?? "86404"}`,
      "\tper-op statistics",
      ...ops,
    ].join("\n");
  // The fixture's GETATTR since mount: 48213 calls, 43392 ms RTT (0.9 ms each). LOOKUP: 31877, 38252 ms.
  const getattr = (calls: number, rttMs: number, retrans = 0) =>
    `\t     GETATTR: ${48213 + calls} ${48213 + calls + retrans} 0 8677440 11284072 37 ${43392 + rttMs} ${44081 + rttMs} 0`;
  const lookup = (calls: number, rttMs: number) =>
    `\t      LOOKUP: ${31877 + calls} ${31877 + calls} 0 6375400 7044816 21 ${38252 + rttMs} ${38907 + rttMs} 412`;

  describe("probe v3: the window between two mountstats readings", () => {
    it("an incident now shows even after months of healthy counters (since mount: 0.9 ms per GETATTR)", () => {
      const f = run(
        "host.efs-mount",
        withMount("probe-healthy.txt", v3(), after([getattr(40, 8400), lookup(20, 4100)])),
      );
      expect(f).toMatchObject({ status: "fail", messageId: "slow", observed: { value: 210, unit: "ms" } });
      expect(f.message).toMatch(
        /GETATTR took 210 ms per call \(210 ms round trip\) over 40 calls in the last 4 s \(fails above 100 ms/,
      );
      expect(f.hints.join("\n")).toMatch(/efs_throughput_mode/);
      // The same counters judged since mount would have passed: (43392 + 8400) / (48213 + 40) = 1.07 ms.
      expect((43392 + 8400) / (48213 + 40)).toBeLessThan(20);
    });
    it("between the warn and fail limits: warn; the limits are named thresholds", () => {
      const ev = withMount("probe-healthy.txt", v3(), after([getattr(40, 1600)]));
      expect(run("host.efs-mount", ev)).toMatchObject({
        status: "warn",
        data: expect.objectContaining({ op: "GETATTR", rttMs: 40, opsPerSecond: 10 }),
      });
      expect(run("host.efs-mount", ev, { "host.efs-mount.maxOpRttMs": 50 }).status).toBe("pass");
      expect(run("host.efs-mount", ev, { "host.efs-mount.failOpRttMs": 30 }).status).toBe("fail");
    });
    it("fewer calls than minWindowOps are not timed on their own (one slow call is noise)", () => {
      const ev = withMount("probe-healthy.txt", v3(), after([getattr(2, 400)]));
      expect(run("host.efs-mount", ev)).toMatchObject({ status: "pass", messageId: "ok-few" });
      expect(run("host.efs-mount", ev, { "host.efs-mount.minWindowOps": 1 }).status).toBe("fail");
    });
    it("retransmissions in the window warn; old ones (since mount) do not count", () => {
      expect(
        run("host.efs-mount", withMount("probe-healthy.txt", v3(), after([getattr(50, 100, 2)]))),
      ).toMatchObject({
        status: "warn",
        message: expect.stringMatching(/2 of 50 RPCs retransmitted \(4 %, limit 0\.1 %\) in the last 4 s/),
      });
      // The fixture's LOOKUP line has 412 errors and the iowait one retransmissions since mount: not now.
      expect(
        run("host.efs-mount", withMount("probe-healthy.txt", v3(), after([getattr(50, 100)]))).status,
      ).toBe("pass");
    });
    it("nothing finished in the window: a pass that points at blocked tasks for a hung server", () => {
      const f = run("host.efs-mount", withMount("probe-healthy.txt", v3(), after([])));
      expect(f).toMatchObject({ status: "pass", messageId: "idle" });
      expect(f.message).toMatch(/host\.iowait/);
    });
    it("no usable second reading is an error with the cause, never a pass on since-mount numbers", () => {
      const missing = run("host.efs-mount", withMount("probe-healthy.txt", v3(), ""));
      expect(missing.status).toBe("error");
      const noSection = parseProbeOutput(
        "h1",
        fixture("probe-healthy.txt").replace(
          /==> pypictl:mount_after <==[\s\S]*?mount_after status=ok exit=0 ==>\n/,
          "",
        ),
      );
      expect(run("host.efs-mount", evidenceOf(noSection))).toMatchObject({
        status: "error",
        message: expect.stringMatching(/mount_after/),
      });
      const remounted = run(
        "host.efs-mount",
        withMount("probe-healthy.txt", v3(), after([getattr(1, 1)], { age: "3" })),
      );
      expect(remounted).toMatchObject({
        status: "error",
        message: expect.stringMatching(/mounted again during the window/),
      });
      const clock = run(
        "host.efs-mount",
        withMount("probe-healthy.txt", v3(), after([getattr(1, 1)], { uptime: "86400.00" })),
      );
      expect(clock).toMatchObject({
        status: "error",
        message: expect.stringMatching(/clock did not advance/),
      });
    });
    it("the Terraform-module host: the ECS task volume through the efs-utils TLS tunnel passes", () => {
      const f = run("host.efs-mount", evidenceOf(probe("probe-module-host.txt")));
      expect(f).toMatchObject({ status: "pass", messageId: "ok" });
      expect(f.message).toMatch(
        /^task volume \/var\/lib\/ecs\/volumes\/ecs-pypiserver-3-packages-\w+ \(NFS 4\.1 from fs-0123456789abcdef0 through the efs-utils TLS tunnel\)/,
      );
      const count = run("host.package-count", evidenceOf(probe("probe-module-host.txt")));
      expect(count).toMatchObject({
        status: "pass",
        data: expect.objectContaining({
          files: 240,
          dir: expect.stringMatching(/^\/var\/lib\/ecs\/volumes\//),
        }),
      });
    });
    it("several judged mounts: the worst one decides and the message says how many", () => {
      const second = ENTRY.replace(
        "mounted on /data/packages",
        "mounted on /var/lib/ecs/volumes/ecs-pypiserver-3-packages-b1",
      );
      const mount = `${v3({ role: "task-volume" }).replace("pypictl.entries=1", "pypictl.entries=2")}\npypictl.entry=fs-0123456789abcdef0 task-volume\n${second}`;
      const a = after([getattr(40, 100)]);
      const b = after([getattr(40, 6000)], { device: second.split("\n")[0]! })
        .split("\n")
        .slice(2)
        .join("\n");
      const f = run(
        "host.efs-mount",
        withMount("probe-healthy.txt", mount, `${a.replace("pypictl.entries=1", "pypictl.entries=2")}\n${b}`),
      );
      expect(f).toMatchObject({ status: "fail" });
      expect(f.message).toMatch(/ecs-pypiserver-3-packages-b1 .*worst of 2 mounts judged/);
    });
  });

  describe("probe v3: finding the mount", () => {
    const none = (state: string, extra = "") =>
      withMount(
        "probe-healthy.txt",
        `pypictl.mode=discover\npypictl.path_state=${state}\n${extra}pypictl.uptime=1.00\npypictl.pick=none\npypictl.entries=0\n`,
        "pypictl.uptime=5.00\npypictl.entries=0\n",
      );
    it("a module host with no mount (no task here, or its mount failed): warn, and never 'mount it by hand'", () => {
      const f = run("host.efs-mount", none("absent"));
      expect(f).toMatchObject({ status: "warn", messageId: "no-mount" });
      expect(f.message).toMatch(/\/var\/lib\/ecs\/volumes\/.*only while a pypiserver task runs here/);
      const hints = f.hints.join("\n");
      expect(hints).not.toMatch(/mount -t|sudo mount|\/etc\/fstab/);
      expect(hints).toMatch(/docker ps|--only ecs/);
      expect(hints).toMatch(/fileSystemId/);
    });
    it("a mount point made at boot with nothing on it and no task volume either: fail", () => {
      const f = run("host.efs-mount", none("dir"));
      expect(f).toMatchObject({ status: "fail", messageId: "not-mounted-anywhere" });
      expect(f.hints.join("\n")).toMatch(/\/etc\/fstab.*cloud-init-output\.log/);
    });
    it("only another file system is mounted: warn naming both", () => {
      const f = run(
        "host.efs-mount",
        none(
          "absent",
          "pypictl.fsid=fs-0aaa1111\npypictl.nfs=fs-0bbb2222 host /mnt/other fs-0bbb2222.efs.us-east-1.amazonaws.com:/\n",
        ),
      );
      expect(f).toMatchObject({ status: "warn", messageId: "other-fs" });
      expect(f.message).toMatch(/no mount of fs-0aaa1111 .* fs-0bbb2222 on \/mnt\/other/);
    });
    it("--mount-path: absent or a regular file is an error naming the flag; an empty directory fails", () => {
      const path = (state: string) =>
        withMount(
          "probe-healthy.txt",
          `pypictl.mode=path\npypictl.path_state=${state}\npypictl.uptime=1.00\npypictl.pick=none\npypictl.entries=0\n`,
          "pypictl.uptime=5.00\npypictl.entries=0\n",
        );
      expect(run("host.efs-mount", path("absent"))).toMatchObject({
        status: "error",
        message: expect.stringMatching(/--mount-path \/data\/packages does not exist/),
      });
      expect(run("host.efs-mount", path("other"))).toMatchObject({
        status: "error",
        message: expect.stringMatching(/--mount-path \/data\/packages is not a directory/),
      });
      expect(run("host.efs-mount", path("dir"))).toMatchObject({ status: "fail", messageId: "not-mounted" });
    });
    it("--mount-path on a non-NFS file system: warn naming the fstype", () => {
      const mount = `pypictl.mode=path\npypictl.path_state=dir\npypictl.uptime=1.00\npypictl.pick=path\npypictl.entries=1\npypictl.entry=- data-path\ndevice /dev/nvme1n1 mounted on /data/packages with fstype xfs\n`;
      const f = run(
        "host.efs-mount",
        withMount(
          "probe-healthy.txt",
          mount,
          "pypictl.uptime=5.00\npypictl.entries=1\ndevice /dev/nvme1n1 mounted on /data/packages with fstype xfs\n",
        ),
      );
      expect(f).toMatchObject({
        status: "warn",
        messageId: "not-nfs",
        message: expect.stringMatching(/as xfs, not NFS/),
      });
    });
  });

  describe("older probes (one reading, the mount path only): judged since mount, and said so", () => {
    const legacy = (body: string) => {
      const out = fixture("probe-healthy.txt").replace(
        /==> pypictl:mount_after <==[\s\S]*?mount_after status=ok exit=0 ==>\n/,
        "",
      );
      return evidenceOf(parseProbeOutput("h1", withSection(out, "mount", body)));
    };
    it("absent path, empty directory, not a directory: fail", () => {
      expect(run("host.efs-mount", legacy("pypictl.path_state=absent\npypictl.entries=0\n"))).toMatchObject({
        status: "fail",
        messageId: "absent",
      });
      expect(run("host.efs-mount", legacy("pypictl.path_state=dir\npypictl.entries=0\n"))).toMatchObject({
        status: "fail",
        messageId: "not-mounted",
      });
      expect(run("host.efs-mount", legacy("pypictl.path_state=other\npypictl.entries=0\n"))).toMatchObject({
        status: "fail",
        messageId: "not-dir",
      });
    });
    it("healthy: pass with the slowest listing op, since mount", () => {
      const f = run("host.efs-mount", legacy(`pypictl.path_state=dir\npypictl.entries=1\n${ENTRY}`));
      // READDIR 4478 ms / 1544 calls = 2.9 ms is the slowest listing op in the fixture.
      expect(f).toMatchObject({
        status: "pass",
        messageId: "ok-since-mount",
        data: expect.objectContaining({ op: "READDIR", rttMs: 2.9, retransPercent: 0 }),
      });
      expect(f.message).toMatch(/since mount/);
    });
    it("slow or retransmitting since mount: warn with both problems and the advice to look again", () => {
      const iow = fixture("probe-iowait.txt").match(
        /(device fs-[\s\S]*?)\n==> |(device fs-[\s\S]*?)<== pypictl:mount /,
      )!;
      const entry = (iow[1] ?? iow[2]!).replace(/\n?<== pypictl:mount[\s\S]*$/, "");
      const f = run("host.efs-mount", legacy(`pypictl.path_state=dir\npypictl.entries=1\n${entry}`));
      expect(f.status).toBe("warn");
      expect(f.message).toMatch(
        /READ takes 120 ms mean round trip over 9120 calls since mount \(limit 20 ms\)/,
      );
      expect(f.message).toMatch(/RPCs retransmitted since mount \(0\.6\d? %, limit 0\.1 %\)/);
      expect(f.hints.join("\n")).toMatch(/timeo=600,retrans=2/);
      expect(f.hints.join("\n")).toMatch(/run the probe again/);
    });
    it("through the efs-utils TLS tunnel: named as such", () => {
      const f = run(
        "host.efs-mount",
        legacy(
          `pypictl.path_state=dir\npypictl.entries=1\n${ENTRY.replace(/^device \S+/, "device 127.0.0.1:/")}`,
        ),
      );
      expect(f.message).toMatch(/from EFS through the efs-utils TLS tunnel/);
    });
  });
});

describe("errors, never a pass", () => {
  it("a failed host.probe source makes every check an error (the runner)", () => {
    const ev: Evidence = { "host.probe": failed("timeout", "no answer within 95 s") };
    for (const id of IDS) expect(run(id, ev)).toMatchObject({ status: "error", messageId: "source-failed" });
  });
  it("a malformed value in a replayed bundle is an error naming the problem", () => {
    for (const value of [
      null,
      {},
      { hosts: "x" },
      { hosts: [1] },
      { hosts: [{ host: "a" }] },
      { hosts: [{ host: "a", ok: true }] },
    ]) {
      const ev: Evidence = { "host.probe": ok(value) };
      for (const id of IDS)
        expect(run(id, ev), `${id} ${JSON.stringify(value)}`).toMatchObject({
          status: "error",
          messageId: "bad-evidence",
        });
    }
    for (const id of IDS)
      expect(run(id, { "host.probe": ok({ hosts: [] }) })).toMatchObject({
        status: "error",
        messageId: "no-hosts",
      });
  });
  it("sections of the wrong shape are errors, not crashes", () => {
    const h = probe("probe-healthy.txt");
    if (!h.ok) throw new Error("fixture");
    const broken = JSON.parse(JSON.stringify(h)) as Record<string, unknown> & {
      snapshot: Record<string, unknown>;
    };
    for (const k of Object.keys(broken.snapshot))
      broken.snapshot[k] = { ok: true, value: { rows: "no", kB: 3, mem: null } };
    for (const id of IDS) {
      const f = run(id, { "host.probe": ok({ hosts: [broken] }) });
      expect(f.status, id).toBe("error");
      expect(f.message, id).toMatch(/unexpected shape|unusable|no /);
    }
  });
  it("each section missing gives the checks that read it an error naming it", () => {
    const missing = (section: string) =>
      evidenceOf(edited("probe-healthy.txt", section, "", `status=missing reason=no-command:${section}`));
    expect(run("host.iowait", missing("vmstat")).message).toMatch(
      /vmstat is unusable: vmstat: `vmstat` is not installed/,
    );
    expect(run("host.swap-activity", missing("vmstat")).status).toBe("error");
    expect(run("host.efs-mount", missing("mount")).status).toBe("error");
    expect(run("host.package-count", missing("packages")).status).toBe("error");
    // meminfo missing but free present: the memory checks fall back, still judged.
    expect(run("host.memory-available", missing("meminfo"))).toMatchObject({
      status: "pass",
      data: expect.objectContaining({ source: "free -m" }),
    });
    const both = parseProbeOutput(
      "h1",
      withSection(
        withSection(
          fixture("probe-healthy.txt"),
          "meminfo",
          "",
          "status=missing reason=no-file:/proc/meminfo",
        ),
        "free",
        "",
        "status=missing reason=no-command:free",
      ),
    );
    const f = run("host.memory-available", evidenceOf(both));
    expect(f.status).toBe("error");
    expect(f.message).toMatch(/\/proc\/meminfo.*free/);
  });
  it("MemAvailable absent (old kernel) is an error, not a pass", () => {
    const mi = fixture("probe-healthy.txt").match(/==> pypictl:meminfo <==\n([\s\S]*?)<== /)![1]!;
    const f = run(
      "host.memory-available",
      evidenceOf(edited("probe-healthy.txt", "meminfo", mi.replace(/^MemAvailable:.*\n/m, ""))),
    );
    expect(f).toMatchObject({ status: "error", messageId: "field-missing" });
    expect(f.message).toMatch(/MemAvailable/);
  });
});

describe("several hosts", () => {
  it("judges every host, status = worst, one resource per host, a parse failure is that host's error", () => {
    const ev = evidenceOf(
      probe("probe-healthy.txt", "i-0aaa"),
      probe("probe-swapping.txt", "i-0bbb"),
      parseProbeOutput("i-0ccc", "sh: vmstat: not found"),
      { host: "i-0ddd", ok: false, kind: "timeout", message: "SSM command TimedOut" },
    );
    const f = run("host.swap-activity", ev);
    expect(f.status).toBe("fail");
    expect(f.resources!.map((r) => [r.id, r.status])).toEqual([
      ["i-0aaa", "pass"],
      ["i-0bbb", "fail"],
      ["i-0ccc", "error"],
      ["i-0ddd", "error"],
    ]);
    expect(f.message).toMatch(/^4 hosts: 1 fail, 2 could not be evaluated, 1 pass\. Worst, i-0bbb: swapping/);
    expect(f.resources![3]!.message).toMatch(/timeout.*SSM command TimedOut/);
    expect(f.observed!.value).toBe(5022);
  });
  it("among equal statuses the worst value is shown", () => {
    const f = run(
      "host.memory-available",
      evidenceOf(probe("probe-healthy.txt", "a"), probe("probe-iowait.txt", "b")),
    );
    expect(f.status).toBe("pass");
    expect(f.data.worstHost).toBe("b");
  });
});
