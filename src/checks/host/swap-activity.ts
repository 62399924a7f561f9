/** host.swap-activity: pages moving to or from swap (vmstat si/so) while the probe watched. */
import { defineCheck, limitRef } from "../model.js";
import { HOST_SWAP_ACTIVITY } from "./thresholds.js";
import {
  HOST_COMMON_MESSAGES,
  HOST_MEMORY_HINTS,
  FEWER_TASKS_HINT,
  judgeHosts,
  sectionError,
} from "./common.js";
import { instanceSizeHint } from "./common.js";
import { hostInstanceType } from "../capacity-targets.js";
import { memField } from "./memory.js";
import { judgedSamples, seriesOf, swapPressure } from "./vmstat.js";

const MESSAGES = {
  ...HOST_COMMON_MESSAGES,
  swapping:
    "swapping while watched: so up to {{soMax}} KiB/s in {{soSamples}} of {{samples}} one-second samples, si up to {{siMax}} KiB/s for up to {{siRun}} s in a row (limit {{limit}} KiB/s): the host is short of memory now",
  "page-in":
    "no swap pressure: si up to {{siMax}} KiB/s for {{siRun}} s (not sustained: {{minSeconds}} s in a row needed), so {{soMax}} KiB/s over {{samples}} one-second samples — an idle process touching a page it parked long ago",
  quiet:
    "no swap activity: si/so at most {{peak}} KiB/s over {{samples}} one-second samples (limit {{limit}} KiB/s)",
};

const HINTS = {
  ...HOST_MEMORY_HINTS,
  confirm: "Confirm on the host: `vmstat 1 5` (si/so should be 0 after the first line) and `free -m`.",
};

export const swapActivity = defineCheck({
  id: "host.swap-activity",
  title: "Host swap activity",
  description:
    "vmstat `si`/`so` (KiB/s swapped in/out) on each host, judged on the samples after the first (the first line is the average since boot): pages swapped out in any sample, or pages swapped in for minSwapInSeconds in a row, fail — the host is short of memory now and listings turn into disk waits. A lone page-in is an idle process touching a page parked long ago, normal on the Terraform module's hosts with their 2×RAM swapfile.",
  playbooks: ["slow-listing", "iowait"],
  needs: ["host.probe"],
  scope: "host",
  thresholds: HOST_SWAP_ACTIVITY,
  messages: MESSAGES,
  hints: HINTS,
  evaluate(ctx) {
    const limit = ctx.limits.maxSwapKiBPerSecond;
    return judgeHosts(
      ctx,
      {
        messages: MESSAGES,
        worse: "higher",
        threshold: ({ limits }) => limitRef(limits, "maxSwapKiBPerSecond", "KiB/s"),
      },
      ({ host, snapshot }) => {
        const j = judgedSamples(snapshot, ["si", "so"]);
        if (!j.ok) return sectionError(host, "vmstat", j.error);
        const p = swapPressure(j.rows, limit, ctx.limits.minSwapInSeconds);
        const { siMax, soMax, siRun, soSamples } = p;
        const peak = Math.max(siMax, soMax);
        const swappingSamples = j.rows.filter((r) => Math.max(r.si!, r.so!) > limit).length;
        const series = seriesOf(j, (r) => r.si! + r.so!);
        const observed = series ? { value: peak, unit: "KiB/s", series } : { value: peak, unit: "KiB/s" };
        const data = {
          siMax,
          soMax,
          siRun,
          soSamples,
          peak,
          samples: j.rows.length,
          swappingSamples,
          limit,
          minSeconds: ctx.limits.minSwapInSeconds,
        };
        if (p.moving)
          return {
            status: "fail",
            messageId: "swapping",
            data,
            observed,
            hints: [
              instanceSizeHint(
                memField(snapshot, "MemTotal", (f) => f.mem.total).value,
                hostInstanceType(ctx.evidence, host),
              ),
              FEWER_TASKS_HINT,
              HINTS.confirm,
            ],
          };
        return { status: "pass", messageId: peak > limit ? "page-in" : "quiet", data, observed };
      },
    );
  },
});
