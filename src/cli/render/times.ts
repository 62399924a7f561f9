/**
 * One time format in a report (issue 22: `11:47` next to `2026-11-20T11:47:00.000Z`): the window's header
 * gives the date once, so a time inside a window that stays within one UTC day prints as HH:MM (HH:MM:SS
 * when it has seconds, or on an axis under ten minutes); a window over two days, or a time on another
 * day, keeps its date ("11-19 23:58"). Text, timelines, the HTML table and the header all follow this.
 */
import type { Report } from "../../checks/report.js";

const ISO = /\b(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d)(?::(\d\d)(?:\.\d+)?)?(?:Z|\+00:00)/g;

/** An axis that spans under this shows seconds: a local run's few seconds of samples. */
const SECONDS_BELOW_MS = 600_000;

const utcDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** Whether the window's times need no date: it starts and ends on the same UTC day. */
export function withinOneDay(axis: { start: number; end: number }): boolean {
  return utcDay(axis.start) === utcDay(axis.end);
}

/** A time on an axis (epoch ms), in the report's one format. */
export function clockOn(t: number, axis: { start: number; end: number }): string {
  const iso = new Date(t).toISOString();
  const hm = axis.end - axis.start < SECONDS_BELOW_MS ? iso.slice(11, 19) : iso.slice(11, 16);
  return withinOneDay(axis) && utcDay(t) === utcDay(axis.end) ? hm : `${iso.slice(5, 10)} ${hm}`;
}

/**
 * The window once, with its date: "2026-11-20 11:00 → 12:00 UTC (1h)"; over two days the end has its own
 * ("2026-11-19 23:30 → 11-20 00:30 UTC (1h)").
 */
export function windowLabel(w: { start: string; end: string; since: string }): string {
  const start = Date.parse(w.start);
  const end = Date.parse(w.end);
  if (!Number.isFinite(start) || !Number.isFinite(end)) return `${w.start} → ${w.end} (${w.since})`;
  const hm = (ms: number) => new Date(ms).toISOString().slice(11, end - start < SECONDS_BELOW_MS ? 19 : 16);
  const endDay = withinOneDay({ start, end }) ? "" : `${utcDay(end).slice(5)} `;
  return `${utcDay(start)} ${hm(start)} → ${endDay}${hm(end)} UTC (${w.since})`;
}

export function timesIn(window: { start: string; end: string }): (text: string) => string {
  const day = window.end.slice(0, 10);
  const oneDay = window.start.slice(0, 10) === day;
  return (text) =>
    text.replace(ISO, (_m, y: string, mo: string, d: string, h: string, mi: string, sec?: string) => {
      const hm = `${h}:${mi}${sec && sec !== "00" ? `:${sec}` : ""}`;
      if (oneDay && `${y}-${mo}-${d}` === day) return hm;
      return `${mo}-${d} ${hm}`;
    });
}

/**
 * The report for people (markdown, HTML): the times in its findings' messages and resource lines in the
 * one format. JSON and JUnit keep the values as gathered; series points are data and stay ISO.
 */
export function inOneTimeFormat(report: Report): Report {
  const t = timesIn(report.window);
  return {
    ...report,
    findings: report.findings.map((f) => ({
      ...f,
      message: t(f.message),
      ...(f.resources
        ? { resources: f.resources.map((r) => ({ ...r, id: t(r.id), message: t(r.message) })) }
        : {}),
    })),
  };
}
