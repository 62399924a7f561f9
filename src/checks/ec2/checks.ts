/** EC2 checks (bursts playbook): burstable CPU credits and CPU skew across the fleet's instances. */
import { defineCheck, limitRef, renderMessage, type ResourceResult } from "../model.js";
import { fewerLargerFill, fleetInstanceType, moreCpuFill } from "../capacity-targets.js";
import { EC2_CPU_CREDITS, EC2_CPU_SKEW } from "./thresholds.js";
import { INSTANCES, METRICS, isBurstable } from "../../sources/aws/types.js";
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
  placement: "Check task placement: tasks per instance should be even (spread placement across instances).",
};

export const ec2CpuSkew = defineCheck({
  id: "ec2.cpu-skew",
  title: "CPU skew across instances",
  description:
    "Mean CPUUtilization per instance over the window; a large gap between the busiest and the idlest means load concentrates on some hosts (uneven task placement, long-lived client connections), so bursts hit one host's CPU.",
  playbooks: ["bursts"],
  needs: [INSTANCES.id, METRICS.id],
  series: ["ec2.CPUUtilization"],
  scope: "fleet",
  thresholds: EC2_CPU_SKEW,
  hints: skewHints,
  messages: {
    single: "Not applicable: {{count}} instance(s) with CPU data; skew needs two or more.",
    skewed:
      "CPU is uneven: {{busiest}} averaged {{high}} % while {{idlest}} averaged {{low}} % ({{skew}} points apart).",
    ok: "CPU is even across {{count}} instances ({{skew}} points between busiest and idlest).",
  },
  evaluate({ evidence, limits }) {
    const inst = need(evidence, INSTANCES);
    const m = need(evidence, METRICS);
    const means: Array<{ id: string; mean: number }> = [];
    const resources: ResourceResult[] = [];
    for (const i of inst.instances) {
      const s = seriesOf(m, `ec2.CPUUtilization.${i.instanceId}`);
      const mean = meanOf(values(s));
      if (mean === undefined)
        resources.push({
          id: i.instanceId,
          status: "error",
          message: seriesProblem(s) ?? "no CPUUtilization datapoints",
        });
      else means.push({ id: i.instanceId, mean });
    }
    if (means.length < 2)
      return {
        status: "skip",
        messageId: "single",
        data: { count: means.length },
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
        message: `mean CPU ${round(x.mean)} %`,
        observed: { value: round(x.mean), unit: "%" },
      });
    const data = {
      busiest: busiest.id,
      idlest: idlest.id,
      high: round(busiest.mean),
      low: round(idlest.mean),
      skew: round(skew),
      count: means.length,
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
        hints: [renderMessage(skewHints.fewer, fewerLargerFill(evidence)), skewHints.placement],
      };
    return { status: "pass", messageId: "ok", data, observed, threshold, resources };
  },
});
