/**
 * The words `diff` and `deploy` print before the resource diff: which props change (before → after, and
 * where the new value comes from), which deployed values were dropped, and what the operator should know
 * about the result (one NAT gateway, alarms with no subscriber, an adopted file system's own throughput).
 * Data first ({@link planProps}), text second ({@link formatPlan}). Pure.
 */
import { PROP_KEYS, flagFor, type PropKey, type ResolvedProps } from "./props.js";
import type { LayeredProps, PropSource } from "./layers.js";
import { adoptedFileSystemFindings, type AdoptedFileSystem } from "./adopted-fs.js";

/** What was read from AWS about the result (not props): the adopted file system's own settings. */
export interface PlanFacts {
  /** Undefined: not read (synth --stack), or no adopted file system. */
  readonly fileSystem?: AdoptedFileSystem;
}

export interface PropChange {
  readonly key: PropKey;
  /** undefined: the stack does not exist yet. */
  readonly before: string | undefined;
  readonly after: string;
  readonly source: PropSource;
}

export interface Plan {
  /** The stack exists (an update) or not (a create). */
  readonly update: boolean;
  readonly changes: readonly PropChange[];
  /** Props kept at their deployed value (set by an earlier deploy, not on this command line or config). */
  readonly kept: readonly PropKey[];
  readonly dropped: LayeredProps["dropped"];
  readonly notes: readonly string[];
  /** What the operator should act on (printed as warnings): e.g. a bursting file system under a heavy preset. */
  readonly warnings: readonly string[];
}

export function showValue(v: unknown): string {
  if (v === undefined) return "(none)";
  if (Array.isArray(v)) return v.join(",");
  return String(v);
}

/** `before`: the deployed stack's resolved props (undefined for a new stack). */
export function planProps(
  before: ResolvedProps | undefined,
  after: ResolvedProps,
  layered: LayeredProps,
  o: { update: boolean; facts?: PlanFacts },
): Plan {
  const changes: PropChange[] = [];
  for (const key of PROP_KEYS) {
    const b = before ? showValue(before[key]) : undefined;
    const a = showValue(after[key]);
    if (b === a) continue;
    // A new stack lists only what differs from the defaults' look (every set prop); an update every change.
    if (!o.update && layered.sources[key] === undefined) continue;
    changes.push({ key, before: b, after: a, source: layered.sources[key] ?? "default" });
  }
  const kept = PROP_KEYS.filter((k) => layered.sources[k] === "deployed");
  return {
    update: o.update,
    changes,
    kept,
    dropped: layered.dropped,
    notes: [...(layered.notes ?? []), ...planNotes(after, o.facts)],
    warnings: planWarnings(after, o.facts),
  };
}

/** What the result means for the operator, whether or not it changes now. */
export function planNotes(p: ResolvedProps, facts: PlanFacts = {}): string[] {
  const notes: string[] = [];
  if (!p.vpcId && p.natGateways > 0 && p.natGateways < p.maxAzs)
    notes.push(
      `${p.natGateways} NAT gateway${p.natGateways === 1 ? "" : "s"} for ${p.maxAzs} zones: if a NAT gateway's zone fails, hosts in the other zones lose outbound access (image pulls, SSM, Secrets Manager). --nat-gateways ${p.maxAzs} gives each zone its own (≈ 32 USD a month each, plus data).`,
    );
  if (!p.alarmEmail)
    notes.push(
      "alarms reach nobody: no --alarm-email, so the alarm topic has no subscriber (subscribe an address with --alarm-email, or subscribe your pager to the AlarmTopicArn output).",
    );
  notes.push(...adoptedFileSystemFindings(p, facts.fileSystem).notes);
  return notes;
}

export function planWarnings(p: ResolvedProps, facts: PlanFacts = {}): string[] {
  return adoptedFileSystemFindings(p, facts.fileSystem).warnings;
}

const SOURCE_TEXT: Record<PropSource, (key: PropKey) => string> = {
  flag: (k) => `flag ${flagFor(k)}`,
  config: (k) => `config deploy.${k}`,
  deployed: () => "deployed",
  default: () => "default",
};

export function formatPlan(stackName: string, plan: Plan): string {
  const lines: string[] = [];
  if (!plan.update) lines.push(`Stack ${stackName} does not exist yet: deploy creates it.`);
  if (plan.changes.length === 0) {
    lines.push(
      plan.update
        ? `Props of stack ${stackName}: no change (every prop keeps its deployed value).`
        : "Props: all defaults.",
    );
  } else {
    lines.push(plan.update ? `Props of stack ${stackName} that change:` : "Props set:");
    const width = Math.max(...plan.changes.map((c) => c.key.length));
    for (const c of plan.changes) {
      const value = c.before === undefined ? c.after : `${c.before} → ${c.after}`;
      lines.push(`  ${c.key.padEnd(width)}  ${value}  (${SOURCE_TEXT[c.source](c.key)})`);
    }
  }
  for (const d of plan.dropped) lines.push(`  ${d.key}: deployed value dropped, ${d.reason}`);
  if (plan.kept.length > 0) lines.push(`Kept at their deployed values: ${plan.kept.join(", ")}.`);
  for (const n of plan.notes) lines.push(`note: ${n}`);
  for (const w of plan.warnings) lines.push(`warning: ${w}`);
  return `${lines.join("\n")}\n`;
}
