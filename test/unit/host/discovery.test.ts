/**
 * The real probe script (sh + awk) finding the package file system's mounts on fake /proc trees shaped
 * like real hosts:
 * - a Terraform-module host: EFS only as an ECS task volume, mounted by the ECS volume plugin under
 *   /var/lib/ecs/volumes/<docker volume name> (amazon-ecs-agent ecs-init/volumes/ecs_volume_plugin.go)
 *   through amazon-efs-utils' TLS tunnel: the kernel sees device `127.0.0.1:/` with `port=<tls port>` in
 *   the options (fs/nfs/super.c nfs_show_mount_options prints port= for NFSv4 when it is not 2049), and
 *   efs-utils names its state file `<fs-id>.<mount point with / as .>.<port>` in /var/run/efs
 *   (mount_efs get_mount_specific_filename);
 * - pypictl's stack: the same task volume plus a user-data mount on /data/packages that pypiserver does
 *   not use;
 * - hosts with other NFS mounts, and the ECS agent's Docker local-driver form (device `:/`, server in addr=).
 * Then two readings around the window (the vmstat shim moves the counters, as time would) and the
 * blocked-task count from /proc/<pid>/task/<tid>/stat and wchan.
 */
import { execFileSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { buildProbeScript, type ProbeOptions } from "../../../src/sources/host/probe-script.js";
import { parseProbeOutput } from "../../../src/sources/host/parse.js";
import type { HostResult, MountInfo } from "../../../src/sources/host/model.js";
import { evaluateCheck, limitsFor } from "../../../src/checks/runner.js";
import { HOST_CHECKS } from "../../../src/checks/host/index.js";
import { WINDOW, evidenceOf, fixture } from "./fixtures.js";

const tmp = mkdtempSync(join(tmpdir(), "pypictl-discover-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const FS = "fs-0123456789abcdef0";
/** A path no machine has, for a host without /data/packages (the real one may exist where tests run). */
const NO_PATH = join(tmp, "no-such", "data", "packages");
const VOL = "/var/lib/ecs/volumes/ecs-pypiserver-3-packages-d4b8f6c2a1e9f0b3c701";
const ENTRY = fixture("efs-nfs41-healthy.mountstats");

/** The fixture's EFS entry as another mount: device, mount point and (TLS) port changed. */
function entry(device: string, mountPoint: string, port?: number): string {
  let e = ENTRY.replace(/^device \S+ mounted on \S+ /, `device ${device} mounted on ${mountPoint} `);
  if (port) e = e.replace(",proto=tcp,timeo=600,", `,proto=tcp,port=${port},timeo=600,`);
  return e;
}

let seq = 0;
interface Host {
  mountstats: string;
  /** The mountstats after the window (default: unchanged). */
  after?: string;
  efsState?: string[];
  /** Task states for /proc/<tid>/task/<tid>/stat, with their wchan. */
  tasks?: Array<[state: string, wchan: string]>;
}

/** Run the real probe on a fake host; returns the parsed result. */
function probeOn(host: Host, opts: Partial<ProbeOptions> = {}): HostResult {
  const dir = join(tmp, `h${seq++}`);
  const proc = join(dir, "proc");
  const bin = join(dir, "bin");
  const state = join(dir, "efs");
  mkdirSync(join(proc, "self"), { recursive: true });
  mkdirSync(bin, { recursive: true });
  mkdirSync(state, { recursive: true });
  writeFileSync(join(proc, "self", "mountstats"), host.mountstats);
  writeFileSync(join(proc, "self", "mountstats.after"), host.after ?? host.mountstats);
  writeFileSync(join(proc, "uptime"), "5000.00 9000.00\n");
  writeFileSync(join(proc, "meminfo"), fixture("real-meminfo.txt"));
  writeFileSync(join(proc, "loadavg"), fixture("real-loadavg.txt"));
  for (const f of host.efsState ?? []) writeFileSync(join(state, f), "{}");
  for (const [i, [st, wchan]] of (host.tasks ?? [["S", "do_epoll_wait"]]).entries()) {
    const tid = 200 + i;
    mkdirSync(join(proc, String(tid), "task", String(tid)), { recursive: true });
    writeFileSync(
      join(proc, String(tid), "task", String(tid), "stat"),
      `${tid} (waitress (worker) ) ${st} 1 ${tid} ${tid} 0 -1 4194560 0 0\n`,
    );
    writeFileSync(join(proc, String(tid), "wchan"), wchan);
  }
  // The clock is scripted (below): the probe's one-second pauses between blocked-task counts need not wait.
  writeFileSync(join(bin, "sleep"), "#!/bin/sh\n:\n");
  chmodSync(join(bin, "sleep"), 0o755);
  // vmstat as procps prints it; between the readings it moves the counters and the clock on.
  const vm = fixture("real-vmstat.txt").trimEnd();
  writeFileSync(
    join(bin, "vmstat"),
    `#!/bin/sh\ncat '${join(proc, "self", "mountstats.after")}' > '${join(proc, "self", "mountstats")}'\necho '5002.02 9000.00' > '${join(proc, "uptime")}'\n[ "$2" = 1 ] && [ "$3" = 1 ] && exit 0\ncat <<'EOF'\n${vm}\nEOF\n`,
  );
  chmodSync(join(bin, "vmstat"), 0o755);
  const script = buildProbeScript({
    samples: 3,
    mountPath: "/data/packages",
    discover: true,
    procDir: proc,
    efsStateDir: state,
    ...opts,
  });
  const out = execFileSync("sh", ["-s"], {
    input: script,
    env: { ...process.env, PATH: `${bin}:${process.env.PATH}` },
    encoding: "utf8",
    timeout: 30_000,
  });
  return parseProbeOutput("h", out);
}

function mountOf(r: HostResult): MountInfo {
  if (!r.ok || !r.snapshot.mount.ok)
    throw new Error(r.ok ? (r.snapshot.mount as { error: string }).error : r.message);
  return r.snapshot.mount.value;
}
const verdict = (r: HostResult, id: string) =>
  evaluateCheck(
    HOST_CHECKS.find((c) => c.id === id)!,
    evidenceOf(r),
    limitsFor(
      HOST_CHECKS.find((c) => c.id === id)!,
      {},
    ),
    WINDOW,
  );

const ROOT =
  "device /dev/nvme0n1p1 mounted on / with fstype xfs\ndevice overlay mounted on /var/lib/docker/overlay2/3f1e/merged with fstype overlay\n";
const MODULE_HOST = `${ROOT}${entry("127.0.0.1:/", VOL, 20050)}`;
const STACK_HOST = `${ROOT}${entry("127.0.0.1:/", "/data/packages", 20049)}${entry("127.0.0.1:/", VOL, 20050)}`;
const STATE = [
  `${FS}.data.packages.20049`,
  `stunnel-config.${FS}.data.packages.20049`,
  `${FS}${VOL.replace(/\//g, ".")}.20050`,
];

describe("finding the mount pypiserver uses", () => {
  it("Terraform-module host: the TLS task volume, identified by its efs-utils port, packages counted there", () => {
    // The probe's path is one this machine does not have (a module host has no /data/packages).
    const r = probeOn({ mountstats: MODULE_HOST, efsState: STATE }, { fileSystemId: FS, mountPath: NO_PATH });
    const m = mountOf(r);
    expect(m).toMatchObject({ mode: "discover", pick: "fsid", pathState: "absent", fileSystemId: FS });
    expect(m.nfsMounts).toEqual([
      { fileSystemId: FS, role: "task-volume", mountPoint: VOL, device: "127.0.0.1:/" },
    ]);
    expect(m.judged!.map((j) => [j.mountPoint, j.role, j.fileSystemId])).toEqual([[VOL, "task-volume", FS]]);
    expect(r.ok && r.snapshot.packages.ok && r.snapshot.packages.value).toMatchObject({ dir: VOL });
    expect(verdict(r, "host.efs-mount")).toMatchObject({ status: "pass" });
  });
  it("pypictl's stack: the task volume is judged, not the user-data mount on /data/packages", () => {
    for (const opts of [{ fileSystemId: FS }, {}]) {
      const m = mountOf(probeOn({ mountstats: STACK_HOST, efsState: STATE }, opts));
      expect(m.nfsMounts!.map((n) => n.role)).toEqual(["data-path", "task-volume"]);
      expect(m.judged!.map((j) => j.mountPoint)).toEqual([VOL]);
    }
  });
  it("no task volume: the data-path mount is judged", () => {
    const m = mountOf(
      probeOn({ mountstats: `${ROOT}${entry(`${FS}.efs.us-east-1.amazonaws.com:/`, "/data/packages")}` }),
    );
    expect(m).toMatchObject({ pick: "efs" });
    expect(m.judged!.map((j) => [j.mountPoint, j.role, j.fileSystemId])).toEqual([
      ["/data/packages", "data-path", FS],
    ]);
  });
  it("efs-utils state unreadable: TLS mounts still judged, marked unverified", () => {
    const m = mountOf(probeOn({ mountstats: MODULE_HOST }, { fileSystemId: FS }));
    expect(m.pick).toBe("efs-unverified");
    expect(m.judged!.map((j) => [j.mountPoint, j.fileSystemId])).toEqual([[VOL, undefined]]);
  });
  it("the ECS agent's Docker local-driver volume (device ':/', no TLS) counts as a task volume", () => {
    const local = `${ROOT}${entry(":/", "/var/lib/docker/volumes/ecs-pypiserver-3-packages-9e8d/_data")}`;
    const m = mountOf(probeOn({ mountstats: local }));
    expect(m).toMatchObject({ pick: "nfs" });
    expect(m.judged!.map((j) => j.role)).toEqual(["task-volume"]);
  });
  it("with the file system known, another file system's mount is listed but not judged", () => {
    const other = `${ROOT}${entry("fs-0aaaaaaa1.efs.us-east-1.amazonaws.com:/", "/mnt/shared")}`;
    const r = probeOn({ mountstats: other }, { fileSystemId: FS });
    expect(mountOf(r)).toMatchObject({
      pick: "none",
      judged: [],
      nfsMounts: [{ fileSystemId: "fs-0aaaaaaa1", role: "host", mountPoint: "/mnt/shared" }],
    });
    expect(verdict(r, "host.efs-mount")).toMatchObject({ status: "warn", messageId: "other-fs" });
    expect(verdict(r, "host.package-count")).toMatchObject({ status: "skip" });
  });
  it("no NFS at all on a module host: a warning that never says to mount /data/packages by hand", () => {
    const r = probeOn({ mountstats: ROOT }, { mountPath: NO_PATH });
    expect(mountOf(r)).toMatchObject({ pick: "none", judged: [], pathState: "absent" });
    const f = verdict(r, "host.efs-mount");
    expect(f).toMatchObject({ status: "warn", messageId: "no-mount" });
    expect(f.hints.join(" ")).not.toMatch(/mount -t|sudo mount/);
  });
  it("--mount-path judges exactly that path (a non-NFS one too)", () => {
    const m = mountOf(
      probeOn(
        { mountstats: STACK_HOST, efsState: STATE },
        { discover: false, mountPath: "/", packageDir: tmp },
      ),
    );
    expect(m).toMatchObject({ mode: "path", pick: "path" });
    expect(m.judged!.map((j) => [j.mountPoint, j.fstype])).toEqual([["/", "xfs"]]);
  });
});

describe("two readings around the window", () => {
  it("the counters' increase is judged: a throttled EFS now fails although months of counters look fine", () => {
    const slow = MODULE_HOST.replace(
      /GETATTR: 48213 48213 0 8677440 11284072 37 43392 44081 0/,
      "GETATTR: 48253 48253 0 8684640 11293432 37 51392 52081 0",
    ).replace(/age:\t86400/, "age:\t86402");
    const r = probeOn({ mountstats: MODULE_HOST, after: slow, efsState: STATE }, { fileSystemId: FS });
    const w = mountOf(r).judged![0]!.window!;
    expect(w.seconds).toBe(2.02);
    expect(w.ops).toEqual({
      GETATTR: {
        ops: 40,
        transmissions: 40,
        timeouts: 0,
        bytesSent: 7200,
        bytesReceived: 9360,
        queueMs: 0,
        rttMs: 8000,
        executeMs: 8000,
        errors: 0,
      },
    });
    expect(verdict(r, "host.efs-mount")).toMatchObject({ status: "fail", observed: { value: 200 } });
  });
  it("an unchanged mount is idle in the window (a pass)", () => {
    const r = probeOn({ mountstats: MODULE_HOST, efsState: STATE }, { fileSystemId: FS });
    expect(mountOf(r).judged![0]!.window).toMatchObject({ ops: {} });
    expect(verdict(r, "host.efs-mount")).toMatchObject({ status: "pass", messageId: "idle" });
  });
});

describe("blocked tasks (state D), which iowait and vmstat b do not show for NFS waits", () => {
  it("counts D-state threads each second and those waiting in the NFS client", () => {
    const tasks: Array<[string, string]> = [
      ["D", "rpc_wait_bit_killable"],
      ["D", "rpc_wait_bit_killable"],
      ["D", "nfs_wait_bit_killable"],
      ["D", "folio_wait_bit_common"],
      ["S", "do_epoll_wait"],
      ["R", "0"],
    ];
    const r = probeOn({ mountstats: MODULE_HOST, efsState: STATE, tasks });
    expect(r.ok && r.snapshot.blocked).toEqual({
      ok: true,
      value: {
        samples: [
          { blocked: 4, nfs: 3 },
          { blocked: 4, nfs: 3 },
          { blocked: 4, nfs: 3 },
        ],
      },
    });
    // real-vmstat.txt shows wa 0 and b 0: only the task states see the stuck workers (nproc: this machine's).
    const f = verdict(r, "host.iowait");
    const cpus = r.ok && r.snapshot.nproc.ok ? r.snapshot.nproc.value : 1;
    expect(f.status).toBe(4 >= cpus ? "fail" : "pass");
    if (4 >= cpus)
      expect(f.message).toMatch(
        /4 tasks blocked in uninterruptible sleep on average \(peak 4, up to 3 waiting on NFS\)/,
      );
  });
});
