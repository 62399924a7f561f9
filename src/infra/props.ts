/**
 * The props of the bundled pypiserver stack: typed, readonly, documented with their defaults, and
 * validated with errors that name the prop (and its `pypictl deploy` flag). Pure: no aws-cdk-lib, so
 * the CLI validates flags and the config file before it loads the CDK.
 */
import { UsageError } from "../errors.js";
import {
  SIZES,
  SIZE_PRESETS,
  type Size,
  defaultContainerCpu,
  defaultGunicornWorkers,
  defaultMemoryReservation,
  tasksPerInstance,
  INSTANCE_SPECS,
} from "./sizing.js";
import { AGENT_RESERVED_MIB, placementProblems } from "../capacity/placement.js";

export const BACKENDS = ["simple-dir", "cached-dir", "auto"] as const;
export const HASH_ALGOS = ["sha256", "sha512", "sha384", "sha224", "sha1", "md5", "off"] as const;
export const THROUGHPUT_MODES = ["elastic", "bursting", "provisioned"] as const;
/** The values EFS lifecycle `TransitionToIA` accepts, in days. */
export const IA_DAYS = [1, 7, 14, 30, 60, 90, 180, 270, 365] as const;
/** The values CloudWatch Logs retention accepts, in days. */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

/** pypiserver 2.4.1 is the version FACTS.md's observations were made with. */
export const DEFAULT_IMAGE_TAG = "v2.4.1";
export const CONTAINER_PORT = 8080;
/** Gunicorn's keep-alive is the ALB idle timeout plus this, so the ALB always closes idle connections first. */
export const KEEP_ALIVE_MARGIN_SECONDS = 15;

/**
 * Props of {@link PypiServerStack}. Everything is optional; flags and the config file's `deploy` section
 * set the same names (flags in kebab-case: `containerMemory` ↔ `--container-memory`).
 */
export interface PypiServerStackProps {
  /**
   * Size preset (FACTS.md §2): sets instance type, instance counts and container memory; task counts
   * follow from the capacity formula. Explicit props override the preset.
   * @default "light"
   */
  readonly size?: Size;
  /** @default the preset's: light t3.small, medium c6a.large, heavy c6a.xlarge, very-heavy c6a.2xlarge */
  readonly instanceType?: string;
  /** @default 2 */
  readonly minInstances?: number;
  /** @default 4 */
  readonly maxInstances?: number;
  /** Container hard memory limit (MiB): above it the container is OOM-killed. @default 512 (very-heavy: 1024) */
  readonly containerMemory?: number;
  /** Soft reservation (MiB) used for placement. @default 75 % of containerMemory */
  readonly containerMemoryReservation?: number;
  /** Container CPU units. @default gunicornWorkers × 150 + 40 */
  readonly containerCpu?: number;
  /** gunicorn worker processes (gevent). @default max(2, min(8, ⌊containerMemory / 128⌋)) */
  readonly gunicornWorkers?: number;
  /** Desired (and minimum) task count. @default tasks per instance × minInstances (the module's capacity formula) */
  readonly taskMinCount?: number;
  /** Maximum task count for service auto scaling. @default 2 × taskMinCount */
  readonly taskMaxCount?: number;
  /** pypiserver image tag on Docker Hub; `latest` is refused (deploys must be reproducible). @default "v2.4.1" */
  readonly imageTag?: string;
  /**
   * pypiserver `--backend`. `simple-dir` rescans the directory per request; `cached-dir` caches and relies on
   * file-system notifications, which do not cross hosts on EFS: use it only with a single task.
   * @default "simple-dir"
   */
  readonly backend?: (typeof BACKENDS)[number];
  /** pypiserver `--hash-algo` (`off` disables hashing of files in listings). @default "sha256" */
  readonly hashAlgo?: (typeof HASH_ALGOS)[number];
  /** Deploy into this existing VPC (looked up at synth: needs credentials). @default a new VPC */
  readonly vpcId?: string;
  /**
   * Availability zones of a new VPC. More than 2 needs the region's zone list, so the stack is bound to the
   * account/region of the credentials (synth then needs credentials too).
   * @default 2
   */
  readonly maxAzs?: number;
  /**
   * NAT gateways of a new VPC (hosts sit in private subnets). 0 puts the hosts in public subnets with public
   * addresses (cheaper; their security group still admits only the load balancer). A deployed stack keeps
   * the count it has unless this is given.
   * @default 1 (heavy and very-heavy: one per zone, i.e. maxAzs)
   */
  readonly natGateways?: number;
  /** EFS throughput mode; `bursting` adds the BurstCreditBalance alarm. @default "elastic" */
  readonly efsThroughputMode?: (typeof THROUGHPUT_MODES)[number];
  /** Provisioned throughput, MiB/s; required with (and only with) `provisioned`. */
  readonly efsProvisionedMibps?: number;
  /** Move files not read for this many days to EFS Infrequent Access. @default 30 */
  readonly efsTransitionToIaDays?: (typeof IA_DAYS)[number];
  /** AWS Backup keeps the daily EFS backups this many days. @default 7 */
  readonly backupRetentionDays?: number;
  /**
   * Adopt an existing EFS file system instead of creating one — the one `pypictl destroy` kept, so a
   * redeploy serves the same packages. It must have no mount targets left (destroy removes them); the
   * stack creates mount targets, a security group and an access point on it, and never deletes it.
   * @default a new, encrypted file system
   */
  readonly fileSystemId?: string;
  /** Adopt an existing AWS Backup vault by name (e.g. the one a destroyed stack kept). @default a new vault named pypictl-<stack UUID> */
  readonly backupVaultName?: string;
  /**
   * Adopt an existing credentials secret (JSON {username, password}; the complete ARN with its 6-character
   * suffix), e.g. the one a destroyed stack kept, so client configurations keep working after a redeploy.
   * @default a new generated secret (retained on destroy)
   */
  readonly secretArn?: string;
  /**
   * ALB access logs to a new S3 bucket (SSE-S3, the only encryption ALB log delivery supports; private,
   * TLS-only, expired after `albAccessLogsDays`, kept on destroy), with the bucket policy for the region's
   * Elastic Load Balancing log delivery. Needs the region at synth time (--region or AWS_REGION).
   * @default false
   */
  readonly albAccessLogs?: boolean;
  /** Days the ALB access logs are kept (the bucket's lifecycle expiry); only with `albAccessLogs`. @default 90 */
  readonly albAccessLogsDays?: number;
  /**
   * Pull the pypiserver image through an ECR pull-through cache of Docker Hub, authenticated with this
   * Secrets Manager secret (name `ecr-pullthroughcache/…`, JSON {username, accessToken}, same account and
   * region), instead of anonymously from Docker Hub (whose per-address pull limit all hosts share behind
   * one NAT gateway). The stack creates the cache rule and lets the task execution role pull through it.
   * @default anonymous pulls from Docker Hub
   */
  readonly dockerHubCredentialArn?: string;
  /** Public name of the index, e.g. pypi.example.com. With `hostedZoneId` a certificate and DNS record are created. */
  readonly domainName?: string;
  /** Route 53 hosted zone for `domainName`. */
  readonly hostedZoneId?: string;
  /** Name of that hosted zone. @default domainName without its first label */
  readonly hostedZoneName?: string;
  /** ACM certificate for HTTPS (in the stack's region). @default one is created when domainName and hostedZoneId are given */
  readonly certificateArn?: string;
  /** Serve plain HTTP when no certificate/domain is given. Passwords then cross the network unencrypted. @default false */
  readonly allowHttp?: boolean;
  /** Client CIDRs allowed to reach the load balancer. @default ["0.0.0.0/0"] (the index still requires the password) */
  readonly allowedCidrs?: readonly string[];
  /** ALB idle timeout, seconds; gunicorn's keep-alive is set 15 s longer (FACTS.md §3: avoids 502s). @default 60 */
  readonly albIdleTimeoutSeconds?: number;
  /** Target group deregistration delay, seconds (long uploads finish during a deploy). @default 30 */
  readonly deregistrationDelaySeconds?: number;
  /** Subscribe this e-mail address to the alarm topic. @default no subscription (the topic still exists) */
  readonly alarmEmail?: string;
  /** Container log retention, days. @default 30 */
  readonly logRetentionDays?: (typeof LOG_RETENTION_DAYS)[number];
  /** Index user name stored in the secret (the password is generated). @default "pypi" */
  readonly username?: string;
  /**
   * bcrypt cost of the htpasswd entry built at task start. Every protected request verifies it (cost 5 ≈ 2 ms,
   * 12 ≈ 175 ms, FACTS.md §5); the 32-character generated password is what protects it, not the cost.
   * @default 5
   */
  readonly bcryptRounds?: number;
}

/** Every prop resolved: defaults applied, derived values computed, cross-checked. */
export interface ResolvedProps {
  readonly size: Size;
  readonly instanceType: string;
  readonly minInstances: number;
  readonly maxInstances: number;
  readonly containerMemory: number;
  readonly containerMemoryReservation: number;
  readonly containerCpu: number;
  readonly gunicornWorkers: number;
  readonly taskMinCount: number;
  readonly taskMaxCount: number;
  readonly imageTag: string;
  readonly backend: (typeof BACKENDS)[number];
  readonly hashAlgo: (typeof HASH_ALGOS)[number];
  readonly vpcId: string | undefined;
  readonly maxAzs: number;
  readonly natGateways: number;
  readonly efsThroughputMode: (typeof THROUGHPUT_MODES)[number];
  readonly efsProvisionedMibps: number | undefined;
  readonly efsTransitionToIaDays: (typeof IA_DAYS)[number];
  readonly backupRetentionDays: number;
  readonly fileSystemId: string | undefined;
  readonly backupVaultName: string | undefined;
  readonly secretArn: string | undefined;
  readonly albAccessLogs: boolean;
  readonly albAccessLogsDays: number;
  readonly dockerHubCredentialArn: string | undefined;
  readonly domainName: string | undefined;
  readonly hostedZoneId: string | undefined;
  readonly hostedZoneName: string | undefined;
  readonly certificateArn: string | undefined;
  readonly allowHttp: boolean;
  readonly allowedCidrs: readonly string[];
  readonly albIdleTimeoutSeconds: number;
  readonly keepAliveSeconds: number;
  readonly deregistrationDelaySeconds: number;
  readonly alarmEmail: string | undefined;
  readonly logRetentionDays: (typeof LOG_RETENTION_DAYS)[number];
  readonly username: string;
  readonly bcryptRounds: number;
  /** "https" when a certificate is given or created, else "http" (only with allowHttp). */
  readonly protocol: "https" | "http";
  /** Things the user should know (plain HTTP, open CIDR, cached-dir with several tasks). */
  readonly warnings: readonly string[];
}

export type PropKey = keyof PypiServerStackProps;

/** How a prop is typed and bounded: one table for the config file, the flags and programmatic props. */
export type FieldSpec =
  | { kind: "int"; min: number; max: number; allowed?: readonly number[]; help: string }
  | { kind: "number"; min: number; max: number; help: string }
  | { kind: "string"; pattern?: RegExp; patternHelp?: string; help: string }
  | { kind: "enum"; choices: readonly string[]; help: string }
  | { kind: "bool"; help: string }
  | { kind: "cidrs"; help: string };

export const PROP_FIELDS: { readonly [K in PropKey]-?: FieldSpec } = {
  size: { kind: "enum", choices: SIZES, help: "size preset: instance type, counts, memory (default: light)" },
  instanceType: {
    kind: "string",
    pattern: /^[a-z][a-z0-9-]*\.[a-z0-9]+$/,
    patternHelp: "an EC2 instance type like c6a.large",
    help: "EC2 instance type of the ECS hosts",
  },
  minInstances: { kind: "int", min: 1, max: 100, help: "minimum ECS hosts (default: 2)" },
  maxInstances: { kind: "int", min: 1, max: 100, help: "maximum ECS hosts (default: 4)" },
  containerMemory: {
    kind: "int",
    min: 256,
    max: 122880,
    help: "container hard memory limit, MiB (default: 512)",
  },
  containerMemoryReservation: {
    kind: "int",
    min: 128,
    max: 122880,
    help: "container memory reservation, MiB (default: 75% of the limit)",
  },
  containerCpu: { kind: "int", min: 128, max: 16384, help: "container CPU units (default: workers×150+40)" },
  gunicornWorkers: {
    kind: "int",
    min: 1,
    max: 32,
    help: "gunicorn workers (default: max(2, min(8, memory/128)))",
  },
  taskMinCount: { kind: "int", min: 1, max: 500, help: "desired/minimum tasks (default: capacity formula)" },
  taskMaxCount: { kind: "int", min: 1, max: 1000, help: "maximum tasks (default: 2×min)" },
  imageTag: {
    kind: "string",
    pattern: /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/,
    patternHelp: "a Docker image tag",
    help: `pypiserver image tag, never latest (default: ${DEFAULT_IMAGE_TAG})`,
  },
  backend: { kind: "enum", choices: BACKENDS, help: "pypiserver --backend (default: simple-dir)" },
  hashAlgo: { kind: "enum", choices: HASH_ALGOS, help: "pypiserver --hash-algo (default: sha256)" },
  vpcId: {
    kind: "string",
    pattern: /^vpc-[0-9a-f]{8,17}$/,
    patternHelp: "a VPC id like vpc-0123abcd",
    help: "existing VPC id (default: a new VPC)",
  },
  maxAzs: { kind: "int", min: 2, max: 6, help: "availability zones of a new VPC (default: 2)" },
  natGateways: {
    kind: "int",
    min: 0,
    max: 6,
    help: "NAT gateways of a new VPC (default: 1; heavy and very-heavy: one per zone; a deployed stack keeps its count)",
  },
  efsThroughputMode: {
    kind: "enum",
    choices: THROUGHPUT_MODES,
    help: "EFS throughput mode (default: elastic)",
  },
  efsProvisionedMibps: {
    kind: "number",
    min: 1,
    max: 10240,
    help: "EFS provisioned throughput, MiB/s (provisioned mode only)",
  },
  efsTransitionToIaDays: {
    kind: "int",
    min: 1,
    max: 365,
    allowed: IA_DAYS,
    help: "days before files move to EFS IA (default: 30)",
  },
  backupRetentionDays: {
    kind: "int",
    min: 1,
    max: 36500,
    help: "days AWS Backup keeps daily EFS backups (default: 7)",
  },
  fileSystemId: {
    kind: "string",
    pattern: /^fs-[0-9a-f]{8,40}$/,
    patternHelp: "an EFS file system id like fs-0123abcd",
    help: "adopt this existing EFS file system (e.g. the one destroy kept)",
  },
  backupVaultName: {
    kind: "string",
    pattern: /^[A-Za-z0-9_-]{2,50}$/,
    patternHelp: "an AWS Backup vault name (2–50 letters, digits, - _)",
    help: "adopt this existing AWS Backup vault",
  },
  secretArn: {
    kind: "string",
    pattern: /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+-[A-Za-z0-9]{6}$/,
    patternHelp: "a complete Secrets Manager secret ARN (ending in -XXXXXX)",
    help: "adopt this existing credentials secret (e.g. the one destroy kept)",
  },
  albAccessLogs: { kind: "bool", help: "write ALB access logs to a new S3 bucket (needs --region)" },
  albAccessLogsDays: { kind: "int", min: 1, max: 3650, help: "days ALB access logs are kept (default: 90)" },
  dockerHubCredentialArn: {
    kind: "string",
    // CreatePullThroughCacheRule's credentialArn pattern (ecr-2015-09-21), with the account and region spelled out.
    pattern:
      /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:ecr-pullthroughcache\/[A-Za-z0-9/_+=.@-]+$/,
    patternHelp: "a Secrets Manager secret ARN whose name starts with ecr-pullthroughcache/",
    help: "pull the image through an ECR pull-through cache of Docker Hub with this credential secret (avoids Docker Hub's anonymous rate limit)",
  },
  domainName: {
    kind: "string",
    pattern: /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i,
    patternHelp: "a DNS name like pypi.example.com",
    help: "public name of the index",
  },
  hostedZoneId: {
    kind: "string",
    pattern: /^Z[A-Z0-9]{4,32}$/,
    patternHelp: "a Route 53 zone id like Z0123456789ABC",
    help: "Route 53 zone for the domain (creates certificate + record)",
  },
  hostedZoneName: {
    kind: "string",
    pattern: /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}\.?$/i,
    patternHelp: "a DNS zone name like example.com",
    help: "name of the hosted zone (default: domain minus its first label)",
  },
  certificateArn: {
    kind: "string",
    pattern: /^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[A-Za-z0-9-]+$/,
    patternHelp: "an ACM certificate ARN",
    help: "ACM certificate ARN for HTTPS",
  },
  allowHttp: { kind: "bool", help: "allow plain HTTP when no certificate/domain is given (insecure)" },
  allowedCidrs: {
    kind: "cidrs",
    help: "client CIDRs allowed to reach the load balancer (default: 0.0.0.0/0)",
  },
  albIdleTimeoutSeconds: {
    kind: "int",
    min: 1,
    max: 4000,
    help: "ALB idle timeout, s (default: 60; keep-alive is 15 s longer)",
  },
  deregistrationDelaySeconds: {
    kind: "int",
    min: 0,
    max: 3600,
    help: "target deregistration delay, s (default: 30)",
  },
  alarmEmail: {
    kind: "string",
    pattern: /^[^@\s]+@[^@\s]+\.[^@\s]+$/,
    patternHelp: "an e-mail address",
    help: "e-mail address subscribed to the alarms",
  },
  logRetentionDays: {
    kind: "int",
    min: 1,
    max: 3653,
    allowed: LOG_RETENTION_DAYS,
    help: "container log retention, days (default: 30)",
  },
  username: {
    kind: "string",
    pattern: /^[A-Za-z0-9._-]{1,64}$/,
    patternHelp: "1–64 letters, digits, . _ -",
    help: "index user name (default: pypi)",
  },
  bcryptRounds: { kind: "int", min: 4, max: 14, help: "bcrypt cost of the htpasswd entry (default: 5)" },
};

export const PROP_KEYS = Object.keys(PROP_FIELDS) as PropKey[];

/**
 * Whether synthesis needs the account/region and context lookups (credentials): an existing VPC, or more
 * than the 2 zones an environment-agnostic stack can name.
 */
export function needsEnvironment(props: PypiServerStackProps): boolean {
  return props.vpcId !== undefined || (props.maxAzs ?? 2) > 2;
}

/**
 * ALB access logs need only the region (their bucket policy names the region's log-delivery principal), not
 * the account: bind the stack to the region and keep it account-agnostic, so synth needs no lookup or
 * credentials. Without a region the stack refuses albAccessLogs with a message naming --region.
 */
export function regionOnlyEnv(
  props: PypiServerStackProps,
  region: string | undefined,
): { env?: { region: string } } {
  return props.albAccessLogs === true && region ? { env: { region } } : {};
}

/** `containerMemory` → `--container-memory`. */
export function flagFor(key: string): string {
  return `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/** Validate an IPv4 CIDR like 10.0.0.0/8. */
export function isIpv4Cidr(s: string): boolean {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(s);
  if (!m) return false;
  const octets = m.slice(1, 5).map(Number);
  return octets.every((o) => o <= 255) && Number(m[5]) <= 32;
}

/**
 * Check one value against its field spec; returns the problem ("must be …") or undefined. Used by the
 * config-file parser, the flag parser and {@link resolveProps}, so all three say the same thing.
 */
export function checkField(spec: FieldSpec, value: unknown): string | undefined {
  switch (spec.kind) {
    case "int":
    case "number": {
      if (typeof value !== "number" || !Number.isFinite(value)) return "must be a number";
      if (spec.kind === "int" && !Number.isInteger(value)) return `must be a whole number (got ${value})`;
      if (value < spec.min) return `must be ≥ ${spec.min} (got ${value})`;
      if (value > spec.max) return `must be ≤ ${spec.max} (got ${value})`;
      if (spec.kind === "int" && spec.allowed && !spec.allowed.includes(value))
        return `must be one of ${spec.allowed.join(", ")} (got ${value})`;
      return undefined;
    }
    case "string":
      if (typeof value !== "string" || value === "") return "must be a non-empty string";
      if (spec.pattern && !spec.pattern.test(value))
        return `must be ${spec.patternHelp ?? `like ${String(spec.pattern)}`} (got "${value}")`;
      return undefined;
    case "enum":
      if (typeof value !== "string" || !spec.choices.includes(value))
        return `must be one of ${spec.choices.join(", ")} (got ${JSON.stringify(value)})`;
      return undefined;
    case "bool":
      return typeof value === "boolean" ? undefined : "must be true or false";
    case "cidrs": {
      if (!Array.isArray(value) || value.length === 0) return "must be a non-empty list of IPv4 CIDRs";
      const bad = value.find((v) => typeof v !== "string" || !isIpv4Cidr(v));
      return bad === undefined
        ? undefined
        : `must be IPv4 CIDRs like 203.0.113.0/24 (got ${JSON.stringify(bad)})`;
    }
  }
}

/** How a prop is named in errors: `containerMemory (--container-memory)`. */
function name(key: PropKey): string {
  return `${key} (${flagFor(key)})`;
}

function fail(key: PropKey, what: string): never {
  throw new UsageError(`${name(key)}: ${what}`, flagFor(key));
}

/**
 * Apply the preset and defaults, derive task counts, and validate everything. Throws a UsageError that
 * names the prop and its flag; never touches aws-cdk-lib.
 */
export function resolveProps(props: PypiServerStackProps = {}): ResolvedProps {
  for (const key of Object.keys(props)) {
    if (!(key in PROP_FIELDS))
      throw new UsageError(`unknown stack prop "${key}" (known: ${PROP_KEYS.join(", ")})`);
  }
  for (const key of PROP_KEYS) {
    const v = props[key];
    if (v === undefined) continue;
    const problem = checkField(PROP_FIELDS[key], v);
    if (problem) fail(key, problem);
  }
  const warnings: string[] = [];
  const size = props.size ?? "light";
  const preset = SIZE_PRESETS[size];
  const instanceType = props.instanceType ?? preset.instanceType;
  const minInstances = props.minInstances ?? preset.minInstances;
  const maxInstances = props.maxInstances ?? Math.max(preset.maxInstances, minInstances);
  if (maxInstances < minInstances)
    fail("maxInstances", `must be ≥ minInstances (${minInstances}), got ${maxInstances}`);

  const containerMemory = props.containerMemory ?? preset.containerMemory;
  const containerMemoryReservation =
    props.containerMemoryReservation ?? defaultMemoryReservation(containerMemory);
  if (containerMemoryReservation > containerMemory)
    fail(
      "containerMemoryReservation",
      `must be ≤ containerMemory (${containerMemory}), got ${containerMemoryReservation}`,
    );
  const gunicornWorkers = props.gunicornWorkers ?? defaultGunicornWorkers(containerMemory);
  const containerCpu = props.containerCpu ?? defaultContainerCpu(gunicornWorkers);

  const spec = INSTANCE_SPECS[instanceType];
  if (spec && containerMemory > spec.memoryMiB - AGENT_RESERVED_MIB)
    fail(
      "containerMemory",
      `${containerMemory} MiB does not fit on ${instanceType}: ${spec.memoryMiB} MiB − ${AGENT_RESERVED_MIB} MiB for the system and the ECS agent leaves ${spec.memoryMiB - AGENT_RESERVED_MIB} MiB; lower --container-memory or use a larger --instance-type`,
    );
  let taskMinCount = props.taskMinCount;
  if (taskMinCount === undefined) {
    const perInstance = tasksPerInstance(instanceType, containerMemoryReservation, containerCpu);
    if (perInstance === undefined)
      fail(
        "taskMinCount",
        `must be given for instance type ${instanceType}: the capacity formula knows ${Object.keys(INSTANCE_SPECS).length} common types (t3, c6a, m6i, …), not this one`,
      );
    if (perInstance < 1)
      fail(
        "containerMemoryReservation",
        `a ${instanceType} cannot hold one task of ${containerMemoryReservation} MiB / ${containerCpu} CPU units after the 800 MiB system + page-cache share; use a larger instanceType`,
      );
    taskMinCount = perInstance * minInstances;
  }
  // The default maximum stays within the slots of maxInstances hosts, so a default never fails placement.
  const perHost = tasksPerInstance(instanceType, containerMemoryReservation, containerCpu);
  const taskMaxCount =
    props.taskMaxCount ??
    (perHost ? Math.max(taskMinCount, Math.min(2 * taskMinCount, perHost * maxInstances)) : 2 * taskMinCount);
  if (taskMaxCount < taskMinCount)
    fail("taskMaxCount", `must be ≥ taskMinCount (${taskMinCount}), got ${taskMaxCount}`);
  // The capacity model's placement check (src/capacity): counts above the slots wait in PROVISIONING forever.
  const placement = placementProblems({
    instanceType,
    minHosts: minInstances,
    maxHosts: maxInstances,
    tasksMin: taskMinCount,
    tasksMax: taskMaxCount,
    containerMemory,
    containerMemoryReservation,
    containerCpu,
    gunicornWorkers,
    efsThroughputMode: props.efsThroughputMode ?? "elastic",
  });
  const first = placement[0];
  if (first)
    fail(
      first.prop,
      `cannot be placed: ${first.message}. Raise --max-instances or --instance-type, or lower the count (pypictl size shows what fits)`,
    );

  const imageTag = props.imageTag ?? DEFAULT_IMAGE_TAG;
  if (imageTag === "latest")
    fail(
      "imageTag",
      `"latest" is not allowed: pin a version such as ${DEFAULT_IMAGE_TAG} so every task runs the same server`,
    );
  const backend = props.backend ?? "simple-dir";
  if (backend === "cached-dir" && taskMaxCount > 1)
    warnings.push(
      "backend cached-dir relies on file-system notifications that do not cross hosts on EFS: other tasks will list stale packages after an upload (use simple-dir, or one task).",
    );

  const efsThroughputMode = props.efsThroughputMode ?? "elastic";
  if (efsThroughputMode === "provisioned" && props.efsProvisionedMibps === undefined)
    fail("efsProvisionedMibps", "is required when efsThroughputMode is provisioned");
  if (efsThroughputMode !== "provisioned" && props.efsProvisionedMibps !== undefined)
    fail(
      "efsProvisionedMibps",
      `only applies when efsThroughputMode is provisioned (it is ${efsThroughputMode})`,
    );

  if (props.vpcId !== undefined && (props.maxAzs !== undefined || props.natGateways !== undefined))
    fail(props.maxAzs !== undefined ? "maxAzs" : "natGateways", "only applies to a new VPC, not with vpcId");

  if (props.secretArn !== undefined && props.username !== undefined)
    fail("username", "only applies to a new secret, not with secretArn (the adopted secret has its own)");

  if (props.albAccessLogsDays !== undefined && props.albAccessLogs !== true)
    fail("albAccessLogsDays", "only applies with albAccessLogs (--alb-access-logs)");

  const domainName = props.domainName?.toLowerCase();
  if (props.hostedZoneId !== undefined && domainName === undefined)
    fail("hostedZoneId", "needs domainName (the record to create in the zone)");
  if (props.hostedZoneName !== undefined && props.hostedZoneId === undefined)
    fail("hostedZoneName", "needs hostedZoneId");
  let hostedZoneName = props.hostedZoneName?.replace(/\.$/, "").toLowerCase();
  if (props.hostedZoneId !== undefined && hostedZoneName === undefined)
    hostedZoneName = domainName!.split(".").slice(1).join(".");
  if (
    hostedZoneName !== undefined &&
    domainName !== undefined &&
    domainName !== hostedZoneName &&
    !domainName.endsWith(`.${hostedZoneName}`)
  )
    fail("hostedZoneName", `"${hostedZoneName}" does not contain domainName "${domainName}"`);
  // The URL clients get is https://<domainName>; without one it would be https://<load balancer DNS name>,
  // which no certificate a user can hold matches (ACM cannot issue for *.elb.amazonaws.com).
  if (props.certificateArn !== undefined && domainName === undefined)
    fail(
      "domainName",
      "is required with certificateArn: clients reach the index by a name the certificate covers (https://<load balancer DNS name> matches no certificate). Give --domain-name and point its DNS record (CNAME or alias) at the load balancer.",
    );
  const https = props.certificateArn !== undefined || props.hostedZoneId !== undefined;
  const allowHttp = props.allowHttp ?? false;
  if (!https && !allowHttp)
    fail(
      "certificateArn",
      "HTTPS needs a certificate: give --certificate-arn, or --domain-name with --hosted-zone-id (a certificate is created), or --allow-http to serve plain HTTP (passwords unencrypted)",
    );
  if (https && props.allowHttp === true)
    fail("allowHttp", "conflicts with a certificate/domain: HTTP is redirected to HTTPS then");
  if (!https)
    warnings.push(
      "plain HTTP: the index password crosses the network unencrypted. Give --certificate-arn or --domain-name with --hosted-zone-id for HTTPS.",
    );

  const allowedCidrs = props.allowedCidrs ?? ["0.0.0.0/0"];
  if (allowedCidrs.includes("0.0.0.0/0"))
    warnings.push(
      "the load balancer accepts connections from any address (0.0.0.0/0); restrict it with --allowed-cidrs.",
    );

  const albIdleTimeoutSeconds = props.albIdleTimeoutSeconds ?? 60;
  return {
    size,
    instanceType,
    minInstances,
    maxInstances,
    containerMemory,
    containerMemoryReservation,
    containerCpu,
    gunicornWorkers,
    taskMinCount,
    taskMaxCount,
    imageTag,
    backend,
    hashAlgo: props.hashAlgo ?? "sha256",
    vpcId: props.vpcId,
    maxAzs: props.maxAzs ?? 2,
    natGateways: props.natGateways ?? (preset.natGateways === "per-zone" ? (props.maxAzs ?? 2) : 1),
    efsThroughputMode,
    efsProvisionedMibps: props.efsProvisionedMibps,
    efsTransitionToIaDays: props.efsTransitionToIaDays ?? 30,
    backupRetentionDays: props.backupRetentionDays ?? 7,
    fileSystemId: props.fileSystemId,
    backupVaultName: props.backupVaultName,
    secretArn: props.secretArn,
    albAccessLogs: props.albAccessLogs ?? false,
    albAccessLogsDays: props.albAccessLogsDays ?? 90,
    dockerHubCredentialArn: props.dockerHubCredentialArn,
    domainName,
    hostedZoneId: props.hostedZoneId,
    hostedZoneName,
    certificateArn: props.certificateArn,
    allowHttp,
    allowedCidrs: [...allowedCidrs],
    albIdleTimeoutSeconds,
    keepAliveSeconds: albIdleTimeoutSeconds + KEEP_ALIVE_MARGIN_SECONDS,
    deregistrationDelaySeconds: props.deregistrationDelaySeconds ?? 30,
    alarmEmail: props.alarmEmail,
    logRetentionDays: props.logRetentionDays ?? 30,
    username: props.username ?? "pypi",
    bcryptRounds: props.bcryptRounds ?? 5,
    protocol: https ? "https" : "http",
    warnings,
  };
}
