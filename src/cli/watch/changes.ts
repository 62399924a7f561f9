/**
 * What changed between two watch rounds: checks that started failing or warning, checks that recovered,
 * and what the new round's data shows that the last did not (threshold crossings, kills, stops, target
 * states, service events). Pure.
 */
import type { Status } from "../../checks/model.js";
import { STATUS_SEVERITY } from "../../checks/model.js";
import type { Report } from "../../checks/report.js";
import type { Timeline, TimelineEvent } from "../render/timeline.js";

export type ChangeKind = "new" | "worse" | "better" | "recovered" | "event";

export interface Change {
  kind: ChangeKind;
  checkId?: string;
  from?: Status;
  to?: Status;
  /** When it happened: the event's own time, or the round's. */
  at: string;
  text: string;
}

const PROBLEM: ReadonlySet<Status> = new Set<Status>(["fail", "warn", "error"]);

/** Status changes of every check; the first round reports each problem as new. */
export function statusChanges(prev: Report | undefined, next: Report): Change[] {
  const before = new Map((prev?.findings ?? []).map((f) => [f.checkId, f.status]));
  const out: Change[] = [];
  for (const f of next.findings) {
    const was = before.get(f.checkId);
    const at = next.generatedAt;
    if (was === f.status) continue;
    if (PROBLEM.has(f.status) && (was === undefined || !PROBLEM.has(was)))
      out.push({
        kind: "new",
        checkId: f.checkId,
        to: f.status,
        ...(was ? { from: was } : {}),
        at,
        text: f.message,
      });
    else if (PROBLEM.has(f.status) && was !== undefined)
      out.push({
        kind: STATUS_SEVERITY[f.status] > STATUS_SEVERITY[was] ? "worse" : "better",
        checkId: f.checkId,
        from: was,
        to: f.status,
        at,
        text: f.message,
      });
    else if (was !== undefined && PROBLEM.has(was))
      out.push({ kind: "recovered", checkId: f.checkId, from: was, to: f.status, at, text: f.message });
  }
  return out;
}

export function eventKey(e: TimelineEvent): string {
  // A target's state is re-read every round: only a different state is news, not a new read time.
  return e.kind === "target" ? `${e.kind} ${e.text}` : `${e.at} ${e.kind} ${e.text}`;
}

/**
 * Events of this round not seen in an earlier one. A series already beyond its threshold at the start of
 * the (sliding) window is not a new crossing: only a crossing after the first point is.
 */
export function newEvents(tl: Timeline, seen: ReadonlySet<string>): TimelineEvent[] {
  const firstPoint = new Map(tl.rows.map((r) => [r.checkId, r.points[0]?.[0]]));
  return tl.events.filter((e) => {
    if (seen.has(eventKey(e))) return false;
    if (e.kind === "crossing") {
      const id = e.text.split(" ")[0]!;
      if (firstPoint.get(id) === e.t) return false;
    }
    return true;
  });
}

/** One line per change, for logs (stdout not a terminal): time, what, check, message. */
export function changeLine(c: Change): string {
  const what =
    c.kind === "new"
      ? `${c.to!.toUpperCase()}`
      : c.kind === "recovered"
        ? `RECOVERED (${c.from} → ${c.to})`
        : c.kind === "event"
          ? "EVENT"
          : `${c.to!.toUpperCase()} (was ${c.from})`;
  return `${c.at} ${what}${c.checkId ? ` ${c.checkId}` : ""}: ${c.text.replace(/\s*\n\s*/g, " ")}`;
}

export function eventChange(e: TimelineEvent): Change {
  return { kind: "event", at: e.at, text: `${e.kind}: ${e.text}` };
}
