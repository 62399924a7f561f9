import { describe, expect, it } from "vitest";
import {
  parseFree,
  parseLoadavg,
  parseMeminfo,
  parseMountSection,
  parseMountstatsEntry,
  parseNproc,
  parsePackages,
  parseProbeOutput,
  parseVmstat,
  splitSections,
  unescapeMountPath,
} from "../../../src/sources/host/parse.js";
import { fixture, withSection } from "./fixtures.js";

const value = <T>(p: { ok: true; value: T } | { ok: false; error: string }): T => {
  if (!p.ok) throw new Error(`expected ok, got error: ${p.error}`);
  return p.value;
};
const error = (p: { ok: boolean; error?: string }): string => {
  if (p.ok) throw new Error("expected an error");
  return p.error!;
};

describe("vmstat", () => {
  it("parses real procps-ng output from this machine (classic and wide)", () => {
    for (const f of ["real-vmstat.txt", "real-vmstat-wide.txt"]) {
      const v = value(parseVmstat(fixture(f)));
      expect(v.columns).toEqual(
        expect.arrayContaining(["r", "b", "swpd", "free", "si", "so", "us", "sy", "id", "wa"]),
      );
      const dataLines = fixture(f).trim().split("\n").slice(2);
      expect(v.rows).toHaveLength(dataLines.length);
      // The values are the ones printed, column by column.
      const first = dataLines[0]!.trim().split(/\s+/).map(Number);
      expect(v.columns.map((c) => v.rows[0]![c])).toEqual(first);
    }
  });
  it("real output with more samples than a screen: the header repeats and is skipped", () => {
    const v = value(parseVmstat(fixture("real-vmstat-wide-26.txt")));
    expect(v.rows).toHaveLength(26);
    expect(v.columns).toContain("gu");
  });
  it("keeps the since-boot row first", () => {
    const v = value(parseVmstat(withSectionBody(fixture("probe-swapping.txt"), "vmstat")));
    expect(v.rows[0]).toMatchObject({ si: 310, so: 420, wa: 21 });
    expect(v.rows.slice(1).map((r) => r.wa)).toEqual([84, 86, 82, 84]);
  });
  it("accepts a repeated identical header, refuses malformed rows", () => {
    const t = fixture("real-vmstat.txt").trim().split("\n");
    expect(value(parseVmstat([...t, t[1]!, t[2]!].join("\n"))).rows).toHaveLength(t.length - 1);
    expect(error(parseVmstat(""))).toMatch(/no column header/);
    expect(error(parseVmstat(t.slice(0, 2).join("\n")))).toMatch(/no samples/);
    expect(error(parseVmstat([t[0], t[2], t[1]].join("\n")))).toMatch(/before the column header/);
    expect(error(parseVmstat([t[0], t[1], t[2]!.slice(0, 30)].join("\n")))).toMatch(
      /values but the header has/,
    );
    expect(error(parseVmstat([t[0], t[1]!.replace(" wa", " xx"), t[2]].join("\n")))).toMatch(
      /lacks column\(s\) wa/,
    );
    expect(error(parseVmstat([t[0], t[1], "vmstat: command not found"].join("\n")))).toMatch(
      /neither a header nor a sample/,
    );
  });
});

function withSectionBody(stdout: string, name: string): string {
  const s = splitSections(stdout).get(name);
  if (!s) throw new Error(`no ${name}`);
  return s.body;
}

describe("free -m", () => {
  it("parses real output from this machine", () => {
    const f = value(parseFree(fixture("real-free-m.txt")));
    const mem = fixture("real-free-m.txt").split("\n")[1]!.trim().split(/\s+/);
    expect(f.mem).toEqual({
      total: Number(mem[1]),
      used: Number(mem[2]),
      free: Number(mem[3]),
      available: Number(mem[6]),
    });
    expect(f.swap).toBeDefined();
  });
  it("parses the old layout without an available column", () => {
    const old = `             total       used       free     shared    buffers     cached\nMem:           992        915         76          0         12        100\n-/+ buffers/cache:        802        189\nSwap:         1023        750        273\n`;
    expect(value(parseFree(old))).toEqual({
      mem: { total: 992, used: 915, free: 76 },
      swap: { total: 1023, used: 750, free: 273 },
    });
  });
  it("refuses garbage", () => {
    expect(error(parseFree(""))).toMatch(/no header/);
    expect(error(parseFree("              total        used\nMem: 1 x\n"))).toMatch(/non-number/);
  });
});

describe("/proc/meminfo", () => {
  it("parses this machine's /proc/meminfo", () => {
    const text = fixture("real-meminfo.txt");
    const m = value(parseMeminfo(text));
    const total = Number(/^MemTotal:\s+(\d+) kB$/m.exec(text)![1]);
    expect(m.kB.MemTotal).toBe(total);
    expect(m.kB.HugePages_Total).toBe(0);
    expect(Object.keys(m.kB)).toHaveLength(text.trim().split("\n").length);
  });
  it("refuses cut-off lines, duplicates and text without MemTotal", () => {
    expect(error(parseMeminfo("MemTotal:  1000 kB\nMemAvailable:   24"))).toMatch(/no kB unit/);
    expect(error(parseMeminfo("MemTotal:  1000 kB\nMemAvail"))).toMatch(/not "Name: value kB"/);
    expect(error(parseMeminfo("MemTotal:  1000 kB\nMemTotal:  1000 kB"))).toMatch(/twice/);
    expect(error(parseMeminfo("MemFree:  1000 kB"))).toMatch(/no MemTotal/);
    expect(error(parseMeminfo(""))).toMatch(/empty/);
  });
});

describe("loadavg and nproc", () => {
  it("parses this machine's /proc/loadavg", () => {
    const l = value(parseLoadavg(fixture("real-loadavg.txt")));
    expect(l.one).toBeGreaterThanOrEqual(0);
    expect(l.total).toBeGreaterThan(0);
  });
  it("refuses garbage", () => {
    expect(error(parseLoadavg("high"))).toMatch(/expected/);
    expect(value(parseNproc("2\n"))).toBe(2);
    expect(error(parseNproc("0"))).toMatch(/whole number/);
    expect(error(parseNproc(""))).toMatch(/whole number/);
  });
});

describe("mountstats (EFS, NFSv4.1, real kernel format)", () => {
  it("parses the entry: device, opts, xprt and every per-op line", () => {
    const e = value(parseMountstatsEntry(fixture("efs-nfs41-healthy.mountstats")));
    expect(e).toMatchObject({
      device: "fs-0123456789abcdef0.efs.us-east-1.amazonaws.com:/",
      mountPoint: "/data/packages",
      fstype: "nfs4",
      nfs: true,
      statvers: "1.1",
      nfsVersion: "4.1",
      ageSeconds: 86400,
      xprt: { protocol: "tcp", connectCount: 1, sends: 115300, receives: 115300, badXids: 0 },
    });
    expect(e.opts).toMatchObject({
      vers: "4.1",
      hard: "",
      noresvport: "",
      timeo: "600",
      retrans: "2",
      proto: "tcp",
    });
    expect(Object.keys(e.ops!)).toHaveLength(69);
    expect(e.ops!.GETATTR).toEqual({
      ops: 48213,
      transmissions: 48213,
      timeouts: 0,
      bytesSent: 8677440,
      bytesReceived: 11284072,
      queueMs: 37,
      rttMs: 43392,
      executeMs: 44081,
      errors: 0,
    });
    expect(e.ops!.LOOKUP!.errors).toBe(412);
  });
  it("reads retransmissions from the slow fixture", () => {
    const e = value(parseMountstatsEntry(fixture("efs-nfs41-slow.mountstats")));
    expect(e.ops!.GETATTR!.transmissions - e.ops!.GETATTR!.ops).toBe(127);
    expect(e.xprt!.connectCount).toBe(3);
  });
  it("parses 8-column per-op lines of older kernels and sums nconnect xprt lines", () => {
    const t = fixture("efs-nfs41-healthy.mountstats")
      .replace(/^(\s+[A-Z_]+: (?:\d+ ){7}\d+) \d+$/gm, "$1")
      .replace(/^(\txprt:.*)$/m, "$1\n$1");
    const e = value(parseMountstatsEntry(t));
    expect(e.ops!.READ!.errors).toBeUndefined();
    expect(e.xprt!.sends).toBe(230600);
  });
  it("a non-NFS mount is an entry without ops", () => {
    expect(
      value(parseMountstatsEntry("device /dev/nvme1n1 mounted on /data/packages with fstype xfs")),
    ).toEqual({
      device: "/dev/nvme1n1",
      mountPoint: "/data/packages",
      fstype: "xfs",
      nfs: false,
    });
  });
  it("unescapes paths the way the kernel escapes them", () => {
    expect(unescapeMountPath("/data/my\\040packages\\134x")).toBe("/data/my packages\\x");
  });
  it("refuses malformed entries", () => {
    const t = fixture("efs-nfs41-healthy.mountstats");
    expect(error(parseMountstatsEntry(""))).toMatch(/empty/);
    expect(error(parseMountstatsEntry("mounted somewhere"))).toMatch(/does not start with "device/);
    expect(error(parseMountstatsEntry(t.replace(/\tper-op statistics[\s\S]*$/, "")))).toMatch(
      /no per-op statistics/,
    );
    expect(error(parseMountstatsEntry(t.replace("GETATTR: 48213 48213", "GETATTR: 48213 x")))).toMatch(
      /per-op line/,
    );
    expect(error(parseMountstatsEntry(t.replace(" statvers=1.1", "")))).toMatch(/without statvers/);
    // …but a probe-truncated entry may end in a cut line.
    const cut = t.slice(0, t.indexOf("GETATTR") + 12);
    expect(value(parseMountstatsEntry(cut, true)).truncated).toBe(true);
  });
  it("the mount section: path state, no entry, one entry", () => {
    expect(value(parseMountSection("pypictl.path_state=absent\npypictl.entries=0\n"))).toEqual({
      path: "",
      pathState: "absent",
    });
    const m = value(
      parseMountSection(
        `pypictl.path_state=dir\npypictl.entries=1\n${fixture("efs-nfs41-healthy.mountstats")}`,
      ),
    );
    expect(m.path).toBe("/data/packages");
    expect(m.entry!.nfs).toBe(true);
    expect(error(parseMountSection("pypictl.path_state=dir\n"))).toMatch(/entries= line/);
    expect(error(parseMountSection("pypictl.entries=0\n"))).toMatch(/path_state/);
  });
});

describe("package count", () => {
  it("complete, bounded, absent", () => {
    expect(
      value(
        parsePackages(
          "pypictl.dir_state=dir\npypictl.limit_seconds=20\npypictl.files=1500\npypictl.find_exit=0\n",
        ),
      ),
    ).toEqual({
      dir: "",
      dirState: "dir",
      files: 1500,
      complete: true,
      limitSeconds: 20,
    });
    expect(
      value(
        parsePackages(
          "pypictl.dir_state=dir\npypictl.limit_seconds=20\npypictl.files=812\npypictl.find_exit=124\n",
        ),
      ).complete,
    ).toBe(false);
    expect(value(parsePackages("pypictl.dir_state=absent\n"))).toMatchObject({
      dirState: "absent",
      complete: true,
      files: 0,
    });
    expect(error(parsePackages("pypictl.dir_state=dir\n"))).toMatch(/did not finish/);
    expect(error(parsePackages("1500\n"))).toMatch(/unexpected line/);
  });
});

describe("parseProbeOutput", () => {
  it("parses this machine's full probe output", () => {
    const r = parseProbeOutput("vm", fixture("real-probe.txt"));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    for (const [name, s] of Object.entries(r.snapshot))
      expect(s.ok, `${name}: ${s.ok ? "" : s.error}`).toBe(true);
    expect(r.raw).toBe(fixture("real-probe.txt"));
  });
  it("parses every incident fixture with every section ok", () => {
    for (const f of [
      "probe-healthy.txt",
      "probe-swapping.txt",
      "probe-low-memory.txt",
      "probe-iowait.txt",
      "probe-package-count.txt",
      "probe-module-host.txt",
      "probe-efs-slow-now.txt",
    ]) {
      const r = parseProbeOutput("h", fixture(f));
      if (!r.ok) throw new Error(`${f}: ${r.message}`);
      for (const [name, s] of Object.entries(r.snapshot))
        expect(s.ok, `${f} ${name}: ${s.ok ? "" : s.error}`).toBe(true);
      // Packages are counted where the judged mount is (the task volume on the module host).
      const mount = r.snapshot.mount.ok ? r.snapshot.mount.value.judged?.[0] : undefined;
      expect(r.snapshot.packages.ok && r.snapshot.packages.value.dir).toBe(mount?.mountPoint);
      expect(mount?.window, f).toMatchObject({ seconds: expect.any(Number) });
    }
    const none = parseProbeOutput("h", fixture("probe-efs-missing.txt"));
    expect(none.ok && none.snapshot.packages).toEqual({
      ok: true,
      value: { dir: "", dirState: "none", files: 0, complete: true },
    });
  });
  it("reports a missing tool as missing, not as zero", () => {
    const out = withSection(
      fixture("probe-healthy.txt"),
      "vmstat",
      "",
      "status=missing reason=no-command:vmstat",
    );
    const r = parseProbeOutput("h", out);
    expect(r.ok && r.snapshot.vmstat).toEqual({
      ok: false,
      missing: true,
      error: "vmstat: `vmstat` is not installed on the host",
    });
    const r2 = parseProbeOutput(
      "h",
      withSection(out, "meminfo", "", "status=missing reason=no-file:/proc/meminfo"),
    );
    expect(r2.ok && r2.snapshot.meminfo).toMatchObject({
      ok: false,
      missing: true,
      error: expect.stringMatching(/\/proc\/meminfo does not exist/),
    });
  });
  it("reports a failed command with its exit code", () => {
    const r = parseProbeOutput(
      "h",
      withSection(fixture("probe-healthy.txt"), "free", "free: bad option", "status=failed exit=2"),
    );
    expect(r.ok && r.snapshot.free).toMatchObject({ ok: false, error: expect.stringMatching(/exit 2/) });
  });
  it("a cut-off output: the cut section and the ones after are errors that say so", () => {
    const text = fixture("probe-healthy.txt");
    const cut = text.slice(0, text.indexOf("Committed_AS"));
    const r = parseProbeOutput("h", cut, { truncated: true });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.truncated).toBe(true);
    expect(r.snapshot.vmstat.ok).toBe(true);
    expect(r.snapshot.meminfo).toMatchObject({ ok: false, error: expect.stringMatching(/cut off.*24,000/) });
    // The first mountstats reading comes before the cut; the count after it.
    expect(r.snapshot.mount.ok).toBe(true);
    expect(r.snapshot.packages).toMatchObject({
      ok: false,
      error: expect.stringMatching(/not in the output/),
    });
    const r2 = parseProbeOutput("h", cut);
    expect(r2.ok && r2.snapshot.meminfo).toMatchObject({
      ok: false,
      error: expect.stringMatching(/no end marker/),
    });
  });
  it("no markers at all is a failed host, not an empty snapshot", () => {
    expect(parseProbeOutput("h", "")).toMatchObject({
      ok: false,
      kind: "malformed",
      message: "the probe printed nothing",
    });
    expect(parseProbeOutput("h", "sh: 1: syntax error")).toMatchObject({
      ok: false,
      kind: "malformed",
      message: expect.stringMatching(/no pypictl section markers/),
    });
  });
});
