/** The report: data only. Renderers in src/cli turn it into text; the exit code is derived from it. */
import type { Finding, Status, Window } from "./model.js";
import { worst } from "./model.js";
import type { Target } from "../sources/target/model.js";

export const REPORT_SCHEMA_VERSION = 1;

export interface Summary {
  total: number;
  pass: number;
  warn: number;
  fail: number;
  skip: number;
  error: number;
  /**
   * The run's verdict: the worst status of any finding, except that skips (not applicable) do not count
   * against passes — all pass + skips is "pass", as checkov reports skipped checks. "skip" only when no
   * check passed and none did worse; "pass" when there are no findings.
   */
  status: Status;
}

export interface Report {
  schemaVersion: typeof REPORT_SCHEMA_VERSION;
  tool: { name: "pypictl"; version: string };
  generatedAt: string;
  window: Window;
  target: Target;
  /** Where the evidence came from: gathered now, or replayed from a bundle. */
  evidence: { mode: "live" | "replay"; bundle?: string; gatheredAt?: string };
  findings: Finding[];
  summary: Summary;
}

export function summarize(findings: readonly Finding[]): Summary {
  const s: Summary = { total: findings.length, pass: 0, warn: 0, fail: 0, skip: 0, error: 0, status: "pass" };
  for (const f of findings) s[f.status]++;
  s.status = worst(findings.map((f) => f.status));
  if (s.status === "skip" && s.pass > 0) s.status = "pass";
  return s;
}

export const EXIT = { ok: 0, failed: 1, usage: 2, incomplete: 3, internal: 4 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** 0 nothing failed · 1 a check failed (or warned with failOn "warn") · 3 incomplete (some error, no fail). */
export function exitCodeFor(summary: Summary, failOn: "warn" | "fail" = "fail"): ExitCode {
  if (summary.fail > 0) return EXIT.failed;
  if (failOn === "warn" && summary.warn > 0) return EXIT.failed;
  if (summary.error > 0) return EXIT.incomplete;
  return EXIT.ok;
}
