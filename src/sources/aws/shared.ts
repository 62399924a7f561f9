/** Helpers shared by the AWS gatherers: the run's clients, fleet identity, batching. */
import type { AwsClients } from "./clients.js";
import type { AwsLimits } from "./pool.js";
import type { GatherContext } from "../context.js";
import type { FleetTarget } from "../target/model.js";

/**
 * The run's clients for the target's region and profile, from the pool the command put in the settings: every
 * source of a run shares them, and no two runs do.
 */
export function clientsOf(
  ctx: Pick<GatherContext, "settings" | "target" | "requests">,
  limits: AwsLimits = {},
): AwsClients {
  const pool = ctx.settings.aws;
  if (!pool)
    throw new Error(
      "no AWS client pool in the gather settings: the command running the sources creates one per run (settings.aws)",
    );
  const t = ctx.target;
  const clients = pool.for(t.kind === "fleet" ? { region: t.region, profile: t.profile } : {}, limits);
  return ctx.requests ? clients.recordingTo(ctx.requests) : clients;
}

/** A gatherer's failure that is not an SDK error: thrown, the source returns it as `failed(kind, …)`. */
export class SourceFailure extends Error {
  constructor(
    readonly kind: "not-found" | "unsupported" | "malformed" | "no-data" | "no-identity",
    message: string,
  ) {
    super(message);
    this.name = "SourceFailure";
  }
}

export function fleetOf(ctx: GatherContext): FleetTarget {
  if (ctx.target.kind !== "fleet")
    throw new SourceFailure("unsupported", "needs a fleet target (not --local)");
  return ctx.target;
}

export function clusterAndService(t: FleetTarget): { cluster: string; service: string } {
  if (!t.cluster || !t.service)
    throw new SourceFailure(
      "no-identity",
      "no ECS cluster/service identified: pass --cluster/--service or --stack (or --terraform-outputs)",
    );
  return { cluster: t.cluster, service: t.service };
}

export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Run fn over items with at most `limit` in flight; results in input order. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, limit), items.length) }, worker));
  return results;
}

export function iso(d: Date | undefined): string | undefined {
  return d ? d.toISOString() : undefined;
}

/** The last path segment of an ARN: arn:…:task/cluster/abc → abc. */
export function arnTail(arn: string): string {
  return arn.split("/").pop() ?? arn;
}

/** Sleep that ends early (rejecting) when the signal aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason instanceof Error ? signal.reason : new Error("aborted"));
    const t = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal?.reason instanceof Error ? signal.reason : new Error("aborted"));
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
