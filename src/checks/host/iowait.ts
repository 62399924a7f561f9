/** host.iowait: CPU time spent waiting for I/O (vmstat wa), averaged over the judged samples. */
import { defineCheck, renderMessage } from "../model.js";
import { HOST_IOWAIT } from "../thresholds/host.js";
import type { HostSnapshot } from "../../sources/host/model.js";
import { HOST_COMMON_MESSAGES, HOST_MEMORY_HINTS, instanceSizeHint, judgeHosts, sectionError, sectionOf } from "./common.js";
import { memField } from "./memory.js";
import { judgedSamples, seriesOf } from "./vmstat.js";

const MESSAGES: Record<string, string> = {
  ...HOST_COMMON_MESSAGES,
  high: "iowait {{mean}} % on average (peak {{max}} %) over {{samples}} one-second samples, at or above {{limit}} %: requests are waiting on disk or EFS",
  ok: "iowait {{mean}} % on average (peak {{max}} %) over {{samples}} one-second samples, below {{limit}} %",
};

/** The probe's mount path (meta), for commands in hints. */
function mountPathOf(snapshot: HostSnapshot): string {
  const m = sectionOf(snapshot, "meta", (v): v is { mountPath: string } => typeof (v as { mountPath?: unknown })?.mountPath === "string");
  return m.ok && m.value.mountPath ? m.value.mountPath : "/data/packages";
}

const round1 = (v: number) => Math.round(v * 10) / 10;

const HINTS = {
  swapping: "The host is swapping in the same samples: fix memory first (see host.swap-activity).",
  "bigger-instance": HOST_MEMORY_HINTS["bigger-instance"],
  efs: "If not swapping, check EFS: `pypictl doctor --only efs` (PercentIOLimit, throughput, burst credits); with sustained limits use `efsThroughputMode: \"elastic\"` (stack) / `efs_throughput_mode = \"elastic\"` (Terraform).",
  "page-cache": "A page cache too small for the package tree also shows as iowait: look at MemAvailable (host.memory-available) and consider the next instance size.",
  "who-waits": "See who waits: `vmstat 1 5` (wa, b), `iostat -x 1 3`, `grep -A20 'mounted on {{mountPath}}' /proc/self/mountstats`.",
};

export const iowait = defineCheck({
  id: "host.iowait",
  title: "Host iowait",
  description:
    "Mean vmstat `wa` (% of CPU time waiting for I/O) on each host over the samples after the first (the first line is the average since boot). High iowait on an index host comes from swapping, a page cache too small for the package tree, or EFS throttling.",
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
      { messages: MESSAGES, worse: "higher", threshold: () => ({ name: "maxIowaitPercent", value: limit, unit: "%" }) },
      ({ host, snapshot }) => {
        const j = judgedSamples(snapshot, ["wa", "si", "so"]);
        if (!j.ok) return sectionError(host, "vmstat", j.error);
        const was = j.rows.map((r) => r.wa!);
        const mean = round1(was.reduce((a, b) => a + b, 0) / was.length);
        const max = Math.max(...was);
        const swapping = j.rows.some((r) => r.si! > 0 || r.so! > 0);
        const series = seriesOf(j, (r) => r.wa!);
        const observed = series ? { value: mean, unit: "%", series } : { value: mean, unit: "%" };
        const data = { mean, max, samples: was.length, limit, swapping };
        if (mean >= limit) {
          const hints = swapping ? [HINTS.swapping, instanceSizeHint(memField(snapshot, "MemTotal", (f) => f.mem.total).value)] : [];
          hints.push(HINTS.efs, HINTS["page-cache"], renderMessage(HINTS["who-waits"], { mountPath: mountPathOf(snapshot) }));
          return { status: "fail", messageId: "high", data, observed, hints };
        }
        return { status: "pass", messageId: "ok", data, observed };
      },
    );
  },
});
