/**
 * What `pypictl destroy` leaves behind, read from the stack's outputs before it is deleted, so destroy can
 * print the exact redeploy command (`--file-system-id`, `--backup-vault-name`, `--secret-arn`). Best effort:
 * any failure returns {} and destroy falls back to a generic hint. Light: only the CloudFormation client.
 */
import { DescribeStacksCommand } from "@aws-sdk/client-cloudformation";
import { STACK_OUTPUT_KEYS } from "../sources/target/outputs.js";
import type { AwsClientPool } from "../sources/aws/pool.js";

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
    const res = await client.send(new DescribeStacksCommand({ StackName: o.stackName }));
    const outputs = Object.fromEntries(
      (res.Stacks?.[0]?.Outputs ?? []).map((x) => [x.OutputKey, x.OutputValue]),
    );
    const pick = (k: string) =>
      typeof outputs[k] === "string" && outputs[k] !== "" ? outputs[k] : undefined;
    return {
      fileSystemId: pick(STACK_OUTPUT_KEYS.fileSystemId),
      backupVaultName: pick(EXTRA_OUTPUT_KEYS.backupVaultName),
      secretArn: pick(STACK_OUTPUT_KEYS.secretId),
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
