/**
 * The explicit registry of every check. Ids are stable forever; a retired check moves to RETIRED_CHECKS
 * and stays documented. Tests enforce unique ids, documented thresholds and a current docs/checks.md.
 */
import type { Check, Playbook } from "./model.js";
import { PLAYBOOKS } from "./model.js";
import { HOST_CHECKS } from "./host/index.js";
import { EFS_CHECKS } from "./efs/index.js";
import { ECS_CHECKS } from "./ecs/index.js";
import { ALB_CHECKS } from "./alb/index.js";
import { EC2_CHECKS } from "./ec2/index.js";
import { AUTH_CHECKS } from "./auth/index.js";
import { UPLOAD_CHECKS } from "./upload/index.js";
import { UsageError } from "../errors.js";
import { didYouMean } from "../suggest.js";

export const CHECKS: readonly Check[] = [
  ...HOST_CHECKS,
  ...EFS_CHECKS,
  ...ECS_CHECKS,
  ...ALB_CHECKS,
  ...EC2_CHECKS,
  ...AUTH_CHECKS,
  ...UPLOAD_CHECKS,
];

/** Ids that once existed: never reused, still explained by --explain and docs. */
export const RETIRED_CHECKS: Readonly<Record<string, string>> = {};

export function findCheck(id: string): Check | undefined {
  return CHECKS.find((c) => c.id === id);
}

function isPlaybook(s: string): s is Playbook {
  return (PLAYBOOKS as readonly string[]).includes(s);
}

/**
 * Resolve `--only` / `--skip` lists (check ids, `area.*`-style prefixes or playbook names) to checks.
 * Unknown names are a usage error naming the flag.
 */
export function selectChecks(
  all: readonly Check[],
  only: readonly string[] | undefined,
  skip: readonly string[] | undefined,
  flagNames: { only: string; skip: string } = { only: "--only", skip: "--skip" },
): Check[] {
  const matches = (name: string, flag: string): Set<string> => {
    const ids = new Set<string>();
    if (isPlaybook(name)) for (const c of all) if (c.playbooks.includes(name)) ids.add(c.id);
    for (const c of all)
      if (c.id === name || c.id.startsWith(`${name}.`) || c.id.split(".")[0] === name) ids.add(c.id);
    if (ids.size === 0) {
      const known = [...new Set([...all.map((c) => c.id), ...PLAYBOOKS])];
      throw new UsageError(
        `${flag}: unknown check or playbook "${name}".${didYouMean(name, known)} Known: ${known.join(", ")}`,
        flag,
      );
    }
    return ids;
  };
  let selected =
    only && only.length > 0
      ? new Set(only.flatMap((n) => [...matches(n, flagNames.only)]))
      : new Set(all.map((c) => c.id));
  for (const n of skip ?? []) for (const id of matches(n, flagNames.skip)) selected.delete(id);
  selected = new Set(selected);
  return all.filter((c) => selected.has(c.id));
}
