/**
 * What `pypictl destroy` leaves behind, read from the stack's outputs before it is deleted, so destroy can
 * print the exact redeploy command (`--file-system-id`, `--backup-vault-name`, `--secret-arn`). Best effort:
 * any failure returns {} and destroy falls back to a generic hint. Light: only the CloudFormation client,
 * imported when read (stateful.ts imports EXTRA_OUTPUT_KEYS from here, and --help must load no SDK client).
 */
import { STACK_OUTPUT_KEYS } from "../sources/target/outputs.js";
import type { AwsClientPool } from "../sources/aws/pool.js";
import { cachePrefix } from "./cache-prefix.js";
import { RECORDED_PROPS_OUTPUT, decodeRecordedProps } from "./recorded-props.js";
import {
  FAILED_DELETE_STATES,
  deleteFailedResources,
  emptyBucketCommand,
  leftoverLine,
  type Leftover,
} from "./failed-create.js";

/** Output keys beyond STACK_OUTPUT_KEYS (defined here, without aws-cdk-lib, and used by the stack). */
export const EXTRA_OUTPUT_KEYS = {
  backupVaultName: "BackupVaultName",
  alarmTopic: "AlarmTopicArn",
  accessLogsBucket: "AccessLogsBucket",
} as const;

export interface KeptResources {
  fileSystemId?: string;
  backupVaultName?: string;
  secretArn?: string;
  /** The ALB access-log bucket (albAccessLogs). */
  accessLogsBucket?: string;
  /** The cluster: Container Insights writes its own log group, which the stack does not own. */
  clusterName?: string;
  /** The pull-through cache's repository prefix (dockerHubCredentialArn): ECR creates them on first pull. */
  cacheRepositoryPrefix?: string;
  /** Resources a failed create (or delete) could not delete (ROLLBACK_FAILED / DELETE_FAILED stacks). */
  failedDeletes?: Leftover[];
}

/** `aws`: the command's pool (two attempts: a best-effort read must not hold destroy up). */
export async function readKeptResources(
  o: { stackName: string; region?: string; profile?: string },
  aws: AwsClientPool,
): Promise<KeptResources> {
  try {
    const client = await aws
      .for({ region: o.region, profile: o.profile }, { maxAttempts: 2 })
      .cloudformation();
    const { DescribeStacksCommand } = await import("@aws-sdk/client-cloudformation");
    const res = await client.send(new DescribeStacksCommand({ StackName: o.stackName }));
    const outputs = Object.fromEntries(
      (res.Stacks?.[0]?.Outputs ?? []).map((x) => [x.OutputKey, x.OutputValue]),
    );
    // A failed create has no outputs; what its rollback could not delete is in its resource list.
    const failedDeletes = FAILED_DELETE_STATES.has(res.Stacks?.[0]?.StackStatus ?? "")
      ? await deleteFailedResources(client, o.stackName)
      : undefined;
    const pick = (k: string) =>
      typeof outputs[k] === "string" && outputs[k] !== "" ? outputs[k] : undefined;
    const recorded = pick(RECORDED_PROPS_OUTPUT);
    const cached = recorded ? decodeRecordedProps(recorded)?.props.dockerHubCredentialArn : undefined;
    return {
      fileSystemId: pick(STACK_OUTPUT_KEYS.fileSystemId),
      backupVaultName: pick(EXTRA_OUTPUT_KEYS.backupVaultName),
      secretArn: pick(STACK_OUTPUT_KEYS.secretId),
      accessLogsBucket: pick(EXTRA_OUTPUT_KEYS.accessLogsBucket),
      clusterName: pick(STACK_OUTPUT_KEYS.cluster),
      ...(cached ? { cacheRepositoryPrefix: cachePrefix(o.stackName) } : {}),
      ...(failedDeletes && failedDeletes.length > 0 ? { failedDeletes } : {}),
    };
  } catch {
    return {};
  }
}

/** The flags that redeploy onto what destroy kept (only the ones known). */
export function redeployFlags(k: KeptResources): string {
  return [
    k.fileSystemId && `--file-system-id ${k.fileSystemId}`,
    k.backupVaultName && `--backup-vault-name ${k.backupVaultName}`,
    k.secretArn && `--secret-arn ${k.secretArn}`,
  ]
    .filter(Boolean)
    .join(" ");
}

/**
 * Everything the stack leaves behind, one line each: what the stack retains, and what AWS services created
 * outside the stack (Container Insights' performance log group, "/aws/ecs/containerinsights/<cluster>/
 * performance" per the Container Insights docs; the pull-through cache's repositories, created by ECR on the
 * first pull). Unknown ones (the outputs could not be read) are named generically.
 */
export function leftovers(k: KeptResources): string[] {
  return [
    `EFS file system ${k.fileSystemId ?? "(id in the EFS console)"}: your packages`,
    `AWS Backup vault ${k.backupVaultName ?? "pypictl-…"}: the daily recovery points`,
    `Secrets Manager secret ${k.secretArn ?? "(in the Secrets Manager console)"}: the index credentials`,
    ...(k.accessLogsBucket
      ? [
          `S3 bucket ${k.accessLogsBucket}: ALB access logs (its lifecycle rule keeps expiring them; to remove it: ${emptyBucketCommand(k.accessLogsBucket)})`,
        ]
      : []),
    ...(k.failedDeletes ?? []).filter((l) => l.physicalId !== k.accessLogsBucket).map((l) => leftoverLine(l)),
    `CloudWatch log group /aws/ecs/containerinsights/${k.clusterName ?? "<cluster>"}/performance: Container Insights metrics data (created by ECS, not the stack)`,
    ...(k.cacheRepositoryPrefix
      ? [
          `ECR repositories under ${k.cacheRepositoryPrefix}/: the pull-through cache's copies of the image (created by ECR on first pull)`,
        ]
      : []),
  ];
}
