/** EC2 checks (bursts playbook): burstable CPU credits and CPU skew across the fleet's instances. */
import { defineCheck, type ResourceResult, type Verdict } from "../model.js";
import { EC2_CPU_CREDITS, EC2_CPU_SKEW } from "../thresholds/ec2.js";
import { INSTANCES, METRICS, isBurstable } from "../../sources/aws/types.js";
import { hasData, meanOf, minOf, need, observedFrom, round, seriesOf, seriesProblem, values } from "../../sources/aws/series.js";

const BIGGER = "Use a non-burstable type with more CPU: instanceType / asg_instance_type c6a.large (or c6a.xlarge for heavy bursts).";

export const ec2CpuCredits = defineCheck({
  id: "ec2.cpu-credits",
  title: "Burstable instance CPU credits",
  description:
    "T-family instances only: the lowest CPUCreditBalance per instance. At zero a standard-mode instance is held to its baseline CPU (e.g. 20 % on t3.small), so bursts queue.",
  playbooks: ["bursts", "slow-listing"],
  needs: [INSTANCES.id, METRICS.id],
  series: ["ec2.CPUCreditBalance"],
  scope: "fleet",
  thresholds: EC2_CPU_CREDITS,
  messages: {
    "not-burstable": "Not applicable: no burstable (T-family) instances ({{types}}).",
    exhausted: "{{count}} of {{burstable}} burstable instance(s) ran out of CPU credits (lowest {{lowest}}).",
    "no-data": "No CPUCreditBalance datapoints for {{missing}} burstable instance(s).",
    ok: "Burstable instances kept their CPU credits (lowest {{lowest}}).",
  },
  evaluate({ evidence, limits }): Verdict {
    const inst = need(evidence, INSTANCES);
    const m = need(evidence, METRICS);
    const burstable = inst.instances.filter((i) => isBurstable(i.instanceType));
    if (burstable.length === 0)
      return { status: "skip", messageId: "not-burstable", data: { types: [...new Set(inst.instances.map((i) => i.instanceType ?? "?"))].join(", ") || "no instances" } };
    const resources: ResourceResult[] = [];
    let lowest = Infinity;
    let exhausted = 0;
    let missing = 0;
    let lowestSeries: Array<[string, number]> = [];
    for (const i of burstable) {
      const s = seriesOf(m, `ec2.CPUCreditBalance.${i.instanceId}`);
      const problem = seriesProblem(s);
      if (problem || !hasData(s)) {
        missing++;
        resources.push({ id: i.instanceId, status: "error", message: problem ?? `no CPUCreditBalance datapoints (${i.instanceType})` });
        continue;
      }
      const low = minOf(values(s))!;
      if (low < lowest) {
        lowest = low;
        lowestSeries = s!.points;
      }
      const bad = low < limits.minCredits;
      if (bad) exhausted++;
      resources.push({ id: i.instanceId, status: bad ? "fail" : "pass", message: `${i.instanceType}: lowest CPUCreditBalance ${round(low)}`, observed: { value: round(low), unit: "credits" } });
    }
    const threshold = { name: "minCredits", value: limits.minCredits, unit: "credits" };
    const data = { count: exhausted, burstable: burstable.length, lowest: Number.isFinite(lowest) ? round(lowest) : "none", missing };
    const observed = Number.isFinite(lowest) ? observedFrom(lowestSeries, lowest, "credits") : undefined;
    if (exhausted > 0)
      return { status: "fail", messageId: "exhausted", data, ...(observed ? { observed } : {}), threshold, resources, hints: [BIGGER, "In unlimited mode the instance keeps bursting but bills surplus credits."] };
    if (missing > 0) return { status: "error", messageId: "no-data", data, threshold, resources, hints: ["Check cloudwatch:GetMetricData permission and --region."] };
    return { status: "pass", messageId: "ok", data, ...(observed ? { observed } : {}), threshold, resources };
  },
});

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
  messages: {
    single: "Not applicable: {{count}} instance(s) with CPU data; skew needs two or more.",
    skewed: "CPU is uneven: {{busiest}} averaged {{high}} % while {{idlest}} averaged {{low}} % ({{skew}} points apart).",
    ok: "CPU is even across {{count}} instances ({{skew}} points between busiest and idlest).",
  },
  evaluate({ evidence, limits }): Verdict {
    const inst = need(evidence, INSTANCES);
    const m = need(evidence, METRICS);
    const means: Array<{ id: string; mean: number }> = [];
    const resources: ResourceResult[] = [];
    for (const i of inst.instances) {
      const s = seriesOf(m, `ec2.CPUUtilization.${i.instanceId}`);
      const mean = meanOf(values(s));
      if (mean === undefined) resources.push({ id: i.instanceId, status: "error", message: seriesProblem(s) ?? "no CPUUtilization datapoints" });
      else means.push({ id: i.instanceId, mean });
    }
    if (means.length < 2) return { status: "skip", messageId: "single", data: { count: means.length }, ...(resources.length ? { resources } : {}) };
    means.sort((a, b) => b.mean - a.mean);
    const busiest = means[0]!;
    const idlest = means[means.length - 1]!;
    const skew = busiest.mean - idlest.mean;
    for (const x of means)
      resources.push({ id: x.id, status: "pass", message: `mean CPU ${round(x.mean)} %`, observed: { value: round(x.mean), unit: "%" } });
    const data = { busiest: busiest.id, idlest: idlest.id, high: round(busiest.mean), low: round(idlest.mean), skew: round(skew), count: means.length };
    const observed = { value: round(skew), unit: "percentage points" };
    const threshold = { name: "maxSkewPoints", value: limits.maxSkewPoints, unit: "percentage points" };
    if (skew > limits.maxSkewPoints)
      return {
        status: "warn",
        messageId: "skewed",
        data,
        observed,
        threshold,
        resources,
        hints: [
          "Prefer fewer, larger instances so one host has the CPU for a burst: instanceType / asg_instance_type c6a.xlarge with fewer instances.",
          "Check task placement: tasks per instance should be even (spread placement across instances).",
        ],
      };
    return { status: "pass", messageId: "ok", data, observed, threshold, resources };
  },
});
