/**
 * The fleet's credentials for the probes, looked up once per run and kept out of the evidence: from
 * `settings.credentials` (set by `pypictl creds --check` or from Terraform outputs) or from the target's
 * Secrets Manager secret. Sources record only whether and where they were found.
 */
import type { GatherContext, GatherSettings } from "../context.js";
import { clientsOf } from "../aws/shared.js";
import { DEFAULT_SECRET_KEYS, type Credentials, type SecretKeys } from "../../creds/secret.js";
import { readSecret } from "../aws/secret.js";

/** Settings keys (open record) owned by the http/client sources. */
export interface CredsSettings {
  /** Credentials known to the CLI (creds --check, terraform outputs); never serialised. */
  credentials?: Credentials;
  /** Secret JSON key names. */
  secretKeys?: SecretKeys;
  /** Per-request timeout of the index probe, ms (default 15 000). */
  httpTimeoutMs?: number;
}

export type CredentialsLookup =
  | { found: true; from: "settings" | "secret"; credentials: Credentials }
  | { found: false; from: "none" | "secret"; reason: string };

const memo = new WeakMap<GatherSettings, Promise<CredentialsLookup>>();

export function credsSettings(settings: GatherSettings): CredsSettings {
  return settings as CredsSettings;
}

/**
 * The run's credentials lookup. With the caller's signal, the caller stops waiting when its deadline aborts
 * it and gets "not read" at once, so a source can still return what else it gathered (the index probe's
 * anonymous and /health answers) instead of losing it to a secret read that never answered.
 */
export function fleetCredentials(
  ctx: Pick<GatherContext, "settings" | "target" | "deadlineAt"> & { signal?: AbortSignal },
): Promise<CredentialsLookup> {
  let p = memo.get(ctx.settings);
  if (!p) {
    p = lookup(ctx);
    memo.set(ctx.settings, p);
  }
  return ctx.signal ? untilAborted(p, ctx.signal) : p;
}

function untilAborted(p: Promise<CredentialsLookup>, signal: AbortSignal): Promise<CredentialsLookup> {
  const notRead: CredentialsLookup = {
    found: false,
    from: "secret",
    reason: "the secret was not read before the run's deadline (no answer in time)",
  };
  if (signal.aborted) return Promise.resolve(notRead);
  return new Promise((resolve) => {
    const onAbort = (): void => resolve(notRead);
    signal.addEventListener("abort", onAbort, { once: true });
    void p.then((v) => {
      signal.removeEventListener("abort", onAbort);
      resolve(v);
    });
  });
}

async function lookup(
  ctx: Pick<GatherContext, "settings" | "target" | "deadlineAt">,
): Promise<CredentialsLookup> {
  const s = credsSettings(ctx.settings);
  const c = s.credentials;
  if (c && typeof c.username === "string" && typeof c.password === "string")
    return { found: true, from: "settings", credentials: c };
  const t = ctx.target;
  if (t.kind !== "fleet" || !t.secretId)
    return {
      found: false,
      from: "none",
      reason: "no credentials known: pass --secret-id, --stack or --terraform-outputs",
    };
  try {
    // One read serves every source that needs the password, so no one source's signal may abort it: the
    // first caller's deadline bounds it instead. Unbounded, a secret read that gets no answer kept the
    // process alive for its request timeout after the run's --timeout had ended the report.
    const aws = clientsOf(ctx, ctx.deadlineAt !== undefined ? { deadlineAt: ctx.deadlineAt } : {});
    const credentials = await readSecret(
      aws,
      t.secretId,
      s.secretKeys ?? DEFAULT_SECRET_KEYS,
      `secret ${t.secretId}`,
    );
    return { found: true, from: "secret", credentials };
  } catch (e) {
    return { found: false, from: "secret", reason: (e as Error).message };
  }
}
