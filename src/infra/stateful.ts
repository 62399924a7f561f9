/**
 * The guard against a routine update stranding state: compare the deployed template with the new one and
 * name every change that would create a new, replace, or orphan the package file system, the credentials
 * secret, the backup vault, the VPC or the load balancer (whose DNS name is the index URL). Each is allowed
 * only by `--allow-replace <what>`. A resource's identity is its logical id (a new id is a new resource) plus
 * the properties whose change makes CloudFormation replace it (the "Update requires: Replacement" entries of
 * the AWS::EFS::FileSystem, AWS::SecretsManager::Secret, AWS::Backup::BackupVault, AWS::EC2::VPC and
 * AWS::ElasticLoadBalancingV2::LoadBalancer reference pages); an adopted one's identity is its id. Pure.
 */
import { STACK_OUTPUT_KEYS } from "../sources/target/outputs.js";
import { EXTRA_OUTPUT_KEYS } from "./kept.js";

export const STATEFUL_KINDS = ["file-system", "secret", "backup-vault", "vpc", "load-balancer"] as const;
export type StatefulKind = (typeof STATEFUL_KINDS)[number];

type Resource = { Type?: string; Properties?: Record<string, unknown> };
export type TemplateJson = {
  Resources?: Record<string, Resource>;
  Outputs?: Record<string, { Value?: unknown }>;
};

interface Identity {
  /** Compared between templates. */
  readonly key: string;
  /** How it reads in the message. */
  readonly text: string;
  readonly owned: boolean;
}

interface KindSpec {
  readonly type: string;
  readonly noun: string;
  /** Properties whose change means replacement (CloudFormation's resource reference, "Update requires"). */
  readonly replacing: readonly string[];
  /** An adopted one's id in the template, when the stack does not own it. */
  adopted(t: TemplateJson): string | undefined;
  /** What losing it means to the operator. */
  readonly stakes: string;
}

const literalOutput = (t: TemplateJson, key: string): string | undefined => {
  const v = t.Outputs?.[key]?.Value;
  return typeof v === "string" ? v : undefined;
};
const firstLiteral = (t: TemplateJson, type: string, prop: string): string | undefined => {
  for (const r of Object.values(t.Resources ?? {}))
    if (r.Type === type && typeof r.Properties?.[prop] === "string") return r.Properties[prop] as string;
  return undefined;
};

const KINDS: Record<StatefulKind, KindSpec> = {
  "file-system": {
    type: "AWS::EFS::FileSystem",
    noun: "package file system",
    replacing: ["Encrypted", "KmsKeyId", "PerformanceMode", "AvailabilityZoneName"],
    adopted: (t) =>
      firstLiteral(t, "AWS::EFS::MountTarget", "FileSystemId") ??
      literalOutput(t, STACK_OUTPUT_KEYS.fileSystemId),
    stakes: "the index would serve a different (possibly empty) set of packages",
  },
  secret: {
    type: "AWS::SecretsManager::Secret",
    noun: "credentials secret",
    // Name replaces it; a changed GenerateSecretString (e.g. a new username) generates a new password.
    replacing: ["Name", "GenerateSecretString", "SecretString", "KmsKeyId"],
    adopted: (t) => literalOutput(t, STACK_OUTPUT_KEYS.secretId),
    stakes: "every pip, uv, poetry and twine client configured with the current password would get 401",
  },
  "backup-vault": {
    type: "AWS::Backup::BackupVault",
    noun: "backup vault",
    replacing: ["BackupVaultName", "EncryptionKeyArn"],
    adopted: (t) => literalOutput(t, EXTRA_OUTPUT_KEYS.backupVaultName),
    stakes: "new backups would go to another vault, away from the existing recovery points",
  },
  vpc: {
    type: "AWS::EC2::VPC",
    noun: "VPC",
    replacing: ["CidrBlock", "InstanceTenancy", "Ipv4IpamPoolId", "Ipv4NetmaskLength"],
    adopted: (t) => firstLiteral(t, "AWS::EC2::SecurityGroup", "VpcId"),
    stakes:
      "the hosts, file system mount targets and load balancer would move (a new load balancer, a new URL)",
  },
  "load-balancer": {
    type: "AWS::ElasticLoadBalancingV2::LoadBalancer",
    noun: "load balancer",
    replacing: ["Name", "Scheme", "Type"],
    adopted: () => undefined,
    stakes: "its DNS name (the index URL clients and DNS records point at) would change",
  },
};

function identity(t: TemplateJson, kind: StatefulKind): Identity | undefined {
  const spec = KINDS[kind];
  const owned = Object.entries(t.Resources ?? {}).filter(([, r]) => r.Type === spec.type);
  if (owned.length > 0) {
    const key = owned
      .map(([id, r]) => `${id}:${JSON.stringify(spec.replacing.map((p) => r.Properties?.[p] ?? null))}`)
      .sort()
      .join("|");
    return {
      key: `owned:${key}`,
      text: `the stack's ${spec.noun} (${owned.map(([id]) => id).join(", ")})`,
      owned: true,
    };
  }
  const id = spec.adopted(t);
  return id ? { key: `adopted:${id}`, text: `the adopted ${spec.noun} ${id}`, owned: false } : undefined;
}

export interface StatefulChange {
  readonly kind: StatefulKind;
  /** The flag that allows it. */
  readonly flag: string;
  readonly message: string;
}

export function allowFlag(kind: StatefulKind): string {
  return `--allow-replace ${kind}`;
}

/** Every stateful identity that differs between the deployed and the new template. */
export function statefulChanges(deployed: TemplateJson, next: TemplateJson): StatefulChange[] {
  const changes: StatefulChange[] = [];
  for (const kind of STATEFUL_KINDS) {
    const before = identity(deployed, kind);
    const after = identity(next, kind);
    if (before?.key === after?.key) continue;
    const spec = KINDS[kind];
    let what: string;
    if (!before) what = `creates a new ${spec.noun}`;
    else if (!after) what = `drops ${before.text}${before.owned ? " (orphaned: kept, no longer used)" : ""}`;
    else if (before.owned && after.owned) {
      // Same logical id: a replacing property changed; otherwise a new resource under a new id.
      what = `replaces ${before.text} with a new one`;
    } else if (before.owned)
      what = `switches from ${before.text} (orphaned: kept, no longer used) to ${after.text}`;
    else what = `switches from ${before.text} to ${after.owned ? `a new ${spec.noun}` : after.text}`;
    changes.push({
      kind,
      flag: allowFlag(kind),
      message: `this deploy ${what}: ${spec.stakes}. Allow it with ${allowFlag(kind)}.`,
    });
  }
  return changes;
}
