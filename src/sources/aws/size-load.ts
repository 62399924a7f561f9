/**
 * `size.load`: a fleet's load over a long window (days to months) for `pypictl size`, in as few
 * GetMetricData calls as the datapoint limit allows. One call returns at most 100,800 datapoints (the
 * GetMetricData API reference), so the series are packed into calls by their point counts (first fit,
 * largest first) instead of a fixed number per call: 14 days × 1-minute of ten fleet series and 20 hosts'
 * 5-minute CPU is 3 calls. The period is the finest CloudWatch still keeps for the whole window
 * (src/capacity/evidence.ts resolutionFor); EC2 series are 5-minute at least (basic monitoring, FACTS §9).
 */
import type { MetricDataQuery } from "@aws-sdk/client-cloudwatch";
import { ok, type SourceResult } from "../model.js";
import type { GatherContext, SourceDef } from "../context.js";
import type { Target } from "../target/model.js";
import { AWS_SOURCE_IDS, FILE_SYSTEM, INSTANCES, SERVICE, TARGETS, loadBalancerDimension } from "./types.js";
import { clientsOf, fleetOf, mapLimit } from "./shared.js";
import { classifyError } from "../classify.js";
import {
  MAX_DATAPOINTS_PER_CALL,
  MAX_QUERIES_PER_CALL,
  METRIC_CALL_CONCURRENCY,
  metricDataPages,
} from "./cloudwatch.js";
import {
  SIZE_SOURCE_ID,
  resolutionFor,
  type SizeLoadEvidence,
  type SizeSeries,
} from "../../capacity/evidence.js";

export interface SizeSpec {
  key: string;
  namespace: string;
  metric: string;
  dimensions: Record<string, string>;
  stat: string;
  period: number;
}

export interface SizePlanInput {
  cluster?: string;
  service?: string;
  /** app/name/id */
  loadBalancer?: string;
  fileSystemId?: string;
  /** Burst credits mean something only in bursting mode (FACTS §3). */
  efsBursting?: boolean;
  instances: readonly string[];
  periodSeconds: number;
  hostPeriodSeconds: number;
}

/** The series `size` reads, with the dimension sets they are published with (FACTS §3/§4). */
export function sizePlan(p: SizePlanInput): { specs: SizeSpec[]; unavailable: Record<string, string> } {
  const specs: SizeSpec[] = [];
  const unavailable: Record<string, string> = {};
  const period = p.periodSeconds;
  const add = (key: string, namespace: string, metric: string, dims: Record<string, string>, stat: string) =>
    specs.push({ key, namespace, metric, dimensions: dims, stat, period });
  if (p.loadBalancer) {
    const lb = { LoadBalancer: p.loadBalancer };
    add("requests", "AWS/ApplicationELB", "RequestCount", lb, "Sum");
    add("elb5xx", "AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count", lb, "Sum");
    add("target5xx", "AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", lb, "Sum");
    add("p95", "AWS/ApplicationELB", "TargetResponseTime", lb, "p95");
  } else unavailable.alb = "no load balancer identified: pass --load-balancer or --stack";
  if (p.cluster && p.service) {
    const svc = { ClusterName: p.cluster, ServiceName: p.service };
    // Maximum: the busiest task; the value is a share of the reservation (FACTS §3), converted later.
    add("taskMemory", "AWS/ECS", "MemoryUtilization", svc, "Maximum");
    // Container Insights (on in both the module and the stack): tasks running per period.
    add("runningTasks", "ECS/ContainerInsights", "RunningTaskCount", svc, "Average");
  } else unavailable.ecs = "no ECS cluster/service identified: pass --cluster/--service or --stack";
  if (p.fileSystemId) {
    const fs = { FileSystemId: p.fileSystemId };
    // Average, as the module's alarm judges it (FACTS §1: Average over 2×300 s).
    add("efsIo", "AWS/EFS", "PercentIOLimit", fs, "Average");
    if (p.efsBursting) add("efsCredits", "AWS/EFS", "BurstCreditBalance", fs, "Minimum");
    add("efsMetered", "AWS/EFS", "MeteredIOBytes", fs, "Sum");
    add("efsPermitted", "AWS/EFS", "PermittedThroughput", fs, "Average");
  } else unavailable.efs = "no EFS file system identified (task definition has no EFS volume)";
  for (const id of p.instances)
    specs.push({
      key: `hostCpu.${id}`,
      namespace: "AWS/EC2",
      metric: "CPUUtilization",
      dimensions: { InstanceId: id },
      stat: "Average",
      period: p.hostPeriodSeconds,
    });
  if (p.instances.length === 0) unavailable.ec2 = "no instances identified";
  return { specs, unavailable };
}

/**
 * The window cut to whole periods of the coarsest series (`grid`: the host period), so every series of
 * every call shares one start and end and a call's datapoints are exactly the sum of its series' points.
 */
export function alignTo(start: Date, end: Date, grid: number): { start: Date; end: Date } {
  const g = grid * 1000;
  const s = Math.ceil(start.getTime() / g) * g;
  const e = Math.max(s, Math.floor(end.getTime() / g) * g);
  return { start: new Date(s), end: new Date(e) };
}

/** Values a series of `period` has over an aligned window. */
export function pointsOver(w: { start: Date; end: Date }, period: number): number {
  return Math.floor((w.end.getTime() - w.start.getTime()) / (period * 1000));
}

/**
 * Series packed into calls: each call ≤ 500 queries and ≤ 100,800 datapoints, first fit by decreasing
 * point count (a series longer than a call alone gets a call of its own and pages through NextToken).
 */
export function packCalls<T extends { points: number }>(items: readonly T[]): T[][] {
  const calls: Array<{ points: number; items: T[] }> = [];
  for (const it of [...items].sort((a, b) => b.points - a.points)) {
    const fit = calls.find(
      (c) => c.items.length < MAX_QUERIES_PER_CALL && c.points + it.points <= MAX_DATAPOINTS_PER_CALL,
    );
    if (fit) {
      fit.items.push(it);
      fit.points += it.points;
    } else calls.push({ points: it.points, items: [it] });
  }
  return calls.map((c) => c.items);
}

/** The number of GetMetricData calls `size` makes for a plan over a window (the bench's budget). */
export function sizeCallBudget(specs: readonly SizeSpec[], start: Date, end: Date, grid: number): number {
  const w = alignTo(start, end, grid);
  return packCalls(specs.map((s) => ({ points: pointsOver(w, s.period) }))).length;
}

export async function gatherSizeLoad(
  ctx: GatherContext,
  now: () => Date = () => new Date(),
): Promise<SourceResult<SizeLoadEvidence>> {
  const t = fleetOf(ctx);
  const windowStart = new Date(ctx.window.start);
  const windowEnd = new Date(ctx.window.end);
  const resolution = resolutionFor(windowStart, now());
  const svc = ctx.dep(SERVICE);
  const inst = ctx.dep(INSTANCES);
  const fsEv = ctx.dep(FILE_SYSTEM);
  const targets = ctx.dep(TARGETS);
  const input: SizePlanInput = {
    instances: inst.ok ? inst.value.instances.map((i) => i.instanceId) : [],
    periodSeconds: resolution.periodSeconds,
    hostPeriodSeconds: resolution.hostPeriodSeconds,
  };
  if (t.cluster) input.cluster = t.cluster;
  if (t.service) input.service = t.service;
  const lbArn = t.loadBalancer ?? (targets.ok ? targets.value.loadBalancerArn : undefined);
  const lb = lbArn ? loadBalancerDimension(lbArn) : undefined;
  if (lb) input.loadBalancer = lb;
  const fsId = t.fileSystemId ?? (svc.ok ? svc.value.taskDefinition.fileSystemIds[0] : undefined);
  if (fsId) input.fileSystemId = fsId;
  if (fsEv.ok && fsEv.value.throughputMode === "bursting") input.efsBursting = true;
  const { specs, unavailable } = sizePlan(input);
  if (!inst.ok) unavailable.ec2 = `no per-host CPU: ${AWS_SOURCE_IDS.instances} failed (${inst.message})`;

  const series: Record<string, SizeSeries> = {};
  const aligned = alignTo(windowStart, windowEnd, resolution.hostPeriodSeconds);
  const { start, end } = aligned;
  const planned = specs.map((s, i) => {
    const points = pointsOver(aligned, s.period);
    const values: Array<number | null> = new Array<number | null>(points).fill(null);
    series[s.key] = {
      namespace: s.namespace,
      metric: s.metric,
      dimensions: s.dimensions,
      stat: s.stat,
      period: s.period,
      start: start.toISOString(),
      values,
      status: "Complete",
    };
    const query: MetricDataQuery = {
      Id: `q${i}`,
      Label: s.key,
      ReturnData: true,
      MetricStat: {
        Metric: {
          Namespace: s.namespace,
          MetricName: s.metric,
          Dimensions: Object.entries(s.dimensions).map(([Name, Value]) => ({ Name, Value })),
        },
        Period: s.period,
        Stat: s.stat,
      },
    };
    return { key: s.key, query, points, period: s.period };
  });
  const byId = new Map(planned.map((p) => [p.query.Id!, p]));
  const calls = packCalls(planned);
  let callCount = 0;
  let firstFailure: unknown;
  const cw = planned.length > 0 ? await clientsOf(ctx).cloudwatch() : undefined;
  await mapLimit(calls, METRIC_CALL_CONCURRENCY, async (call) => {
    try {
      const pages = metricDataPages(
        cw!,
        call.map((c) => c.query),
        { start, end, signal: ctx.signal },
        () => callCount++,
      );
      for await (const r of pages) {
        for (const res of r.MetricDataResults ?? []) {
          const p = res.Id ? byId.get(res.Id) : undefined;
          if (!p) continue;
          const s = series[p.key]!;
          const ts = res.Timestamps ?? [];
          const vs = res.Values ?? [];
          for (let i = 0; i < Math.min(ts.length, vs.length); i++) {
            const idx = Math.round((ts[i]!.getTime() - start.getTime()) / (p.period * 1000));
            if (idx >= 0 && idx < p.points) s.values[idx] = vs[i]!;
          }
          if (res.StatusCode && res.StatusCode !== "Complete" && s.status === "Complete")
            s.status = res.StatusCode;
        }
      }
    } catch (e) {
      firstFailure ??= e;
      const f = classifyError(e, "cloudwatch:GetMetricData");
      for (const c of call) {
        const s = series[c.key]!;
        s.status = "Error";
        s.error = f.ok ? String(e) : `${f.kind}: ${f.message}`;
        s.values = [];
      }
    }
  });
  if (planned.length > 0 && planned.every((p) => series[p.key]!.status === "Error"))
    return classifyError(firstFailure, "cloudwatch:GetMetricData");

  const value: SizeLoadEvidence = {
    start: start.toISOString(),
    end: end.toISOString(),
    resolution,
    series,
    unavailable,
    calls: callCount,
  };
  const kind = ctx.settings.sizeFleetKind;
  if (kind === "stack" || kind === "terraform" || kind === "unknown") value.fleetKind = kind;
  if (t.autoScalingGroup) await readGroupBounds(ctx, t.autoScalingGroup, value);
  return ok(value);
}

/** The group's min/max/desired now: one DescribeAutoScalingGroups (its failure costs only the bounds). */
async function readGroupBounds(ctx: GatherContext, name: string, into: SizeLoadEvidence): Promise<void> {
  try {
    const { DescribeAutoScalingGroupsCommand } = await import("@aws-sdk/client-auto-scaling");
    const as = await clientsOf(ctx).autoscaling();
    const r = await as.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [name] }), {
      abortSignal: ctx.signal,
    });
    const g = r.AutoScalingGroups?.find((x) => x.AutoScalingGroupName === name);
    if (g && g.MinSize !== undefined && g.MaxSize !== undefined)
      into.autoScalingGroup = {
        name,
        min: g.MinSize,
        max: g.MaxSize,
        desired: g.DesiredCapacity ?? g.MinSize,
      };
    else into.autoScalingGroupError = `auto-scaling group ${name} not found`;
  } catch (e) {
    const f = classifyError(e, "autoscaling:DescribeAutoScalingGroups");
    into.autoScalingGroupError = f.ok ? String(e) : `${f.kind}: ${f.message}`;
  }
}

export function sizeLoadDeps(target: Target): string[] {
  if (target.kind !== "fleet") return [];
  return [
    AWS_SOURCE_IDS.service,
    AWS_SOURCE_IDS.instances,
    AWS_SOURCE_IDS.fileSystem,
    AWS_SOURCE_IDS.targets,
  ];
}

export const sizeLoadSource: SourceDef<SizeLoadEvidence> = {
  id: SIZE_SOURCE_ID,
  title: "CloudWatch load over the sizing window (ALB, ECS, EFS, EC2)",
  deps: sizeLoadDeps,
  // 14 days of series are a few large pages: more than a doctor source's default 30 s may be needed.
  deadlineMs: 90_000,
  gather: (ctx) => gatherSizeLoad(ctx),
};
