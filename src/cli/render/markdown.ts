/** Markdown: an incident-ticket report — summary first, then what is wrong with its fixes, then the rest. */
import { observedText, thresholdText } from "./comparison.js";
import { inOneTimeFormat } from "./times.js";
import type { Report } from "../../checks/report.js";
import { STATUS_SEVERITY, type Finding } from "../../checks/model.js";
import { describeTarget } from "../../sources/target/model.js";
import { SYMBOL } from "./human.js";
import { sparkline } from "./sparkline.js";
import type { RenderOptions } from "./index.js";
import { glanceOf, windowText } from "./glance.js";
import { buildTimeline } from "./timeline.js";
import { renderTimelineText } from "./timeline-text.js";

/** A table cell: text as itself (mdText escapes pipes and folds line breaks). */
function cell(s: string): string {
  return mdText(s);
}

function observed(f: Finding): string {
  if (!f.observed) return "";
  const t = thresholdText(f);
  return `${observedText(f)}${t ? ` (${t})` : ""}`;
}

/**
 * Text that reads as itself in markdown: no emphasis, code, links, HTML, entities or table breaks from
 * AWS-provided strings (CommonMark lets a backslash escape any ASCII punctuation, §2.4).
 */
export function mdText(s: string): string {
  return s.replace(/[\\`*_[\]<>|#!~&]/g, (ch) => `\\${ch}`).replace(/\r?\n/g, " ");
}

/** A code fence longer than any run of backticks inside it. */
function fence(lines: readonly string[]): string {
  const longest = Math.max(
    0,
    ...lines.map((l) => Math.max(0, ...[...l.matchAll(/`+/g)].map((m) => m[0].length))),
  );
  return "`".repeat(Math.max(3, longest + 1));
}

export function renderMarkdown(
  given: Report,
  opts: Partial<Pick<RenderOptions, "evidence" | "width">> = {},
): string {
  // Times in messages in the report's one format (HH:MM in a one-day window), as in the text report.
  const report = inOneTimeFormat(given);
  const s = report.summary;
  const g = glanceOf(report);
  const out: string[] = [];
  out.push(`# pypictl doctor: ${s.status.toUpperCase()} — ${mdText(describeTarget(report.target))}`, "");
  for (const l of g.lines) out.push(`> ${SYMBOL[l.status]} **${l.label}:** ${mdText(l.text)}  `);
  if (g.lines.length) out.push("");
  out.push(`- **Window:** ${windowText(report.window)} — ${report.window.start} → ${report.window.end}`);
  out.push(
    `- **Generated:** ${report.generatedAt} by pypictl ${report.tool.version}${report.evidence.mode === "replay" ? ` (replay of ${mdText(report.evidence.bundle ?? "a bundle")})` : ""}`,
  );
  out.push(
    `- **Summary:** ${s.fail} fail, ${s.error} error, ${s.warn} warn, ${s.pass} pass, ${s.skip} skip (${s.total} checks)`,
    "",
  );
  const timeline = renderTimelineText(buildTimeline(report, opts.evidence), {
    color: false,
    width: opts.width ?? 110,
  });
  if (timeline.length) {
    const f = fence(timeline);
    out.push("## Timeline", "", f, ...timeline, f, "");
  }
  const problems = [...report.findings]
    .filter((f) => f.status === "fail" || f.status === "warn" || f.status === "error")
    .sort((a, b) => STATUS_SEVERITY[b.status] - STATUS_SEVERITY[a.status]);
  if (problems.length) {
    out.push("## What needs attention", "");
    for (const f of problems) {
      out.push(
        `### ${SYMBOL[f.status]} ${f.status.toUpperCase()} \`${f.checkId}\` — ${mdText(f.title)}`,
        "",
        mdText(f.message),
        "",
      );
      if (f.observed) out.push(`Observed: ${mdText(observed(f))}`, "");
      if (f.observed?.series && f.observed.series.length > 1)
        out.push(`\`${sparkline(f.observed.series.map(([, v]) => v))}\``, "");
      if (f.resources?.length) {
        out.push("| resource | status | detail |", "|---|---|---|");
        for (const r of f.resources) out.push(`| ${cell(r.id)} | ${r.status} | ${cell(r.message)} |`);
        out.push("");
      }
      if (f.hints.length) {
        out.push("**Next steps:**", "");
        f.hints.forEach((h, i) => out.push(`${i + 1}. ${mdText(h)}`));
        out.push("");
      }
    }
  }
  out.push(
    "## All checks",
    "",
    "| status | check | playbooks | result | observed |",
    "|---|---|---|---|---|",
  );
  for (const f of report.findings)
    out.push(
      `| ${SYMBOL[f.status]} ${f.status} | \`${f.checkId}\` | ${f.playbooks.join(", ")} | ${cell(f.message)} | ${cell(observed(f))} |`,
    );
  return `${out.join("\n")}\n`;
}
