/** `--list` and `--explain`: the check catalogue, rendered from the registry (as docs/checks.md is). */
import { Chalk } from "chalk";
import { RETIRED_CHECKS, findCheck } from "../../checks/registry.js";
import type { Check } from "../../checks/model.js";
import { hintTemplateText } from "../../checks/docs.js";
import { unknownCheck } from "./catalogue-unknown.js";
import { DEFAULT_WIDTH, wrapLine } from "./wrap.js";

export function renderCheckList(checks: readonly Check[], opts: { color: boolean; width?: number }): string {
  const c = new Chalk({ level: opts.color ? 1 : 0 });
  const width = Math.max(...checks.map((k) => k.id.length), 10);
  const cols = opts.width ?? DEFAULT_WIDTH;
  const lines: string[] = [];
  for (const k of checks) {
    // Wrapped to the terminal (80 columns off one), continuation lines under the title.
    const row = `${c.bold(k.id.padEnd(width))}  ${k.title}  ${c.dim(`[${k.scope}; ${k.playbooks.join(", ")}]`)}`;
    lines.push(...wrapLine(row, width + 2, cols));
    for (const [name, t] of Object.entries(k.thresholds))
      lines.push(
        ...wrapLine(`${" ".repeat(width + 2)}${name} = ${t.default} ${t.unit}`, width + 4, cols).map((l) =>
          c.dim(l),
        ),
      );
  }
  lines.push(
    "",
    ...wrapLine(
      `${checks.length} checks. pypictl doctor --explain <id> for details; docs/checks.md lists them all.`,
      0,
      cols,
    ),
  );
  return `${lines.join("\n")}\n`;
}

export function explainText(check: Check): string {
  const lines = [
    `${check.id} — ${check.title}`,
    "",
    check.description,
    "",
    `Playbooks: ${check.playbooks.join(", ")}`,
    `Scope: ${check.scope}`,
    `Evidence: ${[...check.needs, ...(check.uses ?? []).map((u) => `${u} (optional)`)].join(", ") || "none"}`,
  ];
  const ts = Object.entries(check.thresholds);
  lines.push("", ts.length ? "Thresholds (override with --threshold ID.NAME=VALUE):" : "Thresholds: none");
  for (const [name, t] of ts) {
    const range = [t.min !== undefined ? `min ${t.min}` : "", t.max !== undefined ? `max ${t.max}` : ""]
      .filter(Boolean)
      .join(", ");
    lines.push(
      `  ${check.id}.${name} = ${t.default} ${t.unit}${range ? ` (${range})` : ""}`,
      `      ${t.description}`,
    );
  }
  const hints = Object.values(check.hints ?? {});
  if (hints.length) {
    lines.push(
      "",
      "Remediation hints (a finding shows those that apply, with the <placeholders> filled in):",
    );
    for (const h of hints) lines.push(`  - ${hintTemplateText(h)}`);
  }
  return `${lines.join("\n")}\n`;
}

export function renderExplain(id: string): string {
  const check = findCheck(id);
  if (check) return explainText(check);
  // Own keys only: `__proto__` or `constructor` is an unknown id, not a member of Object.prototype.
  const retired = Object.hasOwn(RETIRED_CHECKS, id) ? RETIRED_CHECKS[id] : undefined;
  if (retired) return `${id} (retired): ${retired}\n`;
  return unknownCheck(id);
}
