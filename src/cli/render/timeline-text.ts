/**
 * The timeline as text (human and markdown): one row per series on the same columns, scaled to include
 * its threshold, cells beyond the threshold painted (or, without colour, marked with ^ on a row below),
 * an events row, a time axis and a legend of the events with their times.
 */
import { Chalk } from "chalk";
import type { Status } from "../../checks/model.js";
import { formatNumber } from "../../checks/model.js";
import {
  EVENT_MARK,
  breaches,
  bucketize,
  columnOf,
  eventColumns,
  timeLabel,
  type Timeline,
  type TimelineRow,
} from "./timeline.js";
import { wrapLine } from "./wrap.js";

const BARS = "▁▂▃▄▅▆▇█";
/** The widest text right of a row (peak vs threshold); longer is cut with "…". */
const RIGHT = 34;
/** Fewer columns than this and a row says nothing: the right-hand texts move under the axis instead. */
const MIN_COLUMNS = 24;
const MAX_COLUMNS = 120;
export const LEGEND_MAX = 20;

export interface TimelineTextOptions {
  color: boolean;
  /** Terminal width: the columns shrink to fit, every line within it. */
  width: number;
}

function scale(row: TimelineRow): { lo: number; hi: number } {
  const vs = row.points.map(([, v]) => v);
  const t = row.threshold ? [row.threshold.value] : [];
  return { lo: Math.min(0, ...vs, ...t), hi: Math.max(...vs, ...t) };
}

export function barOf(v: number, lo: number, hi: number): string {
  if (hi <= lo) return BARS[v > 0 ? 3 : 0]!;
  return BARS[Math.min(7, Math.max(0, Math.floor(((v - lo) / (hi - lo)) * 8)))]!;
}

function rightText(row: TimelineRow): string {
  const peak = `${row.bad === "above" ? "peak" : "low"} ${formatNumber(row.peak)} ${row.unit}`;
  return row.threshold ? `${peak} vs ${formatNumber(row.threshold.value)} ${row.threshold.unit}` : peak;
}

const cut = (s: string, n: number) => ([...s].length > n ? `${[...s].slice(0, n - 1).join("")}…` : s);

/**
 * The columns every row shares. Wide enough: label │bars│ text, the text as long as the longest one needs
 * (up to RIGHT). Too narrow for that: label │bars│ alone, the texts listed under the axis.
 */
function layout(
  width: number,
  ids: readonly string[],
  rights: readonly string[],
): { labelW: number; columns: number; rightW: number } {
  let labelW = Math.min(26, Math.max(6, ...ids.map((id) => id.length)));
  const rightW = Math.min(RIGHT, Math.max(0, ...rights.map((r) => [...r].length)));
  const beside = width - labelW - 4 - rightW;
  if (beside >= MIN_COLUMNS) return { labelW, columns: Math.min(MAX_COLUMNS, beside), rightW };
  // label, " │", bars, "│": the label gives way before the bars do.
  labelW = Math.max(6, Math.min(labelW, width - 3 - MIN_COLUMNS));
  return { labelW, columns: Math.max(12, Math.min(MAX_COLUMNS, width - labelW - 3)), rightW: 0 };
}

export function renderTimelineText(tl: Timeline, opts: TimelineTextOptions): string[] {
  if (tl.rows.length === 0 && tl.events.length === 0) return [];
  const c = new Chalk({ level: opts.color ? 1 : 0 });
  const paint: Record<Status, (s: string) => string> = {
    pass: c.green,
    warn: c.yellow,
    fail: c.red,
    skip: c.gray,
    error: c.magenta,
  };
  const kinds = [...new Set(tl.events.map((e) => e.kind))];
  const key = kinds.map((k) => `${EVENT_MARK[k]} ${k}`).join(", ");
  const marksText = (row: TimelineRow) =>
    row.threshold
      ? `${row.bad === "above" ? "above" : "below"} ${formatNumber(row.threshold.value)} ${row.threshold.unit}`
      : "";
  const { labelW, columns, rightW } = layout(
    opts.width,
    [...tl.rows.map((r) => r.checkId), "events"],
    [
      ...tl.rows.flatMap((r) => [rightText(r), opts.color ? "" : marksText(r)]),
      key.length <= RIGHT ? key : "",
    ],
  );
  // The events' key beside their row when it fits whole, else on a line of its own under the axis.
  const keyBeside = rightW > 0 && [...key].length <= rightW;
  // Beside the bars when there is room; otherwise nothing there (the texts follow the axis).
  const beside = (s: string) => (rightW > 0 && s ? ` ${cut(s, rightW)}` : "");
  const span = tl.end - tl.start;
  const label = (s: string) => cut(s, labelW).padEnd(labelW);
  const minutesPerColumn = span / columns / 60_000;
  // A no-break space: wrapping never parts a number from its unit.
  const per =
    minutesPerColumn >= 1
      ? `${formatNumber(minutesPerColumn)}\u00a0min`
      : `${formatNumber(span / columns / 1000)}\u00a0s`;
  const lines: string[] = [
    ...wrapLine(
      c.bold(`Timeline ${timeLabel(tl.start, tl)} → ${timeLabel(tl.end, tl)} UTC, one column ≈ ${per}`),
      2,
      opts.width,
    ),
  ];

  for (const row of tl.rows) {
    const { lo, hi } = scale(row);
    const cells = bucketize(row, tl, columns);
    const bar = cells
      .map((v) =>
        v === undefined
          ? " "
          : breaches(v, row.threshold, row.bad)
            ? paint[row.status](barOf(v, lo, hi))
            : barOf(v, lo, hi),
      )
      .join("");
    lines.push(`${label(row.checkId)} │${bar}│${c.dim(beside(rightText(row)))}`);
    // Without colour the breach is not visible in the bars: mark it on a row of its own.
    if (
      !opts.color &&
      row.threshold &&
      cells.some((v) => v !== undefined && breaches(v, row.threshold, row.bad))
    ) {
      const marks = cells
        .map((v) => (v !== undefined && breaches(v, row.threshold, row.bad) ? "^" : " "))
        .join("");
      lines.push(`${" ".repeat(labelW)} │${marks}│${beside(marksText(row))}`);
    }
  }
  const marks = eventColumns(tl.events, tl, columns);
  const worstAt = new Map<number, Status>();
  for (const e of tl.events) {
    const col = columnOf(e.t, tl, columns);
    if (marks[col] === e.kind) worstAt.set(col, e.status);
  }
  const evRow = marks
    .map((k, i) => (k === undefined ? " " : paint[worstAt.get(i) ?? "pass"](EVENT_MARK[k])))
    .join("");
  lines.push(`${label("events")} │${evRow}│${c.dim(keyBeside ? beside(key) : "")}`);
  lines.push(`${" ".repeat(labelW)}  ${axis(tl, columns)}`);
  if (rightW === 0)
    for (const row of tl.rows)
      lines.push(...wrapLine(c.dim(`  ${row.checkId}: ${rightText(row)}`), 4, opts.width));
  if (key && !keyBeside) lines.push(...wrapLine(c.dim(`  events: ${key}`), 4, opts.width));
  for (const e of tl.events.slice(0, LEGEND_MAX)) {
    const when = timeLabel(e.t, tl);
    lines.push(
      ...wrapLine(
        `  ${when} ${paint[e.status](EVENT_MARK[e.kind])} ${e.text}`,
        2 + [...when].length + 3,
        opts.width,
      ),
    );
  }
  if (tl.events.length > LEGEND_MAX)
    lines.push(
      ...wrapLine(
        c.dim(`  … and ${tl.events.length - LEGEND_MAX} more events (--format html or json lists them all)`),
        4,
        opts.width,
      ),
    );
  return lines;
}

/** The time axis under the columns: start, middle and end labels. */
function axis(tl: Timeline, columns: number): string {
  const span = tl.end - tl.start;
  const a = timeLabel(tl.start, tl);
  const m = timeLabel(tl.start + span / 2, tl);
  const b = timeLabel(tl.end, tl);
  const chars = new Array<string>(columns).fill(" ");
  const put = (at: number, s: string) => [...s].forEach((ch, i) => (chars[at + i] = ch));
  put(0, a);
  if (columns >= a.length + m.length + b.length + 4) put(Math.floor(columns / 2 - m.length / 2), m);
  if (columns >= a.length + b.length + 1) put(columns - b.length, b);
  return chars.join("");
}
