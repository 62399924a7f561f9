/** host.swap-used: any swap in use means the host ran out of memory at some point. */
import { defineCheck } from "../model.js";
import { HOST_SWAP_USED } from "../thresholds/host.js";
import { HOST_COMMON_MESSAGES, FEWER_TASKS_HINT, fieldMissing, instanceSizeHint, judgeHosts, sectionError } from "./common.js";
import { memField, mib1 } from "./memory.js";

const MESSAGES: Record<string, string> = {
  ...HOST_COMMON_MESSAGES,
  used: "{{usedMiB}} MiB of {{totalMiB}} MiB swap in use (limit {{limit}} MiB): the host has run out of memory. Increase the instance size now",
  unused: "swap configured ({{totalMiB}} MiB), {{usedMiB}} MiB in use",
  "no-swap": "no swap configured (SwapTotal 0): nothing can be swapped out",
};

export const swapUsed = defineCheck({
  id: "host.swap-used",
  title: "Host swap in use",
  description:
    "SwapTotal − SwapFree from /proc/meminfo (free -m's Swap line if meminfo is unreadable) on each host. Swap in use means the host ran out of memory; on a package index it shows up as slow listings and high iowait. No swap configured is a pass.",
  playbooks: ["iowait", "slow-listing"],
  needs: ["host.probe"],
  scope: "host",
  thresholds: HOST_SWAP_USED,
  messages: MESSAGES,
  evaluate(ctx) {
    const limit = ctx.limits.maxSwapUsedMiB;
    return judgeHosts(
      ctx,
      { messages: MESSAGES, worse: "higher", threshold: () => ({ name: "maxSwapUsedMiB", value: limit, unit: "MiB" }) },
      ({ host, snapshot }) => {
        const total = memField(snapshot, "SwapTotal", (f) => f.swap?.total);
        if (total.error) return sectionError(host, "memory", total.error);
        if (total.value === undefined) return fieldMissing(host, total.from, "SwapTotal");
        if (total.value === 0) return { status: "pass", messageId: "no-swap", data: { totalMiB: 0, usedMiB: 0, limit }, observed: { value: 0, unit: "MiB" } };
        const free = memField(snapshot, "SwapFree", (f) => f.swap?.free);
        if (free.value === undefined) return fieldMissing(host, free.from, "SwapFree");
        if (free.value > total.value) return sectionError(host, free.from, `SwapFree (${mib1(free.value)} MiB) is larger than SwapTotal (${mib1(total.value)} MiB)`);
        const used = mib1(total.value - free.value);
        const data = { usedMiB: used, totalMiB: mib1(total.value), limit, source: total.from };
        const observed = { value: used, unit: "MiB" };
        if (used > limit) {
          const memTotal = memField(snapshot, "MemTotal", (f) => f.mem.total).value;
          return {
            status: "fail",
            messageId: "used",
            data,
            observed,
            hints: [
              instanceSizeHint(memTotal),
              FEWER_TASKS_HINT,
              "Swap in use can be old: check whether it is still moving with `vmstat 1 5` (si/so, see host.swap-activity). `sudo swapoff -a && sudo swapon -a` empties it once memory allows.",
            ],
          };
        }
        return { status: "pass", messageId: "unused", data, observed };
      },
    );
  },
});
