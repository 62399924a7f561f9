/**
 * Every CloudWatch series the fleet checks read, in as few GetMetricData calls as possible (≤ 500 queries
 * each, NextToken pages merged), each with the full dimension set the metric is published with
 * (FACTS §3/§4: ECS needs ClusterName AND ServiceName; ALB LoadBalancer=app/…; TargetGroup for host counts).
 */
import { GetMetricDataCommand, type MetricDataQuery } from "@aws-sdk/client-cloudwatch";
import { ok, type SourceResult } from "../model.js";
import type { GatherContext, SourceDef } from "../context.js";
import type { Window } from "../../checks/model.js";
import type { Target } from "../target/model.js";
import {
  AWS_SOURCE_IDS,
  INSTANCES,
  SERVICE,
  TARGETS,
  isBurstable,
  loadBalancerDimension,
  targetGroupDimension,
  type FleetInstance,
  type MetricSeries,
  type MetricsEvidence,
} from "./types.js";
import { chunk, clientsFor, fleetOf, mapLimit } from "./shared.js";

export const MAX_QUERIES_PER_CALL = 500;

export interface MetricSpec {
  key: string;
  namespace: string;
  metric: string;
  dimensions: Record<string, string>;
  stat: string;
}

export interface MetricPlanInput {
  cluster?: string;
  service?: string;
  fileSystemId?: string;
  /** app/name/id */
  loadBalancer?: string;
  /** targetgroup/name/id */
  targetGroup?: string;
  instances: readonly FleetInstance[];
}

/** One minute up to a day; longer windows coarsen so no series exceeds 1,440 points. */
export function periodFor(window: Window): number {
  const secs = (Date.parse(window.end) - Date.parse(window.start)) / 1000;
  return Math.max(60, Math.ceil(secs / 1440 / 60) * 60);
}

/** The series the checks read, with full dimensions. Pure: tests and the bench call it too. */
export function metricPlan(p: MetricPlanInput): { specs: MetricSpec[]; unavailable: Record<string, string> } {
  const specs: MetricSpec[] = [];
  const unavailable: Record<string, string> = {};
  const add = (key: string, namespace: string, metric: string, dimensions: Record<string, string>, stat: string) =>
    specs.push({ key, namespace, metric, dimensions, stat });
  if (p.fileSystemId) {
    const d = { FileSystemId: p.fileSystemId };
    add("efs.PercentIOLimit", "AWS/EFS", "PercentIOLimit", d, "Maximum");
    add("efs.BurstCreditBalance", "AWS/EFS", "BurstCreditBalance", d, "Minimum");
    add("efs.PermittedThroughput", "AWS/EFS", "PermittedThroughput", d, "Minimum");
    add("efs.MeteredIOBytes", "AWS/EFS", "MeteredIOBytes", d, "Sum");
  } else unavailable.efs = "no EFS file system identified (task definition has no EFS volume and --file-system-id not given)";
  if (p.cluster && p.service) {
    const d = { ClusterName: p.cluster, ServiceName: p.service };
    add("ecs.MemoryUtilization", "AWS/ECS", "MemoryUtilization", d, "Maximum");
    add("ecs.CPUUtilization", "AWS/ECS", "CPUUtilization", d, "Maximum");
  } else unavailable.ecs = "no ECS cluster/service identified";
  if (p.loadBalancer) {
    const lb = { LoadBalancer: p.loadBalancer };
    for (const m of [
      "RequestCount",
      "HTTPCode_ELB_5XX_Count",
      "HTTPCode_ELB_502_Count",
      "HTTPCode_ELB_503_Count",
      "HTTPCode_ELB_504_Count",
      "HTTPCode_Target_5XX_Count",
      "TargetConnectionErrorCount",
    ])
      add(`alb.${m}`, "AWS/ApplicationELB", m, lb, "Sum");
    add("alb.TargetResponseTime.p95", "AWS/ApplicationELB", "TargetResponseTime", lb, "p95");
    if (p.targetGroup) {
      const tg = { TargetGroup: p.targetGroup, LoadBalancer: p.loadBalancer };
      add("alb.UnHealthyHostCount", "AWS/ApplicationELB", "UnHealthyHostCount", tg, "Maximum");
      add("alb.HealthyHostCount", "AWS/ApplicationELB", "HealthyHostCount", tg, "Minimum");
    }
  } else unavailable.alb = "no load balancer identified";
  for (const i of p.instances) {
    add(`ec2.CPUUtilization.${i.instanceId}`, "AWS/EC2", "CPUUtilization", { InstanceId: i.instanceId }, "Average");
    if (isBurstable(i.instanceType)) add(`ec2.CPUCreditBalance.${i.instanceId}`, "AWS/EC2", "CPUCreditBalance", { InstanceId: i.instanceId }, "Minimum");
  }
  return { specs, unavailable };
}

export function toQueries(specs: readonly MetricSpec[], period: number): MetricDataQuery[] {
  return specs.map((s, i) => ({
    Id: `m${i}`,
    Label: s.key,
    ReturnData: true,
    MetricStat: {
      Metric: { Namespace: s.namespace, MetricName: s.metric, Dimensions: Object.entries(s.dimensions).map(([Name, Value]) => ({ Name, Value })) },
      Period: period,
      Stat: s.stat,
    },
  }));
}

/** Start floored and end ceiled to the period, as CloudWatch aligns its buckets. */
export function alignedWindow(window: Window, period: number): { start: Date; end: Date } {
  const p = period * 1000;
  return { start: new Date(Math.floor(Date.parse(window.start) / p) * p), end: new Date(Math.ceil(Date.parse(window.end) / p) * p) };
}

function planInput(ctx: GatherContext, unavailable: Record<string, string>): MetricPlanInput {
  const t = fleetOf(ctx);
  const needService = !(t.targetGroup && t.fileSystemId);
  const svc = needService ? ctx.dep(SERVICE) : undefined;
  const input: MetricPlanInput = { instances: [] };
  if (t.cluster) input.cluster = t.cluster;
  if (t.service) input.service = t.service;
  input.fileSystemId = t.fileSystemId ?? (svc?.ok ? svc.value.taskDefinition.fileSystemIds[0] : undefined);
  if (!input.fileSystemId && svc && !svc.ok) unavailable.efs = `no file system: ${SERVICE.id} failed (${svc.message})`;
  const tgArn = t.targetGroup ?? (svc?.ok ? svc.value.targetGroupArns[0] : undefined);
  if (tgArn) input.targetGroup = targetGroupDimension(tgArn);
  let lbArn = t.loadBalancer;
  if (!lbArn) {
    const targets = ctx.dep(TARGETS);
    if (targets.ok) lbArn = targets.value.loadBalancerArn;
    else unavailable.alb = `no load balancer: ${TARGETS.id} failed (${targets.message})`;
  }
  if (lbArn) input.loadBalancer = loadBalancerDimension(lbArn);
  const inst = ctx.dep(INSTANCES);
  if (inst.ok) input.instances = inst.value.instances;
  else unavailable.ec2 = `no per-instance metrics: ${INSTANCES.id} failed (${inst.message})`;
  return input;
}

/** A series' datapoints as the pages gave them; `ascending`: every timestamp later than the one before. */
interface Points {
  times: number[];
  values: number[];
  ascending: boolean;
}

/**
 * One value per timestamp (a later page's value wins), oldest first. ScanBy TimestampAscending gives them
 * in order already: then they are taken as they are, else sorted.
 */
function pointsOf(p: Points, isoAt: (t: number) => string): Array<[string, number]> {
  if (p.ascending) return p.times.map((t, i) => [isoAt(t), p.values[i]!]);
  const m = new Map<number, number>();
  p.times.forEach((t, i) => m.set(t, p.values[i]!));
  return [...m.entries()].sort((a, b) => a[0] - b[0]).map(([t, v]) => [isoAt(t), v]);
}

export async function gatherMetrics(ctx: GatherContext): Promise<SourceResult<MetricsEvidence>> {
  const depUnavailable: Record<string, string> = {};
  const input = planInput(ctx, depUnavailable);
  const { specs, unavailable } = metricPlan(input);
  Object.assign(unavailable, depUnavailable);
  const period = periodFor(ctx.window);
  const { start, end } = alignedWindow(ctx.window, period);
  const queries = toQueries(specs, period);
  const cw = await clientsFor(ctx.target).cloudwatch();
  const points = new Map<string, Points>();
  const status = new Map<string, string>();
  const messages: string[] = [];
  await mapLimit(chunk(queries, MAX_QUERIES_PER_CALL), 4, async (batch) => {
    let NextToken: string | undefined;
    do {
      const r = await cw.send(
        new GetMetricDataCommand({
          MetricDataQueries: batch,
          StartTime: start,
          EndTime: end,
          ScanBy: "TimestampAscending",
          ...(NextToken ? { NextToken } : {}),
        }),
        { abortSignal: ctx.signal },
      );
      for (const res of r.MetricDataResults ?? []) {
        if (!res.Id) continue;
        let m = points.get(res.Id);
        if (!m) points.set(res.Id, (m = { times: [], values: [], ascending: true }));
        const ts = res.Timestamps ?? [];
        const vs = res.Values ?? [];
        for (let i = 0; i < Math.min(ts.length, vs.length); i++) {
          const t = ts[i]!.getTime();
          if (m.ascending && m.times.length > 0 && t <= m.times[m.times.length - 1]!) m.ascending = false;
          m.times.push(t);
          m.values.push(vs[i]!);
        }
        // A later page's status wins unless an earlier one already reported a problem.
        const prev = status.get(res.Id);
        if (!prev || prev === "Complete" || prev === "PartialData") status.set(res.Id, res.StatusCode ?? "Complete");
        for (const msg of res.Messages ?? []) messages.push(`${res.Label ?? res.Id}: ${msg.Code ?? ""} ${msg.Value ?? ""}`.trim());
      }
      for (const msg of r.Messages ?? []) messages.push(`${msg.Code ?? ""} ${msg.Value ?? ""}`.trim());
      NextToken = r.NextToken;
    } while (NextToken);
  });
  const series: Record<string, MetricSeries> = {};
  // Every series shares the window's timestamps: format each once (hundreds of series at 200 instances).
  const isoOf = new Map<number, string>();
  const isoAt = (t: number): string => {
    let s = isoOf.get(t);
    if (s === undefined) isoOf.set(t, (s = new Date(t).toISOString()));
    return s;
  };
  specs.forEach((s, i) => {
    const id = `m${i}`;
    const m = points.get(id);
    series[s.key] = {
      namespace: s.namespace,
      metric: s.metric,
      dimensions: s.dimensions,
      stat: s.stat,
      period,
      status: status.get(id) ?? "Complete",
      points: m ? pointsOf(m, isoAt) : [],
    };
  });
  const context: MetricsEvidence["context"] = { instances: input.instances.map((i) => i.instanceId) };
  if (input.cluster) context.cluster = input.cluster;
  if (input.service) context.service = input.service;
  if (input.fileSystemId) context.fileSystemId = input.fileSystemId;
  if (input.loadBalancer) context.loadBalancer = input.loadBalancer;
  if (input.targetGroup) context.targetGroup = input.targetGroup;
  return ok({ periodSeconds: period, start: start.toISOString(), end: end.toISOString(), series, unavailable, context, messages });
}

export function metricsDeps(target: Target): string[] {
  if (target.kind !== "fleet") return [];
  const deps: string[] = [AWS_SOURCE_IDS.instances];
  if (!(target.targetGroup && target.fileSystemId)) deps.push(AWS_SOURCE_IDS.service);
  if (!target.loadBalancer) deps.push(AWS_SOURCE_IDS.targets);
  return deps;
}

export const metricsSource: SourceDef<MetricsEvidence> = {
  id: AWS_SOURCE_IDS.metrics,
  title: "CloudWatch metrics (EFS, ECS, ALB, EC2)",
  deps: metricsDeps,
  gather: gatherMetrics,
};
