/**
 * Worker OOM kills that do not stop a task, from the two places they leave a trace (FACTS §9): gunicorn's
 * arbiter lines in the service's log group (`logs.gunicorn`, dated) and the memory cgroups' oom_kill
 * counters on the hosts (`host.probe` v4, cumulative since each cgroup was made). Pure.
 */
import type { Evidence } from "../../sources/model.js";
import { GUNICORN_LOGS, type GunicornLogLine } from "../../sources/aws/types.js";
import { HOST_PROBE } from "../../sources/host/model.js";
import { maybe } from "../series.js";

export interface CgroupKill {
  host: string;
  path: string;
  kills: number;
}

export interface WorkerOomSignals {
  logGroup?: string;
  /** gunicorn "was sent SIGKILL! Perhaps out of memory?" lines in the window. */
  oomLines: GunicornLogLine[];
  /** gunicorn "WORKER TIMEOUT" lines in the window. */
  timeoutLines: GunicornLogLine[];
  logsTruncated: boolean;
  /** The deepest memory cgroups with a non-zero oom_kill counter, per host. */
  cgroupKills: CgroupKill[];
}

const dirOf = (p: string) => p.replace(/\/[^/]*$/, "");

/**
 * cgroup v2 memory.events counts kills in the cgroup's descendants too (unless memory_localevents): a
 * container's kill shows at the container, its task and every parent. Keep the deepest of each chain.
 */
export function deepestCounters(counters: ReadonlyArray<{ path: string; kills: number }>) {
  const dirs = counters.map((c) => dirOf(c.path));
  return counters.filter((c) => {
    const d = dirOf(c.path);
    return !dirs.some((o) => o !== d && o.startsWith(`${d}/`));
  });
}

export function workerOomSignals(evidence: Evidence): WorkerOomSignals {
  const logs = maybe(evidence, GUNICORN_LOGS);
  // Read when the host checks had the probe gathered (a fleet run's default selection); not a need of its own.
  const probe = maybe(evidence, HOST_PROBE);
  const cgroupKills: CgroupKill[] = [];
  for (const h of probe?.hosts ?? []) {
    if (!h.ok || !h.snapshot.oom?.ok) continue;
    for (const c of deepestCounters(h.snapshot.oom.value.counters))
      cgroupKills.push({ host: h.host, path: c.path, kills: c.kills });
  }
  const out: WorkerOomSignals = {
    oomLines: logs?.lines.filter((l) => l.kind === "oom") ?? [],
    timeoutLines: logs?.lines.filter((l) => l.kind === "timeout") ?? [],
    logsTruncated: logs?.truncated ?? false,
    cgroupKills,
  };
  if (logs) out.logGroup = logs.logGroup;
  return out;
}
