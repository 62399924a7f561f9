/**
 * One place that creates AWS SDK clients: lazily (a client's package is imported on first use), with one
 * shared config — region and profile from flags or the SDK's own chain, adaptive retries, and
 * AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_<SERVICE> honoured by the SDK itself; AWS_DEFAULT_REGION and the
 * proxy variables as the aws CLI honours them (src/sources/net).
 */
import { countCalls } from "./call-log.js";
import { recordRequest, requestSent, type RequestStats } from "../request-log.js";
import { connectionAgents } from "../net/proxy.js";
import { awsRegionFromEnv } from "../net/aws-env.js";
import { awsCaBundle } from "../net/aws-ca.js";
import { caSecureContext, type CaBundle } from "../net/ca-bundle.js";
import { limitAnswers } from "./answer-limit.js";

export interface AwsSettings {
  region?: string;
  profile?: string;
  /** Defaults to AWS_MAX_ATTEMPTS (at most 10) or DEFAULT_MAX_ATTEMPTS. */
  maxAttempts?: number;
  /** Replaces the HTTP handler (tests: simulate throttling below the SDK's retry middleware). */
  requestHandler?: unknown;
  /**
   * The run's deadline (Date.now() ms, from `--timeout`): every call is aborted when it passes, retries and
   * their back-off included, and fails as a timeout that says so.
   */
  deadlineAt?: number;
}

/**
 * Every request is bounded: connecting, waiting for the answer's headers, and any idle gap while the
 * body arrives (an endpoint that trickles bytes). Without throwOnRequestTimeout the SDK only warns.
 */
export const CONNECT_TIMEOUT_MS = 3_000;
export const REQUEST_TIMEOUT_MS = 10_000;
/** Attempts per call (first + retries): an endpoint answering 500 to everything costs seconds, not minutes. */
export const DEFAULT_MAX_ATTEMPTS = 3;

/**
 * The name a request timeout gets once the connection was up: the endpoint took the request and did not
 * answer (or stopped sending). The SDK retries "TimeoutError" as transient, which turns one hanging
 * endpoint into attempts × REQUEST_TIMEOUT_MS; waiting again on the same endpoint rarely helps, so this
 * is final. A connect timeout, a refused or reset connection and throttling are still retried.
 */
export const NO_ANSWER_ERROR = "NoAnswerTimeout";

/** The SDK's wording for its requestTimeout and socket-inactivity errors (@smithy/node-http-handler). */
const AFTER_CONNECT_TIMEOUT = /requestTimeout|of inactivity/;

/** A request timeout after connecting → NO_ANSWER_ERROR (no `code` and no `cause`, which the SDK would read as transient). */
function finalIfNoAnswer(e: unknown): unknown {
  const err = e as { name?: unknown; message?: unknown; $endpoint?: unknown } | undefined;
  if (
    err?.name !== "TimeoutError" ||
    typeof err.message !== "string" ||
    !AFTER_CONNECT_TIMEOUT.test(err.message)
  )
    return e;
  return Object.assign(new Error(err.message.replace(/^@smithy\/node-http-handler - (\[ERROR\] )?/, "")), {
    name: NO_ANSWER_ERROR,
  });
}

/** The SDK's agents: kept-alive connections, as many at once as the sources' bounded concurrency needs. */
const AGENT_OPTIONS = { keepAlive: true, maxSockets: 50 };

/** Thrown for a call cut by AwsSettings.deadlineAt: a timeout, in words. */
export const RUN_DEADLINE_MESSAGE = "the run's --timeout ran out";

/**
 * `ca`: the CA bundle for AWS calls (AWS_CA_BUNDLE or the profile's ca_bundle, src/sources/net/aws-ca.ts),
 * given to our agents: it applies to direct connections and to the TLS inside a proxy's CONNECT tunnel.
 */
export function clientConfig(s: AwsSettings, env: NodeJS.ProcessEnv = process.env, ca?: CaBundle) {
  const fromEnv = Number(env.AWS_MAX_ATTEMPTS);
  const region = awsRegionFromEnv(s.region, env);
  // HTTPS_PROXY/HTTP_PROXY/NO_PROXY as the aws CLI honours them (the SDK itself ignores them), and the
  // connect bound kept by our agents, not by the SDK's connectionTimeout: that one's timer outlives an
  // aborted request by up to its full length (@smithy/node-http-handler arms it on a deferred timer whose
  // id it no longer holds), keeping the process alive past the run's deadline. Ours goes with the socket.
  const agents = s.requestHandler
    ? undefined
    : connectionAgents(
        env,
        AGENT_OPTIONS,
        {
          timeoutMs: CONNECT_TIMEOUT_MS,
          ...(s.deadlineAt !== undefined ? { deadlineAt: s.deadlineAt } : {}),
        },
        ca ? () => caSecureContext(ca) : undefined,
      );
  return {
    ...(region ? { region } : {}),
    ...(s.profile ? { profile: s.profile } : {}),
    retryMode: "adaptive" as const,
    maxAttempts:
      s.maxAttempts ??
      (Number.isInteger(fromEnv) && fromEnv > 0 ? Math.min(fromEnv, 10) : DEFAULT_MAX_ATTEMPTS),
    requestHandler: (s.requestHandler ?? {
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

interface MiddlewareStack {
  add(mw: unknown, opts: { step: string; name: string; priority?: string }): void;
}
interface StackedClient {
  middlewareStack: MiddlewareStack;
}

type Next = (a: unknown) => Promise<unknown>;
type FinalizeArgs = { request?: { protocol?: string; hostname?: string; port?: number } };

/** scheme://host[:port] of the request a middleware sees. */
function endpointOfRequest(args: FinalizeArgs): string | undefined {
  const r = args.request;
  return r?.hostname ? `${r.protocol ?? "https:"}//${r.hostname}${r.port ? `:${r.port}` : ""}` : undefined;
}

// finalizeRequest, low: inside the retry loop (once per attempt), outside the deserializer (so a body that
// is not AWS's, or one that trickles, is still this request's).
const PER_ATTEMPT = { step: "finalizeRequest", priority: "low" } as const;

/** The CA bundle a failed request trusted ("AWS_CA_BUNDLE (/path)"), when one was set. */
export function caBundleOf(err: unknown): string | undefined {
  const e = err as { $caBundle?: unknown } | undefined;
  return typeof e?.$caBundle === "string" ? e.$caBundle : undefined;
}

/** Stamp errors with the endpoint (scheme://host[:port]) the request was sent to, and the CA bundle trusted. */
function instrument(client: StackedClient, ca?: CaBundle): void {
  client.middlewareStack.add(
    (next: Next) => async (args: FinalizeArgs) => {
      try {
        return await next(args);
      } catch (caught) {
        const e = finalIfNoAnswer(caught);
        const endpoint = endpointOfRequest(args);
        if (e && typeof e === "object" && endpoint && !("$endpoint" in e))
          Object.defineProperty(e, "$endpoint", { value: endpoint, enumerable: false });
        if (ca && e && typeof e === "object" && !("$caBundle" in e))
          Object.defineProperty(e, "$caBundle", { value: `${ca.from} (${ca.path})`, enumerable: false });
        throw e;
      }
    },
    { ...PER_ATTEMPT, name: "pypictlEndpoint" },
  );
}

type Command = { middlewareStack?: MiddlewareStack };
const recorded = new WeakSet<object>();

/**
 * A view of `client` whose requests are recorded to one source's stats: each command it sends gets a
 * middleware of its own (commands carry their own stack), timing every attempt from the moment it is sent.
 */
function recordingClient<C>(client: C, stats: RequestStats): C {
  const c = client as unknown as Sender;
  const view = Object.create(c) as Sender;
  view.send = (command, ...rest) => {
    const cmd = command as Command;
    if (cmd && typeof cmd === "object" && cmd.middlewareStack && !recorded.has(cmd)) {
      recorded.add(cmd);
      cmd.middlewareStack.add(
        (next: Next) => async (args: FinalizeArgs) => {
          const sent = performance.now();
          const answered = requestSent(stats, endpointOfRequest(args));
          try {
            return await next(args);
          } finally {
            answered();
            recordRequest(stats, performance.now() - sent, sent);
          }
        },
        { ...PER_ATTEMPT, name: "pypictlRequestLog" },
      );
    }
    return c.send(command, ...rest);
  };
  return view as unknown as C;
}

type Ctor<C> = new (config: ReturnType<typeof clientConfig>) => C;

type Sender = {
  send(command: unknown, options?: { abortSignal?: AbortSignal }, ...rest: unknown[]): Promise<unknown>;
};

/**
 * Every call of the client is aborted at `deadlineAt` (with whatever signal the caller passed too), so a
 * hanging or trickling endpoint costs the run its --timeout, not the SDK's attempts × timeouts.
 */
function boundedBy<C>(client: C, deadlineAt: number): C {
  const c = client as unknown as Sender;
  const send = c.send.bind(c);
  c.send = async (command, options, ...rest) => {
    const deadline = AbortSignal.timeout(Math.max(0, deadlineAt - Date.now()));
    const abortSignal = options?.abortSignal ? AbortSignal.any([options.abortSignal, deadline]) : deadline;
    try {
      return await send(command, { ...options, abortSignal }, ...rest);
    } catch (e) {
      if (!deadline.aborted || options?.abortSignal?.aborted) throw e;
      const endpoint = endpointOf(e);
      const timeout = Object.assign(new Error(RUN_DEADLINE_MESSAGE), { name: NO_ANSWER_ERROR });
      if (endpoint) Object.defineProperty(timeout, "$endpoint", { value: endpoint, enumerable: false });
      throw timeout;
    }
  };
  return client;
}

/** Memoised per settings: each service's client is created once per run and shared by every source. */
export class AwsClients {
  /**
   * `cache` and `stats`: a view made by recordingTo shares its clients' cache (each SDK client is still made
   * once per run) and hands them out recording to one source's stats.
   */
  constructor(
    readonly settings: AwsSettings,
    private readonly cache = new Map<string, Promise<unknown>>(),
    private readonly stats?: RequestStats,
  ) {}

  /** The same clients, each request they send recorded to `stats` (one source's: `clientsOf(ctx)`). */
  recordingTo(stats: RequestStats): AwsClients {
    return new AwsClients(this.settings, this.cache, stats);
  }

  private ca: Promise<CaBundle | undefined> | undefined;
  /** Read once for these clients; a test's own request handler needs none. */
  private caBundle(): Promise<CaBundle | undefined> {
    if (this.settings.requestHandler) return Promise.resolve(undefined);
    return (this.ca ??= awsCaBundle(this.settings.profile));
  }

  private get<C>(name: string, load: () => Promise<Ctor<C>>): Promise<C> {
    let p = this.cache.get(name) as Promise<C> | undefined;
    if (!p) {
      p = Promise.all([load(), this.caBundle()]).then(([Client, ca]) => {
        const client = new Client(clientConfig(this.settings, process.env, ca));
        instrument(client as unknown as StackedClient, ca);
        limitAnswers(client as unknown as StackedClient);
        const counted = countCalls(name, client);
        return this.settings.deadlineAt === undefined
          ? counted
          : boundedBy(counted, this.settings.deadlineAt);
      });
      this.cache.set(name, p);
    }
    const stats = this.stats;
    return stats ? p.then((client) => recordingClient(client, stats)) : p;
  }

  cloudwatch() {
    return this.get("cloudwatch", async () => (await import("@aws-sdk/client-cloudwatch")).CloudWatchClient);
  }
  logs() {
    return this.get(
      "logs",
      async () => (await import("@aws-sdk/client-cloudwatch-logs")).CloudWatchLogsClient,
    );
  }
  ecs() {
    return this.get("ecs", async () => (await import("@aws-sdk/client-ecs")).ECSClient);
  }
  elbv2() {
    return this.get(
      "elbv2",
      async () => (await import("@aws-sdk/client-elastic-load-balancing-v2")).ElasticLoadBalancingV2Client,
    );
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
  autoscaling() {
    return this.get(
      "autoscaling",
      async () => (await import("@aws-sdk/client-auto-scaling")).AutoScalingClient,
    );
  }
  secretsManager() {
    return this.get(
      "secretsmanager",
      async () => (await import("@aws-sdk/client-secrets-manager")).SecretsManagerClient,
    );
  }
  /** AWS Price List (pypictl size): create it for the pricing endpoint's region (sources/aws/pricing.ts). */
  pricing() {
    return this.get("pricing", async () => (await import("@aws-sdk/client-pricing")).PricingClient);
  }
  cloudformation() {
    return this.get(
      "cloudformation",
      async () => (await import("@aws-sdk/client-cloudformation")).CloudFormationClient,
    );
  }
}
