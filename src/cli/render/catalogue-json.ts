/**
 * `doctor --list --format json`: the check catalogue as data for scripts and CI (which ids exist, which
 * playbook runs what, every threshold with its default and unit) — the same registry docs/checks.md and
 * `--list` render.
 */
import type { Check } from "../../checks/model.js";
import { PLAYBOOKS } from "../../checks/model.js";

export const CATALOGUE_SCHEMA_VERSION = 1;

export function catalogueData(checks: readonly Check[]) {
  return {
    schemaVersion: CATALOGUE_SCHEMA_VERSION,
    playbooks: PLAYBOOKS.map((p) => ({
      name: p,
      checks: checks.filter((c) => c.playbooks.includes(p)).map((c) => c.id),
    })),
    areas: [...new Set(checks.map((c) => c.id.split(".")[0]!))],
    checks: checks.map((c) => ({
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
    })),
  };
}

export function renderCheckListJson(checks: readonly Check[]): string {
  return `${JSON.stringify(catalogueData(checks), null, 2)}\n`;
}
