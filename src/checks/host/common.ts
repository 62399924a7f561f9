/**
 * What every host.* check shares: reading the host.probe evidence defensively (a replayed bundle may hold
 * anything), judging each host on its own, and folding the per-host verdicts into one (status = worst,
 * one `resources` entry per host). Pure.
 */
import type {
  EvalContext,
  Observed,
  Status,
  ThresholdName,
  ThresholdRef,
  Thresholds,
  Verdict,
} from "../model.js";
import { STATUS_SEVERITY, renderMessage } from "../model.js";
import type { HostSnapshot, Parsed, SectionName } from "../../sources/host/model.js";
import { HOST_PROBE } from "../../sources/host/model.js";
import { moreMemoryThan } from "../../capacity/hints.js";

/** One host's verdict; `M` is the check's message ids (its own and HOST_COMMON_MESSAGES'). */
export interface HostVerdict<M extends string = string> {
  status: Status;
  messageId: M;
  data: Record<string, unknown>;
  observed?: Observed;
  hints?: string[];
}

export interface OkHost {
  host: string;
  snapshot: HostSnapshot;
}

/** Messages every host check can return (merged into each check's own). */
export const HOST_COMMON_MESSAGES = {
  "bad-evidence": "Could not evaluate: the host.probe evidence is malformed: {{problem}}",
  "no-hosts": "Could not evaluate: the host probe reached no hosts",
  "probe-failed": "could not evaluate, the probe did not run ({{kind}}): {{cause}}",
  "section-error": "could not evaluate, {{section}} is unusable: {{cause}}",
  "field-missing": "could not evaluate, {{section}} has no {{field}}",
  hosts: "{{summary}}. Worst, {{worstHost}}: {{worst}}",
};
export type HostCommonMessageId = keyof typeof HOST_COMMON_MESSAGES;

const isObj = (x: unknown): x is Record<string, unknown> =>
  typeof x === "object" && x !== null && !Array.isArray(x);

/** A finite, non-negative number, or undefined. */
export function num(x: unknown): number | undefined {
  return typeof x === "number" && Number.isFinite(x) && x >= 0 ? x : undefined;
}

/** One section of a snapshot, shape-checked: `{ ok: true, value }` only if `valid(value)` holds. */
export function sectionOf<T>(
  snap: HostSnapshot,
  name: SectionName,
  valid: (v: unknown) => v is T,
): Parsed<T> {
  const s: unknown = (snap as unknown as Record<string, unknown>)[name];
  if (!isObj(s)) return { ok: false, error: `section "${name}" is not in the evidence` };
  if (s.ok === true) {
    if (!valid(s.value)) return { ok: false, error: `section "${name}" has an unexpected shape` };
    return { ok: true, value: s.value };
  }
  if (s.ok === false && typeof s.error === "string")
    return s.missing === true ? { ok: false, error: s.error, missing: true } : { ok: false, error: s.error };
  return { ok: false, error: `section "${name}" is neither ok nor an error` };
}

export function sectionError(host: string, section: string, cause: string): HostVerdict<"section-error"> {
  return { status: "error", messageId: "section-error", data: { host, section, cause } };
}

export function fieldMissing(host: string, section: string, field: string): HostVerdict<"field-missing"> {
  return { status: "error", messageId: "field-missing", data: { host, section, field } };
}

/** Start time of the probe (meta.time) when usable, for series timestamps. */
export function probeStart(snap: HostSnapshot): number | undefined {
  const meta: unknown = (snap as unknown as Record<string, unknown>).meta;
  if (!isObj(meta) || meta.ok !== true || !isObj(meta.value)) return undefined;
  const t = meta.value.time;
  if (typeof t !== "string") return undefined;
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? undefined : ms;
}

/** Formatted sample times: the hosts of one run share most of them (their probes start together). */
const ISO_AT = new Map<number, string>();

export function isoAt(startMs: number, offsetSeconds: number): string {
  const ms = startMs + offsetSeconds * 1000;
  let s = ISO_AT.get(ms);
  if (s === undefined) {
    s = new Date(ms).toISOString().replace(/\.000Z$/, "Z");
    if (ISO_AT.size >= 4096) ISO_AT.clear();
    ISO_AT.set(ms, s);
  }
  return s;
}

type HostEntry =
  | { host: string; ok: true; snapshot: HostSnapshot }
  | { host: string; ok: false; kind: string; message: string };

function readHosts(ctx: EvalContext<Thresholds>): HostEntry[] | string {
  const r = ctx.evidence[HOST_PROBE.id];
  if (!r) return "host.probe was not gathered";
  if (!r.ok) return `host.probe failed: ${r.message}`;
  const v: unknown = r.value;
  if (!isObj(v) || !Array.isArray(v.hosts)) return "value has no hosts array";
  const out: HostEntry[] = [];
  for (const [i, h] of v.hosts.entries()) {
    if (!isObj(h)) return `hosts[${i}] is not an object`;
    const host = typeof h.host === "string" && h.host ? h.host : `hosts[${i}]`;
    if (h.ok === true) {
      if (!isObj(h.snapshot)) return `hosts[${i}] (${host}) has no snapshot`;
      out.push({ host, ok: true, snapshot: h.snapshot as unknown as HostSnapshot });
    } else if (h.ok === false) {
      out.push({
        host,
        ok: false,
        kind: typeof h.kind === "string" ? h.kind : "internal",
        message: typeof h.message === "string" ? h.message : "no message",
      });
    } else return `hosts[${i}] (${host}) has no ok flag`;
  }
  return out;
}

export interface JudgeOptions<
  T extends Thresholds,
  M extends string,
  N extends ThresholdName<T> = ThresholdName<T>,
> {
  messages: Readonly<Record<M, string>>;
  /** The threshold the verdict is compared to (shown beside the observed value): one of the check's. */
  threshold: (ctx: EvalContext<T>) => ThresholdRef<N>;
  /** Among hosts with the same status, the one whose observed value is higher (or lower) is the worst. */
  worse: "higher" | "lower";
}

const STATUS_WORDS: Record<Status, string> = {
  fail: "fail",
  warn: "warn",
  error: "could not be evaluated",
  skip: "skipped",
  pass: "pass",
};

/** Judge every host in the evidence and fold the verdicts: status = worst, one resource per host. */
export function judgeHosts<T extends Thresholds, M extends string, N extends ThresholdName<T>>(
  ctx: EvalContext<T>,
  opts: JudgeOptions<T, M, N>,
  judge: (h: OkHost) => HostVerdict<NoInfer<M>>,
): Verdict<M | HostCommonMessageId, ThresholdName<T>> {
  const hosts = readHosts(ctx as unknown as EvalContext<Thresholds>);
  if (typeof hosts === "string")
    return { status: "error", messageId: "bad-evidence", data: { problem: hosts } };
  if (hosts.length === 0) return { status: "error", messageId: "no-hosts", data: {} };
  const verdicts: Array<HostVerdict<M | HostCommonMessageId>> = hosts.map((h) => {
    if (!h.ok)
      return {
        status: "error",
        messageId: "probe-failed",
        data: { host: h.host, kind: h.kind, cause: h.message },
      };
    try {
      const v = judge({ host: h.host, snapshot: h.snapshot });
      return { ...v, data: { host: h.host, ...v.data } };
    } catch (e) {
      // A shape the guards missed: still an error naming the host, never a pass.
      return sectionError(h.host, "the probe evidence", e instanceof Error ? e.message : String(e));
    }
  });
  const messages: Readonly<Record<string, string>> = { ...HOST_COMMON_MESSAGES, ...opts.messages };
  const render = (v: HostVerdict) => renderMessage(messages[v.messageId] ?? v.messageId, v.data);
  const resources = verdicts.map((v, i) => {
    const r: NonNullable<Verdict["resources"]>[number] = {
      id: hosts[i]!.host,
      status: v.status,
      message: render(v),
    };
    if (v.observed) r.observed = v.observed;
    return r;
  });
  let worstIdx = 0;
  verdicts.forEach((v, i) => {
    const w = verdicts[worstIdx]!;
    const sv = STATUS_SEVERITY[v.status];
    const sw = STATUS_SEVERITY[w.status];
    if (sv > sw) worstIdx = i;
    else if (
      sv === sw &&
      v.observed &&
      (!w.observed ||
        (opts.worse === "higher" ? v.observed.value > w.observed.value : v.observed.value < w.observed.value))
    )
      worstIdx = i;
  });
  const w = verdicts[worstIdx]!;
  const threshold = opts.threshold(ctx);
  const base: Verdict<M | HostCommonMessageId, ThresholdName<T>> = {
    status: w.status,
    messageId: w.messageId,
    data: w.data,
    threshold,
    hints: w.hints ?? [],
    resources,
  };
  if (w.observed) base.observed = w.observed;
  if (verdicts.length === 1) return base;
  const counts = new Map<Status, number>();
  for (const v of verdicts) counts.set(v.status, (counts.get(v.status) ?? 0) + 1);
  const order: Status[] = ["fail", "error", "warn", "skip", "pass"];
  const summary = `${verdicts.length} hosts: ${order
    .filter((s) => counts.has(s))
    .map((s) => `${counts.get(s)} ${STATUS_WORDS[s]}`)
    .join(", ")}`;
  return {
    ...base,
    messageId: "hosts",
    data: {
      summary,
      hosts: verdicts.length,
      worstHost: hosts[worstIdx]!.host,
      worst: render(w),
      ...Object.fromEntries(order.map((s) => [s, counts.get(s) ?? 0])),
    },
  };
}

/** Shape guards for the sections the checks read (only the fields they use). */
export const guards = {
  vmstat: (v: unknown): v is { rows: Array<Record<string, unknown>> } =>
    isObj(v) && Array.isArray(v.rows) && v.rows.every(isObj),
  meminfo: (v: unknown): v is { kB: Record<string, unknown> } => isObj(v) && isObj(v.kB),
  free: (v: unknown): v is { mem: Record<string, unknown>; swap?: Record<string, unknown> } =>
    isObj(v) && isObj(v.mem) && (v.swap === undefined || isObj(v.swap)),
  mount: (
    v: unknown,
  ): v is {
    path: string;
    pathState: string;
    entry?: Record<string, unknown>;
    mode?: unknown;
    fileSystemId?: unknown;
    nfsMounts?: unknown;
    judged?: unknown[];
  } =>
    isObj(v) &&
    typeof v.path === "string" &&
    typeof v.pathState === "string" &&
    (v.entry === undefined || isObj(v.entry)) &&
    (v.judged === undefined || Array.isArray(v.judged)),
  blocked: (v: unknown): v is { samples: Array<Record<string, unknown>> } =>
    isObj(v) && Array.isArray(v.samples) && v.samples.every(isObj),
  procs: (v: unknown): v is { gunicornProcesses: number; gunicornWorkers: number } =>
    isObj(v) && num(v.gunicornProcesses) !== undefined && num(v.gunicornWorkers) !== undefined,
  oom: (
    v: unknown,
  ): v is { cgroup: string; counters: Array<{ path: string; kills: number }>; more?: number } =>
    isObj(v) &&
    typeof v.cgroup === "string" &&
    Array.isArray(v.counters) &&
    v.counters.every((c) => isObj(c) && typeof c.path === "string" && num(c.kills) !== undefined),
  packages: (
    v: unknown,
  ): v is { dir: string; dirState: string; files: number; complete: boolean; limitSeconds?: number } =>
    isObj(v) &&
    typeof v.dir === "string" &&
    typeof v.dirState === "string" &&
    num(v.files) !== undefined &&
    typeof v.complete === "boolean",
};

export { isObj };

/** Lever hints shared by the memory checks. Both worlds: stack prop / deploy flag and Terraform variable. */
export const HOST_MEMORY_HINTS = {
  "bigger-instance":
    "Increase the instance size to {{target}} ({{gib}} GiB, the capacity model's next size up{{hostMemory}}; t3.small with 2×512 MB tasks brought a swapping t3.micro's 84 % iowait under 5 %): stack `pypictl deploy --instance-type {{target}}` plus your deploy flags, Terraform `asg_instance_type = \"{{target}}\"`.",
  "fewer-tasks":
    "Or put fewer tasks on each host: tasks per instance = ⌊(instance MiB − 800) ÷ reservation⌋, so raise the reservation (`containerMemoryReservation` / `container_memory_reservation`, 75 % of `containerMemory` / `container_memory` by default) or lower `taskMinCount` / `task_min_count`.",
};

/** The next size up in memory: of the host's own type when fleet.instances names it, else of t3. */
export function instanceSizeHint(memTotalMiB?: number, instanceType?: string): string {
  const t = moreMemoryThan(memTotalMiB, instanceType);
  return renderMessage(HOST_MEMORY_HINTS["bigger-instance"], {
    target: t.instanceType,
    gib: t.memoryMiB / 1024,
    hostMemory: memTotalMiB !== undefined ? ` over this host's ${Math.round(memTotalMiB)} MiB` : "",
  });
}

export const FEWER_TASKS_HINT = HOST_MEMORY_HINTS["fewer-tasks"];
