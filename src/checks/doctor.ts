/**
 * The doctor's core flow, free of I/O of its own: gather (or take replayed evidence), evaluate, report.
 * The CLI resolves flags and config into a DoctorPlan and renders what comes back.
 */
import type { Check, Window } from "./model.js";
import { evaluateAll, gather, gatherPlanFor, neededSources, type ProgressEvent } from "./runner.js";
import { REPORT_SCHEMA_VERSION, summarize, type Report } from "./report.js";
import type { Evidence } from "../sources/model.js";
import type { GatherSettings, SourceDef } from "../sources/context.js";
import type { Target } from "../sources/target/model.js";

export interface DoctorPlan {
  checks: readonly Check[];
  overrides: Readonly<Record<string, number>>;
  window: Window;
  target: Target;
  settings: GatherSettings;
  toolVersion: string;
  /** Given: evaluate these instead of gathering. */
  replay?: { evidence: Evidence; file: string; gatheredAt: string };
  load(id: string): Promise<SourceDef | undefined>;
  concurrency?: number;
  deadlineMs?: number;
  /** The whole run's deadline (Date.now() ms), from `--timeout`. */
  runDeadlineAt?: number;
  onProgress?(e: ProgressEvent): void;
  now(): Date;
}

export async function runDoctor(plan: DoctorPlan): Promise<{ report: Report; evidence: Evidence }> {
  const ids = neededSources(plan.checks);
  const evidence =
    plan.replay?.evidence ??
    (await gather(ids, {
      target: plan.target,
      window: plan.window,
      settings: plan.settings,
      plan: gatherPlanFor(plan.checks),
      load: plan.load,
      concurrency: plan.concurrency,
      deadlineMs: plan.deadlineMs,
      runDeadlineAt: plan.runDeadlineAt,
      onProgress: plan.onProgress,
      now: plan.now,
    }));
  const findings = evaluateAll(plan.checks, evidence, plan.overrides, plan.window);
  const report: Report = {
    schemaVersion: REPORT_SCHEMA_VERSION,
    tool: { name: "pypictl", version: plan.toolVersion },
    generatedAt: plan.now().toISOString(),
    window: plan.window,
    target: plan.target,
    evidence: plan.replay
      ? { mode: "replay", bundle: plan.replay.file, gatheredAt: plan.replay.gatheredAt }
      : { mode: "live" },
    findings,
    summary: summarize(findings),
  };
  return { report, evidence };
}
