/**
 * The human report: grouped by playbook, a symbol and colour per status, observed vs threshold,
 * a sparkline for every series, hints, per-resource lines and a summary line.
 */
import { Chalk } from "chalk";
import type { Report } from "../../checks/report.js";
import { formatNumber, type Finding, type Status } from "../../checks/model.js";
import { describeTarget } from "../../sources/target/model.js";
import { comparisonText } from "./comparison.js";
import { readingOrder, sharedHints } from "./order.js";
import { DEFAULT_WIDTH, visibleLength, wrapLine } from "./wrap.js";
import { timesIn } from "./times.js";
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
  opts = { ...opts, times: opts.times ?? timesIn(report.window) };
  // --quiet prints only what is not passing: no timeline, no passing findings.
  const timeline = opts.quiet
    ? []
    : renderTimelineText(buildTimeline(report, opts.evidence), { color: opts.color, width: opts.width });
  if (timeline.length) lines.push("", ...timeline);

  // What is wrong first (failures, warnings, could not evaluate, the rest), the playbooks inside.
  const sections = readingOrder(report.findings, { quiet: opts.quiet });
  const ordered = sections.flatMap((sec) => sec.groups.flatMap((g) => g.findings));
  const hints = sharedHints(ordered);
  for (const sec of sections) {
    lines.push("", c.bold(`${sec.title} (${sec.groups.reduce((n, g) => n + g.findings.length, 0)})`));
    for (const g of sec.groups) {
      lines.push(c.underline(PLAYBOOK_TITLE[g.playbook] ?? g.playbook));
      for (const f of g.findings) lines.push(...renderFinding(f, paint, c, opts, hints));
    }
  }
  const s = report.summary;
  const parts = (["fail", "error", "warn", "pass", "skip"] as const)
    .filter((k) => s[k] > 0)
    .map((k) => paint[k](`${s[k]} ${k}`));
  lines.push("", `${paint[s.status](SYMBOL[s.status])} ${s.total} checks: ${parts.join(", ") || "none"}`);
  return `${lines.join("\n")}\n`;
}

/** The at-a-glance block: verdict, fleet, window, counts, one line per playbook in trouble. */
export function renderGlanceHuman(
  report: Report,
  opts: Pick<RenderOptions, "color" | "header"> & { width?: number },
): string[] {
  const c = new Chalk({ level: opts.color ? 1 : 0 });
  const width = opts.width ?? DEFAULT_WIDTH;
  const g = glanceOf(report);
  const src = report.evidence.mode === "replay" ? ` (replay of ${report.evidence.bundle})` : "";
  const title = opts.header?.title ?? `pypictl doctor — ${describeTarget(report.target)}${src}`;
  const lines = wrapLine(c.bold(title), 2, width);
  const head = `${PAINT(c)[g.verdict](`${SYMBOL[g.verdict]} ${g.verdict.toUpperCase()}`)}  ${countsText(g.counts)}`;
  // A probe made now (creds --check) has no window to speak of. The window stays one piece: on the verdict's
  // line when it fits, else on its own line under it.
  const window = opts.header?.window === false ? "" : c.dim(`window ${windowText(g.window)}`);
  if (!window) lines.push(...wrapLine(head, 8, width));
  else if (visibleLength(`${head}  ${window}`) <= width) lines.push(`${head}  ${window}`);
  else lines.push(...wrapLine(head, 8, width), ...wrapLine(`        ${window}`, 8, width));
  for (const l of g.lines)
    lines.push(
      ...wrapLine(`  ${PAINT(c)[l.status](SYMBOL[l.status])} ${c.bold(`${l.label}:`)} ${l.text}`, 4, width),
    );
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
  hints: ReturnType<typeof sharedHints> = { sharers: new Map(), firstBy: new Map() },
): string[] {
  const out: string[] = [];
  out.push(
    ...wrapLine(
      `${paint[f.status](`${SYMBOL[f.status]} ${f.status.toUpperCase().padEnd(5)}`)} ${c.bold(f.checkId)}  ${opts.times ? opts.times(f.message) : f.message}`,
      8,
      opts.width,
    ),
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
  for (const d of detail) out.push(...wrapLine(`        ${d}`, 8, opts.width));
  // One resource that says what the finding says (a single host) adds nothing but noise.
  const resources = f.resources ?? [];
  const redundant = resources.length === 1 && resources[0]!.message === f.message;
  // --quiet: only what is not passing, down to the resources of a failing finding.
  for (const r of redundant ? [] : resources.filter((x) => !(opts.quiet && x.status === "pass"))) {
    const message = opts.times ? opts.times(r.message) : r.message;
    const id = opts.times ? opts.times(r.id) : r.id;
    // A resource named by its time (a service event) whose message starts with that time: say it once.
    const line = message.startsWith(`${id} `) ? message : `${id}: ${message}`;
    out.push(...wrapLine(`        ${paint[r.status](SYMBOL[r.status])} ${line}`, 10, opts.width));
    if (r.observed?.series && r.observed.series.length > 1)
      out.push(
        `          ${sparkline(
          r.observed.series.map(([, v]) => v),
          40,
        )}`,
      );
  }
  if (f.status !== "pass") {
    const seenUnder = new Set<string>();
    for (const h of f.hints) {
      const first = hints.firstBy.get(h);
      if (first !== undefined && first !== f.checkId) {
        seenUnder.add(first);
        continue;
      }
      const others = (hints.sharers.get(h) ?? []).filter((id) => id !== f.checkId);
      out.push(
        ...wrapLine(
          `        ${c.cyan("→")} ${h}${others.length ? c.dim(` (also for ${others.join(", ")})`) : ""}`,
          10,
          opts.width,
        ),
      );
    }
    if (seenUnder.size)
      out.push(
        ...wrapLine(`        ${c.dim(`→ see the hints under ${[...seenUnder].join(", ")}`)}`, 10, opts.width),
      );
  }
  return out;
}
