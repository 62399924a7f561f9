/**
 * The at-a-glance header: what an on-call engineer reads first. Verdict, fleet identity, window, counts,
 * and one line per playbook that is failing or warning, phrased from the findings' observed values
 * ("OOM: 3 OOM kills, memory 98.3 % of hard limit"). Pure data; each renderer lays it out.
 */
import type { Finding, Status } from "../../checks/model.js";
import { PLAYBOOKS, formatNumber, worst } from "../../checks/model.js";
import type { Report, Summary } from "../../checks/report.js";
import { humanise } from "../../checks/units.js";
import { describeTarget } from "../../sources/target/model.js";
import { badSide } from "./timeline.js";
import { windowLabel } from "./times.js";

export interface GlanceLine {
  playbook: string;
  label: string;
  status: Status;
  text: string;
  /** The findings the line is phrased from, in order (HTML links the line to the first). */
  checkIds: string[];
}

export interface Glance {
  verdict: Status;
  target: string;
  window: { start: string; end: string; since: string };
  source: string;
  counts: Summary;
  lines: GlanceLine[];
}

export const PLAYBOOK_LABEL: Record<string, string> = {
  "slow-listing": "slow listing",
  oom: "OOM",
  iowait: "iowait",
  auth: "auth",
  upload: "upload",
  bursts: "bursts",
};

/** Short nouns for the checks an incident line names most; any other check uses its id's last part. */
const NOUN: Record<string, string> = {
  "ecs.oom-kills": "OOM kills",
  "ecs.memory-utilization": "memory",
  "ecs.cpu-utilization": "service CPU",
  "ecs.running-tasks": "running tasks",
  "ecs.service-events": "troubling service events",
  "alb.5xx-rate": "5xx",
  "alb.p95-latency": "p95",
  "alb.target-health": "target health",
  "alb.idle-timeout": "back-end keep-alive",
  "ec2.cpu-credits": "lowest CPU credits",
  "ec2.cpu-skew": "CPU skew",
  "efs.percent-io-limit": "EFS PercentIOLimit",
  "efs.throughput-utilization": "EFS throughput",
  "efs.burst-credits": "EFS burst credits",
};

function noun(checkId: string): string {
  return NOUN[checkId] ?? checkId.split(".").slice(1).join(".").replace(/-/g, " ");
}

/** "every minute" → "minute": the series' sampling period, for "worst minute". */
function periodWord(series: ReadonlyArray<readonly [string, number]>): string {
  if (series.length < 2) return "point";
  const step = (Date.parse(series[1]![0]) - Date.parse(series[0]![0])) / 1000;
  if (step === 60) return "minute";
  if (step > 0 && step % 60 === 0) return `${step / 60} min`;
  if (step > 0) return `${step} s`;
  return "point";
}

/** One finding as a phrase: its observed value, and the worst point when that says more. */
export function phrase(f: Finding): string {
  if (!f.observed) return `${f.checkId} ${f.status}`;
  // A value with nothing to compare it with (a probe's response time) is not what went wrong: name the fault.
  if (!f.threshold && f.status !== "pass") return `${noun(f.checkId)}: ${f.messageId.replace(/-/g, " ")}`;
  const o = f.observed;
  let s = `${noun(f.checkId)} ${humanise(o.value, o.unit)}`;
  const series = o.series ?? [];
  if (series.length > 1) {
    const vs = series.map(([, v]) => v);
    const worstPoint = badSide(f.threshold) === "above" ? Math.max(...vs) : Math.min(...vs);
    // A rate over the window hides its worst minute; a peak already is the worst point.
    if (formatNumber(worstPoint) !== formatNumber(o.value))
      s += ` (worst ${periodWord(series)} ${humanise(worstPoint, o.unit)})`;
  }
  if (f.threshold && f.status !== "pass") s += ` vs ${humanise(f.threshold.value, f.threshold.unit)}`;
  return s;
}

const PROBLEM: ReadonlySet<Status> = new Set<Status>(["fail", "warn", "error"]);

export function glanceOf(report: Report): Glance {
  // A finding counts under its first playbook (as the human report groups it).
  const byPlaybook = new Map<string, Finding[]>();
  for (const f of report.findings) {
    if (!PROBLEM.has(f.status)) continue;
    const pb = f.playbooks[0] ?? "other";
    byPlaybook.set(pb, [...(byPlaybook.get(pb) ?? []), f]);
  }
  const order = [
    ...PLAYBOOKS,
    ...[...byPlaybook.keys()].filter((k) => !(PLAYBOOKS as readonly string[]).includes(k)),
  ];
  const lines: GlanceLine[] = [];
  for (const pb of order) {
    const fs = byPlaybook.get(pb);
    if (!fs?.length) continue;
    const status = worst(fs.map((f) => f.status));
    // Fails first; warnings and could-not-evaluate only when nothing in the playbook failed.
    const shown = fs.filter((f) => f.status === status);
    const text =
      status === "error"
        ? `could not evaluate ${shown.map((f) => f.checkId).join(", ")}`
        : shown.map(phrase).join(", ");
    lines.push({
      playbook: pb,
      label: PLAYBOOK_LABEL[pb] ?? pb,
      status,
      text,
      checkIds: shown.map((f) => f.checkId),
    });
  }
  const source =
    report.evidence.mode === "replay"
      ? `replay of ${report.evidence.bundle ?? "a bundle"}${report.evidence.gatheredAt ? ` gathered ${report.evidence.gatheredAt}` : ""}`
      : `live, ${report.generatedAt}`;
  return {
    verdict: report.summary.status,
    target: describeTarget(report.target),
    window: report.window,
    source,
    counts: report.summary,
    lines,
  };
}

export function countsText(s: Summary): string {
  const parts = (["fail", "error", "warn", "pass", "skip"] as const)
    .filter((k) => s[k] > 0)
    .map((k) => `${s[k]} ${k}`);
  return `${s.total} checks: ${parts.join(", ") || "none"}`;
}

/** "2026-11-20 11:00 → 12:00 UTC (1h)": the report's one time format (times.ts). */
export function windowText(w: { start: string; end: string; since: string }): string {
  return windowLabel(w);
}
