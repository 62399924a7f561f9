/**
 * Every CloudWatch series the fleet checks read, in as few GetMetricData calls as possible (≤ 500 queries
 * each, NextToken pages merged), each with the full dimension set the metric is published with
 * (FACTS §3/§4: ECS needs ClusterName AND ServiceName; ALB LoadBalancer=app/…; TargetGroup for host counts).
 */
import {
  GetMetricDataCommand,
  type CloudWatchClient,
  type GetMetricDataCommandOutput,
  type MetricDataQuery,
} from "@aws-sdk/client-cloudwatch";
import { ok, type SourceResult } from "../model.js";
import type { GatherContext, GatherPlan, SourceDef } from "../context.js";
import type { Window } from "../../window.js";
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
import { chunk, clientsOf, fleetOf, mapLimit } from "./shared.js";
import {
  SERIES,
  SERIES_KEYS,
  seriesNeeding,
  type DimensionSource,
  type SeriesDef,
  type SeriesKey,
} from "./metric-catalogue.js";
import { classifyError } from "../classify.js";

export const MAX_QUERIES_PER_CALL = 500;
/** CloudWatch returns at most this many datapoints per GetMetricData call (more → NextToken pages). */
export const MAX_DATAPOINTS_PER_CALL = 100_800;
/** Batches (GetMetricData calls) in flight at once. */
export const METRIC_CALL_CONCURRENCY = 4;

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

/**
 * One minute up to a day; longer windows coarsen so no series exceeds 1,440 points (a multiple of
 * 60 s, as CloudWatch requires for data older than 3 hours; 15 d gives 900 s).
 */
export function periodFor(window: Window): number {
  const secs = (Date.parse(window.end) - Date.parse(window.start)) / 1000;
  return Math.max(60, Math.ceil(secs / 1440 / 60) * 60);
}

/**
 * Queries per GetMetricData call so one call's datapoints fit in one page: ≤ 500 queries and
 * queries × points per series ≤ 100,800. Independent calls then run in parallel instead of one call
 * paging through NextToken one page after another.
 */
export function queriesPerCall(pointsPerSeries: number): number {
  return Math.max(
    1,
    Math.min(MAX_QUERIES_PER_CALL, Math.floor(MAX_DATAPOINTS_PER_CALL / Math.max(1, pointsPerSeries))),
  );
}

/**
 * The pages of one GetMetricData call, NextToken followed, oldest points first. `onCall` runs before each
 * request (a call that fails counts too). Shared by doctor's metrics and size's long-window load.
 */
export async function* metricDataPages(
  cw: CloudWatchClient,
  queries: MetricDataQuery[],
  window: { start: Date; end: Date; signal: AbortSignal },
  onCall: () => void = () => {},
): AsyncGenerator<GetMetricDataCommandOutput> {
  let NextToken: string | undefined;
  do {
    onCall();
    const r = await cw.send(
      new GetMetricDataCommand({
        MetricDataQueries: queries,
        StartTime: window.start,
        EndTime: window.end,
        ScanBy: "TimestampAscending",
        ...(NextToken ? { NextToken } : {}),
      }),
      { abortSignal: window.signal },
    );
    yield r;
    NextToken = r.NextToken;
  } while (NextToken);
}

/** The GetMetricData calls a plan of `series` series over `window` costs (the documented call budget). */
export function metricCallBudget(series: number, window: Window): number {
  const period = periodFor(window);
  const { start, end } = alignedWindow(window, period);
  const points = Math.ceil((end.getTime() - start.getTime()) / (period * 1000));
  return Math.ceil(series / queriesPerCall(points));
}

const WHY_UNAVAILABLE: Record<SeriesDef["area"], string> = {
  efs: "no EFS file system identified (task definition has no EFS volume and --file-system-id not given)",
  ecs: "no ECS cluster/service identified: pass --cluster/--service or --stack",
  alb: "no load balancer identified: pass --load-balancer or --stack",
  ec2: "no instances identified",
};

/**
 * The series the checks read, with full dimensions. `wanted`: the keys the selected checks declare
 * (absent = every series in the catalogue). Pure: tests and the bench call it too.
 */
export function metricPlan(
  p: MetricPlanInput,
  wanted?: ReadonlySet<string>,
): { specs: MetricSpec[]; unavailable: Record<string, string> } {
  const specs: MetricSpec[] = [];
  const unavailable: Record<string, string> = {};
  const ctx: Record<Exclude<DimensionSource, "instanceId">, string | undefined> = {
    fileSystemId: p.fileSystemId,
    cluster: p.cluster,
    service: p.service,
    loadBalancer: p.loadBalancer,
    targetGroup: p.targetGroup,
  };
  const perInstance: Array<[SeriesKey, SeriesDef]> = [];
  for (const key of SERIES_KEYS) {
    if (wanted && !wanted.has(key)) continue;
    const def: SeriesDef = SERIES[key];
    if (def.perInstance) {
      perInstance.push([key, def]);
      continue;
    }
    const dimensions: Record<string, string> = {};
    let missing = false;
    for (const [name, from] of Object.entries(def.dimensions)) {
      const v = ctx[from as Exclude<DimensionSource, "instanceId">];
      if (v === undefined) missing = true;
      else dimensions[name] = v;
    }
    if (missing) {
      // The TargetGroup-dimensioned host counts are optional when the load balancer is known.
      if (!(def.area === "alb" && ctx.loadBalancer)) unavailable[def.area] ??= WHY_UNAVAILABLE[def.area];
      continue;
    }
    specs.push({ key, namespace: def.namespace, metric: def.metric, dimensions, stat: def.stat });
  }
  for (const i of p.instances)
    for (const [key, def] of perInstance) {
      if (def.perInstance === "burstable" && !isBurstable(i.instanceType)) continue;
      specs.push({
        key: `${key}.${i.instanceId}`,
        namespace: def.namespace,
        metric: def.metric,
        dimensions: { InstanceId: i.instanceId },
        stat: def.stat,
      });
    }
  return { specs, unavailable };
}

export function toQueries(specs: readonly MetricSpec[], period: number): MetricDataQuery[] {
  return specs.map((s, i) => ({
    Id: `m${i}`,
    Label: s.key,
    ReturnData: true,
    MetricStat: {
      Metric: {
        Namespace: s.namespace,
        MetricName: s.metric,
        Dimensions: Object.entries(s.dimensions).map(([Name, Value]) => ({ Name, Value })),
      },
      Period: period,
      Stat: s.stat,
    },
  }));
}

/** Start floored and end ceiled to the period, as CloudWatch aligns its buckets. */
export function alignedWindow(window: Window, period: number): { start: Date; end: Date } {
  const p = period * 1000;
  return {
    start: new Date(Math.floor(Date.parse(window.start) / p) * p),
    end: new Date(Math.ceil(Date.parse(window.end) / p) * p),
  };
}

/** The context fields the wanted series need (and so the discovery sources to wait for). */
function wants(wanted: ReadonlySet<string> | undefined) {
  const keys = wanted ?? new Set<string>(SERIES_KEYS);
  return {
    fileSystem: seriesNeeding(keys, "fileSystemId"),
    loadBalancer: seriesNeeding(keys, "loadBalancer"),
    targetGroup: seriesNeeding(keys, "targetGroup"),
    instances: seriesNeeding(keys, "instanceId"),
  };
}

function planInput(ctx: GatherContext, unavailable: Record<string, string>): MetricPlanInput {
  const t = fleetOf(ctx);
  const w = wants(ctx.plan?.series);
  const deps = metricsDeps(t, ctx.plan ?? {});
  const svc = deps.includes(SERVICE.id) ? ctx.dep(SERVICE) : undefined;
  const input: MetricPlanInput = { instances: [] };
  if (t.cluster) input.cluster = t.cluster;
  if (t.service) input.service = t.service;
  if (w.fileSystem) {
    input.fileSystemId = t.fileSystemId ?? (svc?.ok ? svc.value.taskDefinition.fileSystemIds[0] : undefined);
    if (!input.fileSystemId && svc && !svc.ok)
      unavailable.efs = `no file system: ${SERVICE.id} failed (${svc.message})`;
  }
  if (w.targetGroup || w.loadBalancer) {
    const tgArn = t.targetGroup ?? (svc?.ok ? svc.value.targetGroupArns[0] : undefined);
    if (tgArn && w.targetGroup) input.targetGroup = targetGroupDimension(tgArn);
  }
  if (w.loadBalancer) {
    let lbArn = t.loadBalancer;
    if (!lbArn && deps.includes(TARGETS.id)) {
      const targets = ctx.dep(TARGETS);
      if (targets.ok) lbArn = targets.value.loadBalancerArn;
      else unavailable.alb = `no load balancer: ${TARGETS.id} failed (${targets.message})`;
    }
    if (lbArn) input.loadBalancer = loadBalancerDimension(lbArn);
  }
  if (w.instances) {
    const inst = ctx.dep(INSTANCES);
    if (inst.ok) input.instances = inst.value.instances;
    else unavailable.ec2 = `no per-instance metrics: ${INSTANCES.id} failed (${inst.message})`;
  }
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

/**
 * Whether a failed call is worth splitting: the endpoint answered, and not with throttling or a denial
 * (those hit every query alike). An invalid statistic in one query fails the whole call with a
 * ValidationError (FACTS §8); a server that cannot serve one statistic answers 5xx.
 */
function splittable(err: unknown): boolean {
  const f = classifyError(err);
  if (f.ok) return false;
  if (f.kind === "throttled" || f.kind === "access-denied" || f.kind === "timeout") return false;
  const status = (err as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
  return status !== undefined || f.kind === "malformed" || f.kind === "not-found";
}

/** Extra GetMetricData calls a run may spend isolating failing series (bisecting failed batches). */
export const SPLIT_CALL_BUDGET = 24;

export async function gatherMetrics(ctx: GatherContext): Promise<SourceResult<MetricsEvidence>> {
  const depUnavailable: Record<string, string> = {};
  const input = planInput(ctx, depUnavailable);
  const { specs, unavailable } = metricPlan(input, ctx.plan?.series);
  Object.assign(unavailable, depUnavailable);
  const period = periodFor(ctx.window);
  const { start, end } = alignedWindow(ctx.window, period);
  const queries = toQueries(specs, period);
  const points = new Map<string, Points>();
  const status = new Map<string, string>();
  const errors = new Map<string, string>();
  const messages: string[] = [];
  const pointsPerSeries = Math.ceil((end.getTime() - start.getTime()) / (period * 1000));
  const batches = chunk(queries, queriesPerCall(pointsPerSeries));
  const cw = queries.length > 0 ? await clientsOf(ctx).cloudwatch() : undefined;

  const fetchBatch = async (batch: MetricDataQuery[]): Promise<void> => {
    for await (const r of metricDataPages(cw!, batch, { start, end, signal: ctx.signal })) {
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
        if (!prev || prev === "Complete" || prev === "PartialData")
          status.set(res.Id, res.StatusCode ?? "Complete");
        for (const msg of res.Messages ?? [])
          messages.push(`${res.Label ?? res.Id}: ${msg.Code ?? ""} ${msg.Value ?? ""}`.trim());
      }
      for (const msg of r.Messages ?? []) messages.push(`${msg.Code ?? ""} ${msg.Value ?? ""}`.trim());
    }
  };

  /** Why each failed query failed, in words; the first failure of the run is kept for the all-failed case. */
  let firstFailure: unknown;
  let splitCalls = 0;
  const fail = (batch: readonly MetricDataQuery[], err: unknown) => {
    firstFailure ??= err;
    const f = classifyError(err, "cloudwatch:GetMetricData");
    const cause = f.ok ? String(err) : `${f.kind}: ${f.message}`;
    for (const q of batch) if (q.Id) errors.set(q.Id, cause);
  };
  const attempt = async (batch: MetricDataQuery[]): Promise<unknown> => {
    try {
      await fetchBatch(batch);
      return undefined;
    } catch (e) {
      return e ?? new Error("GetMetricData failed");
    }
  };
  /**
   * A failed call is retried split in halves, so only the series that really fail are `error` (each
   * naming its cause). When both halves of the first split fail alike, the failure is not the series'
   * (an endpoint that answers 500 to everything): stop there instead of calling once per series.
   */
  const settle = async (batch: MetricDataQuery[], err: unknown, top: boolean): Promise<void> => {
    if (batch.length === 1 || !splittable(err) || splitCalls + 2 > SPLIT_CALL_BUDGET || ctx.signal.aborted)
      return fail(batch, err);
    const mid = Math.ceil(batch.length / 2);
    const halves = [batch.slice(0, mid), batch.slice(mid)];
    splitCalls += 2;
    const results = await Promise.all(halves.map(attempt));
    if (top && results.every((e) => e !== undefined)) return fail(batch, results[0]);
    await Promise.all(
      halves.map((h, i) => (results[i] === undefined ? undefined : settle(h, results[i], false))),
    );
  };
  await mapLimit(batches, METRIC_CALL_CONCURRENCY, async (batch) => {
    const e = await attempt(batch);
    if (e !== undefined) await settle(batch, e, true);
  });
  // Nothing at all came back: the source failed as a whole (the runner explains it once, with its kind).
  if (queries.length > 0 && errors.size === queries.length)
    return classifyError(firstFailure, "cloudwatch:GetMetricData");

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
    const error = errors.get(id);
    series[s.key] = {
      namespace: s.namespace,
      metric: s.metric,
      dimensions: s.dimensions,
      stat: s.stat,
      period,
      status: error ? "Error" : (status.get(id) ?? "Complete"),
      points: m && !error ? pointsOf(m, isoAt) : [],
      ...(error ? { error } : {}),
    };
  });
  const context: MetricsEvidence["context"] = { instances: input.instances.map((i) => i.instanceId) };
  if (input.cluster) context.cluster = input.cluster;
  if (input.service) context.service = input.service;
  if (input.fileSystemId) context.fileSystemId = input.fileSystemId;
  if (input.loadBalancer) context.loadBalancer = input.loadBalancer;
  if (input.targetGroup) context.targetGroup = input.targetGroup;
  return ok({
    periodSeconds: period,
    start: start.toISOString(),
    end: end.toISOString(),
    series,
    unavailable,
    context,
    messages,
  });
}

/**
 * The discovery sources the planned series wait for: only what the wanted series' dimensions need and
 * the target does not give (`--only efs` with a known file system waits for nothing).
 */
export function metricsDeps(target: Target, plan: GatherPlan = {}): string[] {
  if (target.kind !== "fleet") return [];
  const w = wants(plan.series);
  const deps: string[] = [];
  if (w.instances) deps.push(AWS_SOURCE_IDS.instances);
  const needLb = w.loadBalancer && !target.loadBalancer;
  if (
    (w.fileSystem && !target.fileSystemId) ||
    (w.targetGroup && !target.targetGroup) ||
    (needLb && !target.targetGroup)
  )
    deps.push(AWS_SOURCE_IDS.service);
  if (needLb) deps.push(AWS_SOURCE_IDS.targets);
  return deps;
}

export const metricsSource: SourceDef<MetricsEvidence> = {
  id: AWS_SOURCE_IDS.metrics,
  title: "CloudWatch metrics (EFS, ECS, ALB, EC2)",
  deps: metricsDeps,
  gather: gatherMetrics,
};
