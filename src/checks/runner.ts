/**
 * Gather, then evaluate. The runner works out which sources the selected checks need, gathers each once
 * (bounded concurrency, a deadline each, dependencies first), then calls every check's pure evaluate.
 * A failed source turns only its dependent checks into `error`; the run always completes.
 */
import type { Check, EvalContext, Finding, Limits, Thresholds, Verdict, Window } from "./model.js";
import { renderMessage } from "./model.js";
import type { Evidence, SourceResult } from "../sources/model.js";
import { failed } from "../sources/model.js";
import type { GatherContext, GatherPlan, GatherSettings, SourceDef } from "../sources/context.js";
import type { Target } from "../sources/target/model.js";
import { classifyError } from "../sources/classify.js";
import { requestSpan, waitingOn, type RequestStats } from "../sources/request-log.js";
import { SERIES, type SeriesDef } from "../sources/aws/metric-catalogue.js";

/** `cloudwatch.metrics` (AWS_SOURCE_IDS.metrics), without importing the AWS evidence types here. */
const METRICS_SOURCE_ID = "cloudwatch.metrics";

export const DEFAULT_CONCURRENCY = 8;
export const DEFAULT_SOURCE_DEADLINE_MS = 30_000;

export type ProgressEvent =
  | { type: "source-start"; id: string; title: string }
  | {
      type: "source-done";
      id: string;
      title: string;
      ok: boolean;
      /** From taking a slot to the result (includes waiting on the event loop). */
      ms: number;
      /** The source's AWS requests, timed from the moment each was sent. */
      requests?: { count: number; spanMs: number; wireMs: number };
    };

export interface GatherOptions {
  target: Target;
  window: Window;
  settings: GatherSettings;
  /** What the selected checks declared beyond sources (their metric series); see plannedSeries. */
  plan?: GatherPlan;
  /** Looks a source up by id (the registry's lazy loaders in production, fakes in tests). */
  load(id: string): Promise<SourceDef | undefined>;
  concurrency?: number;
  deadlineMs?: number;
  /** The whole run's deadline (Date.now() ms): every source's deadline is cut to it (`--timeout`). */
  runDeadlineAt?: number;
  onProgress?(e: ProgressEvent): void;
  /** Clock for `at` stamps and timings; injectable for tests. */
  now?(): Date;
}

/** Every source id the checks need or use, in a stable order. */
export function neededSources(checks: readonly Check[]): string[] {
  const ids = new Set<string>();
  for (const c of checks) for (const id of [...c.needs, ...(c.uses ?? [])]) ids.add(id);
  return [...ids].sort();
}

/** Every CloudWatch series key the checks declare. */
export function plannedSeries(checks: readonly Check[]): Set<string> {
  const keys = new Set<string>();
  for (const c of checks) for (const k of c.series ?? []) keys.add(k);
  return keys;
}

/** The gather plan of a selection: its series (so a selection without metric checks queries none). */
export function gatherPlanFor(checks: readonly Check[]): GatherPlan {
  return { series: plannedSeries(checks) };
}

/**
 * The source ids a gather of `ids` would run, dependencies included, for `target` and `plan` (what
 * `--print-iam-policy --only …` grants). Loads the source definitions, gathers nothing.
 */
export async function sourceClosure(
  ids: readonly string[],
  target: Target,
  plan: GatherPlan,
  load: (id: string) => Promise<SourceDef | undefined>,
): Promise<string[]> {
  const seen = new Set<string>();
  const visit = async (id: string): Promise<void> => {
    if (seen.has(id)) return;
    seen.add(id);
    const def = await load(id);
    const deps = typeof def?.deps === "function" ? def.deps(target, plan) : (def?.deps ?? []);
    for (const d of deps) await visit(d);
  };
  for (const id of ids) await visit(id);
  return [...seen].sort();
}

class Semaphore {
  private waiting: Array<() => void> = [];
  constructor(private free: number) {}
  async acquire(): Promise<void> {
    if (this.free > 0) {
      this.free--;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }
  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.free++;
  }
}

export async function gather(ids: readonly string[], opts: GatherOptions): Promise<Evidence> {
  const sem = new Semaphore(Math.max(1, opts.concurrency ?? DEFAULT_CONCURRENCY));
  const now = opts.now ?? (() => new Date());
  const running = new Map<string, Promise<SourceResult<unknown>>>();
  const evidence: Evidence = {};
  /** Sources waiting on each unfinished source, woken when it is done: `startFirst` ones first. */
  const waiting = new Map<string, Array<{ first: boolean; wake: () => void }>>();
  const done = new Set<string>();

  const dependency = async (
    depId: string,
    chain: readonly string[],
    first: boolean,
  ): Promise<SourceResult<unknown>> => {
    const p = run(depId, chain);
    if (!done.has(depId)) {
      await new Promise<void>((wake) => {
        let list = waiting.get(depId);
        if (!list) waiting.set(depId, (list = []));
        list.push({ first, wake });
      });
    }
    return p;
  };

  const run = (id: string, chain: readonly string[]): Promise<SourceResult<unknown>> => {
    const existing = running.get(id);
    if (existing) return existing;
    const p = (async (): Promise<SourceResult<unknown>> => {
      if (chain.includes(id))
        return failed("internal", `source dependency cycle: ${[...chain, id].join(" → ")}`);
      let def: SourceDef | undefined;
      try {
        def = await opts.load(id);
      } catch (err) {
        return classifyError(err);
      }
      if (!def) return failed("unsupported", `no source named ${id}`, undefined, now());
      // Dependencies finish before this source takes a slot, so waiting never holds one (no deadlock).
      const deps: Evidence = {};
      const depIds =
        typeof def.deps === "function" ? def.deps(opts.target, opts.plan ?? {}) : (def.deps ?? []);
      for (const depId of depIds)
        deps[depId] = await dependency(depId, [...chain, id], def.startFirst === true);
      await sem.acquire();
      const started = Date.now();
      opts.onProgress?.({ type: "source-start", id, title: def.title });
      const stats: RequestStats = { count: 0, wireMs: 0 };
      const result = await runOne(def, deps, opts, now, stats);
      sem.release();
      opts.onProgress?.({
        type: "source-done",
        id,
        title: def.title,
        ok: result.ok,
        ms: Date.now() - started,
        ...(stats.count > 0
          ? { requests: { count: stats.count, spanMs: requestSpan(stats), wireMs: Math.round(stats.wireMs) } }
          : {}),
      });
      return result;
    })();
    running.set(id, p);
    void p.then(() => {
      done.add(id);
      const list = waiting.get(id) ?? [];
      waiting.delete(id);
      const rest = list.filter((w) => !w.first);
      if (rest.length === list.length) for (const w of rest) w.wake();
      else {
        // The startFirst ones run until they wait on I/O (their calls are out); the rest one turn later.
        for (const w of list) if (w.first) w.wake();
        setImmediate(() => rest.forEach((w) => w.wake()));
      }
    });
    return p;
  };

  await Promise.all(ids.map((id) => run(id, [])));
  // Keep every gathered source (dependencies too) in the evidence: replay needs exactly what the checks read.
  for (const id of [...running.keys()].sort()) evidence[id] = await running.get(id)!;
  return evidence;
}

async function runOne(
  def: SourceDef,
  deps: Evidence,
  opts: GatherOptions,
  now: () => Date,
  stats: RequestStats,
): Promise<SourceResult<unknown>> {
  const own = def.deadlineMs ?? opts.deadlineMs ?? DEFAULT_SOURCE_DEADLINE_MS;
  const left = opts.runDeadlineAt === undefined ? Infinity : opts.runDeadlineAt - Date.now();
  const cutByRun = left < own;
  const deadlineMs = Math.max(0, Math.min(own, left));
  const why = (): string => {
    const waiting = waitingOn(stats);
    const on = waiting.length ? ` (waiting on ${waiting.join(", ")})` : "";
    return cutByRun
      ? `${def.title}: not done when the run's --timeout ran out${on}`
      : `${def.title}: no answer within ${deadlineMs / 1000} s${on}`;
  };
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let timedOut: SourceResult<unknown> | undefined;
  const deadline = new Promise<SourceResult<unknown>>((resolve) => {
    timer = setTimeout(() => {
      // The words are taken before the abort: what the source was still waiting on is named then.
      timedOut = failed("timeout", why(), undefined, now());
      controller.abort(new Error(`deadline of ${deadlineMs} ms passed`));
      // One turn of the event loop for a source that answers the abort with what it already has (partial
      // evidence, resolved in microtasks): it then wins the race below every time, not by timer order.
      setImmediate(() => resolve(timedOut!));
    }, deadlineMs);
  });
  const ctx: GatherContext = {
    target: opts.target,
    plan: opts.plan ?? {},
    window: opts.window,
    settings: opts.settings,
    signal: controller.signal,
    deadlineAt: Date.now() + deadlineMs,
    requests: stats,
    dep: <V>(key: { id: string }) =>
      (deps[key.id] as SourceResult<V> | undefined) ??
      (failed("internal", `${def.id} read ${key.id} without declaring it in deps`) as SourceResult<V>),
  };
  try {
    const result = await Promise.race([
      def.gather(ctx).then(
        // After the abort only evidence is kept; a source's own failure ("Request aborted") says less than
        // the deadline's words (which deadline, what it was waiting on).
        (r) => (timedOut && !r.ok ? timedOut : r),
        // Only the deadline's timer aborts: after it, `timedOut` holds its words.
        (err: unknown) => timedOut ?? classifyError(err),
      ),
      deadline,
    ]);
    // When it was read, by the run's clock: a source stamps its own `new Date()`, which in a run on another
    // clock (the recorded examples) put target health days after the window the rest was read for.
    return { ...result, at: now().toISOString() };
  } finally {
    clearTimeout(timer);
  }
}

/** Resolve a check's limits: defaults, then overrides by `<checkId>.<name>`. */
export function limitsFor<T extends Thresholds>(
  check: Check<T>,
  overrides: Readonly<Record<string, number>>,
): Limits<T> {
  const out: Record<string, number> = {};
  for (const [name, t] of Object.entries(check.thresholds))
    out[name] = overrides[`${check.id}.${name}`] ?? t.default;
  return out as Limits<T>;
}

/** Hints any check can carry when a source it needs failed (docs/checks.md lists them once). */
export const SOURCE_FAILURE_HINTS = {
  "grant-action":
    "Grant {{action}} to the caller (`pypictl doctor --print-iam-policy` prints the full read-only policy).",
  "check-iam":
    "Check the caller's IAM permissions (`pypictl doctor --print-iam-policy` prints the read-only policy).",
  throttled: "AWS throttled the calls even after retries: run again, or narrow the selection with `--only`.",
  timeout: "The source did not answer before its deadline: check network reach and run again.",
};

function sourceFailureVerdict(
  check: Check,
  sourceId: string,
  r: Extract<SourceResult<unknown>, { ok: false }>,
): Verdict {
  // Identity is per source: a target without the fields this source needs skips only its checks.
  if (r.kind === "no-identity")
    return { status: "skip", messageId: "source-no-identity", data: { source: sourceId, cause: r.message } };
  const hints: string[] = [];
  if (r.kind === "access-denied")
    hints.push(
      r.action
        ? renderMessage(SOURCE_FAILURE_HINTS["grant-action"], { action: r.action })
        : SOURCE_FAILURE_HINTS["check-iam"],
    );
  if (r.kind === "throttled") hints.push(SOURCE_FAILURE_HINTS.throttled);
  if (r.kind === "timeout") hints.push(SOURCE_FAILURE_HINTS.timeout);
  return {
    status: "error",
    messageId: "source-failed",
    data: { source: sourceId, kind: r.kind, cause: r.message, ...(r.action ? { action: r.action } : {}) },
    hints,
  };
}

/**
 * The check's declared series were not asked for because the target does not identify their resource
 * (no load balancer, no file system…): skip with the reason the metrics source recorded.
 */
function unavailableSeries(check: Check, evidence: Evidence): Verdict | undefined {
  const r = evidence[METRICS_SOURCE_ID];
  if (!check.series?.length || !r?.ok) return undefined;
  const m = r.value as { series?: Record<string, unknown>; unavailable?: Record<string, string> };
  const fixed = check.series.filter((k) => !(SERIES[k] as SeriesDef).perInstance);
  if (fixed.length === 0 || fixed.some((k) => m.series?.[k] !== undefined)) return undefined;
  const cause = m.unavailable?.[(SERIES[fixed[0]!] as SeriesDef).area];
  return cause
    ? { status: "skip", messageId: "series-unavailable", data: { source: METRICS_SOURCE_ID, cause } }
    : undefined;
}

const RUNNER_TEMPLATES = {
  "source-failed": "Could not evaluate: source {{source}} failed ({{kind}}): {{cause}}",
  "source-no-identity": "Not evaluated: {{cause}}.",
  "series-unavailable": "Not evaluated: {{cause}}.",
  "source-missing": "Could not evaluate: source {{source}} was not gathered (not in the evidence bundle?)",
  "check-crashed": "Could not evaluate: the check threw {{cause}}",
};
export const RUNNER_MESSAGES: Readonly<Record<string, string>> = RUNNER_TEMPLATES;
/** Ids the runner renders for every check: a check may return them too (e.g. "source-missing"). */
export type RunnerMessageId = keyof typeof RUNNER_TEMPLATES;

/** Evaluate one check. Never throws: missing or failed evidence and a throwing check become `error`. */
export function evaluateCheck<T extends Thresholds>(
  check: Check<T>,
  evidence: Evidence,
  limits: Limits<T>,
  window: Window,
): Finding {
  let verdict: Verdict | undefined;
  for (const id of check.needs) {
    const r = evidence[id];
    if (!r) {
      verdict = { status: "error", messageId: "source-missing", data: { source: id }, hints: [] };
      break;
    }
    if (!r.ok) {
      verdict = sourceFailureVerdict(check as unknown as Check, id, r);
      break;
    }
  }
  verdict ??= unavailableSeries(check as unknown as Check, evidence);
  if (!verdict) {
    try {
      const ctx: EvalContext<T> = { evidence, limits, window };
      verdict = check.evaluate(ctx);
    } catch (err) {
      verdict = {
        status: "error",
        messageId: "check-crashed",
        data: { cause: err instanceof Error ? err.message : String(err) },
      };
    }
  }
  const data = verdict.data ?? {};
  const template =
    check.messages[verdict.messageId] ?? RUNNER_MESSAGES[verdict.messageId] ?? verdict.messageId;
  const finding: Finding = {
    checkId: check.id,
    title: check.title,
    playbooks: [...check.playbooks],
    status: verdict.status,
    messageId: verdict.messageId,
    data,
    message: renderMessage(template, data),
    hints: verdict.hints ?? [],
  };
  if (verdict.observed) finding.observed = verdict.observed;
  if (verdict.threshold) finding.threshold = verdict.threshold;
  if (verdict.resources) finding.resources = verdict.resources;
  return finding;
}

export function evaluateAll(
  checks: readonly Check[],
  evidence: Evidence,
  overrides: Readonly<Record<string, number>>,
  window: Window,
): Finding[] {
  return checks.map((c) => evaluateCheck(c, evidence, limitsFor(c, overrides), window));
}
