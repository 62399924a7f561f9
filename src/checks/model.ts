/**
 * The check model. A check is metadata plus one pure function: evidence and limits in, a verdict out.
 * Modelled on ESLint rule units: `meta`-like fields, messages by id, data first and text rendered from it.
 */
import type { Evidence } from "../sources/model.js";
import type { SeriesKey } from "../sources/aws/metric-catalogue.js";
import type { Window } from "../window.js";
import type { RunnerMessageId } from "./runner.js";

export type Status = "pass" | "warn" | "fail" | "skip" | "error";

/** Worst first. The order used to combine statuses (a check over many hosts is as bad as its worst). */
export const STATUS_SEVERITY: Record<Status, number> = { pass: 0, skip: 1, warn: 2, error: 3, fail: 4 };

export function worst(statuses: Iterable<Status>, empty: Status = "pass"): Status {
  let w: Status | undefined;
  for (const s of statuses) if (w === undefined || STATUS_SEVERITY[s] > STATUS_SEVERITY[w]) w = s;
  return w ?? empty;
}

/** The troubleshooting guide's six playbooks. */
export const PLAYBOOKS = ["slow-listing", "oom", "iowait", "auth", "upload", "bursts"] as const;
export type Playbook = (typeof PLAYBOOKS)[number];

export interface Threshold {
  /** e.g. "%", "MiB", "ms", "s", "count", "bytes", "pages/s". */
  unit: string;
  default: number;
  description: string;
  min?: number;
  max?: number;
}

export type Thresholds = Record<string, Threshold>;
export type Limits<T extends Thresholds> = { readonly [K in keyof T]: number };
/** The names a check's thresholds go by: what `ctx.limits` has and what a verdict's `threshold` may name. */
export type ThresholdName<T extends Thresholds> = Extract<keyof T, string>;

export interface Observed {
  value: number;
  unit: string;
  /** ISO-8601 UTC time and value, oldest first. Rendered as a sparkline by the human renderer. */
  series?: Array<[time: string, value: number]>;
}

export interface ThresholdRef<N extends string = string> {
  name: N;
  value: number;
  unit: string;
}

/**
 * The threshold a verdict was judged against: its name, this run's value (`limits[name]`, overrides
 * applied) and unit. The name must be one of the check's thresholds, and the value cannot belong to another.
 */
export function limitRef<T extends Thresholds, N extends ThresholdName<T>>(
  limits: Limits<T>,
  name: N,
  unit: string,
): ThresholdRef<N> {
  return { name, value: limits[name], unit };
}

declare const FROM_EVIDENCE: unique symbol;
/**
 * A verdict's comparison value that is not one of the check's thresholds but read from the evidence (the
 * service's desiredCount, the ALB's idle timeout). Made only by `evidenceRef`, so a misspelt threshold name
 * cannot pass as one; the brand exists for the compiler only.
 */
export type EvidenceRef = ThresholdRef & { readonly [FROM_EVIDENCE]: true };

export function evidenceRef(name: string, value: number, unit: string): EvidenceRef {
  return { name, value, unit } as EvidenceRef;
}

export interface ResourceResult {
  /** Host name, instance id, target id, task id… */
  id: string;
  status: Status;
  message: string;
  observed?: Observed;
}

/**
 * What evaluate returns; the runner adds the check's identity and renders the message. `M` is the check's
 * message ids and `N` its threshold names: defineCheck fixes both, so a misspelt id does not compile.
 */
export interface Verdict<M extends string = string, N extends string = string> {
  status: Status;
  messageId: M;
  data?: Record<string, unknown>;
  observed?: Observed;
  threshold?: ThresholdRef<N> | EvidenceRef;
  /** Ordered, concrete: which stack prop / Terraform variable to change and to what, which command to run. */
  hints?: string[];
  resources?: ResourceResult[];
}

export interface Finding {
  checkId: string;
  title: string;
  playbooks: Playbook[];
  status: Status;
  messageId: string;
  data: Record<string, unknown>;
  message: string;
  observed?: Observed;
  threshold?: ThresholdRef;
  hints: string[];
  resources?: ResourceResult[];
}

/** Defined beside config and sources (src/window.ts); re-exported for the checks' own use. */
export type { Window } from "../window.js";

export interface EvalContext<T extends Thresholds> {
  evidence: Evidence;
  limits: Limits<T>;
  window: Window;
}

/**
 * `T` is the thresholds (their names type `ctx.limits` and `threshold.name`), `M` the message ids and `H`
 * the hint ids: all three are read off the definition by `defineCheck`, never written by hand.
 */
export interface Check<
  T extends Thresholds = Thresholds,
  M extends string = string,
  H extends string = string,
> {
  /** "<area>.<name>", e.g. "efs.percent-io-limit". Stable forever: never renamed. */
  id: string;
  title: string;
  /** One or two sentences for `--explain` and docs/checks.md: what it looks at and why. */
  description: string;
  playbooks: Playbook[];
  /** Source ids the runner must gather; if one failed the check becomes `error` without being called. */
  needs: string[];
  /** Source ids read when present; a failure there does not stop the check. */
  uses?: string[];
  /**
   * CloudWatch series the check reads from `cloudwatch.metrics` (namespace, metric, dimensions and
   * statistic are in src/sources/aws/metric-catalogue.ts). Only the selected checks' series are queried.
   */
  series?: readonly SeriesKey[];
  /** Fleet checks need AWS; host checks run locally too. */
  scope: "host" | "fleet" | "client";
  thresholds: T;
  /** Message templates by id; `{{name}}` is replaced from the verdict's data. */
  messages: Readonly<Record<M, string>>;
  /**
   * Every remediation hint the check can give, by id, as templates (`{{name}}` filled with `renderMessage`
   * from values evaluate passes). evaluate gives hints only from here, so docs/checks.md and `--explain`
   * list them all, and tests check each one: commands in backticks that run as written, no file the user
   * does not have.
   */
  hints?: Readonly<Record<H, string>>;
  /**
   * Pure: no I/O, no clock, never throws (the runner turns a throw into `error` anyway). NoInfer: the ids
   * come from `messages` (or the runner's own, RUNNER_MESSAGES) and the names from `thresholds`; what evaluate returns is checked against them.
   */
  evaluate(ctx: EvalContext<T>): Verdict<NoInfer<M> | RunnerMessageId, NoInfer<ThresholdName<T>>>;
}

/**
 * Identity helper that keeps the literal threshold names, message ids and hint ids: `ctx.limits.typo`,
 * `messageId: "typo"` and `threshold: { name: "typo", … }` are compile errors in the check's evaluate.
 */
export function defineCheck<T extends Thresholds, M extends string, H extends string = never>(
  check: Check<T, M, H>,
): Check<T, M, H> {
  return check;
}

/** `{{name}}` substitution; unknown names stay visible so a bad template is noticed, not hidden. */
export function renderMessage(template: string, data: Record<string, unknown>): string {
  const parts = compiled(template);
  let out = parts[0] as string;
  for (let i = 1; i < parts.length; i += 2) {
    const [name, whole] = parts[i] as [string, string];
    const v = data[name];
    out += v === undefined ? whole : typeof v === "number" ? formatNumber(v) : String(v);
    out += parts[i + 1] as string;
  }
  return out;
}

/** A template split once: text, [name, placeholder as written], text, … (a check renders one per host). */
type Compiled = Array<string | [string, string]>;
const COMPILED = new Map<string, Compiled>();

function compiled(template: string): Compiled {
  let parts = COMPILED.get(template);
  if (parts) return parts;
  parts = [];
  let last = 0;
  for (const m of template.matchAll(/\{\{\s*([\w.-]+)\s*\}\}/g)) {
    parts.push(template.slice(last, m.index), [m[1]!, m[0]]);
    last = m.index + m[0].length;
  }
  parts.push(template.slice(last));
  if (COMPILED.size >= 1024) COMPILED.clear();
  COMPILED.set(template, parts);
  return parts;
}

export function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v)) return String(v);
  const abs = Math.abs(v);
  return abs >= 100 ? v.toFixed(0) : abs >= 1 ? v.toFixed(1) : v.toPrecision(2);
}
