/** host.efs-mount: the package volume is an NFS (EFS) mount, and its RPCs are fast and not retransmitted. */
import { defineCheck, renderMessage } from "../model.js";
import { HOST_EFS_MOUNT } from "../thresholds/host.js";
import { HOST_COMMON_MESSAGES, guards, isObj, judgeHosts, num, sectionError, sectionOf, type HostVerdict } from "./common.js";

/** The NFS operations a listing or download makes; their mean RTT is judged. */
export const LISTING_OPS = ["LOOKUP", "GETATTR", "ACCESS", "READDIR", "READDIRPLUS", "READ", "OPEN"] as const;

const LISTING_OP_SET: ReadonlySet<string> = new Set(LISTING_OPS);

const MESSAGES: Record<string, string> = {
  ...HOST_COMMON_MESSAGES,
  absent:
    "{{path}} does not exist: no package volume (EFS) is mounted there. On a pypiserver host the mount failed at boot; elsewhere point --mount-path at the mount",
  "not-dir": "{{path}} exists but is not a directory, so nothing can be mounted on it",
  "not-mounted":
    "{{path}} exists but nothing is mounted on it: packages land on the root disk, are not shared between hosts and vanish with the instance",
  "not-nfs": "{{path}} is mounted from {{device}} as {{fstype}}, not NFS/EFS: packages are not shared between hosts",
  slow: "{{path}} (NFS {{version}} from {{server}}): {{problems}}",
  idle: "{{path}} is NFS {{version}} from {{server}}; no listing operations since mount to time",
  ok: "{{path}} is NFS {{version}} from {{server}}: slowest listing op {{op}} {{rttMs}} ms mean RTT over {{opCount}} calls, retransmissions {{retransPercent}} % of {{rpcs}} RPCs",
};

const round2 = (v: number) => Math.round(v * 100) / 100;

const HINTS = {
  mount:
    "Mount it: `sudo mount -t efs -o tls <fs-id>:/ {{path}}` (amazon-efs-utils) or `sudo mount -t nfs4 -o nfsvers=4.1,rsize=1048576,wsize=1048576,hard,timeo=600,retrans=2,noresvport <fs-id>.efs.<region>.amazonaws.com:/ {{path}}`; then look for why boot did not: /etc/fstab, /var/log/cloud-init-output.log.",
  "mount-target": "Check the EFS mount target in the instance's subnet and that its security group allows NFS (TCP 2049) from the instances' security group.",
  "fs-id": "Find the file system id in the task definition: volumes[].efsVolumeConfiguration.fileSystemId (the Terraform module has no efs_file_system_id output).",
  "use-efs":
    "Run pypiserver's package directory on EFS so every host serves the same packages (the Terraform module and pypictl's stack mount EFS on /data/packages).",
  throttling:
    "Check EFS throttling: `pypictl doctor --only efs` (PercentIOLimit, throughput, burst credits); in bursting mode with credits draining use `efsThroughputMode: \"elastic\"` (stack) / `efs_throughput_mode = \"elastic\"` (Terraform).",
  metadata: "Metadata-heavy listings cost one LOOKUP/GETATTR per file: see host.package-count for caching the listings.",
  retrans:
    "Retransmissions mean lost or late replies: mount with EFS's options `hard,timeo=600,retrans=2,noresvport` and check the instance's network (`nstat -az | grep -i retrans`, ENA driver, instance network bandwidth).",
  cumulative:
    "Counters are cumulative since mount: compare two readings of `cat /proc/self/mountstats` a minute apart (or `nfsiostat 5 3`) to see whether it is happening now.",
};

const MOUNT_HINTS = (path: string) => [renderMessage(HINTS.mount, { path }), HINTS["mount-target"], HINTS["fs-id"]];

export const efsMount = defineCheck({
  id: "host.efs-mount",
  title: "EFS package mount",
  description:
    "Finds the mount on the package path in /proc/self/mountstats on each host: it must exist and be NFS (EFS). From the kernel's per-op counters it judges the mean round-trip time of the operations listings use (LOOKUP, GETATTR, ACCESS, READDIR, READ, OPEN) and the share of RPCs retransmitted since mount.",
  playbooks: ["slow-listing", "iowait", "upload"],
  needs: ["host.probe"],
  scope: "host",
  thresholds: HOST_EFS_MOUNT,
  messages: MESSAGES,
  hints: HINTS,
  evaluate(ctx) {
    const { maxOpRttMs, maxRetransPercent } = ctx.limits;
    return judgeHosts(
      ctx,
      { messages: MESSAGES, worse: "higher", threshold: () => ({ name: "maxOpRttMs", value: maxOpRttMs, unit: "ms" }) },
      ({ host, snapshot }): HostVerdict => {
        const s = sectionOf(snapshot, "mount", guards.mount);
        if (!s.ok) return sectionError(host, "the mount (/proc/self/mountstats)", s.error);
        const { path, pathState, entry } = s.value;
        const shown = path || "the package mount path";
        if (!entry) {
          if (pathState === "absent") return { status: "fail", messageId: "absent", data: { path: shown }, hints: MOUNT_HINTS(shown) };
          if (pathState === "other") return { status: "fail", messageId: "not-dir", data: { path: shown }, hints: MOUNT_HINTS(shown) };
          return { status: "fail", messageId: "not-mounted", data: { path: shown }, hints: MOUNT_HINTS(shown) };
        }
        const device = typeof entry.device === "string" ? entry.device : "?";
        const fstype = typeof entry.fstype === "string" ? entry.fstype : "?";
        if (entry.nfs !== true)
          return {
            status: "warn",
            messageId: "not-nfs",
            data: { path: shown, device, fstype },
            hints: [HINTS["use-efs"], ...MOUNT_HINTS(shown).slice(0, 1)],
          };
        const version = typeof entry.nfsVersion === "string" ? entry.nfsVersion : typeof entry.statvers === "string" ? `(statvers ${entry.statvers})` : "?";
        const addr = device.replace(/:.*$/, "");
        // amazon-efs-utils with `tls` mounts through a local stunnel: the kernel sees 127.0.0.1.
        const server = addr === "127.0.0.1" || addr === "localhost" ? `${addr} (EFS TLS tunnel)` : addr;
        const ops = isObj(entry.ops) ? entry.ops : undefined;
        if (!ops) return sectionError(host, "mountstats", "the NFS entry has no per-op statistics");
        let rpcs = 0;
        let retrans = 0;
        let timeouts = 0;
        let worst: { op: string; rttMs: number; calls: number } | undefined;
        for (const [name, o] of Object.entries(ops)) {
          if (!isObj(o)) return sectionError(host, "mountstats", `op ${name} is not an object`);
          const calls = num(o.ops);
          const trans = num(o.transmissions);
          const rtt = num(o.rttMs);
          if (calls === undefined || trans === undefined || rtt === undefined) return sectionError(host, "mountstats", `op ${name} lacks ops/transmissions/rtt`);
          rpcs += calls;
          retrans += Math.max(0, trans - calls);
          timeouts += num(o.timeouts) ?? 0;
          if (calls > 0 && LISTING_OP_SET.has(name)) {
            const mean = rtt / calls;
            if (!worst || mean > worst.rttMs) worst = { op: name, rttMs: mean, calls };
          }
        }
        const retransPercent = rpcs > 0 ? round2((retrans / rpcs) * 100) : 0;
        const base = { path: shown, version, server, rpcs, retrans, timeouts, retransPercent, truncated: entry.truncated === true };
        if (!worst) {
          if (retransPercent > maxRetransPercent)
            return {
              status: "warn",
              messageId: "slow",
              data: { ...base, problems: `${retrans} of ${rpcs} RPCs retransmitted (${retransPercent} %, limit ${maxRetransPercent} %)` },
              hints: retransHints(),
            };
          return { status: "pass", messageId: "idle", data: base };
        }
        const rttMs = round2(worst.rttMs);
        const observed = { value: rttMs, unit: "ms" };
        const problems: string[] = [];
        if (worst.rttMs > maxOpRttMs) problems.push(`${worst.op} takes ${rttMs} ms mean round trip over ${worst.calls} calls (limit ${maxOpRttMs} ms)`);
        if (retransPercent > maxRetransPercent) problems.push(`${retrans} of ${rpcs} RPCs retransmitted (${retransPercent} %, limit ${maxRetransPercent} %)`);
        const data = { ...base, op: worst.op, rttMs, opCount: worst.calls };
        if (problems.length)
          return {
            status: "warn",
            messageId: "slow",
            data: { ...data, problems: problems.join("; ") },
            observed,
            hints: [
              ...(worst.rttMs > maxOpRttMs ? [HINTS.throttling, HINTS.metadata] : []),
              ...(retransPercent > maxRetransPercent ? retransHints() : []),
              HINTS.cumulative,
            ],
          };
        return { status: "pass", messageId: "ok", data, observed };
      },
    );
  },
});

function retransHints(): string[] {
  return [HINTS.retrans];
}
