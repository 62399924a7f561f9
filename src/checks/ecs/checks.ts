/**
 * ECS checks (oom, bursts, upload playbooks), corrected per FACTS §3: the OOM signal is on the stopped
 * task (container reason OutOfMemoryError, exit 137, stopCode); MemoryUtilization divides by the
 * reservation when one is set, so it is converted to a share of the hard limit before judging.
 */
import { defineCheck, limitRef, renderMessage, type ResourceResult } from "../model.js";
import { ECS_CPU_UTILIZATION, ECS_MEMORY_UTILIZATION, ECS_OOM_KILLS } from "./thresholds.js";
import { workerOomSignals } from "./worker-oom.js";
import {
  GUNICORN_LOGS,
  INSTANCES,
  METRICS,
  SERVICE,
  STOPPED_TASKS,
  type EcsTaskDefinition,
  type MetricSeries,
  type StoppedTask,
} from "../../sources/aws/types.js";
import {
  describeSeries,
  hasData,
  maxOf,
  maybe,
  need,
  observedFrom,
  round,
  seriesOf,
  seriesProblem,
  values,
} from "../series.js";
import {
  BASIC_MONITORING_SECONDS,
  judgeSustained,
  runSpan,
  spacingNote,
  spacingSeconds,
  timed,
  type SustainedJudgement,
} from "../series-judge.js";
import { hostsToSpread, instanceForTasks, moreCpuThan, nextContainerMemory } from "../../capacity/hints.js";
import { fleetHostCount, fleetInstanceType } from "../capacity-targets.js";

/** ECS keeps stopped tasks visible for at least one hour (often longer, never promised). */
export const STOPPED_TASK_VISIBILITY_MINUTES = 60;

/** The main container's hard limit for hints ("512 → 1024"). */
function mainContainerMemory(td: EcsTaskDefinition): number | undefined {
  const c =
    td.containers.find((c) => c.essential && c.memoryMiB !== undefined) ??
    td.containers.find((c) => c.memoryMiB !== undefined);
  return c?.memoryMiB ?? td.taskMemoryMiB;
}

/** The memory levers, shared by the checks that find a task short of memory (ecs.*, upload.fleet-signals). */
export const MEMORY_HINTS = {
  "raise-memory":
    "Raise the container's hard memory limit from {{now}} to {{next}} MiB (the reservation follows at 75 %): stack `pypictl deploy --container-memory {{next}}` with the flags you deployed with, Terraform `container_memory = {{next}}`.",
  "fewer-tasks":
    "Or run fewer tasks per instance so each gets more memory: stack prop `taskMinCount` (`--task-min-count`), Terraform `task_min_count`.",
  "bigger-instance":
    'Or a bigger instance type when the tasks no longer fit: {{instance}} ({{gib}} GiB) places {{slots}} tasks of {{next}} MiB per host (the capacity model, with the module\'s reservation and CPU defaults): stack `--instance-type {{instance}}`, Terraform `asg_instance_type = "{{instance}}"`; `pypictl size` checks it against your load.',
};

/** Tasks per host a bigger-instance target must keep: the medium/heavy presets' smallest (3 per c6a.large). */
const TASKS_PER_HOST_TARGET = 3;

export function memoryHints(td: EcsTaskDefinition | undefined, instanceType?: string): string[] {
  const now = td ? mainContainerMemory(td) : undefined;
  const next = nextContainerMemory(now);
  const host = instanceForTasks(next, TASKS_PER_HOST_TARGET, instanceType) ?? moreCpuThan(undefined);
  return [
    renderMessage(MEMORY_HINTS["raise-memory"], { now: now ?? 512, next }),
    MEMORY_HINTS["fewer-tasks"],
    renderMessage(MEMORY_HINTS["bigger-instance"], {
      instance: host.instanceType,
      gib: host.memoryMiB / 1024,
      slots: host.slots ?? TASKS_PER_HOST_TARGET,
      next,
    }),
  ];
}

/** The hard limit and the denominator AWS/ECS MemoryUtilization uses (task memory, else Σ reservation ?? memory). */
export function memoryLimits(td: EcsTaskDefinition): { hardMiB?: number; denominatorMiB?: number } {
  const containers = td.containers;
  const allHard = containers.length > 0 && containers.every((c) => c.memoryMiB !== undefined);
  const hardMiB = allHard ? containers.reduce((a, c) => a + c.memoryMiB!, 0) : td.taskMemoryMiB;
  const perContainer = containers.every((c) => (c.memoryReservationMiB ?? c.memoryMiB) !== undefined)
    ? containers.reduce((a, c) => a + (c.memoryReservationMiB ?? c.memoryMiB)!, 0)
    : undefined;
  const denominatorMiB = td.taskMemoryMiB ?? perContainer;
  const out: { hardMiB?: number; denominatorMiB?: number } = {};
  if (hardMiB) out.hardMiB = hardMiB;
  if (denominatorMiB) out.denominatorMiB = denominatorMiB;
  return out;
}

type StopKind = "oom" | "exit-137" | "exit-137-on-stop" | "other";

/** Stops the scheduler or a person asked for (TaskStopCode): an exit 137 then is SIGKILL after stopTimeout (30 s default). */
const STOP_INITIATED =
  /ServiceSchedulerInitiated|UserInitiated|SpotInterruption|TerminationNotice|InfrastructureHealth/;

/**
 * Why a task stopped, as far as OOM is concerned. The ECS agent on EC2 turns Docker's OOMKilled into the
 * container reason "OutOfMemoryError: Container killed due to memory usage"; some paths (and emulators) put
 * it in the task's stoppedReason instead, so both are read. Exit 137 alone may be SIGKILL after stopTimeout.
 */
export function classifyStop(t: StoppedTask): StopKind {
  if (
    t.containers.some((c) => /OutOfMemoryError/i.test(c.reason ?? "")) ||
    /OutOfMemoryError|killed due to memory usage/i.test(t.stoppedReason ?? "")
  )
    return "oom";
  if (t.containers.some((c) => c.exitCode === 137)) {
    if (
      STOP_INITIATED.test(t.stopCode ?? "") ||
      /scaling activity|deployment|stopped by user|scale-in/i.test(t.stoppedReason ?? "")
    )
      return "exit-137-on-stop";
    return "exit-137";
  }
  return "other";
}

function describeStop(t: StoppedTask): string {
  const containers = t.containers
    .filter((c) => c.exitCode !== undefined || c.reason)
    .map((c) => `${c.name} exit ${c.exitCode ?? "?"}${c.reason ? ` (${c.reason})` : ""}`)
    .join("; ");
  const reason = t.stoppedReason && !containers.includes(t.stoppedReason) ? ` — ${t.stoppedReason}` : "";
  return `stopped ${t.stoppedAt ?? t.stoppingAt ?? "?"}${t.stopCode ? ` [${t.stopCode}]` : ""}: ${containers || "no container detail"}${reason}`;
}

const oomHints = {
  ...MEMORY_HINTS,
  "tell-apart":
    "Check MemoryUtilization against the hard limit to tell an OOM kill from a slow shutdown: `pypictl doctor --only ecs.memory-utilization`.",
  "slow-shutdown":
    "If it is a slow shutdown, the container ignored SIGTERM until stopTimeout; if it is memory:",
};

export const ecsOomKills = defineCheck({
  id: "ecs.oom-kills",
  title: "Containers killed for memory (OOM)",
  description:
    "Tasks of the service stopped in the window whose container reason or task stoppedReason is OutOfMemoryError (fail), or that exited 137 without a reason (warn: also SIGKILL after the 30 s stopTimeout). The signal lives on the stopped task, not in service events; ECS keeps stopped tasks visible for at least one hour, so older stops may be gone. A worker OOM-killed inside a running container stops no task: gunicorn's \"Worker (pid:…) was sent SIGKILL! Perhaps out of memory?\" lines in the service's CloudWatch Logs group (fail), and — when the host probe ran — the memory cgroups' oom_kill counters (warn: cumulative since the container started).",
  playbooks: ["oom", "upload"],
  needs: [STOPPED_TASKS.id],
  uses: [SERVICE.id, GUNICORN_LOGS.id],
  scope: "fleet",
  thresholds: ECS_OOM_KILLS,
  hints: oomHints,
  messages: {
    oom: "{{count}} task(s) OOM-killed in the window (latest {{latest}}): the container hit its {{hardLimit}} MiB hard limit.{{visibility}}",
    "exit-137":
      "{{count137}} task(s) exited 137 without an OutOfMemoryError reason (latest {{latest}}): an OOM kill, or SIGKILL after stopTimeout when the container ignored SIGTERM.{{visibility}}",
    "worker-oom":
      "gunicorn logged {{workerKills}} worker OOM kill(s) in the window (latest {{latest}}, log group {{logGroup}}): a container hit its {{hardLimit}} MiB hard limit and the kernel killed a worker; the task kept running, so ECS recorded no stop. Requests on the killed worker failed (502).",
    "cgroup-oom":
      "Memory cgroups counted {{cgroupKills}} OOM kill(s) since their containers started ({{where}}); no gunicorn log line dates them in the window.",
    none: "No OOM kills among {{stopped}} task(s) stopped in the window{{workers}}.{{visibility}}",
  },
  evaluate({ evidence, limits, window }) {
    const st = need(evidence, STOPPED_TASKS);
    const svc = maybe(evidence, SERVICE);
    const windowMinutes = (Date.parse(window.end) - Date.parse(window.start)) / 60_000;
    const visibility =
      windowMinutes > STOPPED_TASK_VISIBILITY_MINUTES
        ? ` (ECS keeps stopped tasks visible for at least one hour: stops earlier in the ${window.since} window may no longer be listed.)`
        : "";
    const kinds = st.tasks.map((t) => ({ t, kind: classifyStop(t) }));
    const oom = kinds.filter((k) => k.kind === "oom");
    const ambiguous = kinds.filter((k) => k.kind === "exit-137");
    const resources: ResourceResult[] = kinds
      .filter((k) => k.kind !== "other")
      .map(({ t, kind }) => ({
        id: t.taskId,
        status: kind === "oom" ? "fail" : kind === "exit-137" ? "warn" : "pass",
        message:
          describeStop(t) +
          (kind === "exit-137-on-stop"
            ? " — exit 137 on a scheduler/user stop: SIGKILL after stopTimeout, not OOM"
            : kind === "exit-137"
              ? " — exit 137 without OOM reason"
              : ""),
      }));
    const hardLimit = svc ? (memoryLimits(svc.taskDefinition).hardMiB ?? "?") : "?";
    const times = (xs: typeof kinds) => xs.map((k) => k.t.stoppedAt ?? k.t.stoppingAt ?? "?");
    const threshold = limitRef(limits, "maxKills", "count");
    const hints = memoryHints(svc?.taskDefinition, fleetInstanceType(evidence));
    const workers = workerOomSignals(evidence);
    const workerResources: ResourceResult[] = [
      ...workers.oomLines.map((l) => ({
        id: l.stream,
        status: "fail" as const,
        message: `${l.at} gunicorn: worker (pid ${l.pid ?? "?"}) was sent SIGKILL! Perhaps out of memory?`,
      })),
      ...workers.cgroupKills.map((c) => ({
        id: `${c.host}:${c.path}`,
        status: "warn" as const,
        message: `oom_kill ${c.kills} since the cgroup was made`,
      })),
    ];
    if (oom.length > limits.maxKills)
      return {
        status: "fail",
        messageId: "oom",
        data: {
          count: oom.length,
          latest: times(oom).at(-1)!,
          times: times(oom),
          taskIds: oom.map((k) => k.t.taskId),
          hardLimit,
          visibility,
        },
        observed: { value: oom.length, unit: "count" },
        threshold,
        hints,
        resources,
      };
    if (workers.oomLines.length > limits.maxKills)
      return {
        status: "fail",
        messageId: "worker-oom",
        data: {
          workerKills: workers.oomLines.length,
          latest: workers.oomLines.at(-1)!.at,
          times: workers.oomLines.map((l) => l.at),
          logGroup: workers.logGroup ?? "?",
          hardLimit,
        },
        observed: { value: workers.oomLines.length, unit: "count" },
        threshold,
        hints,
        resources: [...resources, ...workerResources],
      };
    const cgroupKills = workers.cgroupKills.reduce((a, c) => a + c.kills, 0);
    if (cgroupKills > limits.maxKills)
      return {
        status: "warn",
        messageId: "cgroup-oom",
        data: {
          cgroupKills,
          where: [...new Set(workers.cgroupKills.map((c) => c.host))].join(", "),
        },
        observed: { value: cgroupKills, unit: "count" },
        threshold,
        hints,
        resources: [...resources, ...workerResources],
      };
    if (ambiguous.length > 0)
      return {
        status: "warn",
        messageId: "exit-137",
        data: {
          count137: ambiguous.length,
          latest: times(ambiguous).at(-1)!,
          times: times(ambiguous),
          taskIds: ambiguous.map((k) => k.t.taskId),
          visibility,
        },
        observed: { value: oom.length, unit: "count" },
        threshold,
        hints: [oomHints["tell-apart"], oomHints["slow-shutdown"], ...hints],
        resources,
      };
    return {
      status: "pass",
      messageId: "none",
      data: {
        stopped: st.tasks.length,
        visibility,
        workers: workers.logGroup ? ` and no gunicorn worker OOM kill in ${workers.logGroup}` : "",
      },
      observed: { value: 0, unit: "count" },
      threshold,
      ...(resources.length ? { resources } : {}),
    };
  },
});

const memoryUtilizationHints = {
  ...MEMORY_HINTS,
  "name-service":
    "The metric is published with both ClusterName and ServiceName: name both, in the right region: `pypictl doctor --cluster <cluster> --service <service> --region <region>`.",
  "set-limit":
    "Set a hard limit so one task cannot starve the host: stack prop `containerMemory` (`--container-memory`), Terraform `container_memory`.",
};

export const ecsMemoryUtilization = defineCheck({
  id: "ecs.memory-utilization",
  title: "Task memory vs the hard limit",
  description:
    "Peak AWS/ECS MemoryUtilization (Maximum, ClusterName+ServiceName) converted to a share of the container's hard limit: the metric divides by the reservation when one is set, so with a 75 % reservation the OOM kill comes at about 133 %.",
  playbooks: ["oom", "upload"],
  needs: [METRICS.id, SERVICE.id],
  series: ["ecs.MemoryUtilization"],
  scope: "fleet",
  thresholds: ECS_MEMORY_UTILIZATION,
  hints: memoryUtilizationHints,
  messages: {
    "no-metrics": "Could not evaluate: {{cause}}.",
    "no-tasks": "Not evaluated: the service runs no tasks, so ECS publishes no MemoryUtilization.",
    "no-hard-limit":
      "The busiest task used {{peakReported}} % of its reservation; the container has no hard memory limit (it can take the instance's memory).",
    high: "The busiest task reached {{peakOfHard}} % of its {{hardMiB}} MiB hard limit (CloudWatch shows {{peakReported}} % of the {{denominatorMiB}} MiB reservation).",
    ok: "The busiest task peaked at {{peakOfHard}} % of its {{hardMiB}} MiB hard limit (CloudWatch shows {{peakReported}} % of the {{denominatorMiB}} MiB reservation).",
  },
  evaluate({ evidence, limits }) {
    const m = need(evidence, METRICS);
    const svc = need(evidence, SERVICE);
    const s = seriesOf(m, "ecs.MemoryUtilization");
    const problem = seriesProblem(s);
    if (problem) return { status: "error", messageId: "no-metrics", data: { cause: problem } };
    if (!hasData(s)) {
      if (svc.runningCount === 0) return { status: "skip", messageId: "no-tasks", data: {} };
      return {
        status: "error",
        messageId: "no-metrics",
        data: {
          cause: `no datapoints for ${s ? describeSeries(s) : "AWS/ECS MemoryUtilization"} although ${svc.runningCount} task(s) run: wrong cluster/service name or region`,
        },
        hints: [memoryUtilizationHints["name-service"]],
      };
    }
    const { hardMiB, denominatorMiB } = memoryLimits(svc.taskDefinition);
    const peakReported = maxOf(s!.points.map((p) => p[1]))!;
    if (!hardMiB || !denominatorMiB)
      return {
        status: "warn",
        messageId: "no-hard-limit",
        data: { peakReported: round(peakReported) },
        observed: observedFrom(s!.points, peakReported, "%"),
        hints: [memoryUtilizationHints["set-limit"]],
      };
    const factor = denominatorMiB / hardMiB;
    const converted = s!.points.map(([t, v]) => [t, v * factor] as [string, number]);
    const peakOfHard = peakReported * factor;
    const data = {
      peakOfHard: round(peakOfHard),
      peakReported: round(peakReported),
      hardMiB,
      denominatorMiB,
    };
    const observed = observedFrom(converted, peakOfHard, "% of hard limit");
    if (peakOfHard > limits.failPercentOfHardLimit)
      return {
        status: "fail",
        messageId: "high",
        data,
        observed,
        threshold: limitRef(limits, "failPercentOfHardLimit", "%"),
        hints: memoryHints(svc.taskDefinition, fleetInstanceType(evidence)),
      };
    if (peakOfHard > limits.warnPercentOfHardLimit)
      return {
        status: "warn",
        messageId: "high",
        data,
        observed,
        threshold: limitRef(limits, "warnPercentOfHardLimit", "%"),
        hints: memoryHints(svc.taskDefinition, fleetInstanceType(evidence)),
      };
    return {
      status: "pass",
      messageId: "ok",
      data,
      observed,
      threshold: limitRef(limits, "warnPercentOfHardLimit", "%"),
    };
  },
});

export { ecsRunningTasks } from "./running-tasks.js";
export { EVENT_RULES, ecsServiceEvents } from "./service-events.js";

/**
 * ecs.cpu-utilization. The service's CPUUtilization is CPU used ÷ CPU units reserved in the task definition;
 * on EC2 a task may use the host's spare CPU, so > 100 % is healthy then. What saturates is the host:
 * judged from EC2 CPUUtilization per instance (already gathered for ec2.cpu-skew); the service metric is
 * shown as context only.
 */
const cpuHints = {
  "name-instances":
    "Name the fleet whose instances to read (`pypictl doctor --cluster <cluster> --service <service>`, or `--stack <name>`) and grant cloudwatch:GetMetricData (`pypictl doctor --print-iam-policy`).",
  bigger:
    'Give the hosts more CPU: {{target}} ({{vcpus}} vCPU{{from}}; the capacity model\'s next size up, burstable types move to a non-burstable family): stack `--instance-type {{target}}`, Terraform `asg_instance_type = "{{target}}"`; `pypictl size` checks it against your load.',
  spread:
    "Or spread the load over more instances: {{plan}}: stack `--min-instances {{hosts}}` (the task count follows, tasks per instance × instances; keep `--max-instances` at or above it), Terraform: the auto-scaling group's minimum and `task_min_count`.",
};

/** The more-instances hint: how many hosts of the fleet's type bring the peak under the limit. */
function cpuHintSpread(evidence: Parameters<typeof maybe>[0], peak: number, limit: number): string {
  const hosts = fleetHostCount(evidence);
  const type = fleetInstanceType(evidence) ?? "instances";
  const n = hosts !== undefined ? hostsToSpread(hosts, peak, limit) : undefined;
  return renderMessage(cpuHints.spread, {
    plan:
      hosts !== undefined && n !== undefined
        ? `${n} × ${type} instead of ${hosts} bring a ${Math.round(peak)} % peak to about ${Math.round((peak * hosts) / n)} % each, under ${limit} % (the load spread evenly)`
        : "enough hosts that the peak spread over them stays under the limit (hosts × peak ÷ limit; the fleet's instances were not read)",
    hosts: n ?? "<N>",
  });
}

/** The bigger-instance hint with the model's target for the fleet's (most common) instance type. */
function cpuHintBigger(evidence: Parameters<typeof maybe>[0]): string {
  const current = fleetInstanceType(evidence);
  const t = moreCpuThan(current);
  return renderMessage(cpuHints.bigger, {
    target: t.instanceType,
    vcpus: t.vcpus,
    from: current ? `, from ${current}` : "",
  });
}

export const ecsCpuUtilization = defineCheck({
  id: "ecs.cpu-utilization",
  title: "Host CPU under the service (sustained)",
  description:
    "EC2 CPUUtilization (Average) of each instance running the service, judged by wall-clock time from the timestamps: above maxPercent for sustainedMinutes fails, a shorter run of warnMinutes warns. EC2 basic monitoring (both fleets' default) publishes one datapoint per 5 minutes, each standing for the 5 minutes it starts. The service's AWS/ECS CPUUtilization is a share of the CPU units reserved and exceeds 100 % whenever the host has spare CPU, so it is shown as context, not judged.",
  playbooks: ["bursts", "slow-listing"],
  needs: [METRICS.id],
  uses: [SERVICE.id, INSTANCES.id],
  series: ["ec2.CPUUtilization", "ecs.CPUUtilization"],
  scope: "fleet",
  thresholds: ECS_CPU_UTILIZATION,
  hints: cpuHints,
  messages: {
    "no-metrics": "Could not evaluate: {{cause}}.",
    "no-instances": "Could not evaluate: no EC2 CPUUtilization for the fleet's instances ({{cause}}).",
    high: "{{instance}} CPU stayed above {{limit}} % for {{minutes}} min{{span}} (peak {{peak}} %); {{busy}} of {{count}} instance(s) saturated for {{sustained}} min or more.{{spacing}}{{context}}",
    short:
      "{{instance}} CPU was above {{limit}} % for {{minutes}} min{{span}} (peak {{peak}} %); not yet the {{sustained}} min that fails.{{spacing}}{{context}}",
    ok: "Host CPU peaked at {{peak}} % on {{instance}}; longest run above {{limit}} %: {{minutes}} min.{{spacing}}{{context}}",
  },
  evaluate({ evidence, limits }) {
    const m = need(evidence, METRICS);
    const ids = m.context.instances.length
      ? m.context.instances
      : Object.keys(m.series)
          .filter((k) => k.startsWith("ec2.CPUUtilization."))
          .map((k) => k.slice("ec2.CPUUtilization.".length));
    const svcSeries = seriesOf(m, "ecs.CPUUtilization");
    const svcPeak = hasData(svcSeries) ? maxOf(values(svcSeries)) : undefined;
    const context =
      svcPeak !== undefined
        ? ` Service CPUUtilization peaked at ${round(svcPeak)} % of its reservation (context: above 100 % only means the tasks used spare host CPU).`
        : "";
    const rule = {
      limit: limits.maxPercent,
      failMinutes: limits.sustainedMinutes,
      warnMinutes: limits.warnMinutes,
    };
    // The series, not its points: a replayed series builds its points on each read (packed-points.ts).
    const per: Array<{ id: string; judged: SustainedJudgement; series: MetricSeries }> = [];
    const resources: ResourceResult[] = [];
    let problem: string | undefined;
    for (const id of ids) {
      const s = seriesOf(m, `ec2.CPUUtilization.${id}`);
      const p = seriesProblem(s);
      if (p || !hasData(s)) {
        problem ??=
          p ?? `no datapoints for ${s ? describeSeries(s) : `AWS/EC2 CPUUtilization (InstanceId=${id})`}`;
        resources.push({ id, status: "error", message: p ?? "no CPUUtilization datapoints" });
        continue;
      }
      const pts = timed(s!.points);
      // One lone datapoint: EC2 without detailed monitoring publishes every 5 minutes (FACTS §9).
      const spacing = spacingSeconds(pts, s!.period, BASIC_MONITORING_SECONDS);
      per.push({ id, judged: judgeSustained(pts, spacing, rule), series: s! });
    }
    if (per.length === 0)
      return {
        status: "error",
        messageId: "no-instances",
        data: { cause: problem ?? m.unavailable.ec2 ?? "no instances identified" },
        hints: [cpuHints["name-instances"]],
      };
    const threshold = limitRef(limits, "maxPercent", "%");
    const runMinutes = (j: SustainedJudgement) => j.longest?.minutes ?? 0;
    for (const x of per)
      resources.push({
        id: x.id,
        status: x.judged.status,
        message: `peak ${round(x.judged.peak)} %, longest run above ${limits.maxPercent} %: ${round(runMinutes(x.judged))} min${x.judged.longest ? ` (${runSpan(x.judged.longest)})` : ""}, ${round(x.judged.minutesAbove)} min above in all`,
        observed: { value: round(x.judged.peak), unit: "%" },
      });
    const rank = { fail: 2, warn: 1, pass: 0 } as const;
    const worst = [...per].sort(
      (a, b) =>
        rank[b.judged.status] - rank[a.judged.status] ||
        runMinutes(b.judged) - runMinutes(a.judged) ||
        b.judged.peak - a.judged.peak,
    )[0]!;
    const note = spacingNote(worst.judged.spacing);
    const data = {
      instance: worst.id,
      peak: round(worst.judged.peak),
      minutes: round(runMinutes(worst.judged)),
      span: worst.judged.longest ? ` (${runSpan(worst.judged.longest)})` : "",
      limit: limits.maxPercent,
      sustained: limits.sustainedMinutes,
      busy: per.filter((x) => x.judged.status === "fail").length,
      warm: per.filter((x) => x.judged.status !== "pass").length,
      count: per.length,
      spacing: note ? ` Judged by time (${note}).` : "",
      context,
    };
    const observed = observedFrom(worst.series.points, worst.judged.peak, "%");
    const hints = [cpuHintBigger(evidence), cpuHintSpread(evidence, worst.judged.peak, limits.maxPercent!)];
    if (worst.judged.status === "fail")
      return { status: "fail", messageId: "high", data, observed, threshold, resources, hints };
    if (worst.judged.status === "warn")
      return {
        status: "warn",
        messageId: "short",
        data,
        observed,
        threshold: limitRef(limits, "warnMinutes", "min"),
        resources,
        hints,
      };
    return { status: "pass", messageId: "ok", data, observed, threshold, resources };
  },
});
