/**
 * The human report: grouped by playbook, a symbol and colour per status, observed vs threshold,
 * a sparkline for every series, hints, per-resource lines and a summary line.
 */
import { Chalk } from "chalk";
import type { Report } from "../../checks/report.js";
import { PLAYBOOKS, formatNumber, type Finding, type Status } from "../../checks/model.js";
import { describeTarget } from "../../sources/target/model.js";
import { comparisonText } from "./comparison.js";
import { sparkline } from "./sparkline.js";
import type { RenderOptions } from "./index.js";
import { countsText, glanceOf, windowText } from "./glance.js";
import { buildTimeline } from "./timeline.js";
import { renderTimelineText } from "./timeline-text.js";

export const SYMBOL: Record<Status, string> = { pass: "✔", warn: "▲", fail: "✖", skip: "○", error: "?" };

const PLAYBOOK_TITLE: Record<string, string> = {
  "slow-listing": "Slow package listing",
  oom: "Container OOM kills",
  iowait: "High iowait on hosts",
  auth: "Authentication failures",
  upload: "Package upload fails",
  bursts: "High error rate during bursts",
};

export function renderHuman(report: Report, opts: RenderOptions): string {
  const c = new Chalk({ level: opts.color ? 1 : 0 });
  const paint: Record<Status, (s: string) => string> = {
    pass: c.green,
    warn: c.yellow,
    fail: c.red,
    skip: c.gray,
    error: c.magenta,
  };
  const lines: string[] = [...renderGlanceHuman(report, opts)];
  const timeline = renderTimelineText(buildTimeline(report, opts.evidence), {
    color: opts.color,
    width: opts.width,
  });
  if (timeline.length) lines.push("", ...timeline);

  // A check that serves several playbooks is listed under the first; the others name it.
  const byPlaybook = new Map<string, Finding[]>();
  for (const f of report.findings) {
    const pb = f.playbooks[0] ?? "other";
    byPlaybook.set(pb, [...(byPlaybook.get(pb) ?? []), f]);
  }
  const order = [
    ...PLAYBOOKS,
    ...[...byPlaybook.keys()].filter((k) => !(PLAYBOOKS as readonly string[]).includes(k)),
  ];
  for (const pb of order) {
    const fs = (byPlaybook.get(pb) ?? []).filter(
      (f) => !opts.quiet || (f.status !== "pass" && f.status !== "skip"),
    );
    if (fs.length === 0) continue;
    lines.push("", c.bold.underline(PLAYBOOK_TITLE[pb] ?? pb));
    for (const f of fs) lines.push(...renderFinding(f, paint, c, opts));
  }
  const s = report.summary;
  const parts = (["fail", "error", "warn", "pass", "skip"] as const)
    .filter((k) => s[k] > 0)
    .map((k) => paint[k](`${s[k]} ${k}`));
  lines.push("", `${paint[s.status](SYMBOL[s.status])} ${s.total} checks: ${parts.join(", ") || "none"}`);
  return `${lines.join("\n")}\n`;
}

/** The at-a-glance block: verdict, fleet, window, counts, one line per playbook in trouble. */
export function renderGlanceHuman(report: Report, opts: Pick<RenderOptions, "color">): string[] {
  const c = new Chalk({ level: opts.color ? 1 : 0 });
  const g = glanceOf(report);
  const src = report.evidence.mode === "replay" ? ` (replay of ${report.evidence.bundle})` : "";
  const lines = [c.bold(`pypictl doctor — ${describeTarget(report.target)}${src}`)];
  lines.push(
    `${PAINT(c)[g.verdict](`${SYMBOL[g.verdict]} ${g.verdict.toUpperCase()}`)}  ${countsText(g.counts)}  ${c.dim(`window ${windowText(g.window)}`)}`,
  );
  for (const l of g.lines)
    lines.push(`  ${PAINT(c)[l.status](SYMBOL[l.status])} ${c.bold(`${l.label}:`)} ${l.text}`);
  return lines;
}

function PAINT(c: InstanceType<typeof Chalk>): Record<Status, (s: string) => string> {
  return { pass: c.green, warn: c.yellow, fail: c.red, skip: c.gray, error: c.magenta };
}

function renderFinding(
  f: Finding,
  paint: Record<Status, (s: string) => string>,
  c: InstanceType<typeof Chalk>,
  opts: RenderOptions,
): string[] {
  const out: string[] = [];
  out.push(
    `${paint[f.status](`${SYMBOL[f.status]} ${f.status.toUpperCase().padEnd(5)}`)} ${c.bold(f.checkId)}  ${f.message}`,
  );
  const detail: string[] = [];
  const comparison = comparisonText(f);
  if (comparison) detail.push(comparison);
  if (f.observed?.series && f.observed.series.length > 1) {
    const values = f.observed.series.map(([, v]) => v);
    detail.push(
      `${sparkline(values, Math.min(48, Math.max(10, opts.width - 40)))} ${c.dim(`min ${formatNumber(Math.min(...values))} max ${formatNumber(Math.max(...values))} (${values.length} points)`)}`,
    );
  }
  for (const d of detail) out.push(`        ${d}`);
  // One resource that says what the finding says (a single host) adds nothing but noise.
  const resources = f.resources ?? [];
  const redundant = resources.length === 1 && resources[0]!.message === f.message;
  for (const r of redundant ? [] : resources) {
    out.push(`        ${paint[r.status](SYMBOL[r.status])} ${r.id}: ${r.message}`);
    if (r.observed?.series && r.observed.series.length > 1)
      out.push(
        `          ${sparkline(
          r.observed.series.map(([, v]) => v),
          40,
        )}`,
      );
  }
  if (f.status !== "pass") for (const h of f.hints) out.push(`        ${c.cyan("→")} ${h}`);
  return out;
}
