/** EC2 checks (bursts playbook): burstable CPU credits and CPU skew across the fleet's instances. */
import { defineCheck, limitRef, renderMessage, type ResourceResult } from "../model.js";
import { fewerLargerFill, fleetInstanceType, moreCpuFill } from "../capacity-targets.js";
import { EC2_CPU_CREDITS, EC2_CPU_SKEW } from "./thresholds.js";
import {
  INSTANCES,
  METRICS,
  TASKS,
  isBurstable,
  type EcsTaskCounts,
  type FleetInstancesEvidence,
} from "../../sources/aws/types.js";
import { read } from "../../sources/model.js";
import {
  hasData,
  maxOf,
  meanOf,
  minOf,
  need,
  observedFrom,
  round,
  seriesOf,
  seriesProblem,
  sumOf,
  values,
} from "../series.js";

/** The capacity model's target for the fleet's burstable type (src/checks/capacity-targets.ts). */
const BIGGER =
  'Use a non-burstable type with more CPU: {{target}} ({{basis}}), or {{next}} for heavy bursts: stack prop `instanceType` (`--instance-type {{target}}`), Terraform `asg_instance_type = "{{target}}"`.';

/** BIGGER and `cost` filled in for the fleet's (most common) burstable type. */
function biggerThanBurstable(evidence: Parameters<typeof fleetInstanceType>[0]) {
  const fill = moreCpuFill(fleetInstanceType(evidence, isBurstable));
  return { ...fill, next: moreCpuFill(fill.target).target };
}

const creditHints = {
  bigger: BIGGER,
  unlimited:
    "Or let the instances burst past their credits (billed per vCPU-hour of surplus): set the launch template's credit specification to unlimited; for running instances `aws ec2 modify-instance-credit-specification --instance-credit-specifications InstanceId=<instance-id>,CpuCredits=unlimited`.",
  permission:
    "Grant cloudwatch:GetMetricData (`pypictl doctor --print-iam-policy` prints the policy doctor needs) and check the region (`--region`).",
  "read-mode":
    "Grant ec2:DescribeInstanceCreditSpecifications (`pypictl doctor --print-iam-policy`), or look the option up: `aws ec2 describe-instance-credit-specifications --instance-ids <instance-id>`.",
  cost: 'Sustained surplus charges cost more than a bigger instance: compare with a non-burstable type, {{target}} ({{basis}}): stack `--instance-type {{target}}`, Terraform `asg_instance_type = "{{target}}"`; `pypictl size` prices both.',
};

type Mode = "standard" | "unlimited" | "unknown";

/**
 * ec2.cpu-credits. T3/T3a/T4g launch `unlimited` (EC2 RunInstances CreditSpecification default): at a zero
 * CPUCreditBalance they keep bursting and are billed surplus credits (CPUSurplusCreditsCharged). Only a
 * `standard` instance at ~0 is held to its baseline. The mode comes from DescribeInstanceCreditSpecifications;
 * when it could not be read, a surplus balance above zero still proves unlimited (standard cannot borrow).
 */
export const ec2CpuCredits = defineCheck({
  id: "ec2.cpu-credits",
  title: "Burstable instance CPU credits",
  description:
    "T-family instances only: the lowest CPUCreditBalance per instance and its credit option (DescribeInstanceCreditSpecifications). A standard-mode instance at zero is held to its baseline CPU (20 % on t3.small), so bursts queue: fail. An unlimited instance (the T3/T3a/T4g default) keeps bursting at zero and is billed surplus credits: a cost warning when CPUSurplusCreditsCharged is above zero, never a throttling failure.",
  playbooks: ["bursts", "slow-listing"],
  needs: [INSTANCES.id, METRICS.id],
  series: ["ec2.CPUCreditBalance", "ec2.CPUSurplusCreditBalance", "ec2.CPUSurplusCreditsCharged"],
  scope: "fleet",
  thresholds: EC2_CPU_CREDITS,
  hints: creditHints,
  messages: {
    "not-burstable": "Not applicable: no burstable (T-family) instances ({{types}}).",
    exhausted:
      "{{count}} of {{burstable}} burstable instance(s) in standard credit mode ran out of CPU credits (lowest {{lowest}}): they are held to baseline CPU.",
    "mode-unknown":
      "{{count}} burstable instance(s) ran out of CPU credits (lowest {{lowest}}) and their credit option could not be read ({{why}}): throttled to baseline if standard, billed surplus credits if unlimited.",
    charged:
      "{{charged}} surplus CPU credits were billed on {{chargedCount}} unlimited instance(s) in the window: they burst past their credits (no throttling, extra cost).",
    "no-data": "No CPUCreditBalance datapoints for {{missing}} burstable instance(s).",
    ok: "Burstable instances are not throttled: lowest CPUCreditBalance {{lowest}}{{unlimitedNote}}.",
  },
  evaluate({ evidence, limits }) {
    const inst = need(evidence, INSTANCES);
    const m = need(evidence, METRICS);
    const burstable = inst.instances.filter((i) => isBurstable(i.instanceType));
    if (burstable.length === 0)
      return {
        status: "skip",
        messageId: "not-burstable",
        data: {
          types: [...new Set(inst.instances.map((i) => i.instanceType ?? "?"))].join(", ") || "no instances",
        },
      };
    const resources: ResourceResult[] = [];
    let lowest = Infinity;
    let exhaustedStandard = 0;
    let exhaustedUnknown = 0;
    let unlimitedAtZero = 0;
    let missing = 0;
    let charged = 0;
    let chargedCount = 0;
    let lowestSeries: Array<[string, number]> = [];
    for (const i of burstable) {
      const s = seriesOf(m, `ec2.CPUCreditBalance.${i.instanceId}`);
      const problem = seriesProblem(s);
      if (problem || !hasData(s)) {
        missing++;
        resources.push({
          id: i.instanceId,
          status: "error",
          message: problem ?? `no CPUCreditBalance datapoints (${i.instanceType})`,
        });
        continue;
      }
      const surplusBalance = maxOf(values(seriesOf(m, `ec2.CPUSurplusCreditBalance.${i.instanceId}`))) ?? 0;
      const billed = sumOf(values(seriesOf(m, `ec2.CPUSurplusCreditsCharged.${i.instanceId}`)));
      const mode: Mode = i.cpuCredits ?? (surplusBalance > 0 || billed > 0 ? "unlimited" : "unknown");
      const low = minOf(values(s))!;
      if (low < lowest) {
        lowest = low;
        lowestSeries = s!.points;
      }
      const atZero = low < limits.minCredits;
      let status: ResourceResult["status"] = "pass";
      let note = "";
      if (atZero && mode === "standard") {
        exhaustedStandard++;
        status = "fail";
        note = " — standard mode: held to baseline CPU";
      } else if (atZero && mode === "unknown") {
        exhaustedUnknown++;
        status = "warn";
        note = " — credit option unknown";
      } else if (mode === "unlimited") {
        if (atZero) unlimitedAtZero++;
        if (billed > 0) {
          charged += billed;
          chargedCount++;
          status = "warn";
          note = ` — unlimited: ${round(billed)} surplus credits billed`;
        } else if (atZero)
          note = ` — unlimited: bursting on surplus credits (surplus balance ${round(surplusBalance)}), not throttled`;
      }
      resources.push({
        id: i.instanceId,
        status,
        message: `${i.instanceType} (${mode === "unknown" ? "credit option unknown" : mode}): lowest CPUCreditBalance ${round(low)}${note}`,
        observed: { value: round(low), unit: "credits" },
      });
    }
    const threshold = limitRef(limits, "minCredits", "credits");
    const data = {
      count: exhaustedStandard || exhaustedUnknown,
      burstable: burstable.length,
      lowest: Number.isFinite(lowest) ? round(lowest) : "none",
      missing,
      charged: round(charged),
      chargedCount,
      why: inst.creditSpecError ?? "DescribeInstanceCreditSpecifications returned no credit option",
      unlimitedNote:
        unlimitedAtZero > 0
          ? ` (${unlimitedAtZero} unlimited instance(s) at zero keep bursting on surplus credits)`
          : "",
    };
    const observed = Number.isFinite(lowest) ? observedFrom(lowestSeries, lowest, "credits") : undefined;
    const withObs = observed ? { observed } : {};
    if (exhaustedStandard > 0)
      return {
        status: "fail",
        messageId: "exhausted",
        data: { ...data, count: exhaustedStandard },
        ...withObs,
        threshold,
        resources,
        hints: [renderMessage(creditHints.bigger, biggerThanBurstable(evidence)), creditHints.unlimited],
      };
    if (missing > 0)
      return {
        status: "error",
        messageId: "no-data",
        data,
        threshold,
        resources,
        hints: [creditHints.permission],
      };
    if (exhaustedUnknown > 0)
      return {
        status: "warn",
        messageId: "mode-unknown",
        data: { ...data, count: exhaustedUnknown },
        ...withObs,
        threshold,
        resources,
        hints: [creditHints["read-mode"], renderMessage(creditHints.bigger, biggerThanBurstable(evidence))],
      };
    if (chargedCount > 0)
      return {
        status: "warn",
        messageId: "charged",
        data,
        ...withObs,
        threshold,
        resources,
        hints: [renderMessage(creditHints.cost, biggerThanBurstable(evidence))],
      };
    return { status: "pass", messageId: "ok", data, ...withObs, threshold, resources };
  },
});

const skewHints = {
  fewer:
    "Prefer fewer, larger instances so one host has the CPU for a burst: {{plan}} (stack `--instance-type {{target}}` and `--max-instances`, Terraform `asg_instance_type`; the capacity model's next size up, as many vCPUs as now).",
  placement:
    'Check task placement: tasks per instance should be even (a spread placement strategy across instances); `aws ecs describe-tasks --cluster <cluster> --tasks $(aws ecs list-tasks --cluster <cluster> --service-name <service> --query taskArns --output text) --query "tasks[].containerInstanceArn"` counts them.',
  host: "If the busy host runs no more tasks than the others, look for another process using its CPU: `aws ssm start-session --target <instance-id>`, then `top -o %CPU` on it.",
};

/** One instance's place in the comparison: its service tasks (if known) and its mean CPU. */
interface SkewRow {
  id: string;
  tasks?: number;
  since?: string;
}

/**
 * The instances that run the service's tasks, from ecs.tasks' placement (DescribeTasks containerInstanceArn →
 * DescribeContainerInstances ec2InstanceId), or from the container instances' runningTasksCount when the fleet
 * was listed that way. Undefined (with why) when neither says.
 */
function taskHosts(
  inst: FleetInstancesEvidence,
  tasks: EcsTaskCounts | undefined,
  tasksWhy: string | undefined,
): { rows: SkewRow[] } | { why: string } {
  const placement = tasks?.placement;
  if (placement && !tasks.placementError) {
    const byId = new Map(placement.filter((p) => p.instanceId).map((p) => [p.instanceId!, p]));
    const byArn = new Map(placement.map((p) => [p.containerInstanceArn, p]));
    return {
      rows: inst.instances.map((i) => {
        const p =
          byId.get(i.instanceId) ?? (i.containerInstanceArn ? byArn.get(i.containerInstanceArn) : undefined);
        return {
          id: i.instanceId,
          tasks: p?.running ?? 0,
          ...(p?.runningSince ? { since: p.runningSince } : {}),
        };
      }),
    };
  }
  if (tasks && !placement && (tasks.byStatus.RUNNING ?? 0) === 0)
    return { rows: inst.instances.map((i) => ({ id: i.instanceId, tasks: 0 })) };
  if (inst.instances.length > 0 && inst.instances.every((i) => i.runningTasks !== undefined))
    return { rows: inst.instances.map((i) => ({ id: i.instanceId, tasks: i.runningTasks! })) };
  return {
    why:
      tasks?.placementError ??
      (tasks ? "ecs.tasks holds no placement (an older bundle)" : (tasksWhy ?? "ecs.tasks was not gathered")),
  };
}

const hhmm = (iso: string) => `${iso.slice(11, 16)} UTC`;

/**
 * ec2.cpu-skew. The ALB routes each request on its own (round robin by default; FACTS §9), so client
 * connections do not pin load to a host: a gap between hosts that run the service's tasks comes from uneven
 * task placement or another process on the busy host. A host without service tasks (a spare, a scale-out
 * whose tasks have not started) idles by design and is listed, not compared. Means are taken over the same
 * stretch of time for every compared host (from when the last of them started running tasks), so a CI burst
 * before a host joined does not look like skew.
 */
export const ec2CpuSkew = defineCheck({
  id: "ec2.cpu-skew",
  title: "CPU skew across instances",
  description:
    "Mean CPUUtilization of the instances that run the service's tasks (ecs.tasks: DescribeTasks containerInstanceArn → DescribeContainerInstances), over the stretch of the window all of them ran tasks. A large gap between the busiest and the idlest means one host does more work — uneven task placement, or another process on it — so bursts saturate it first. The ALB routes per request, so clients do not pin load to a host. Instances without service tasks (a spare, a fresh scale-out) are listed, not compared; so are hosts whose tasks started less than minCompareMinutes ago.",
  playbooks: ["bursts"],
  needs: [INSTANCES.id, METRICS.id],
  uses: [TASKS.id],
  series: ["ec2.CPUUtilization"],
  scope: "fleet",
  thresholds: EC2_CPU_SKEW,
  hints: skewHints,
  messages: {
    single:
      "Not applicable: {{count}} instance(s) running pypiserver tasks with CPU data to compare; skew needs two or more.{{excludedNote}}",
    skewed:
      "CPU is uneven across the instances running pypiserver tasks: {{busiest}} averaged {{high}} %{{busiestTasks}} while {{idlest}} averaged {{low}} %{{idlestTasks}} ({{skew}} points apart{{since}}).{{excludedNote}}{{unknownNote}}",
    ok: "CPU is even across the {{count}} instances running pypiserver tasks ({{skew}} points between busiest and idlest{{since}}).{{excludedNote}}{{unknownNote}}",
  },
  evaluate({ evidence, limits, window }) {
    const inst = need(evidence, INSTANCES);
    const m = need(evidence, METRICS);
    const tasksResult = read(evidence, TASKS);
    const hosts = taskHosts(
      inst,
      tasksResult?.ok ? tasksResult.value : undefined,
      tasksResult && !tasksResult.ok ? `ecs.tasks failed: ${tasksResult.message}` : undefined,
    );
    const end = Date.parse(window.end);
    const recentBefore = end - limits.minCompareMinutes * 60_000;
    const resources: ResourceResult[] = [];
    const compared: SkewRow[] = [];
    const rows: SkewRow[] = "rows" in hosts ? hosts.rows : inst.instances.map((i) => ({ id: i.instanceId }));
    let spare = 0;
    let recent = 0;
    for (const r of rows) {
      if (r.tasks === 0) {
        spare++;
        const mean = meanOf(values(seriesOf(m, `ec2.CPUUtilization.${r.id}`)));
        resources.push({
          id: r.id,
          status: "skip",
          message: `runs no pypiserver task: not compared${mean === undefined ? "" : ` (mean CPU ${round(mean)} %)`}`,
        });
      } else if (r.since && Date.parse(r.since) > recentBefore) {
        recent++;
        resources.push({
          id: r.id,
          status: "skip",
          message: `its pypiserver tasks run only since ${hhmm(r.since)}: not compared (under ${limits.minCompareMinutes} min)`,
        });
      } else compared.push(r);
    }
    // One stretch of time for all: from when the last compared host started running tasks.
    const fromMs = Math.max(
      Date.parse(window.start),
      ...compared.map((r) => (r.since ? Date.parse(r.since) : Number.NEGATIVE_INFINITY)),
    );
    const means: Array<SkewRow & { mean: number }> = [];
    for (const r of compared) {
      const s = seriesOf(m, `ec2.CPUUtilization.${r.id}`);
      const mean = meanOf(s ? s.points.filter(([t]) => Date.parse(t) >= fromMs).map(([, v]) => v) : []);
      if (mean === undefined)
        resources.push({
          id: r.id,
          status: "error",
          message: seriesProblem(s) ?? "no CPUUtilization datapoints",
        });
      else means.push({ ...r, mean });
    }
    const excludedNote =
      (spare
        ? ` ${spare} instance(s) without pypiserver tasks not compared (a spare or a fresh scale-out idles by design).`
        : "") +
      (recent
        ? ` ${recent} instance(s) whose tasks started under ${limits.minCompareMinutes} min ago not compared.`
        : "");
    const unknownNote =
      "why" in hosts
        ? ` Which instances run pypiserver tasks is unknown (${hosts.why}): every instance was compared, and one without tasks idles by design.`
        : "";
    if (means.length < 2)
      return {
        status: "skip",
        messageId: "single",
        data: { count: means.length, excludedNote },
        ...(resources.length ? { resources } : {}),
      };
    means.sort((a, b) => b.mean - a.mean);
    const busiest = means[0]!;
    const idlest = means[means.length - 1]!;
    const skew = busiest.mean - idlest.mean;
    for (const x of means)
      resources.push({
        id: x.id,
        status: "pass",
        message: `mean CPU ${round(x.mean)} %${x.tasks !== undefined ? ` with ${x.tasks} pypiserver task(s)` : ""}`,
        observed: { value: round(x.mean), unit: "%" },
      });
    const taskWords = (r: SkewRow) => (r.tasks !== undefined ? ` with ${r.tasks} task(s)` : "");
    const data = {
      busiest: busiest.id,
      idlest: idlest.id,
      high: round(busiest.mean),
      low: round(idlest.mean),
      busiestTasks: taskWords(busiest),
      idlestTasks: taskWords(idlest),
      skew: round(skew),
      count: means.length,
      since: fromMs > Date.parse(window.start) ? `, since ${hhmm(new Date(fromMs).toISOString())}` : "",
      excludedNote,
      unknownNote,
    };
    const observed = { value: round(skew), unit: "percentage points" };
    const threshold = limitRef(limits, "maxSkewPoints", "percentage points");
    if (skew > limits.maxSkewPoints)
      return {
        status: "warn",
        messageId: "skewed",
        data,
        observed,
        threshold,
        resources,
        hints: [
          skewHints.placement,
          ...(busiest.tasks !== undefined && busiest.tasks <= idlest.tasks! ? [skewHints.host] : []),
          renderMessage(skewHints.fewer, fewerLargerFill(evidence)),
        ],
      };
    return { status: "pass", messageId: "ok", data, observed, threshold, resources };
  },
});
