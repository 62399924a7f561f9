/**
 * The host probe over SSM Run Command: the foundation's probe script on every fleet instance.
 *
 * - One SendCommand (AWS-RunShellScript) per ≤ 50 instances, MaxConcurrency bounded, MaxErrors 100 % (one
 *   bad host must not cancel the others). An instance SSM does not manage (InvalidInstanceId) is dropped
 *   from its batch and reported; the rest are sent again.
 * - Polled with ListCommandInvocations (Details) per command from the moment the sampling window can
 *   have ended, with short backoff, until every invocation is terminal or the budget/deadline runs out.
 *   When the listing is unavailable (fails for any reason), GetCommandInvocation per instance instead.
 * - Output: the wrapper gzips and base64-encodes the probe's stdout between two markers, so it usually
 *   fits in the 2,500 characters ListCommandInvocations returns (no call per instance). When it does not,
 *   GetCommandInvocation fetches the first 24,000 characters of stdout; output cut there is decoded as far
 *   as it goes and passed on as `truncated: true` — never mis-parsed as complete.
 */
import { gunzipSync, constants as zlibConstants } from "node:zlib";
import {
  GetCommandInvocationCommand,
  ListCommandInvocationsCommand,
  SendCommandCommand,
  type CommandInvocation,
} from "@aws-sdk/client-ssm";
import type { GatherContext } from "../context.js";
import { failed, ok, type FailureKind, type SourceResult } from "../model.js";
import type { HostProbeEvidence, HostResult } from "../host/model.js";
import { buildProbeScript } from "../host/probe-script.js";
import { WRAP_BEGIN, WRAP_END, wrapScript } from "../host/probe-wrap.js";
import { probeOptionsFrom } from "../host/probe-options.js";
import type { ProbeOptions } from "../host/probe-script.js";
import {
  isCurrentProbeDocument,
  probeDocumentNamePrefix,
  probeDocumentParameters,
} from "../host/probe-document.js";
import { parseProbeOutput } from "../host/parse.js";
import { INSTANCES, SERVICE } from "./types.js";
import { chunk, clientsOf, mapLimit, sleep } from "./shared.js";
import { classifyError } from "../classify.js";
import { compareText } from "../compare-text.js";

export { wrapScript };
/** AWS's own shell document: any command as root. Used only where the fleet has no pypictl probe document. */
export const SSM_DOCUMENT = "AWS-RunShellScript";
export const SSM_BATCH = 50;
/** Characters of output ListCommandInvocations returns per plugin. */
export const LIST_OUTPUT_LIMIT = 2_500;
/** Characters of stdout GetCommandInvocation returns. */
export const GET_STDOUT_LIMIT = 24_000;
const BEGIN = WRAP_BEGIN;
const END = WRAP_END;

const NOT_MANAGED_HINT =
  "check that the SSM agent runs on it and that its instance role has the AmazonSSMManagedInstanceCore policy";

/** How the SSM runner paces itself; tests and the bench shorten the waits through GatherSettings. */
export interface SsmPacing {
  /**
   * First poll after this: the moment the sampling window can have ended (`vmstat 1 N` takes N − 1 s),
   * never a fixed multi-second pad; then short backoff.
   */
  initialPollMs: number;
  /** The first backoff step after the first poll (grows ×1.5 up to maxPollMs). */
  firstBackoffMs: number;
  /** Backoff cap between polls. */
  maxPollMs: number;
  /** Give up on instances still running after this (they become timeout results). */
  budgetMs: number;
  /** SendCommand calls in flight at once. */
  sendConcurrency: number;
  /** Per-command MaxConcurrency (instances running the script at once). */
  maxConcurrency: number;
}

export function pacingFrom(settings: GatherContext["settings"]): SsmPacing {
  const num = (k: string, d: number) => (typeof settings[k] === "number" ? (settings[k] as number) : d);
  const samples = typeof settings.samples === "number" ? settings.samples : 5;
  return {
    initialPollMs: num("ssmInitialPollMs", Math.max(0, samples - 1) * 1000),
    firstBackoffMs: num("ssmFirstBackoffMs", 250),
    maxPollMs: num("ssmMaxPollMs", 2_000),
    budgetMs: num("ssmBudgetMs", samples * 1000 + 45_000),
    sendConcurrency: num("ssmSendConcurrency", 4),
    maxConcurrency: num("ssmMaxConcurrency", 50),
  };
}

export type Decoded =
  { kind: "complete"; stdout: string } | { kind: "partial"; stdout: string } | { kind: "cut" };

/**
 * Decode a plugin output. `limit`: the characters the API returns; output that reaches it was cut.
 * "cut" means: nothing usable here, fetch more (only from the 2,500-character listing).
 */
export function decodeOutput(text: string, limit: number): Decoded {
  const stdout = text.split("\n----------ERROR-------")[0] ?? "";
  const begin = stdout.indexOf(`${BEGIN}\n`);
  if (begin >= 0) {
    const body = stdout.slice(begin + BEGIN.length + 1);
    const endAt = body.indexOf(`\n${END}`);
    const b64 = (endAt >= 0 ? body.slice(0, endAt) : body).replace(/[^A-Za-z0-9+/=]/g, "");
    if (endAt >= 0) {
      try {
        return { kind: "complete", stdout: gunzipSync(Buffer.from(b64, "base64")).toString("utf8") };
      } catch {
        /* fall through: treat as cut */
      }
    }
    if (limit === LIST_OUTPUT_LIMIT) return { kind: "cut" };
    // Cut inside the payload: decode as much as the stream gives.
    try {
      const whole = b64.slice(0, b64.length - (b64.length % 4));
      const partial = gunzipSync(Buffer.from(whole, "base64"), {
        finishFlush: zlibConstants.Z_SYNC_FLUSH,
      }).toString("utf8");
      return { kind: "partial", stdout: partial };
    } catch {
      return { kind: "partial", stdout: "" };
    }
  }
  if (text.length >= limit || stdout.length >= limit)
    return limit === LIST_OUTPUT_LIMIT ? { kind: "cut" } : { kind: "partial", stdout };
  return { kind: "complete", stdout };
}

const TERMINAL = new Set([
  "Success",
  "Failed",
  "TimedOut",
  "Cancelled",
  "Cancelling",
  "Undeliverable",
  "Terminated",
  "InvalidPlatform",
  "AccessDenied",
  "DeliveryTimedOut",
  "ExecutionTimedOut",
]);

function isTerminal(inv: CommandInvocation): boolean {
  return TERMINAL.has(inv.Status ?? "") || TERMINAL.has(inv.StatusDetails ?? "");
}

/** Why an invocation did not succeed, as a per-host failure that names the instance and the likely cause. */
export function invocationFailure(instanceId: string, inv: CommandInvocation, stderr?: string): HostResult {
  const detail = inv.StatusDetails ?? inv.Status ?? "unknown";
  let kind: FailureKind = "internal";
  let why: string;
  switch (detail) {
    case "Undeliverable":
    case "DeliveryTimedOut":
      kind = "unreachable";
      why = `the command could not be delivered (${detail}): ${NOT_MANAGED_HINT}`;
      break;
    case "ExecutionTimedOut":
    case "TimedOut":
      kind = "timeout";
      why = `the probe did not finish in time (${detail}); the host may be overloaded or the package count slow`;
      break;
    case "Terminated":
      kind = "not-found";
      why = "the instance terminated while the probe ran";
      break;
    case "InvalidPlatform":
      kind = "unsupported";
      why = "not a Linux instance (AWS-RunShellScript needs Linux)";
      break;
    case "AccessDenied":
      kind = "access-denied";
      why = "the SSM agent was denied (instance role)";
      break;
    default:
      why = `the probe ended ${detail}${stderr ? `: ${stderr.trim().slice(0, 300)}` : ""}`;
  }
  return { host: instanceId, ok: false, kind, message: `${instanceId}: ${why}` };
}

interface Batch {
  instanceIds: string[];
  commandId?: string;
  /** Filled as invocations end: instance → result. */
  results: Map<string, HostResult>;
  /** Terminal invocations whose listed output was cut: fetch with GetCommandInvocation. */
  toFetch: CommandInvocation[];
}

/** The EFS id the probe looks for, when known; a failed ecs.service only costs the id (any NFS mount is judged). */
export function probeFileSystemId(ctx: GatherContext): string | undefined {
  if (ctx.target.kind !== "fleet") return undefined;
  if (ctx.target.fileSystemId) return ctx.target.fileSystemId;
  try {
    const svc = ctx.dep(SERVICE);
    return svc.ok ? svc.value.taskDefinition.fileSystemIds[0] : undefined;
  } catch {
    return undefined;
  }
}

/** What SendCommand sends: the fleet's probe document with parameters, or the script to AWS-RunShellScript. */
export interface ProbeCommand {
  documentName: string;
  parameters: Record<string, string[]>;
  /** Why the fleet's probe document was not used (it exists but does not fit); absent otherwise. */
  why?: string;
}

/**
 * The fleet's probe document (stack output HostProbeDocumentName) when it is this pypictl's probe and the
 * options fit its parameters; else AWS-RunShellScript with the same script (Terraform-module fleets, older
 * stacks, --mount-path values the document cannot carry).
 */
export function probeCommand(ctx: GatherContext, opts: ProbeOptions, executionTimeout: number): ProbeCommand {
  const document = ctx.target.kind === "fleet" ? ctx.target.probeDocument : undefined;
  let why: string | undefined;
  if (document) {
    const fit = probeDocumentParameters(opts, executionTimeout);
    if (!isCurrentProbeDocument(document))
      why = `the fleet's probe document ${document} is another pypictl version's (this one sends ${probeDocumentNamePrefix()}…); redeploy with \`pypictl deploy\``;
    else if ("unfit" in fit) why = fit.unfit;
    else return { documentName: document, parameters: fit.parameters };
  }
  return {
    documentName: SSM_DOCUMENT,
    parameters: {
      commands: [wrapScript(buildProbeScript(opts))],
      executionTimeout: [String(executionTimeout)],
    },
    ...(why ? { why } : {}),
  };
}

export async function gatherHostProbeOverSsm(ctx: GatherContext): Promise<SourceResult<HostProbeEvidence>> {
  const inst = ctx.dep(INSTANCES);
  if (!inst.ok)
    return failed(inst.kind, `no instances to probe: ${INSTANCES.id} failed (${inst.message})`, inst.action);
  const ids = inst.value.instances.map((i) => i.instanceId);
  if (ids.length === 0) return failed("not-found", "no running instances found in the fleet to probe");
  const pacing = pacingFrom(ctx.settings);
  // Finish inside the run's deadline with what is there (per-host timeouts), not as a failed source.
  if (ctx.deadlineAt !== undefined)
    pacing.budgetMs = Math.max(0, Math.min(pacing.budgetMs, ctx.deadlineAt - Date.now() - 500));
  // The probe finds the file system's mounts by its id: from the target (stack outputs, --file-system-id)
  // or the task definition's EFS volume (the Terraform module has no file-system output).
  const executionTimeout = Math.ceil(pacing.budgetMs / 1000);
  const command = probeCommand(ctx, probeOptionsFrom(ctx.settings, probeFileSystemId(ctx)), executionTimeout);
  const ssm = await clientsOf(ctx).ssm();
  const started = Date.now();
  // The probe's own budget bounds every SSM call too (the runner's deadline for host.probe is longer):
  // past it, what is still outstanding becomes per-instance timeout results instead of a failed source.
  const budget = new AbortController();
  const onAbort = () => budget.abort(ctx.signal.reason);
  ctx.signal.addEventListener("abort", onAbort, { once: true });
  const budgetTimer = setTimeout(() => budget.abort(new BudgetExpired()), pacing.budgetMs);
  const opts = { abortSignal: budget.signal };
  const bounded = <T>(p: Promise<T>): Promise<T> => {
    if (budget.signal.aborted) return Promise.reject(budget.signal.reason as Error);
    let onBudget: (() => void) | undefined;
    const expired = new Promise<never>((_, reject) => {
      onBudget = () => reject(budget.signal.reason as Error);
      budget.signal.addEventListener("abort", onBudget, { once: true });
    });
    return Promise.race([p, expired]).finally(() => budget.signal.removeEventListener("abort", onBudget!));
  };
  try {
    return await probeAll();
  } finally {
    clearTimeout(budgetTimer);
    ctx.signal.removeEventListener("abort", onAbort);
  }

  async function probeAll(): Promise<SourceResult<HostProbeEvidence>> {
    const batches: Batch[] = chunk(ids, SSM_BATCH).map((instanceIds) => ({
      instanceIds,
      results: new Map(),
      toFetch: [],
    }));
    const send = async (b: Batch): Promise<void> => {
      for (let attempt = 0; attempt < 2 && b.instanceIds.length > 0; attempt++) {
        try {
          const r = await bounded(
            ssm.send(
              new SendCommandCommand({
                DocumentName: command.documentName,
                InstanceIds: b.instanceIds,
                Comment: "pypictl doctor: read-only host probe",
                Parameters: command.parameters,
                TimeoutSeconds: Math.max(30, executionTimeout),
                MaxConcurrency: String(Math.min(pacing.maxConcurrency, b.instanceIds.length)),
                MaxErrors: "100%",
              }),
              opts,
            ),
          );
          b.commandId = r.Command?.CommandId;
          return;
        } catch (e) {
          if (e instanceof BudgetExpired) return;
          const name = (e as { name?: string }).name ?? "";
          if (name !== "InvalidInstanceId" && name !== "InvalidInstanceIdException") {
            // Why the shell document was sent although the fleet has a probe document (its policy may allow only that).
            if (command.why && e instanceof Error)
              e.message = `${e.message} (sent ${SSM_DOCUMENT}: ${command.why})`;
            throw e;
          }
          // Some instance is not managed by SSM (or not running): report those, send to the rest.
          const named = new Set(
            ((e as Error).message.match(/i-[0-9a-f]{8,17}/g) ?? []).filter((id) =>
              b.instanceIds.includes(id),
            ),
          );
          const bad = named.size > 0 && attempt === 0 ? named : new Set(b.instanceIds);
          for (const id of bad)
            b.results.set(id, {
              host: id,
              ok: false,
              kind: "unreachable",
              message: `${id}: not managed by SSM (${name}): ${NOT_MANAGED_HINT}`,
            });
          b.instanceIds = b.instanceIds.filter((id) => !bad.has(id));
        }
      }
    };
    await mapLimit(batches, pacing.sendConcurrency, send);

    let listing = true;
    let listingFailure = "";
    /**
     * Without the listing: one GetCommandInvocation per instance still running (bounded concurrency).
     * Returns true when the budget ran out.
     */
    const pollEach = async (): Promise<boolean> => {
      const open = pending().flatMap((b) =>
        b.instanceIds
          .filter((id) => !b.results.has(id) && !b.toFetch.some((i) => i.InstanceId === id))
          .map((id) => ({ b, id })),
      );
      const expired = await mapLimit(open, 8, async ({ b, id }) => {
        let r;
        try {
          r = await bounded(
            ssm.send(new GetCommandInvocationCommand({ CommandId: b.commandId, InstanceId: id }), opts),
          );
        } catch (e) {
          if (e instanceof BudgetExpired) return true;
          if (ctx.signal.aborted) throw e;
          // Just after SendCommand the invocation may not exist yet: poll again.
          if ((e as { name?: string }).name === "InvocationDoesNotExist") return false;
          const f = classifyError(e);
          b.results.set(id, {
            host: id,
            ok: false,
            kind: f.ok ? "internal" : f.kind,
            message: `${id}: ListCommandInvocations failed (${listingFailure}) and GetCommandInvocation failed too (${describeFailure(e)})`,
          });
          return false;
        }
        const inv: CommandInvocation = { InstanceId: id, Status: r.Status, StatusDetails: r.StatusDetails };
        if (!isTerminal(inv)) return false;
        const stdout = r.StandardOutputContent ?? "";
        if (r.Status !== "Success" && !stdout.includes(BEGIN) && !stdout.includes("==> pypictl:")) {
          b.results.set(id, invocationFailure(id, inv, r.StandardErrorContent ?? stdout));
          return false;
        }
        const d = decodeOutput(stdout, GET_STDOUT_LIMIT);
        if (d.kind === "cut")
          b.results.set(id, {
            host: id,
            ok: false,
            kind: "malformed",
            message: `${id}: output could not be decoded`,
          });
        else
          b.results.set(id, parseProbeOutput(id, d.stdout, d.kind === "partial" ? { truncated: true } : {}));
        return false;
      });
      return expired.some(Boolean);
    };

    const pending = () =>
      batches.filter(
        (b) =>
          b.commandId &&
          b.instanceIds.some((id) => !b.results.has(id) && !b.toFetch.some((i) => i.InstanceId === id)),
      );
    let delay = pacing.initialPollMs;
    while (pending().length > 0) {
      const left = pacing.budgetMs - (Date.now() - started);
      if (left <= 0) break;
      try {
        // A zero first delay (tests, the bench) polls at once rather than after a timer tick, behind
        // whatever else is ready then.
        if (delay > 0) await sleep(Math.min(delay, left), budget.signal);
      } catch (e) {
        if (e instanceof BudgetExpired) break;
        throw e;
      }
      delay =
        delay === pacing.initialPollMs
          ? Math.min(pacing.firstBackoffMs, pacing.maxPollMs)
          : Math.min(delay * 1.5, pacing.maxPollMs);
      if (!listing) {
        if (await pollEach()) break;
        continue;
      }
      const expired = await mapLimit(pending(), pacing.sendConcurrency, async (b) => {
        if (!listing) return false;
        let NextToken: string | undefined;
        do {
          let r;
          try {
            r = await bounded(
              ssm.send(
                new ListCommandInvocationsCommand({
                  CommandId: b.commandId,
                  Details: true,
                  MaxResults: 50,
                  ...(NextToken ? { NextToken } : {}),
                }),
                opts,
              ),
            );
          } catch (e) {
            if (e instanceof BudgetExpired) return true;
            if (ctx.signal.aborted) throw e;
            // The listing is unavailable (an endpoint without it, a denied action, a 5xx): the per-instance
            // GetCommandInvocation still answers. Switch for the rest of this probe.
            listing = false;
            listingFailure = describeFailure(e);
            return false;
          }
          for (const inv of r.CommandInvocations ?? []) {
            const id = inv.InstanceId;
            if (!id || b.results.has(id) || b.toFetch.some((i) => i.InstanceId === id) || !isTerminal(inv))
              continue;
            const output = inv.CommandPlugins?.[0]?.Output ?? "";
            if (inv.Status !== "Success" && !output.includes(BEGIN) && !output.includes("==> pypictl:")) {
              b.results.set(id, invocationFailure(id, inv, output));
              continue;
            }
            const d = decodeOutput(output, LIST_OUTPUT_LIMIT);
            if (d.kind === "complete") b.results.set(id, parseProbeOutput(id, d.stdout));
            else b.toFetch.push(inv);
          }
          NextToken = r.NextToken;
        } while (NextToken);
        return false;
      });
      if (expired.some(Boolean)) break;
    }

    // Outputs too long for the listing: one GetCommandInvocation each (first 24,000 characters of stdout).
    const fetches = batches.flatMap((b) => b.toFetch.map((inv) => ({ b, inv })));
    await mapLimit(fetches, 8, async ({ b, inv }) => {
      const id = inv.InstanceId!;
      let r;
      try {
        r = await bounded(
          ssm.send(new GetCommandInvocationCommand({ CommandId: b.commandId, InstanceId: id }), opts),
        );
      } catch (e) {
        if (!(e instanceof BudgetExpired)) throw e;
        b.results.set(id, {
          host: id,
          ok: false,
          kind: "timeout",
          message: `${id}: the output was not fetched within ${Math.round(pacing.budgetMs / 1000)} s`,
        });
        return;
      }
      const d = decodeOutput(r.StandardOutputContent ?? "", GET_STDOUT_LIMIT);
      if (d.kind === "cut")
        b.results.set(id, {
          host: id,
          ok: false,
          kind: "malformed",
          message: `${id}: output could not be decoded`,
        });
      else b.results.set(id, parseProbeOutput(id, d.stdout, d.kind === "partial" ? { truncated: true } : {}));
    });

    const hosts: HostResult[] = [];
    for (const b of batches) {
      for (const id of [...b.results.keys()].filter((id) => !b.instanceIds.includes(id)))
        hosts.push(b.results.get(id)!);
      for (const id of b.instanceIds) {
        const r = b.results.get(id);
        if (r) hosts.push(r);
        else if (!b.commandId)
          hosts.push({
            host: id,
            ok: false,
            kind: "timeout",
            message: `${id}: SendCommand did not answer within the probe's ${Math.round(pacing.budgetMs / 1000)} s budget (or returned no command id)`,
          });
        else
          hosts.push({
            host: id,
            ok: false,
            kind: "timeout",
            message: `${id}: no result within ${Math.round(pacing.budgetMs / 1000)} s (command ${b.commandId}); the agent may be slow or the host overloaded`,
          });
      }
    }
    hosts.sort((a, b) => compareText(a.host, b.host));
    return ok({ hosts });
  }
}

/** One line, no SDK internals: the classified kind and message. */
function describeFailure(e: unknown): string {
  const f = classifyError(e);
  return f.ok ? String(e) : `${f.kind}: ${f.message}`;
}

class BudgetExpired extends Error {
  constructor() {
    super("the host probe's time budget ran out");
    this.name = "TimeoutError";
  }
}
