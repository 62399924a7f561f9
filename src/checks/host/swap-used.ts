/**
 * host.swap-used: swap in use is a problem only while it is moving. Pages swapped out once during a
 * memory spike stay in swap until something touches them, long after the host recovered: judging the
 * amount alone cries wolf for months. So the amount is judged together with vmstat si/so over the
 * probe's window: in use AND moving fails; in use and still is a pass that says so.
 */
import { defineCheck, limitRef } from "../model.js";
import { HOST_SWAP_USED } from "./thresholds.js";
import {
  HOST_COMMON_MESSAGES,
  HOST_MEMORY_HINTS,
  FEWER_TASKS_HINT,
  fieldMissing,
  instanceSizeHint,
  judgeHosts,
  sectionError,
} from "./common.js";
import { hostInstanceType } from "../capacity-targets.js";
import { memField, mib1 } from "./memory.js";
import { judgedSamples, swapPressure } from "./vmstat.js";

const MESSAGES = {
  ...HOST_COMMON_MESSAGES,
  used: "{{usedMiB}} MiB of {{totalMiB}} MiB swap in use and moving: si up to {{siMax}} KiB/s, so up to {{soMax}} KiB/s in {{movingSamples}} of {{samples}} one-second samples (limit {{movingLimit}} KiB/s): the host is short of memory now",
  parked:
    "{{usedMiB}} MiB of {{totalMiB}} MiB swap in use but not moving (si/so 0 in all {{samples}} one-second samples): swapped out earlier, not slowing the host now",
  "parked-page-in":
    "{{usedMiB}} MiB of {{totalMiB}} MiB swap in use and parked: nothing swapped out, and pages swapped in only briefly (si up to {{siMax}} KiB/s for {{siRun}} s) — an idle process touching an old page, not memory pressure",
  unused: "swap configured ({{totalMiB}} MiB), {{usedMiB}} MiB in use",
  "no-swap": "no swap configured (SwapTotal 0): nothing can be swapped out",
};

const HINTS = {
  ...HOST_MEMORY_HINTS,
  watch:
    "Watch it on the host: `vmstat 1 5` (si/so after the first line) and `free -m`. Once memory allows, `sudo swapoff -a && sudo swapon -a` empties the swap.",
};

export const swapUsed = defineCheck({
  id: "host.swap-used",
  title: "Host swap in use",
  description:
    "SwapTotal − SwapFree from /proc/meminfo (free -m's Swap line if meminfo is unreadable) on each host, judged together with vmstat si/so over the probe's samples (after the first, the since-boot average). Swap in use while pages move out (so in any sample) or keep moving in (si for minSwapInSeconds in a row) fails: the host is short of memory now, which shows up as slow listings and high iowait. Swap in use that does not move is a pass (pages swapped out during an old spike stay there until touched). No swap configured is a pass.",
  playbooks: ["iowait", "slow-listing"],
  needs: ["host.probe"],
  scope: "host",
  thresholds: HOST_SWAP_USED,
  messages: MESSAGES,
  hints: HINTS,
  evaluate(ctx) {
    const { maxSwapUsedMiB: limit, maxSwapMovingKiBPerSecond: movingLimit } = ctx.limits;
    return judgeHosts(
      ctx,
      {
        messages: MESSAGES,
        worse: "higher",
        threshold: ({ limits }) => limitRef(limits, "maxSwapUsedMiB", "MiB"),
      },
      ({ host, snapshot }) => {
        const total = memField(snapshot, "SwapTotal", (f) => f.swap?.total);
        if (total.error) return sectionError(host, "memory", total.error);
        if (total.value === undefined) return fieldMissing(host, total.from, "SwapTotal");
        if (total.value === 0)
          return {
            status: "pass",
            messageId: "no-swap",
            data: { totalMiB: 0, usedMiB: 0, limit },
            observed: { value: 0, unit: "MiB" },
          };
        const free = memField(snapshot, "SwapFree", (f) => f.swap?.free);
        if (free.value === undefined) return fieldMissing(host, free.from, "SwapFree");
        if (free.value > total.value)
          return sectionError(
            host,
            free.from,
            `SwapFree (${mib1(free.value)} MiB) is larger than SwapTotal (${mib1(total.value)} MiB)`,
          );
        const used = mib1(total.value - free.value);
        const data = { usedMiB: used, totalMiB: mib1(total.value), limit, source: total.from };
        const observed = { value: used, unit: "MiB" };
        if (used <= limit) return { status: "pass", messageId: "unused", data, observed };
        // In use: whether it hurts now depends on si/so while the probe watched; without them, say so.
        const j = judgedSamples(snapshot, ["si", "so"]);
        if (!j.ok)
          return sectionError(
            host,
            "vmstat",
            `${used} MiB of swap in use, and whether it is moving needs vmstat si/so: ${j.error}`,
          );
        const p = swapPressure(j.rows, movingLimit, ctx.limits.minSwapInSeconds);
        const { siMax, soMax, siRun } = p;
        const movingSamples = j.rows.filter((r) => Math.max(r.si!, r.so!) > movingLimit).length;
        const moving = { ...data, siMax, soMax, siRun, movingSamples, samples: j.rows.length, movingLimit };
        if (!p.moving)
          return {
            status: "pass",
            messageId: movingSamples ? "parked-page-in" : "parked",
            data: moving,
            observed,
          };
        const memTotal = memField(snapshot, "MemTotal", (f) => f.mem.total).value;
        return {
          status: "fail",
          messageId: "used",
          data: moving,
          observed,
          hints: [
            instanceSizeHint(memTotal, hostInstanceType(ctx.evidence, host)),
            FEWER_TASKS_HINT,
            HINTS.watch,
          ],
        };
      },
    );
  },
});
