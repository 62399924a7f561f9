/**
 * Issue 19 row "4 busy task-volume mounts on one host" (the heavy profile runs 6–12 tasks per host, FACTS §2):
 * the real probe script (sh + awk) over a fake /proc whose mountstats has four amazon-efs-utils TLS mounts
 * under /var/lib/ecs/volumes/ (the ECS volume plugin's path, amazon-ecs-agent ecs-init/volumes), all busy in
 * the window. Each mount's second reading has its own budget, so every mount is judged; a shared budget cut
 * the reading and left the busiest hosts as ERROR "second reading cut".
 *
 * Kernel facts: mountstats per-op fields are `ops ntrans timeouts bytes_sent bytes_recv queue rtt execute
 * errors` (net/sunrpc/stats.c, rpc_clnt_show_stats); counters are cumulative since mount and tallied per
 * completed RPC. TLS mounts show device `127.0.0.1:/` with the stunnel `port=` option
 * (fs/nfs/super.c nfs_show_mount_options); efs-utils names its state files `<fs-id>.<mount point>.<port>`.
 */
import { execFileSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  MAX_JUDGED_MOUNTS,
  MOUNTSTATS_AFTER_MAX_CHARS_PER_MOUNT,
  PROBE_OUTPUT_LIMIT,
  buildProbeScript,
} from "../../../src/sources/host/probe-script.js";
import { parseProbeOutput, splitSections } from "../../../src/sources/host/parse.js";
import { evaluateCheck, limitsFor } from "../../../src/checks/runner.js";
import { HOST_CHECKS } from "../../../src/checks/host/index.js";
import { WINDOW, evidenceOf, fixture } from "./fixtures.js";

const tmp = mkdtempSync(join(tmpdir(), "pypictl-busy-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const FS = "fs-0123456789abcdef0";
const PORTS = [20049, 20050, 20051, 20052];
const mountPoint = (k: number) =>
  `/var/lib/ecs/volumes/ecs-pypiserver-7-packages-${"a8c4e2f0b1d9e6a7b80"}${k}`;

/** The fixture's entry as a TLS task-volume mount, its non-zero op counters scaled by `grow` (0 = as is). */
function entry(k: number, grow: number): string {
  return fixture("efs-nfs41-healthy.mountstats")
    .replace(
      `device ${FS}.efs.us-east-1.amazonaws.com:/ mounted on /data/packages`,
      `device 127.0.0.1:/ mounted on ${mountPoint(k)}`,
    )
    .replace("local_lock=none", `local_lock=none,port=${PORTS[k]}`)
    .replace(/^(\s+[A-Z_]+: )(\d+) (\d+) 0 (\d+) (\d+) (\d+) (\d+) (\d+) (\d+)$/gm, (line, head, ...v) => {
      const [ops, trans, sent, recv, queue, rtt, exec, errors] = v.slice(0, 8).map(Number) as number[];
      if (!grow || ops === 0) return line;
      // In the window each op ran `grow` × 1 % more calls at its since-mount average costs (a 3 ms RTT).
      const d = Math.max(1, Math.round(ops! * 0.01 * grow));
      const per = (x: number) => Math.round((x / ops!) * d);
      return `${head}${ops! + d} ${trans! + d} 0 ${sent! + per(sent!)} ${recv! + per(recv!)} ${queue! + per(queue!)} ${rtt! + per(rtt!)} ${exec! + per(exec!)} ${errors}`;
    })
    .replace(
      /xprt:\ttcp (\d+) 1 1 0 12 115300 115300/,
      (_m, p) => `xprt:\ttcp ${p} 1 1 0 12 ${115300 + grow * 1500} ${115300 + grow * 1500}`,
    )
    .replace(/^(\s+)(WRITE|COMMIT|SETATTR|CREATE|RENAME|REMOVE): 0 0 0 0 0 0 0 0 0$/gm, (line, pad, op) =>
      // Uploads in the window: these ops moved from zero (printed in the second reading only).
      grow ? `${pad}${op}: 12 12 0 ${op === "WRITE" ? 25165824 : 2400} 1800 1 40 42 0` : line,
    );
}

/**
 * Run the real probe over a fake /proc whose mountstats is `before` until vmstat runs (the shim swaps in
 * `after` and moves the clock 5 s), with `vmstatRows` as vmstat's output.
 */
function probeRun(name: string, before: string, after: string, vmstatRows?: string[], samples = 5): string {
  const proc = join(tmp, name);
  mkdirSync(join(proc, "self"), { recursive: true });
  mkdirSync(join(proc, "1", "task", "1"), { recursive: true });
  writeFileSync(join(proc, "1", "task", "1", "stat"), "1 (systemd) S 0 1 1 0 -1 4194560 0 0 0 0\n");
  writeFileSync(join(proc, "meminfo"), fixture("real-meminfo.txt"));
  writeFileSync(join(proc, "loadavg"), fixture("real-loadavg.txt"));
  const root = "device /dev/nvme0n1p1 mounted on / with fstype xfs\n";
  writeFileSync(join(proc, "self", "mountstats"), root + before);
  writeFileSync(join(proc, "self", "mountstats.after"), root + after);
  writeFileSync(join(proc, "uptime"), "86400.00 1000.00\n");
  const state = join(tmp, `${name}-efs-state`);
  mkdirSync(state, { recursive: true });
  for (const [k, port] of PORTS.entries())
    writeFileSync(join(state, `${FS}${mountPoint(k).replace(/\//g, ".")}.${port}`), "{}");
  // vmstat shim: the window passes (uptime + 5 s) and the busy counters are swapped in.
  const bin = join(tmp, `${name}-bin`);
  mkdirSync(bin, { recursive: true });
  writeFileSync(
    join(bin, "vmstat"),
    [
      "#!/bin/sh",
      `cp ${join(proc, "self", "mountstats.after")} ${join(proc, "self", "mountstats")}`,
      `echo "86405.00 1000.00" > ${join(proc, "uptime")}`,
      '[ "$2" = 1 ] && [ "$3" = 1 ] && exit 0',
      `printf '%s\\n' "${(vmstatRows ?? fixture("real-vmstat.txt").trimEnd().split("\n").slice(0, 7)).join("\\n")}"`,
    ].join("\n"),
  );
  chmodSync(join(bin, "vmstat"), 0o755);
  writeFileSync(join(bin, "sleep"), "#!/bin/sh\n:\n");
  chmodSync(join(bin, "sleep"), 0o755);
  const script = buildProbeScript({
    samples,
    mountPath: "/data/packages",
    discover: true,
    fileSystemId: FS,
    procDir: proc,
    efsStateDir: state,
    packageDir: join(tmp, "none"),
  });
  return execFileSync("sh", ["-s"], {
    input: script,
    env: { ...process.env, PATH: `${bin}:${process.env.PATH}` },
    cwd: tmp,
    encoding: "utf8",
    timeout: 60_000,
  });
}

describe("host.efs-mount on a host with 4 busy task-volume mounts", () => {
  it("judges every mount from the real probe's output: none ERROR 'second reading cut'", () => {
    const four = (grow: number) => [0, 1, 2, 3].map((k) => entry(k, grow)).join("");
    const out = probeRun("busy", four(0), four(3));
    const after = splitSections(out).get("mount_after")!.body;
    // The four readings together are above the old shared 3,000-character budget; each fits its own.
    expect(after.length).toBeGreaterThan(3_000);
    expect(after).not.toMatch(/pypictl\.(cut|truncated)=/);
    expect(after).toMatch(/pypictl\.entries=4/);
    for (const e of after.split(/^device /m).slice(1))
      expect(e.length).toBeLessThanOrEqual(MOUNTSTATS_AFTER_MAX_CHARS_PER_MOUNT);

    const r = parseProbeOutput("i-0a1b2c3d4e5f60718", out);
    if (!r.ok) throw new Error(r.message);
    const judged = r.snapshot.mount.ok ? r.snapshot.mount.value.judged! : [];
    expect(judged.map((j) => j.mountPoint)).toEqual([0, 1, 2, 3].map(mountPoint));
    for (const j of judged) {
      expect(j.windowError).toBeUndefined();
      expect(j.window?.ops.GETATTR?.ops).toBe(Math.round(48213 * 0.03));
      expect(j.window?.ops.WRITE?.ops).toBe(12);
    }
    const check = HOST_CHECKS.find((c) => c.id === "host.efs-mount")!;
    const f = evaluateCheck(check, evidenceOf(r), limitsFor(check, {}), WINDOW);
    expect(f.status, f.message).toBe("pass");
    expect(f.message).not.toMatch(/second reading|cut/);
  }, 90_000);

  it(`stays under ${PROBE_OUTPUT_LIMIT} characters with ${MAX_JUDGED_MOUNTS} judged mounts each over its own budget`, () => {
    // The worst case of the per-mount budget: four entries that fit the first reading, each with every one
    // of 200 ops moving in the window (each second reading hits its budget), 60 wide vmstat samples with
    // big numbers.
    const ops = (n: number) =>
      Array.from(
        { length: 200 },
        (_, i) => `\t${`OP_${i}`.padStart(12)}: ${n} ${n} 0 ${n} ${n} ${n} ${n} ${n} 0`,
      ).join("\n");
    const withOps = (k: number, block: string) =>
      entry(k, 0).replace(/\tper-op statistics[\s\S]*$/, `\tper-op statistics\n${block}\n`);
    const before = [0, 1, 2, 3]
      .map((k) =>
        withOps(
          k,
          ops(0)
            .split("\n")
            .slice(0, 12)
            .join("\n")
            .replace(/: 0 0 0/g, ": 1 1 0"),
        ),
      )
      .join("");
    const after = [0, 1, 2, 3].map((k) => withOps(k, ops(99999999999))).join("");
    const row =
      "  999  999 999999999999 999999999999 999999999999 999999999999 99999 99999 999999 999999 99999 99999 100 100 100 100 100 100";
    const vm = [
      "--procs-- -----------------------memory---------------------- ---swap-- -----io---- -system-- ----------cpu----------",
      "   r    b         swpd         free         buff        cache   si   so    bi    bo   in   cs  us  sy  id  wa  st  gu",
      ...Array.from({ length: 60 }, () => row),
    ];
    const out = probeRun("worst", before, after, vm, 60);
    const sections = splitSections(out);
    expect(sections.get("mount")!.body).toMatch(/pypictl\.entries=4/);
    expect(sections.get("mount_after")!.body).toMatch(/pypictl\.cut_entries=4/);
    expect(out.length).toBeLessThan(PROBE_OUTPUT_LIMIT);
    // Printed last: were the output ever cut at SSM's limit, only the second reading would be lost.
    expect(out.trimEnd().endsWith("<== pypictl:mount_after status=ok exit=0 ==>")).toBe(true);
  }, 90_000);

  it("a mount whose own reading overflows loses only its own deltas, named", () => {
    // The parser side: the probe marks an entry it cut with `pypictl.cut=1` after the entry's lines.
    const dev = (k: number) => `device 127.0.0.1:/ mounted on ${mountPoint(k)} with fstype nfs4 statvers=1.1`;
    const first = [
      "pypictl.mode=discover",
      "pypictl.path_state=absent",
      "pypictl.uptime=86400.00",
      "pypictl.pick=fsid",
      "pypictl.entries=2",
      ...[0, 1].flatMap((k) => [
        `pypictl.entry=${FS} task-volume`,
        ...entry(k, 0)
          .replace(/^device .*$/m, dev(k))
          .split("\n"),
      ]),
    ].join("\n");
    const afterBody = [
      "pypictl.uptime=86405.00",
      "pypictl.entries=2",
      "pypictl.cut_entries=1",
      dev(0),
      "\tage:\t86405",
      "\tper-op statistics",
      "\tGETATTR: 48713 48713 0 8767440 11384072 38 43842 44541 0",
      "pypictl.cut=1",
      dev(1),
      "\tage:\t86405",
      "\tper-op statistics",
      "\tGETATTR: 48713 48713 0 8767440 11384072 38 43842 44541 0",
    ].join("\n");
    let out = fixture("probe-healthy.txt");
    out = out.replace(
      /==> pypictl:mount <==\n[\s\S]*?<== pypictl:mount [^\n]*==>\n/,
      () => `==> pypictl:mount <==\n${first}\n<== pypictl:mount status=ok exit=0 ==>\n`,
    );
    out = out.replace(
      /==> pypictl:mount_after <==\n[\s\S]*?<== pypictl:mount_after [^\n]*==>\n/,
      () => `==> pypictl:mount_after <==\n${afterBody}\n<== pypictl:mount_after status=ok exit=0 ==>\n`,
    );
    const r = parseProbeOutput("i-0a1b2c3d4e5f60718", out);
    if (!r.ok) throw new Error(r.message);
    const judged = r.snapshot.mount.ok ? r.snapshot.mount.value.judged! : [];
    expect(judged[0]!.windowError).toMatch(/second reading was cut at the probe's per-mount budget/);
    expect(judged[1]!.window?.ops.GETATTR?.ops).toBe(500);
  });
});
