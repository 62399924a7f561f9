/**
 * host.iowait: CPU time spent waiting for I/O (vmstat wa) and tasks stuck in uninterruptible sleep, over
 * the probe's samples.
 *
 * `wa` and vmstat's `b` count only tasks sleeping in io_schedule() (`b` is the kernel's nr_iowait(),
 * fs/proc/stat.c). A task waiting for an NFS reply — LOOKUP, GETATTR, READDIR on a throttled EFS — sleeps
 * in rpc_wait_bit_killable() → schedule() (net/sunrpc/sched.c) and shows in neither: iowait stays at 0 %
 * while every pypiserver worker hangs. It is in state D, so the probe (v3) counts D-state tasks each
 * second (and those whose wchan is in the NFS/SUNRPC client); older probes only have vmstat `b`.
 */
import { defineCheck, limitRef } from "../model.js";
import { HOST_IOWAIT } from "./thresholds.js";
import type { HostSnapshot } from "../../sources/host/model.js";
import {
  HOST_COMMON_MESSAGES,
  HOST_MEMORY_HINTS,
  guards,
  instanceSizeHint,
  judgeHosts,
  num,
  sectionError,
  sectionOf,
} from "./common.js";
import { hostInstanceType } from "../capacity-targets.js";
import { memField } from "./memory.js";
import { judgedSamples, seriesOf } from "./vmstat.js";

const MESSAGES = {
  ...HOST_COMMON_MESSAGES,
  high: "iowait {{mean}} % on average (peak {{max}} %) over {{samples}} one-second samples, at or above {{limit}} %: requests are waiting on disk or EFS",
  blocked:
    "{{blockedMean}} tasks blocked in uninterruptible sleep on average (peak {{blockedMax}}{{nfsPart}}) on {{cpus}} CPUs, at or above {{blockedLimit}} per CPU, while iowait is {{mean}} %: requests are stuck on disk or NFS (NFS metadata waits do not show as iowait)",
  "nfs-workers":
    "{{nfsMean}} threads waiting on NFS on average against {{workers}} gunicorn workers on the host (a worker's threads count apart, so it can exceed them) (in every one of {{samples}} samples, peak {{nfsMax}}), at or above {{nfsLimit}} % of the workers, while iowait is {{mean}} %: requests hang on EFS (NFS waits sleep in rpc_wait_bit_killable and never show as iowait)",
  ok: "iowait {{mean}} % on average (peak {{max}} %) over {{samples}} one-second samples, below {{limit}} %; {{blockedMean}} blocked tasks on average on {{cpus}} CPUs ({{blockedFrom}})",
};

/**
 * Blocked tasks per sample: the probe's D-state counts (v3, with NFS waiters), else vmstat `b` of the
 * judged rows (older probes; it misses NFS metadata waits).
 */
function blockedOf(snapshot: HostSnapshot, rows: Array<Record<string, number>>) {
  const s = sectionOf(snapshot, "blocked", guards.blocked);
  const counts = s.ok ? s.value.samples.map((x) => [num(x.blocked), num(x.nfs)] as const) : [];
  if (s.ok && counts.length > 0 && counts.every(([d, n]) => d !== undefined && n !== undefined)) {
    const d = counts.map(([x]) => x!);
    const nfs = counts.map(([, n]) => n!);
    const nfsMax = Math.max(...nfs);
    return {
      blockedMean: round1(d.reduce((a, x) => a + x, 0) / d.length),
      blockedMax: Math.max(...d),
      nfsMax,
      nfsPart: nfsMax > 0 ? `, up to ${nfsMax} waiting on NFS` : "",
      blockedFrom: "task states D",
      nfsMean: round1(nfs.reduce((a, x) => a + x, 0) / nfs.length),
      nfsEverySample: nfs.every((x) => x > 0),
    };
  }
  const d = rows.map((r) => r.b!);
  return {
    blockedMean: round1(d.reduce((a, x) => a + x, 0) / d.length),
    blockedMax: Math.max(...d),
    nfsMax: 0,
    nfsPart: "",
    blockedFrom: "vmstat b, which misses NFS waits",
    nfsMean: 0,
    nfsEverySample: false,
  };
}

const round1 = (v: number) => Math.round(v * 10) / 10;

const HINTS = {
  swapping: "The host is swapping in the same samples: fix memory first (see host.swap-activity).",
  "bigger-instance": HOST_MEMORY_HINTS["bigger-instance"],
  efs: 'If not swapping, check EFS: `pypictl doctor --only efs` (PercentIOLimit, throughput, burst credits) and host.efs-mount (round trips in the probe\'s window); with sustained limits use `efsThroughputMode: "elastic"` (stack) / `efs_throughput_mode = "elastic"` (Terraform).',
  "page-cache":
    "A page cache too small for the package tree also shows as iowait: look at MemAvailable (host.memory-available) and consider the next instance size.",
  "who-waits":
    "See who waits on the host: `vmstat 1 5` (wa, b), `ps -eo state,pid,wchan:32,cmd` (lines starting with D; NFS waits show wchan rpc_wait_bit_killable or nfs_*), `nfsiostat 5 3`.",
};

export const iowait = defineCheck({
  id: "host.iowait",
  title: "Host iowait and blocked tasks",
  description:
    "Mean vmstat `wa` (% of CPU time waiting for I/O) on each host over the samples after the first (the first line is the average since boot), the mean number of tasks in uninterruptible sleep (state D) per CPU, counted each second by the probe, and the tasks waiting in the NFS client against the gunicorn workers found on the host (probe v4): NFS waiters in every sample holding maxNfsWaitingWorkersPercent of the workers fail however many CPUs idle. High iowait on an index host comes from swapping, a page cache too small for the package tree, or EFS throttling; NFS metadata waits (LOOKUP, GETATTR, READDIR) add nothing to `wa` or vmstat `b` (both count only io_schedule() sleepers), so a throttled EFS shows as blocked tasks instead. Probes before v3 only have vmstat `b`.",
  playbooks: ["iowait", "slow-listing"],
  needs: ["host.probe"],
  scope: "host",
  thresholds: HOST_IOWAIT,
  messages: MESSAGES,
  hints: HINTS,
  evaluate(ctx) {
    const limit = ctx.limits.maxIowaitPercent;
    return judgeHosts(
      ctx,
      {
        messages: MESSAGES,
        worse: "higher",
        threshold: ({ limits }) => limitRef(limits, "maxIowaitPercent", "%"),
      },
      ({ host, snapshot }) => {
        const j = judgedSamples(snapshot, ["wa", "si", "so", "b"]);
        if (!j.ok) return sectionError(host, "vmstat", j.error);
        const was = j.rows.map((r) => r.wa!);
        const mean = round1(was.reduce((a, b) => a + b, 0) / was.length);
        const max = Math.max(...was);
        const swapping = j.rows.some((r) => r.si! > 0 || r.so! > 0);
        const series = seriesOf(j, (r) => r.wa!);
        const observed = series ? { value: mean, unit: "%", series } : { value: mean, unit: "%" };
        const b = blockedOf(snapshot, j.rows);
        const cpus = sectionOf(
          snapshot,
          "nproc",
          (v): v is number => num(v) !== undefined && (v as number) >= 1,
        );
        const blockedLimit = ctx.limits.maxBlockedPerCpu;
        const data: Record<string, unknown> = {
          mean,
          max,
          samples: was.length,
          limit,
          swapping,
          blockedLimit,
          ...b,
        };
        if (cpus.ok) data.cpus = cpus.value;
        const blockedHigh = cpus.ok && b.blockedMean >= blockedLimit * cpus.value;
        // NFS waiters against the gunicorn workers they stall (probe v4): a hung EFS holds every worker in
        // rpc_wait_bit_killable while the CPUs idle, so a per-CPU rule misses it on a big host.
        const procs = sectionOf(snapshot, "procs", guards.procs);
        const workers = procs.ok ? procs.value.gunicornWorkers : 0;
        const nfsLimit = ctx.limits.maxNfsWaitingWorkersPercent;
        Object.assign(data, { workers, nfsLimit });
        const nfsHigh =
          workers > 0 && b.nfsEverySample && b.nfsMean >= (nfsLimit / 100) * workers && b.nfsMean > 0;
        if (nfsHigh && mean < limit)
          return {
            status: "fail",
            messageId: "nfs-workers",
            data,
            observed,
            hints: [HINTS.efs, HINTS["who-waits"]],
          };
        if (mean >= limit || blockedHigh) {
          const hints = swapping
            ? [
                HINTS.swapping,
                instanceSizeHint(
                  memField(snapshot, "MemTotal", (f) => f.mem.total).value,
                  hostInstanceType(ctx.evidence, host),
                ),
              ]
            : [];
          hints.push(HINTS.efs, HINTS["page-cache"], HINTS["who-waits"]);
          return { status: "fail", messageId: mean >= limit ? "high" : "blocked", data, observed, hints };
        }
        if (!cpus.ok)
          return sectionError(
            host,
            "nproc",
            `iowait is ${mean} %, but blocked tasks cannot be judged without the CPU count: ${cpus.error}`,
          );
        return { status: "pass", messageId: "ok", data, observed };
      },
    );
  },
});
