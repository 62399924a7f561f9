/**
 * host.efs-mount: the package file system's NFS mount(s) on each host, and whether its RPCs are fast and
 * answered *now*.
 *
 * Where EFS is mounted differs by deployment: the Terraform module mounts it only as an ECS task volume
 * (the ECS volume plugin mounts it on the host under /var/lib/ecs/volumes/<volume>, only while a task uses
 * it; /data/packages is the *container* path), pypictl's stack has that mount plus a user-data mount on
 * /data/packages that pypiserver does not use. So the probe (v3) finds the file system's NFS mounts and
 * judges the ones pypiserver uses (task volumes first); `--mount-path` judges exactly one path instead.
 *
 * mountstats counters are cumulative since mount: months of healthy traffic hide an incident happening
 * now. The probe reads them twice, around its sampling window, and this check judges the difference.
 * Evidence from older probes (one reading) is still judged since mount, and says so.
 */
import { defineCheck, limitRef, renderMessage } from "../model.js";
import type { Status } from "../model.js";
import { HOST_EFS_MOUNT } from "./thresholds.js";
import {
  HOST_COMMON_MESSAGES,
  guards,
  isObj,
  judgeHosts,
  num,
  sectionError,
  sectionOf,
  type HostVerdict,
} from "./common.js";

/** The NFS operations a listing or download makes; their mean RTT is judged. */
export const LISTING_OPS = ["LOOKUP", "GETATTR", "ACCESS", "READDIR", "READDIRPLUS", "READ", "OPEN"] as const;

const LISTING_OP_SET: ReadonlySet<string> = new Set(LISTING_OPS);

const MESSAGES = {
  ...HOST_COMMON_MESSAGES,
  // --mount-path (and probes before v3)
  absent:
    "{{path}} does not exist: no package volume (EFS) is mounted there. On a pypiserver host the mount failed at boot; elsewhere point --mount-path at the mount",
  "path-absent": "could not evaluate, --mount-path {{path}} does not exist on this host",
  "path-not-dir":
    "could not evaluate, --mount-path {{path}} is not a directory (a regular file or device), so nothing can be mounted on it",
  "not-dir": "{{path}} exists but is not a directory, so nothing can be mounted on it",
  "not-mounted":
    "{{path}} exists but nothing is mounted on it: packages land on the root disk, are not shared between hosts and vanish with the instance",
  "not-nfs":
    "{{path}} is mounted from {{device}} as {{fstype}}, not NFS/EFS: packages are not shared between hosts",
  // discovery (probe v3)
  "no-mount":
    "no EFS mount{{ofFs}} on this host: the ECS volume plugin mounts the task's EFS volume (under /var/lib/ecs/volumes/) only while a pypiserver task runs here, so either no task runs on this host now or its mount failed",
  "not-mounted-anywhere":
    "{{path}} exists (a mount point made at boot) but nothing is mounted on it, and no NFS mount{{ofFs}} is on this host (none under /var/lib/ecs/volumes/ either)",
  "other-fs":
    "no mount of {{fileSystemId}} on this host; its NFS mounts are of other file systems: {{others}}",
  "no-window": "could not evaluate {{mount}} now: {{cause}}",
  // judgements
  slow: "{{where}}: {{problems}}",
  hung: "{{where}}: EFS is not answering — {{why}} in the {{seconds}} s window, and no NFS operation completed (mountstats counts an operation only when its reply arrives, so a hung mount looks idle)",
  idle: "{{where}}: no NFS operations finished in the {{seconds}} s window (a server that stopped answering shows as blocked tasks in host.iowait)",
  "idle-since-mount": "{{where}}: no listing operations since mount",
  ok: "{{where}}: slowest listing op {{op}} {{execMs}} ms per call ({{rttMs}} ms round trip, {{queueMs}} ms queued) over {{opCount}} calls in {{seconds}} s ({{opsPerSecond}} RPCs/s), no retransmissions",
  "ok-few":
    "{{where}}: {{rpcs}} RPCs in {{seconds}} s ({{opsPerSecond}}/s), too few listing calls to time (fewer than {{minOps}} of each), none retransmitted",
  "ok-since-mount":
    "{{where}}: slowest listing op {{op}} {{rttMs}} ms mean RTT over {{opCount}} calls, retransmissions {{retransPercent}} % of {{rpcs}} RPCs (since mount: this probe took one reading)",
};
type MountVerdict = HostVerdict<keyof typeof MESSAGES>;

const round2 = (v: number) => Math.round(v * 100) / 100;
const round1 = (v: number) => Math.round(v * 10) / 10;

const HINTS = {
  "fs-id":
    "The file system id is in the task definition (volumes[].efsVolumeConfiguration.fileSystemId; the Terraform module has no output for it): pass it as `pypictl doctor --file-system-id <fs-id>` with your target flags, so the probe looks for that file system's mounts.",
  "mount-target":
    "Check the EFS mount target in the instance's subnet and that its security group allows NFS (TCP 2049) from the instances' security group.",
  "task-running":
    "See whether a pypiserver task runs on this host: `sudo docker ps --filter name=pypiserver` on the host, or `pypictl doctor --only ecs` (the ECS volume plugin mounts the volume only while a task uses it).",
  "task-stopped":
    "If tasks stop with a mount error, the reason is in the stopped task (`pypictl doctor --only ecs.oom-kills` shows stop reasons) and in the ECS volume plugin's log on the host, /var/log/ecs/ecs-volume-plugin.log.",
  "boot-mount":
    "Find why the boot-time mount did not happen: `grep {{path}} /etc/fstab` and /var/log/cloud-init-output.log on the host; `sudo mount {{path}}` retries the fstab entry.",
  "use-efs":
    "Run pypiserver's package directory on EFS so every host serves the same packages (the Terraform module and pypictl's stack mount it as an ECS task volume).",
  throttling:
    'Check EFS throttling: `pypictl doctor --only efs` (PercentIOLimit, throughput, burst credits); in bursting mode with credits draining use `efsThroughputMode: "elastic"` (stack) / `efs_throughput_mode = "elastic"` (Terraform).',
  metadata:
    "Metadata-heavy listings cost one LOOKUP/GETATTR per file: see host.package-count for caching the listings.",
  retrans:
    "Retransmissions mean lost or late replies: mount with EFS's options `hard,timeo=600,retrans=2,noresvport` and check the instance's network (`nstat -az | grep -i retrans`, ENA driver, instance network bandwidth).",
  live: "Watch it live on the host: `nfsiostat 5 3` (nfs-utils), or two readings of /proc/self/mountstats a few seconds apart.",
  "look-again":
    "These counters are cumulative since mount (the evidence is from an older probe with one reading): run the probe again to see whether it is happening now.",
};

/** No mount of the file system anywhere on a host: the ECS task volume is the mount pypiserver uses. */
const TASK_VOLUME_HINTS = [
  HINTS["task-running"],
  HINTS["task-stopped"],
  HINTS["mount-target"],
  HINTS["fs-id"],
];

/** A mount point made at boot with nothing on it (pypictl's stack, or a hand-made setup that bind-mounts it). */
const BOOT_MOUNT_HINTS = (path: string) => [
  renderMessage(HINTS["boot-mount"], { path }),
  ...TASK_VOLUME_HINTS,
];

export const efsMount = defineCheck({
  id: "host.efs-mount",
  title: "EFS package mount",
  description:
    "Finds the package file system's NFS mounts in /proc/self/mountstats on each host: by its EFS id (the `fs-….efs.<region>.amazonaws.com` device, or the amazon-efs-utils TLS tunnel `127.0.0.1:/` matched through its state files), preferring the ECS task-volume mounts under /var/lib/ecs/volumes/ that pypiserver uses (the Terraform module mounts EFS only there; /data/packages is the container's path). `--mount-path` judges exactly that path instead. The probe reads the per-op counters twice, around its sampling window, and the check judges what happened in between: the mean time per call of the listing operations (LOOKUP, GETATTR, ACCESS, READDIR, READ, OPEN) as mountstats' execute time — queue wait for a transport slot plus round trip, so a slot backlog counts, not only the RTT — retransmissions and timeouts, with the RPC rate as context. Counters move only when a reply arrives (net/sunrpc/stats.c), so a mount where nothing completed while the transport kept sending, or while tasks waited in the NFS client in every sample, fails as hung instead of passing as idle. Counters since mount would hide an incident happening now.",
  playbooks: ["slow-listing", "iowait", "upload"],
  needs: ["host.probe"],
  scope: "host",
  thresholds: HOST_EFS_MOUNT,
  messages: MESSAGES,
  hints: HINTS,
  evaluate(ctx) {
    const limits = ctx.limits;
    return judgeHosts(
      ctx,
      { messages: MESSAGES, worse: "higher", threshold: () => limitRef(limits, "maxOpRttMs", "ms") },
      ({ host, snapshot }): MountVerdict => {
        const s = sectionOf(snapshot, "mount", guards.mount);
        if (!s.ok) return sectionError(host, "the mount (/proc/self/mountstats)", s.error);
        const m = s.value;
        const shown = m.path || "the package mount path";
        if (!Array.isArray(m.judged)) return legacy(host, m, limits);
        const judged = m.judged.filter(isObj);
        const fsId = typeof m.fileSystemId === "string" ? m.fileSystemId : undefined;
        const ofFs = fsId ? ` of ${fsId}` : "";
        if (m.mode === "path") {
          const first = judged[0];
          if (!first) {
            if (m.pathState === "absent")
              return { status: "error", messageId: "path-absent", data: { path: shown } };
            if (m.pathState === "other")
              return { status: "error", messageId: "path-not-dir", data: { path: shown } };
            return {
              status: "fail",
              messageId: "not-mounted",
              data: { path: shown },
              hints: BOOT_MOUNT_HINTS(shown),
            };
          }
          if (first.nfs !== true)
            return {
              status: "warn",
              messageId: "not-nfs",
              data: { path: shown, device: String(first.device), fstype: String(first.fstype) },
              hints: [HINTS["use-efs"]],
            };
        } else if (judged.length === 0) {
          const others = (Array.isArray(m.nfsMounts) ? m.nfsMounts : []).filter(isObj);
          if (fsId && others.length)
            return {
              status: "warn",
              messageId: "other-fs",
              data: {
                fileSystemId: fsId,
                others: others
                  .map((o) => `${String(o.fileSystemId ?? o.device)} on ${String(o.mountPoint)}`)
                  .join(", "),
              },
              hints: [HINTS["fs-id"]],
            };
          if (m.pathState === "dir")
            return {
              status: "fail",
              messageId: "not-mounted-anywhere",
              data: { path: shown, ofFs },
              hints: BOOT_MOUNT_HINTS(shown),
            };
          return { status: "warn", messageId: "no-mount", data: { ofFs }, hints: TASK_VOLUME_HINTS };
        }
        const waiters = nfsWaitersOf(snapshot);
        const verdicts = judged.map((j) => judgeMount(j, limits, judged.length, waiters));
        let worst = verdicts[0]!;
        for (const v of verdicts.slice(1)) {
          const a = SEVERITY[v.status];
          const b = SEVERITY[worst.status];
          if (a > b || (a === b && (v.observed?.value ?? -1) > (worst.observed?.value ?? -1))) worst = v;
        }
        return worst;
      },
    );
  },
});

const SEVERITY: Record<Status, number> = { pass: 0, skip: 1, warn: 2, error: 3, fail: 4 };

type Limits = { maxOpRttMs: number; failOpRttMs: number; minWindowOps: number; maxRetransPercent: number };
type Ops = Record<string, unknown>;

/** "task volume /var/lib/ecs/volumes/x (NFS 4.1 from fs-… via the TLS tunnel)" */
function describe(j: Record<string, unknown>, count: number): string {
  const device = typeof j.device === "string" ? j.device : "?";
  const addr = device.replace(/:.*$/, "");
  const tls = addr === "127.0.0.1" || addr === "localhost";
  const fs = typeof j.fileSystemId === "string" ? j.fileSystemId : tls ? "EFS" : addr;
  const version = typeof j.nfsVersion === "string" ? j.nfsVersion : "?";
  const role = j.role === "task-volume" ? "task volume " : "";
  const of = count > 1 ? ` (worst of ${count} mounts judged)` : "";
  return `${role}${String(j.mountPoint)} (NFS ${version} from ${fs}${tls ? " through the efs-utils TLS tunnel" : ""})${of}`;
}

/** Tasks waiting in the NFS client, per probe sample (host-wide; probe v3+). */
interface NfsWaiters {
  samples: number;
  everySample: boolean;
  max: number;
}

function nfsWaitersOf(snapshot: Parameters<typeof sectionOf>[0]): NfsWaiters | undefined {
  const b = sectionOf(snapshot, "blocked", guards.blocked);
  if (!b.ok || b.value.samples.length === 0) return undefined;
  const n = b.value.samples.map((x) => num(x.nfs) ?? 0);
  return { samples: n.length, everySample: n.every((x) => x > 0), max: Math.max(...n) };
}

interface Tally {
  rpcs: number;
  retrans: number;
  timeouts: number;
  /**
   * The listing op with the slowest mean time per call. `execMs` is mountstats' execute (from the RPC's
   * creation to its completion: queue wait for a transport slot + round trip + reply processing,
   * net/sunrpc/stats.c rpc_count_iostats_metrics); what a worker waits. `queueMs` shows a slot backlog that
   * the round trip does not.
   */
  worst?: { op: string; execMs: number; rttMs: number; queueMs: number; calls: number };
  listingCalls: number;
  listingRttMs: number;
  listingQueueMs: number;
  listingExecMs: number;
}

/** Sum the counters of an ops record (a window's deltas or the counters since mount). */
function tally(ops: Ops, minOps: number): Tally | string {
  const t: Tally = {
    rpcs: 0,
    retrans: 0,
    timeouts: 0,
    listingCalls: 0,
    listingRttMs: 0,
    listingQueueMs: 0,
    listingExecMs: 0,
  };
  for (const [name, o] of Object.entries(ops)) {
    if (!isObj(o)) return `op ${name} is not an object`;
    const calls = num(o.ops);
    const trans = num(o.transmissions);
    const rtt = num(o.rttMs);
    if (calls === undefined || trans === undefined || rtt === undefined)
      return `op ${name} lacks ops/transmissions/rtt`;
    t.rpcs += calls;
    t.retrans += Math.max(0, trans - calls);
    t.timeouts += num(o.timeouts) ?? 0;
    if (!LISTING_OP_SET.has(name) || calls === 0) continue;
    const queue = num(o.queueMs) ?? 0;
    // execute ≥ queue + rtt; older or odd input without it: the two parts it is made of.
    const exec = Math.max(num(o.executeMs) ?? 0, queue + rtt);
    t.listingCalls += calls;
    t.listingRttMs += rtt;
    t.listingQueueMs += queue;
    t.listingExecMs += exec;
    if (calls >= minOps && (!t.worst || exec / calls > t.worst.execMs))
      t.worst = { op: name, execMs: exec / calls, rttMs: rtt / calls, queueMs: queue / calls, calls };
  }
  // No single op called often enough, but enough listing calls together: judge them as one.
  if (!t.worst && t.listingCalls >= minOps)
    t.worst = {
      op: "listing ops together",
      execMs: t.listingExecMs / t.listingCalls,
      rttMs: t.listingRttMs / t.listingCalls,
      queueMs: t.listingQueueMs / t.listingCalls,
      calls: t.listingCalls,
    };
  return t;
}

function judgeMount(
  j: Record<string, unknown>,
  limits: Limits,
  count: number,
  waiters?: NfsWaiters,
): MountVerdict {
  const where = describe(j, count);
  const mount = String(j.mountPoint);
  const w = j.window;
  if (!isObj(w)) {
    const cause =
      typeof j.windowError === "string" ? j.windowError : "the probe took no second mountstats reading";
    return { status: "error", messageId: "no-window", data: { mount, cause } };
  }
  const seconds = num(w.seconds);
  if (!seconds || !isObj(w.ops))
    return {
      status: "error",
      messageId: "no-window",
      data: { mount, cause: "the window's deltas are malformed" },
    };
  const t = tally(w.ops, limits.minWindowOps);
  if (typeof t === "string") return { status: "error", messageId: "no-window", data: { mount, cause: t } };
  const opsPerSecond = round1(t.rpcs / seconds);
  const retransPercent = t.rpcs > 0 ? round2((t.retrans / t.rpcs) * 100) : 0;
  const base = {
    where,
    mount,
    seconds,
    rpcs: t.rpcs,
    opsPerSecond,
    retrans: t.retrans,
    timeouts: t.timeouts,
    retransPercent,
    minOps: limits.minWindowOps,
    partial: w.partial === true,
  };
  if (t.rpcs === 0) {
    // Nothing completed. Requests going out unanswered, or workers parked in the NFS client all along, is a
    // server that stopped answering, not an idle mount.
    const sends = isObj(w.xprt) ? (num(w.xprt.sends) ?? 0) : 0;
    const why = [
      sends > 0 ? `the transport sent ${sends} request(s)` : "",
      waiters?.everySample
        ? `tasks waited in the NFS client in every one of ${waiters.samples} samples (up to ${waiters.max})`
        : "",
    ]
      .filter(Boolean)
      .join(" and ");
    if (why)
      return {
        status: "fail",
        messageId: "hung",
        data: { ...base, why, sends },
        hints: [HINTS["mount-target"], HINTS.throttling, HINTS.live],
      };
    if (t.retrans === 0) return { status: "pass", messageId: "idle", data: base };
  }
  const problems: string[] = [];
  let status: Status = "pass";
  const data: Record<string, unknown> = { ...base };
  let observed: HostVerdict["observed"];
  if (t.worst) {
    const rttMs = round2(t.worst.rttMs);
    const execMs = round2(t.worst.execMs);
    const queueMs = round2(t.worst.queueMs);
    Object.assign(data, { op: t.worst.op, rttMs, execMs, queueMs, opCount: t.worst.calls });
    observed = { value: execMs, unit: "ms" };
    const parts = `${rttMs} ms round trip${queueMs >= rttMs && queueMs > 0 ? `, ${queueMs} ms queued for a transport slot` : queueMs > 0 ? `, ${queueMs} ms queued` : ""}`;
    if (t.worst.execMs > limits.failOpRttMs) {
      status = "fail";
      problems.push(
        `${t.worst.op} took ${execMs} ms per call (${parts}) over ${t.worst.calls} calls in the last ${seconds} s (fails above ${limits.failOpRttMs} ms: listings time out)`,
      );
    } else if (t.worst.execMs > limits.maxOpRttMs) {
      status = "warn";
      problems.push(
        `${t.worst.op} took ${execMs} ms per call (${parts}) over ${t.worst.calls} calls in the last ${seconds} s (limit ${limits.maxOpRttMs} ms)`,
      );
    }
  }
  if (retransPercent > limits.maxRetransPercent || t.timeouts > 0) {
    if (status === "pass") status = "warn";
    problems.push(
      `${t.retrans} of ${t.rpcs} RPCs retransmitted (${retransPercent} %, limit ${limits.maxRetransPercent} %)${t.timeouts ? `, ${t.timeouts} timed out` : ""} in the last ${seconds} s`,
    );
  }
  if (status === "pass")
    return { status, messageId: t.worst ? "ok" : "ok-few", data, ...(observed ? { observed } : {}) };
  return {
    status,
    messageId: "slow",
    data: { ...data, problems: problems.join("; ") },
    ...(observed ? { observed } : {}),
    hints: slowHints(t, limits, retransPercent),
  };
}

function slowHints(t: Tally, limits: Limits, retransPercent: number): string[] {
  const slow = t.worst !== undefined && t.worst.execMs > limits.maxOpRttMs;
  return [
    ...(slow ? [HINTS.throttling, HINTS.metadata] : []),
    ...(retransPercent > limits.maxRetransPercent || t.timeouts > 0 ? [HINTS.retrans] : []),
    HINTS.live,
  ];
}

/** Probe v1/v2 evidence: one entry on the mount path, judged on its counters since mount. */
function legacy(
  host: string,
  m: { path: string; pathState: string; entry?: Record<string, unknown> },
  limits: Limits,
): MountVerdict {
  const shown = m.path || "the package mount path";
  const entry = m.entry;
  if (!entry) {
    if (m.pathState === "absent")
      return { status: "fail", messageId: "absent", data: { path: shown }, hints: TASK_VOLUME_HINTS };
    if (m.pathState === "other")
      return { status: "fail", messageId: "not-dir", data: { path: shown }, hints: TASK_VOLUME_HINTS };
    return {
      status: "fail",
      messageId: "not-mounted",
      data: { path: shown },
      hints: BOOT_MOUNT_HINTS(shown),
    };
  }
  if (entry.nfs !== true)
    return {
      status: "warn",
      messageId: "not-nfs",
      data: { path: shown, device: String(entry.device), fstype: String(entry.fstype) },
      hints: [HINTS["use-efs"]],
    };
  if (!isObj(entry.ops)) return sectionError(host, "mountstats", "the NFS entry has no per-op statistics");
  const t = tally(entry.ops, 1);
  if (typeof t === "string") return sectionError(host, "mountstats", t);
  const where = describe({ ...entry, mountPoint: shown }, 1);
  const retransPercent = t.rpcs > 0 ? round2((t.retrans / t.rpcs) * 100) : 0;
  const base = {
    where,
    path: shown,
    rpcs: t.rpcs,
    retrans: t.retrans,
    timeouts: t.timeouts,
    retransPercent,
    truncated: entry.truncated === true,
  };
  const problems: string[] = [];
  if (t.worst && t.worst.rttMs > limits.maxOpRttMs)
    problems.push(
      `${t.worst.op} takes ${round2(t.worst.rttMs)} ms mean round trip over ${t.worst.calls} calls since mount (limit ${limits.maxOpRttMs} ms)`,
    );
  if (retransPercent > limits.maxRetransPercent)
    problems.push(
      `${t.retrans} of ${t.rpcs} RPCs retransmitted since mount (${retransPercent} %, limit ${limits.maxRetransPercent} %)`,
    );
  if (!t.worst && !problems.length) return { status: "pass", messageId: "idle-since-mount", data: base };
  const data = t.worst
    ? { ...base, op: t.worst.op, rttMs: round2(t.worst.rttMs), opCount: t.worst.calls }
    : base;
  const observed = t.worst ? { value: round2(t.worst.rttMs), unit: "ms" } : undefined;
  if (problems.length)
    return {
      status: "warn",
      messageId: "slow",
      data: { ...data, problems: problems.join("; ") },
      ...(observed ? { observed } : {}),
      hints: [...slowHints(t, { ...limits, minWindowOps: 1 }, retransPercent), HINTS["look-again"]],
    };
  return { status: "pass", messageId: "ok-since-mount", data, ...(observed ? { observed } : {}) };
}
