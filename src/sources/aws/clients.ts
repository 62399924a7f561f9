/**
 * One place that creates AWS SDK clients: lazily (a client's package is imported on first use), with one
 * shared config — region and profile from flags or the SDK's own chain, adaptive retries, and
 * AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_<SERVICE> honoured by the SDK itself.
 */
export interface AwsSettings {
  region?: string;
  profile?: string;
  /** Defaults to AWS_MAX_ATTEMPTS or 4. */
  maxAttempts?: number;
  /** Replaces the HTTP handler (tests: simulate throttling below the SDK's retry middleware). */
  requestHandler?: unknown;
}

export function clientConfig(s: AwsSettings, env: NodeJS.ProcessEnv = process.env) {
  const fromEnv = Number(env.AWS_MAX_ATTEMPTS);
  return {
    ...(s.region ? { region: s.region } : {}),
    ...(s.profile ? { profile: s.profile } : {}),
    retryMode: "adaptive" as const,
    maxAttempts: s.maxAttempts ?? (Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : 4),
    ...(s.requestHandler ? { requestHandler: s.requestHandler as never } : {}),
  };
}

type Ctor<C> = new (config: ReturnType<typeof clientConfig>) => C;

/** Memoised per settings: each service's client is created once per run and shared by every source. */
export class AwsClients {
  private cache = new Map<string, Promise<unknown>>();
  constructor(readonly settings: AwsSettings) {}

  private get<C>(name: string, load: () => Promise<Ctor<C>>): Promise<C> {
    let p = this.cache.get(name) as Promise<C> | undefined;
    if (!p) {
      p = load().then((Client) => new Client(clientConfig(this.settings)));
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
