/** Who is being diagnosed: this host (`--local`) or a fleet on AWS. Part of every report and bundle. */

export interface LocalTarget {
  kind: "local";
  /** os.hostname() of the machine the probe ran on. */
  host: string;
}

export interface FleetTarget {
  kind: "fleet";
  region?: string;
  profile?: string;
  /** CloudFormation stack deployed by `pypictl deploy`. */
  stack?: string;
  cluster?: string;
  service?: string;
  fileSystemId?: string;
  /** Load balancer ARN. */
  loadBalancer?: string;
  /** Target group ARN. */
  targetGroup?: string;
  /** Index base URL, e.g. https://pypi.example.com */
  url?: string;
  /** Secrets Manager secret id or ARN holding {username, password}. Never the password itself. */
  secretId?: string;
  autoScalingGroup?: string;
  /** The stack's SSM probe document (output HostProbeDocumentName): doctor sends it instead of a shell. */
  probeDocument?: string;
  /** The service's CloudWatch Logs group (stack output LogGroupName). */
  logGroup?: string;
}

export type Target = LocalTarget | FleetTarget;

/** Every field that identifies a fleet: the config file's `target` section holds exactly these. */
export type FleetIdentity = Omit<FleetTarget, "kind">;

export const FLEET_IDENTITY_KEYS = [
  "stack",
  "region",
  "profile",
  "cluster",
  "service",
  "fileSystemId",
  "loadBalancer",
  "targetGroup",
  "url",
  "secretId",
  "autoScalingGroup",
] as const satisfies ReadonlyArray<keyof FleetIdentity>;

export function describeTarget(t: Target): string {
  if (t.kind === "local") return `host ${t.host}`;
  const parts = [
    t.stack && `stack ${t.stack}`,
    t.cluster && `cluster ${t.cluster}`,
    t.service && `service ${t.service}`,
    t.region,
  ];
  return parts.filter(Boolean).join(", ") || "fleet";
}
