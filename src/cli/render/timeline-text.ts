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

const BARS = "▁▂▃▄▅▆▇█";
const RIGHT = 34;
export const LEGEND_MAX = 20;

export interface TimelineTextOptions {
  color: boolean;
  /** Terminal width: the columns shrink to fit. */
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
  const thr = row.threshold ? ` vs ${formatNumber(row.threshold.value)}` : "";
  const s = `${peak}${thr}`;
  return s.length > RIGHT ? `${s.slice(0, RIGHT - 1)}…` : s;
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
  const labelW = Math.min(26, Math.max(6, ...tl.rows.map((r) => r.checkId.length)));
  const columns = Math.max(20, Math.min(120, opts.width - labelW - 4 - RIGHT));
  const span = tl.end - tl.start;
  const label = (s: string) => (s.length > labelW ? `${s.slice(0, labelW - 1)}…` : s.padEnd(labelW));
  const minutesPerColumn = span / columns / 60_000;
  const per =
    minutesPerColumn >= 1
      ? `${formatNumber(minutesPerColumn)} min`
      : `${formatNumber(span / columns / 1000)} s`;
  const lines: string[] = [
    c.bold(`Timeline ${timeLabel(tl.start, span)} → ${timeLabel(tl.end, span)} UTC, one column ≈ ${per}`),
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
    lines.push(`${label(row.checkId)} │${bar}│ ${c.dim(rightText(row))}`);
    // Without colour the breach is not visible in the bars: mark it on a row of its own.
    if (
      !opts.color &&
      row.threshold &&
      cells.some((v) => v !== undefined && breaches(v, row.threshold, row.bad))
    ) {
      const marks = cells
        .map((v) => (v !== undefined && breaches(v, row.threshold, row.bad) ? "^" : " "))
        .join("");
      lines.push(
        `${" ".repeat(labelW)} │${marks}│ ${row.bad === "above" ? "above" : "below"} ${formatNumber(row.threshold.value)} ${row.threshold.unit}`,
      );
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
  const kinds = [...new Set(tl.events.map((e) => e.kind))];
  const key = kinds.map((k) => `${EVENT_MARK[k]} ${k}`).join(", ");
  lines.push(
    `${label("events")} │${evRow}│ ${c.dim(key.length > RIGHT ? `${key.slice(0, RIGHT - 1)}…` : key)}`,
  );
  lines.push(`${" ".repeat(labelW)}  ${axis(tl, columns)}`);
  for (const e of tl.events.slice(0, LEGEND_MAX))
    lines.push(`  ${timeLabel(e.t, span)} ${paint[e.status](EVENT_MARK[e.kind])} ${e.text}`);
  if (tl.events.length > LEGEND_MAX)
    lines.push(
      c.dim(`  … and ${tl.events.length - LEGEND_MAX} more events (--format html or json lists them all)`),
    );
  return lines;
}

/** The time axis under the columns: start, middle and end labels. */
function axis(tl: Timeline, columns: number): string {
  const span = tl.end - tl.start;
  const a = timeLabel(tl.start, span);
  const m = timeLabel(tl.start + span / 2, span);
  const b = timeLabel(tl.end, span);
  const chars = new Array<string>(columns).fill(" ");
  const put = (at: number, s: string) => [...s].forEach((ch, i) => (chars[at + i] = ch));
  put(0, a);
  if (columns >= a.length + m.length + b.length + 4) put(Math.floor(columns / 2 - m.length / 2), m);
  put(columns - b.length, b);
  return chars.join("");
}
