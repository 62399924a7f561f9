/**
 * The shared timeline: every failing or warning check's series on one time axis, with its threshold, and
 * the events that explain them (task stops, deployments, target states, service events, threshold
 * crossings). Pure data, built from the report and, when given, the evidence it was evaluated from; the
 * human, markdown and HTML renderers draw the same model so they never disagree.
 */
import type { Finding, Status, ThresholdRef } from "../../checks/model.js";
import { formatNumber } from "../../checks/model.js";
import type { Report } from "../../checks/report.js";
import type { Evidence } from "../../sources/model.js";
import type {
  EcsServiceEvidence,
  StoppedTask,
  StoppedTasksEvidence,
  TargetsEvidence,
} from "../../sources/aws/types.js";
import { AWS_SOURCE_IDS } from "../../sources/aws/types.js";
import { clockOn } from "./times.js";

export type EventKind = "oom-kill" | "task-stop" | "deployment" | "target" | "service-event" | "crossing";

export interface TimelineEvent {
  /** Epoch ms. */
  t: number;
  at: string;
  kind: EventKind;
  status: Status;
  text: string;
}

export interface TimelineRow {
  checkId: string;
  title: string;
  status: Status;
  unit: string;
  threshold?: ThresholdRef;
  /** Which side of the threshold is bad: "min…" thresholds are breached from below. */
  bad: "above" | "below";
  /** [epoch ms, value], oldest first. */
  points: Array<[number, number]>;
  peak: number;
}

export interface Timeline {
  start: number;
  end: number;
  rows: TimelineRow[];
  /** Oldest first, all inside [start, end]. */
  events: TimelineEvent[];
}

/** One-character marks for the text events row, most important first. */
export const EVENT_MARK: Record<EventKind, string> = {
  "oom-kill": "K",
  "task-stop": "x",
  target: "T",
  deployment: "D",
  crossing: "!",
  "service-event": "s",
};
const EVENT_PRIORITY: EventKind[] = [
  "oom-kill",
  "task-stop",
  "target",
  "deployment",
  "crossing",
  "service-event",
];

export function badSide(threshold: ThresholdRef | undefined): "above" | "below" {
  return threshold && /^min/i.test(threshold.name) ? "below" : "above";
}

export function breaches(v: number, threshold: ThresholdRef | undefined, bad: "above" | "below"): boolean {
  if (!threshold) return false;
  return bad === "above" ? v > threshold.value : v < threshold.value;
}

const isProblem = (s: Status) => s === "fail" || s === "warn";

function seriesOf(f: Finding): { series: Array<[string, number]>; unit: string } | undefined {
  if (f.observed?.series && f.observed.series.length > 0)
    return { series: f.observed.series, unit: f.observed.unit };
  // A check whose worst resource carries the series (e.g. one host of many).
  const r = (f.resources ?? []).find((x) => isProblem(x.status) && x.observed?.series?.length);
  return r?.observed?.series ? { series: r.observed.series, unit: r.observed.unit } : undefined;
}

function rowOf(f: Finding): TimelineRow | undefined {
  const s = seriesOf(f);
  if (!s) return undefined;
  const points = s.series
    .map(([at, v]) => [Date.parse(at), v] as [number, number])
    .filter(([t, v]) => Number.isFinite(t) && Number.isFinite(v));
  if (points.length === 0) return undefined;
  const bad = badSide(f.threshold);
  const values = points.map(([, v]) => v);
  const row: TimelineRow = {
    checkId: f.checkId,
    title: f.title,
    status: f.status,
    unit: s.unit,
    bad,
    points,
    peak: bad === "above" ? Math.max(...values) : Math.min(...values),
  };
  if (f.threshold) row.threshold = f.threshold;
  return row;
}

function ok<V>(evidence: Evidence | undefined, id: string): { value: V; at: string } | undefined {
  const r = evidence?.[id];
  return r?.ok ? { value: r.value as V, at: r.at } : undefined;
}

const isObj = (x: unknown): x is Record<string, unknown> => typeof x === "object" && x !== null;

/** OOM, as the ecs.oom-kills check reads it: the container's reason names OutOfMemory. */
function isOomStop(t: StoppedTask): boolean {
  return (
    (t.containers ?? []).some((c) => /OutOfMemory/i.test(c.reason ?? "")) ||
    /OutOfMemory/i.test(t.stoppedReason ?? "")
  );
}

function stopText(t: StoppedTask): string {
  const c = (t.containers ?? []).find((x) => x.reason || x.exitCode !== undefined);
  const why = c
    ? `${c.name}${c.exitCode !== undefined ? ` exit ${c.exitCode}` : ""}${c.reason ? ` (${c.reason})` : ""}`
    : (t.stoppedReason ?? "");
  return `task ${t.taskId} stopped${t.stopCode ? ` [${t.stopCode}]` : ""}: ${why}`;
}

/** Events read from the evidence. Defensive: a replayed bundle may hold anything. */
export function evidenceEvents(evidence: Evidence | undefined): TimelineEvent[] {
  const out: TimelineEvent[] = [];
  const push = (at: unknown, kind: EventKind, status: Status, text: string) => {
    if (typeof at !== "string") return;
    const t = Date.parse(at);
    if (Number.isFinite(t)) out.push({ t, at, kind, status, text });
  };
  const stopped = ok<StoppedTasksEvidence>(evidence, AWS_SOURCE_IDS.stoppedTasks);
  if (stopped && Array.isArray(stopped.value?.tasks))
    for (const t of stopped.value.tasks) {
      if (!isObj(t)) continue;
      const oom = isOomStop(t);
      push(t.stoppedAt ?? t.stoppingAt, oom ? "oom-kill" : "task-stop", oom ? "fail" : "warn", stopText(t));
    }
  const svc = ok<EcsServiceEvidence>(evidence, AWS_SOURCE_IDS.service);
  if (svc && isObj(svc.value)) {
    for (const d of Array.isArray(svc.value.deployments) ? svc.value.deployments : []) {
      if (!isObj(d)) continue;
      const td = d.taskDefinition ? ` (${String(d.taskDefinition).split("/").pop()})` : "";
      push(d.createdAt, "deployment", "pass", `deployment ${d.id} started${td}`);
      if (d.updatedAt && d.updatedAt !== d.createdAt && d.rolloutState)
        push(
          d.updatedAt,
          "deployment",
          d.rolloutState === "FAILED" ? "fail" : "pass",
          `deployment ${d.id} ${String(d.rolloutState).toLowerCase()}${d.rolloutStateReason ? `: ${d.rolloutStateReason}` : ""}`,
        );
    }
    for (const e of Array.isArray(svc.value.events) ? svc.value.events : [])
      if (isObj(e))
        push(
          e.at,
          "service-event",
          /unable|failed|unhealthy|error/i.test(String(e.message)) ? "warn" : "pass",
          `service: ${String(e.message)}`,
        );
  }
  // Target health is a snapshot: a target not healthy is an event at the time it was read.
  const targets = ok<TargetsEvidence>(evidence, AWS_SOURCE_IDS.targets);
  if (targets && Array.isArray(targets.value?.targets))
    for (const t of targets.value.targets) {
      if (!isObj(t) || t.state === "healthy") continue;
      const moving = t.state === "initial" || t.state === "draining";
      push(
        targets.at,
        "target",
        moving ? "warn" : "fail",
        `target ${t.id}${t.port !== undefined ? `:${t.port}` : ""} ${t.state}${t.reason ? ` (${t.reason})` : ""}`,
      );
    }
  return out;
}

/** Where a series goes from inside its threshold to beyond it: an alarm-like crossing. */
export function crossings(row: TimelineRow): TimelineEvent[] {
  if (!row.threshold) return [];
  const out: TimelineEvent[] = [];
  let was = false;
  for (const [t, v] of row.points) {
    const now = breaches(v, row.threshold, row.bad);
    if (now && !was)
      out.push({
        t,
        at: new Date(t).toISOString(),
        kind: "crossing",
        status: row.status,
        text: `${row.checkId} ${row.bad === "above" ? "rose above" : "fell below"} ${formatNumber(row.threshold.value)} ${row.threshold.unit} (${formatNumber(v)} ${row.unit})`,
      });
    was = now;
  }
  return out;
}

/** The axis: the report's window; a local run's few seconds of samples get an axis of their own span. */
function axisOf(
  report: Report,
  rows: TimelineRow[],
  events: TimelineEvent[],
): { start: number; end: number } {
  const ws = Date.parse(report.window.start);
  const we = Date.parse(report.window.end);
  if (report.target.kind === "local") {
    const ts = [...rows.flatMap((r) => r.points.map(([t]) => t)), ...events.map((e) => e.t)];
    if (ts.length > 1) {
      const lo = Math.min(...ts);
      const hi = Math.max(...ts);
      if (hi > lo) return { start: lo, end: hi };
    }
  }
  return { start: ws, end: we > ws ? we : ws + 1 };
}

export function buildTimeline(report: Report, evidence?: Evidence): Timeline {
  const rows = report.findings.filter((f) => isProblem(f.status)).flatMap((f) => rowOf(f) ?? []);
  const all = [...evidenceEvents(evidence), ...rows.flatMap(crossings)];
  const { start, end } = axisOf(report, rows, all);
  // A target's state is read once, just after the window ends: show it at the end of the axis, and say
  // that time everywhere (text, SVG, the HTML table), not the read's own stamp outside the window.
  for (const e of all)
    if (e.kind === "target" && e.t > end) {
      e.t = end;
      e.at = new Date(end).toISOString();
    }
  const events = all
    .filter((e) => e.t >= start && e.t <= end)
    .sort((a, b) => a.t - b.t || EVENT_PRIORITY.indexOf(a.kind) - EVENT_PRIORITY.indexOf(b.kind));
  const clipped = rows
    .map((r) => ({ ...r, points: r.points.filter(([t]) => t >= start && t <= end) }))
    .filter((r) => r.points.length > 0);
  return { start, end, rows: clipped, events };
}

/** The column a time falls in, 0…columns-1. */
export function columnOf(t: number, tl: Pick<Timeline, "start" | "end">, columns: number): number {
  const x = Math.floor(((t - tl.start) / (tl.end - tl.start)) * columns);
  return Math.min(columns - 1, Math.max(0, x));
}

/**
 * How long each point of a series stands for: the shortest step between its timestamps (CloudWatch
 * datapoints stand for the period they start, 60 s or EC2 basic monitoring's 300 s); a lone point, none.
 */
export function pointPeriod(points: ReadonlyArray<readonly [number, number]>): number {
  let step = Infinity;
  for (let i = 1; i < points.length; i++) {
    const d = points[i]![0] - points[i - 1]![0];
    if (d > 0 && d < step) step = d;
  }
  return Number.isFinite(step) ? step : 0;
}

/**
 * The worst value in each column (a spike must stay visible); undefined where the series has no point.
 * A point fills every column of the period it stands for, so a 5-minute series and a 1-minute one line up
 * on the same minutes instead of showing the 5-minute one as dots with gaps.
 */
export function bucketize(
  row: TimelineRow,
  tl: Pick<Timeline, "start" | "end">,
  columns: number,
): Array<number | undefined> {
  const out: Array<number | undefined> = new Array<number | undefined>(columns).fill(undefined);
  const period = pointPeriod(row.points);
  for (const [t, v] of row.points) {
    const first = columnOf(t, tl, columns);
    // The period's last instant is the next point's first: it does not reach into that point's column.
    const last = period > 0 ? Math.max(first, columnOf(t + period - 1, tl, columns)) : first;
    for (let c = first; c <= last; c++) {
      const cur = out[c];
      out[c] = cur === undefined ? v : row.bad === "above" ? Math.max(cur, v) : Math.min(cur, v);
    }
  }
  return out;
}

/** The most important event kind in each column. */
export function eventColumns(
  events: readonly TimelineEvent[],
  tl: Pick<Timeline, "start" | "end">,
  columns: number,
): Array<EventKind | undefined> {
  const out: Array<EventKind | undefined> = new Array<EventKind | undefined>(columns).fill(undefined);
  for (const e of events) {
    const c = columnOf(e.t, tl, columns);
    const cur = out[c];
    if (cur === undefined || EVENT_PRIORITY.indexOf(e.kind) < EVENT_PRIORITY.indexOf(cur)) out[c] = e.kind;
  }
  return out;
}

/** "11:17" (UTC) on an axis within one day (with seconds under ten minutes), "11-19 23:58" across days. */
export function timeLabel(t: number, axis: { start: number; end: number }): string {
  return clockOn(t, axis);
}
