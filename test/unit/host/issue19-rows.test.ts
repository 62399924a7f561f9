/**
 * Issue 19's host rows, each on a copy of a shipped probe fixture with the evidence edited the way the
 * kernel would print it (mountstats per-op fields per net/sunrpc/stats.c: ops ntrans timeouts bytes_sent
 * bytes_recv queue rtt execute errors; the `xprt: tcp` line: port bind_count connect_count connect_time
 * idle_time sends recvs bad_xids req_u bklog_u max_slots sending_u pending_u).
 */
import { describe, expect, it } from "vitest";
import { parseProbeOutput } from "../../../src/sources/host/parse.js";
import { evaluateCheck, limitsFor } from "../../../src/checks/runner.js";
import { HOST_CHECKS } from "../../../src/checks/host/index.js";
import type { Check, Finding } from "../../../src/checks/model.js";
import type { Evidence } from "../../../src/sources/model.js";
import { WINDOW, evidenceOf, fixture, withSection } from "./fixtures.js";

const byId = (id: string) => HOST_CHECKS.find((c: Check) => c.id === id)!;
function run(id: string, evidence: Evidence, overrides: Record<string, number> = {}): Finding {
  const c = byId(id);
  return evaluateCheck(c, evidence, limitsFor(c, overrides), WINDOW);
}

const ENTRY = fixture("efs-nfs41-healthy.mountstats");
const DEVICE = ENTRY.split("\n")[0]!;
/** The fixture's first-reading transport line: 115300 sends, 115300 receives. */
const XPRT = (sends: number, recvs: number) =>
  `\txprt:\ttcp 49876 1 1 0 12 ${sends} ${recvs} 0 481200 0 64 19201 38400`;

/** A probe v3 mount section judging the fixture's EFS entry as the task volume. */
const first = [
  "pypictl.mode=discover",
  "pypictl.path_state=dir",
  "pypictl.uptime=86400.00",
  "pypictl.pick=efs",
  "pypictl.entries=1",
  "pypictl.entry=fs-0123456789abcdef0 data-path",
  ENTRY,
].join("\n");

/** The second reading, 4 s later: the transport line and the per-op lines that changed. */
const after = (xprt: string, ops: string[]) =>
  [
    "pypictl.uptime=86404.00",
    "pypictl.entries=1",
    DEVICE,
    "\tage:\t86404",
    xprt,
    "\tper-op statistics",
    ...ops,
  ].join("\n");

/** probe-healthy.txt with the mount readings, blocked-task samples and (probe v4) gunicorn's processes. */
function host(
  o: { after?: string; blocked?: string; nproc?: number; gunicorn?: [number, number]; vmstat?: string } = {},
) {
  let out = fixture("probe-healthy.txt");
  out = withSection(out, "mount", first);
  out = withSection(out, "mount_after", o.after ?? after(XPRT(115300, 115300), []));
  if (o.blocked) out = withSection(out, "blocked", `pypictl.samples=${o.blocked}`);
  if (o.nproc) out = withSection(out, "nproc", String(o.nproc));
  if (o.vmstat) out = withSection(out, "vmstat", o.vmstat);
  if (o.gunicorn)
    out += `==> pypictl:procs <==\npypictl.gunicorn=${o.gunicorn[0]} ${o.gunicorn[1]}\n<== pypictl:procs status=ok ==>\n==> pypictl:oom <==\npypictl.cgroup=v2\n<== pypictl:oom status=ok ==>\n`;
  const r = parseProbeOutput("i-0a1b2c3d4e5f60718", out);
  if (!r.ok) throw new Error(r.message);
  return evidenceOf(r);
}

describe("host rows of issue 19", () => {
  it("4 gunicorn workers in NFS wait every sample on an 8-vCPU host, mountstats frozen: iowait and efs-mount fail", () => {
    // 4 workers (+1 arbiter) in state D with wchan rpc_wait_bit_killable in each of 5 samples; iowait 0 %.
    const ev = host({ blocked: "4/4 4/4 4/4 4/4 4/4", nproc: 8, gunicorn: [5, 4] });
    const io = run("host.iowait", ev);
    expect(io).toMatchObject({ status: "fail", messageId: "nfs-workers" });
    expect(io.message).toMatch(/4 threads waiting on NFS on average against 4 gunicorn workers on the host/);
    const mount = run("host.efs-mount", ev);
    expect(mount).toMatchObject({ status: "fail", messageId: "hung" });
    expect(mount.message).toMatch(/waited in the NFS client in every one of 5 samples/);
  });

  it("the same host with its NFS waits judged per CPU (no workers found, older probe) would pass iowait: 4 < 8", () => {
    const ev = host({ blocked: "4/4 4/4 4/4 4/4 4/4", nproc: 8 });
    expect(run("host.iowait", ev).status).toBe("pass");
    // efs-mount still sees the frozen counters with waiters in every sample.
    expect(run("host.efs-mount", ev).status).toBe("fail");
  });

  it("transport sends growing while no operation completes: efs-mount fails as hung", () => {
    const ev = host({ after: after(XPRT(115340, 115300), []) });
    const f = run("host.efs-mount", ev);
    expect(f).toMatchObject({ status: "fail", messageId: "hung", data: { sends: 40 } });
    expect(f.message).toMatch(/the transport sent 40 request\(s\)/);
  });

  it("100 GETATTRs at 3 ms RTT but 800 ms queued each: not a pass", () => {
    // Since mount: GETATTR 48213 calls, queue 37 ms, rtt 43392 ms, execute 44081 ms.
    const getattr = `\t     GETATTR: ${48213 + 100} ${48213 + 100} 0 8677440 11284072 ${37 + 80_000} ${43392 + 300} ${44081 + 80_350} 0`;
    const f = run("host.efs-mount", host({ after: after(XPRT(115400, 115400), [getattr]) }));
    expect(f).toMatchObject({ status: "fail", messageId: "slow", observed: { value: 803.5, unit: "ms" } });
    expect(f.message).toMatch(
      /GETATTR took 803.5 ms per call \(3 ms round trip, 800 ms queued for a transport slot\)/,
    );
  });

  it("a healthy busy mount with a worker caught in NFS wait now and then passes both", () => {
    const getattr = `\t     GETATTR: ${48213 + 400} ${48213 + 400} 0 8677440 11284072 ${37 + 40} ${43392 + 1000} ${44081 + 1100} 0`;
    const ev = host({
      after: after(XPRT(115700, 115700), [getattr]),
      blocked: "0/0 1/1 0/0 2/1 0/0",
      nproc: 2,
      gunicorn: [3, 2],
    });
    expect(run("host.efs-mount", ev).status).toBe("pass");
    expect(run("host.iowait", ev).status).toBe("pass");
  });

  it("a single si = 4 KiB/s sample with 700 MiB parked swap passes both swap checks", () => {
    // A module host (2×RAM swapfile) with 700 MiB parked: one page-in of an idle process in the window.
    const vm = [
      "--procs-- -----------------------memory---------------------- ---swap-- -----io---- -system-- --------cpu--------",
      "   r    b         swpd         free         buff        cache   si   so    bi    bo   in   cs  us  sy  id  wa  st",
      "   0    0       716800       412300         2124       988012    3    9    12    21  190  350   3   1  95   1   0",
      "   0    0       716800       412300         2124       988012    0    0     0    16  210  390   4   2  94   0   0",
      "   0    0       716796       412296         2124       988012    4    0     4    16  210  390   6   2  91   1   0",
      "   0    0       716796       412296         2124       988012    0    0     0    16  210  390   3   2  95   0   0",
      "   0    0       716796       412296         2124       988012    0    0     0    16  210  390   5   2  93   0   0",
    ].join("\n");
    let out = withSection(fixture("probe-healthy.txt"), "vmstat", vm);
    out = out
      .replace(/^SwapTotal:.*$/m, "SwapTotal:       1953788 kB")
      .replace(/^SwapFree:.*$/m, "SwapFree:        1236988 kB");
    const r = parseProbeOutput("i-0a1b2c3d4e5f60718", out);
    if (!r.ok) throw new Error(r.message);
    const ev = evidenceOf(r);
    const used = run("host.swap-used", ev);
    expect(used).toMatchObject({ status: "pass", messageId: "parked-page-in", data: { usedMiB: 700 } });
    expect(run("host.swap-activity", ev)).toMatchObject({ status: "pass", messageId: "page-in" });
  });

  it("swap-in sustained for 3 s, or any swap-out, fails", () => {
    const rows = (si: number[], so: number[]) =>
      [
        "--procs-- -----------------------memory---------------------- ---swap-- -----io---- -system-- --------cpu--------",
        "   r    b         swpd         free         buff        cache   si   so    bi    bo   in   cs  us  sy  id  wa  st",
        "   0    0       716800       412300         2124       988012    3    9    12    21  190  350   3   1  95   1   0",
        ...si.map(
          (v, i) =>
            `   0    0       716800       412300         2124       988012 ${String(v).padStart(4)} ${String(so[i]).padStart(4)}     0    16  210  390   4   2  94   0   0`,
        ),
      ].join("\n");
    const judge = (si: number[], so: number[]) => {
      const r = parseProbeOutput("h", withSection(fixture("probe-healthy.txt"), "vmstat", rows(si, so)));
      if (!r.ok) throw new Error(r.message);
      return run("host.swap-activity", evidenceOf(r)).status;
    };
    expect(judge([120, 340, 96, 0], [0, 0, 0, 0])).toBe("fail");
    expect(judge([0, 0, 0, 0], [0, 64, 0, 0])).toBe("fail");
    expect(judge([120, 0, 96, 0], [0, 0, 0, 0])).toBe("pass");
  });
});
