/**
 * A whole watch as one evidence bundle: each round's evidence folded into the last. Metric series are
 * joined by time (a later round's datapoint wins: CloudWatch fills in late data), stopped tasks and service
 * events are joined by identity, every other source is the latest snapshot. A source that failed in a later
 * round keeps the data of the last round that read it. Replaying the bundle evaluates the whole watch.
 */
import type { Window } from "../../window.js";
import type { Evidence, SourceResult } from "../../sources/model.js";
import type { EcsServiceEvidence, MetricsEvidence, StoppedTasksEvidence } from "../../sources/aws/types.js";
import { AWS_SOURCE_IDS } from "../../sources/aws/types.js";

type Ok = Extract<SourceResult<unknown>, { ok: true }>;

function mergeMetrics(a: MetricsEvidence, b: MetricsEvidence): MetricsEvidence {
  const series: MetricsEvidence["series"] = { ...a.series };
  for (const [key, s] of Object.entries(b.series ?? {})) {
    const old = a.series?.[key];
    if (!old) {
      series[key] = s;
      continue;
    }
    const byTime = new Map<string, number>();
    for (const [t, v] of old.points) byTime.set(t, v);
    for (const [t, v] of s.points) byTime.set(t, v);
    const points = [...byTime.entries()].sort((x, y) => Date.parse(x[0]) - Date.parse(y[0]));
    series[key] = { ...s, points };
  }
  return {
    ...b,
    start: Date.parse(a.start) < Date.parse(b.start) ? a.start : b.start,
    end: Date.parse(a.end) > Date.parse(b.end) ? a.end : b.end,
    series,
    messages: [...new Set([...(a.messages ?? []), ...(b.messages ?? [])])],
  };
}

function mergeStopped(a: StoppedTasksEvidence, b: StoppedTasksEvidence): StoppedTasksEvidence {
  const byArn = new Map(a.tasks.map((t) => [t.taskArn, t]));
  for (const t of b.tasks) byArn.set(t.taskArn, t);
  const tasks = [...byArn.values()].sort(
    (x, y) => Date.parse(x.stoppedAt ?? x.stoppingAt ?? "") - Date.parse(y.stoppedAt ?? y.stoppingAt ?? ""),
  );
  return { ...b, tasks, listed: Math.max(a.listed, b.listed, tasks.length) };
}

function mergeService(a: EcsServiceEvidence, b: EcsServiceEvidence): EcsServiceEvidence {
  const key = (e: { at: string; message: string }) => `${e.at} ${e.message}`;
  const events = new Map(a.events.map((e) => [key(e), e]));
  for (const e of b.events) events.set(key(e), e);
  return { ...b, events: [...events.values()].sort((x, y) => Date.parse(x.at) - Date.parse(y.at)) };
}

function mergeOne(id: string, a: Ok, b: Ok): Ok {
  let value: unknown = b.value;
  if (id === AWS_SOURCE_IDS.metrics)
    value = mergeMetrics(a.value as MetricsEvidence, b.value as MetricsEvidence);
  else if (id === AWS_SOURCE_IDS.stoppedTasks)
    value = mergeStopped(a.value as StoppedTasksEvidence, b.value as StoppedTasksEvidence);
  else if (id === AWS_SOURCE_IDS.service)
    value = mergeService(a.value as EcsServiceEvidence, b.value as EcsServiceEvidence);
  // Joined values no longer match one raw answer; a snapshot keeps its own.
  const joined = value !== b.value;
  return joined || b.raw === undefined
    ? { ok: true, value, at: b.at }
    : { ok: true, value, at: b.at, raw: b.raw };
}

export function mergeEvidence(acc: Evidence | undefined, next: Evidence): Evidence {
  if (!acc) return { ...next };
  const out: Evidence = { ...acc };
  for (const [id, b] of Object.entries(next)) {
    const a = acc[id];
    if (!a || !a.ok) out[id] = b;
    else if (b.ok) out[id] = mergeOne(id, a, b);
    // b failed, a ok: keep a (the last data this source gave during the watch).
  }
  return out;
}

/** The window a watch covered: the first round's start to the last round's end, as whole seconds. */
export function watchWindow(first: Window, last: Window): Window {
  const seconds = Math.max(1, Math.round((Date.parse(last.end) - Date.parse(first.start)) / 1000));
  return { start: first.start, end: last.end, since: `${seconds}s` };
}
