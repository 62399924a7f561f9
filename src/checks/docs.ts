/**
 * docs/checks.md, generated from the registry (`npm run docs`). A test fails when the committed file
 * differs from what this renders, so the docs can never drift from the checks.
 */
import type { Check } from "./model.js";
import { PLAYBOOKS } from "./model.js";

function esc(s: string): string {
  return s.replace(/\|/g, "\\|");
}

/** A hint template as a reader sees it: `{{name}}` (filled in at run time) shown as `<name>`. */
export function hintTemplateText(template: string): string {
  return template.replace(/\{\{\s*([\w.-]+)\s*\}\}/g, "<$1>");
}

/** Markdown for a hint: placeholders as `<name>`, and `<…>` outside code spans escaped so it is not read as HTML. */
function hintMarkdown(template: string): string {
  return hintTemplateText(template)
    .split(/(`[^`]*`)/)
    .map((part) => (part.startsWith("`") ? part : part.replace(/</g, "&lt;").replace(/>/g, "&gt;")))
    .join("");
}

export function renderChecksDoc(
  checks: readonly Check[],
  retired: Readonly<Record<string, string>>,
  sourceFailureHints: Readonly<Record<string, string>> = {},
): string {
  const out: string[] = [
    "# pypictl doctor checks",
    "",
    "<!-- Generated from src/checks/registry.ts by `npm run docs`. Do not edit by hand: CI fails when this file is stale. -->",
    "",
    "Every check has a stable id (never renamed), the playbooks it serves, the evidence it needs and named",
    "thresholds with defaults. Override a threshold with `--threshold <id>.<name>=<value>` or in the config",
    "file's `thresholds`. Statuses: `pass`, `warn`, `fail`, `skip` (not applicable), `error` (could not evaluate —",
    "never a pass).",
    "",
    "Each check lists every remediation hint it can give; a finding shows the ones that apply, with `<name>` filled",
    "in (the fleet's cluster, the container's memory limit, …). Commands in hints are in backticks and run as",
    "written once the `<placeholders>` are replaced; `pypictl deploy` commands change only the flag shown, so add the",
    "flags (or `--config`) you deployed with.",
    "",
    "## By playbook",
    "",
  ];
  for (const pb of PLAYBOOKS) {
    const ids = checks
      .filter((c) => c.playbooks.includes(pb))
      .map((c) => `[\`${c.id}\`](#${c.id.replace(/\./g, "")})`);
    out.push(`- **${pb}**: ${ids.join(", ") || "—"}`);
  }
  out.push("", "## Checks", "");
  for (const c of checks) {
    out.push(
      `### ${c.id}`,
      "",
      `**${c.title}** — scope: ${c.scope}; playbooks: ${c.playbooks.join(", ")}`,
      "",
      c.description,
      "",
    );
    const ev = [...c.needs.map((n) => `\`${n}\``), ...(c.uses ?? []).map((u) => `\`${u}\` (optional)`)];
    out.push(`Evidence: ${ev.join(", ") || "none"}`, "");
    const ts = Object.entries(c.thresholds);
    if (ts.length) {
      out.push("| threshold | default | unit | range | meaning |", "|---|---|---|---|---|");
      for (const [name, t] of ts) {
        const range = `${t.min ?? ""}…${t.max ?? ""}`;
        out.push(
          `| \`${c.id}.${name}\` | ${t.default} | ${esc(t.unit)} | ${range === "…" ? "" : range} | ${esc(t.description)} |`,
        );
      }
      out.push("");
    }
    const hints = Object.entries(c.hints ?? {});
    if (hints.length) {
      out.push("Remediation hints:", "");
      for (const [, text] of hints) out.push(`- ${hintMarkdown(text)}`);
      out.push("");
    }
    const msgs = Object.entries(c.messages);
    if (msgs.length) {
      out.push("<details><summary>Messages</summary>", "");
      for (const [id, text] of msgs) out.push(`- \`${id}\`: ${esc(text)}`);
      out.push("", "</details>", "");
    }
  }
  const failureHints = Object.values(sourceFailureHints);
  if (failureHints.length) {
    out.push(
      "## When a source fails",
      "",
      "A check whose evidence could not be gathered is `error` (never a pass), with these hints as they apply:",
      "",
    );
    for (const text of failureHints) out.push(`- ${hintMarkdown(text)}`);
    out.push("");
  }
  const ret = Object.entries(retired);
  if (ret.length) {
    out.push("## Retired ids", "");
    for (const [id, why] of ret) out.push(`- \`${id}\`: ${why}`);
    out.push("");
  }
  return `${out.join("\n")}`;
}
