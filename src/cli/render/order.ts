/**
 * The order reports are read in (issue 22): what is wrong first. Failures, then warnings, then what could
 * not be evaluated, then the rest; inside each, the playbook grouping (a check that serves several playbooks
 * under its first). Shared by the human, markdown and HTML reports.
 */
import { PLAYBOOKS, type Finding, type Status } from "../../checks/model.js";

export interface Section {
  key: "fail" | "warn" | "error" | "rest";
  title: string;
  groups: Array<{ playbook: string; findings: Finding[] }>;
}

const SECTIONS: ReadonlyArray<[Section["key"], string, readonly Status[]]> = [
  ["fail", "Failing", ["fail"]],
  ["warn", "Warnings", ["warn"]],
  ["error", "Could not evaluate", ["error"]],
  ["rest", "Passing and not applicable", ["pass", "skip"]],
];

export function readingOrder(findings: readonly Finding[], opts: { quiet?: boolean } = {}): Section[] {
  const playbookOrder = [...PLAYBOOKS, "other"] as string[];
  const sections: Section[] = [];
  for (const [key, title, statuses] of SECTIONS) {
    if (opts.quiet && key === "rest") continue;
    const picked = findings.filter((f) => statuses.includes(f.status));
    if (picked.length === 0) continue;
    const byPlaybook = new Map<string, Finding[]>();
    for (const f of picked) {
      const pb = f.playbooks[0] ?? "other";
      byPlaybook.set(pb, [...(byPlaybook.get(pb) ?? []), f]);
    }
    const order = [...playbookOrder, ...[...byPlaybook.keys()].filter((k) => !playbookOrder.includes(k))];
    sections.push({
      key,
      title,
      groups: order
        .filter((pb) => byPlaybook.has(pb))
        .map((pb) => ({ playbook: pb, findings: byPlaybook.get(pb)! })),
    });
  }
  return sections;
}

/**
 * Hints that several printed findings share (the same three memory hints under three OOM checks): each
 * printed once, under the first finding that gives it, naming the others. `later` says, for a finding,
 * which of its hints were already printed and under which check.
 */
export function sharedHints(ordered: readonly Finding[]): {
  sharers: Map<string, string[]>;
  firstBy: Map<string, string>;
} {
  const sharers = new Map<string, string[]>();
  for (const f of ordered) {
    if (f.status === "pass" || f.status === "skip") continue;
    for (const h of f.hints) {
      const ids = sharers.get(h) ?? [];
      if (!ids.includes(f.checkId)) ids.push(f.checkId);
      sharers.set(h, ids);
    }
  }
  const firstBy = new Map<string, string>();
  for (const [h, ids] of sharers) firstBy.set(h, ids[0]!);
  return { sharers, firstBy };
}
