/**
 * One place that creates AWS SDK clients: lazily (a client's package is imported on first use), with one
 * shared config — region and profile from flags or the SDK's own chain, adaptive retries, and
 * AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_<SERVICE> honoured by the SDK itself; AWS_DEFAULT_REGION and the
 * proxy variables as the aws CLI honours them (src/sources/net).
 */
import { countCalls } from "./call-log.js";
import { recordRequest, requestSent } from "../request-log.js";
import { proxyAgents } from "../net/proxy.js";
import { awsRegionFromEnv } from "../net/aws-env.js";

export interface AwsSettings {
  region?: string;
  profile?: string;
  /** Defaults to AWS_MAX_ATTEMPTS (at most 10) or DEFAULT_MAX_ATTEMPTS. */
  maxAttempts?: number;
  /** Replaces the HTTP handler (tests: simulate throttling below the SDK's retry middleware). */
  requestHandler?: unknown;
}

/**
 * Every request is bounded: connecting, waiting for the answer's headers, and any idle gap while the
 * body arrives (an endpoint that trickles bytes). Without throwOnRequestTimeout the SDK only warns.
 */
export const CONNECT_TIMEOUT_MS = 3_000;
export const REQUEST_TIMEOUT_MS = 10_000;
/** Attempts per call (first + retries): an endpoint answering 500 to everything costs seconds, not minutes. */
export const DEFAULT_MAX_ATTEMPTS = 3;

export function clientConfig(s: AwsSettings, env: NodeJS.ProcessEnv = process.env) {
  const fromEnv = Number(env.AWS_MAX_ATTEMPTS);
  const region = awsRegionFromEnv(s.region, env);
  // HTTPS_PROXY/HTTP_PROXY/NO_PROXY as the aws CLI honours them (the SDK itself ignores them).
  const agents = s.requestHandler ? undefined : proxyAgents(env);
  return {
    ...(region ? { region } : {}),
    ...(s.profile ? { profile: s.profile } : {}),
    retryMode: "adaptive" as const,
    maxAttempts: s.maxAttempts ?? (Number.isInteger(fromEnv) && fromEnv > 0 ? Math.min(fromEnv, 10) : DEFAULT_MAX_ATTEMPTS),
    requestHandler: (s.requestHandler ?? {
      connectionTimeout: CONNECT_TIMEOUT_MS,
      requestTimeout: REQUEST_TIMEOUT_MS,
      socketTimeout: REQUEST_TIMEOUT_MS,
      throwOnRequestTimeout: true,
      ...agents,
    }) as never,
  };
}

/** Where a failed request went, attached to the error so messages can name the endpoint. */
export function endpointOf(err: unknown): string | undefined {
  const e = err as { $endpoint?: unknown } | undefined;
  return typeof e?.$endpoint === "string" ? e.$endpoint : undefined;
}

interface StackedClient {
  middlewareStack: { add(mw: unknown, opts: { step: string; name: string; priority?: string }): void };
}

/**
 * Stamp errors with the endpoint (scheme://host[:port]) the request was sent to, and record each
 * attempt's time on the wire (from the moment it is sent) for `--verbose`.
 */
function instrument(client: StackedClient): void {
  client.middlewareStack.add(
    (next: (a: unknown) => Promise<unknown>) => async (args: { request?: { protocol?: string; hostname?: string; port?: number } }) => {
      const r = args.request;
      const endpoint = r?.hostname ? `${r.protocol ?? "https:"}//${r.hostname}${r.port ? `:${r.port}` : ""}` : undefined;
      const sent = performance.now();
      const answered = requestSent(endpoint);
      try {
        return await next(args);
      } catch (e) {
        if (e && typeof e === "object" && endpoint && !("$endpoint" in e)) Object.defineProperty(e, "$endpoint", { value: endpoint, enumerable: false });
        throw e;
      } finally {
        answered();
        recordRequest(performance.now() - sent, sent);
      }
    },
    // finalizeRequest, low: inside the retry loop (one record per attempt), outside the deserializer (so a
    // body that is not AWS's, or one that trickles, is still this request's).
    { step: "finalizeRequest", name: "pypictlEndpointAndTiming", priority: "low" },
  );
}

type Ctor<C> = new (config: ReturnType<typeof clientConfig>) => C;

/** Memoised per settings: each service's client is created once per run and shared by every source. */
export class AwsClients {
  private cache = new Map<string, Promise<unknown>>();
  constructor(readonly settings: AwsSettings) {}

  private get<C>(name: string, load: () => Promise<Ctor<C>>): Promise<C> {
    let p = this.cache.get(name) as Promise<C> | undefined;
    if (!p) {
      p = load().then((Client) => {
        const client = new Client(clientConfig(this.settings));
        instrument(client as unknown as StackedClient);
        return countCalls(name, client);
      });
      this.cache.set(name, p);
    }
    return p;
  }

  cloudwatch() {
    return this.get("cloudwatch", async () => (await import("@aws-sdk/client-cloudwatch")).CloudWatchClient);
  }
  ecs() {
    return this.get("ecs", async () => (await import("@aws-sdk/client-ecs")).ECSClient);
  }
  elbv2() {
    return this.get("elbv2", async () => (await import("@aws-sdk/client-elastic-load-balancing-v2")).ElasticLoadBalancingV2Client);
  }
  efs() {
    return this.get("efs", async () => (await import("@aws-sdk/client-efs")).EFSClient);
  }
  ssm() {
    return this.get("ssm", async () => (await import("@aws-sdk/client-ssm")).SSMClient);
  }
  ec2() {
    return this.get("ec2", async () => (await import("@aws-sdk/client-ec2")).EC2Client);
  }
  secretsManager() {
    return this.get("secretsmanager", async () => (await import("@aws-sdk/client-secrets-manager")).SecretsManagerClient);
  }
  cloudformation() {
    return this.get("cloudformation", async () => (await import("@aws-sdk/client-cloudformation")).CloudFormationClient);
  }
}
