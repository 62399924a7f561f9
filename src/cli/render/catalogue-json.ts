/**
 * `doctor --list --format json`: the check catalogue as data for scripts and CI (which ids exist, which
 * playbook runs what, every threshold with its default and unit) — the same registry docs/checks.md and
 * `--list` render.
 */
import type { Check } from "../../checks/model.js";
import { PLAYBOOKS } from "../../checks/model.js";
import { RETIRED_CHECKS, findCheck } from "../../checks/registry.js";
import { hintTemplateText } from "../../checks/docs.js";
import { unknownCheck } from "./catalogue-unknown.js";

export const CATALOGUE_SCHEMA_VERSION = 1;

/** One check as data: what --list --format json lists and --explain --format json shows. */
function checkData(c: Check) {
  return {
    id: c.id,
    title: c.title,
    scope: c.scope,
    playbooks: c.playbooks,
    description: c.description,
    needs: c.needs,
    uses: c.uses ?? [],
    thresholds: Object.entries(c.thresholds).map(([name, t]) => ({
      name,
      override: `${c.id}.${name}`,
      default: t.default,
      unit: t.unit,
      ...(t.min !== undefined ? { min: t.min } : {}),
      ...(t.max !== undefined ? { max: t.max } : {}),
      description: t.description,
    })),
  };
}

export function catalogueData(checks: readonly Check[]) {
  return {
    schemaVersion: CATALOGUE_SCHEMA_VERSION,
    playbooks: PLAYBOOKS.map((p) => ({
      name: p,
      checks: checks.filter((c) => c.playbooks.includes(p)).map((c) => c.id),
    })),
    areas: [...new Set(checks.map((c) => c.id.split(".")[0]!))],
    checks: checks.map(checkData),
  };
}

export function renderCheckListJson(checks: readonly Check[]): string {
  return `${JSON.stringify(catalogueData(checks), null, 2)}\n`;
}

/** `--explain ID --format json`: schemas/explain.schema.json (a retired id says why it went). */
export function renderExplainJson(id: string): string {
  const check = findCheck(id);
  const retired = RETIRED_CHECKS[id];
  if (!check && retired === undefined) unknownCheck(id);
  const doc = check
    ? {
        schemaVersion: CATALOGUE_SCHEMA_VERSION,
        check: { ...checkData(check), hints: Object.values(check.hints ?? {}).map(hintTemplateText) },
      }
    : { schemaVersion: CATALOGUE_SCHEMA_VERSION, retired: { id, reason: retired } };
  return `${JSON.stringify(doc, null, 2)}\n`;
}
