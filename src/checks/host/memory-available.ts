/** host.memory-available: MemAvailable below the floor leaves no page cache for EFS reads. */
import { defineCheck, limitRef } from "../model.js";
import { HOST_MEMORY_AVAILABLE } from "./thresholds.js";
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

const MESSAGES = {
  ...HOST_COMMON_MESSAGES,
  low: "only {{availableMiB}} MiB available of {{totalMiB}} MiB ({{percent}} %), below {{limit}} MiB: too little left for the EFS page cache",
  ok: "{{availableMiB}} MiB available of {{totalMiB}} MiB ({{percent}} %), above {{limit}} MiB",
};

const HINTS = {
  ...HOST_MEMORY_HINTS,
  "who-holds":
    "See what holds the memory on the host: `free -m`, `ps aux --sort=-rss | head`, `docker stats --no-stream`.",
};

export const memoryAvailable = defineCheck({
  id: "host.memory-available",
  title: "Host memory available",
  description:
    "Reads MemAvailable from /proc/meminfo (free -m's `available` if meminfo is unreadable) on each host. Below the floor the kernel has no room left for the page cache that keeps EFS reads and directory listings fast, and the next step is swapping.",
  playbooks: ["slow-listing", "iowait", "oom"],
  needs: ["host.probe"],
  scope: "host",
  thresholds: HOST_MEMORY_AVAILABLE,
  messages: MESSAGES,
  hints: HINTS,
  evaluate(ctx) {
    const limit = ctx.limits.minAvailableMiB;
    return judgeHosts(
      ctx,
      {
        messages: MESSAGES,
        worse: "lower",
        threshold: ({ limits }) => limitRef(limits, "minAvailableMiB", "MiB"),
      },
      ({ host, snapshot }) => {
        const avail = memField(snapshot, "MemAvailable", (f) => f.mem.available);
        if (avail.error) return sectionError(host, "memory", avail.error);
        if (avail.value === undefined)
          return fieldMissing(host, avail.from, "MemAvailable (kernel older than 3.14?)");
        const total = memField(snapshot, "MemTotal", (f) => f.mem.total);
        if (total.value === undefined || total.value === 0) return fieldMissing(host, total.from, "MemTotal");
        const data = {
          availableMiB: mib1(avail.value),
          totalMiB: mib1(total.value),
          percent: mib1((avail.value / total.value) * 100),
          limit,
          source: avail.from,
        };
        const observed = { value: mib1(avail.value), unit: "MiB" };
        if (avail.value < limit)
          return {
            status: "fail",
            messageId: "low",
            data,
            observed,
            hints: [
              instanceSizeHint(total.value, hostInstanceType(ctx.evidence, host)),
              FEWER_TASKS_HINT,
              HINTS["who-holds"],
            ],
          };
        return { status: "pass", messageId: "ok", data, observed };
      },
    );
  },
});
