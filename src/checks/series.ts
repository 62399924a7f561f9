/** Pure helpers over evidence (CloudWatch series, needed and used sources), shared by the checks. */
import type { Observed } from "./model.js";
import type { Evidence, SourceKey, SourceResult } from "../sources/model.js";
import type { MetricSeries, MetricsEvidence } from "../sources/aws/types.js";
import { pointCount, pointValues } from "../sources/aws/packed-points.js";

export function seriesOf(m: MetricsEvidence, key: string): MetricSeries | undefined {
  return m.series[key];
}

export function values(s: MetricSeries | undefined): number[] {
  return s ? pointValues(s) : [];
}

export function hasData(s: MetricSeries | undefined): boolean {
  return s ? pointCount(s) > 0 : false;
}

export function maxOf(xs: readonly number[]): number | undefined {
  return xs.length ? Math.max(...xs) : undefined;
}

export function minOf(xs: readonly number[]): number | undefined {
  return xs.length ? Math.min(...xs) : undefined;
}

export function sumOf(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0);
}

export function meanOf(xs: readonly number[]): number | undefined {
  return xs.length ? sumOf(xs) / xs.length : undefined;
}

export function round(v: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

/** The observed block of a verdict from a series (optionally transformed). */
export function observedFrom(
  points: ReadonlyArray<readonly [string, number]>,
  value: number,
  unit: string,
): Observed {
  return {
    value: round(value, 2),
    unit,
    series: points.map(([t, v]) => [t, round(v, 3)] as [string, number]),
  };
}

/** "AWS/ECS MemoryUtilization (ClusterName=a, ServiceName=b) Maximum" — for messages about empty series. */
export function describeSeries(s: MetricSeries): string {
  const dims = Object.entries(s.dimensions)
    .map(([k, v]) => `${k}=${v}`)
    .join(", ");
  return `${s.namespace} ${s.metric} (${dims}) ${s.stat}`;
}

/** A series CloudWatch refused or failed (StatusCode Forbidden / InternalError, or a failed call). */
export function seriesProblem(s: MetricSeries | undefined): string | undefined {
  if (!s) return undefined;
  if (s.status === "Forbidden")
    return `${describeSeries(s)}: CloudWatch answered Forbidden (cloudwatch:GetMetricData permission)`;
  if (s.status === "InternalError") return `${describeSeries(s)}: CloudWatch answered InternalError`;
  if (s.status === "Error") return `${describeSeries(s)}: ${s.error ?? "GetMetricData failed"}`;
  return undefined;
}

/** A needed source's value (the runner only calls evaluate when every needed source is ok). */
export function need<V>(evidence: Evidence, key: SourceKey<V>): V {
  const r = evidence[key.id] as SourceResult<V> | undefined;
  if (!r?.ok) throw new Error(`${key.id} is not available`);
  return r.value;
}

/** A used source's value, or undefined when absent or failed. */
export function maybe<V>(evidence: Evidence, key: SourceKey<V>): V | undefined {
  const r = evidence[key.id] as SourceResult<V> | undefined;
  return r?.ok ? r.value : undefined;
}
