/**
 * A resolved FleetTarget → the values the IAM policy is built from (iam-policy.ts). Region, account and
 * partition come from the target's ARNs (load balancer, target group, secret); whatever is still unknown is
 * a placeholder, which `--print-iam-policy` names on stderr with the flag that would fill it.
 */
import type { FleetTarget } from "../target/model.js";
import { PLACEHOLDER, type PolicyFleet } from "./iam-policy.js";

const ARN = /^arn:([^:]+):[^:]+:([^:]*):(\d{12}):/;

export function policyFleetFrom(t: FleetTarget, extra: { secretKmsKey?: string } = {}): PolicyFleet {
  const arns = [t.loadBalancer, t.targetGroup, t.secretId].filter((a): a is string => !!a);
  const parsed = arns.map((a) => ARN.exec(a)).find((m) => m !== null);
  const f: PolicyFleet = {
    known: true,
    partition: parsed?.[1] ?? "aws",
    region: t.region ?? parsed?.[2] ?? PLACEHOLDER.region,
    account: parsed?.[3] ?? PLACEHOLDER.account,
    cluster: t.cluster ?? PLACEHOLDER.cluster,
    service: t.service ?? PLACEHOLDER.service,
    // Found at run time from the task definition (the Terraform module outputs no file-system id): any
    // file system of the account and region; --file-system-id narrows it.
    fileSystemId: t.fileSystemId ?? "*",
    logGroup: t.logGroup ?? PLACEHOLDER.logGroup,
    autoScalingGroup: t.autoScalingGroup ?? PLACEHOLDER.autoScalingGroup,
    secret: !t.secretId
      ? { tagged: true }
      : t.secretId.startsWith("arn:")
        ? { arn: t.secretId }
        : { name: t.secretId },
  };
  if (t.stack) f.stack = t.stack;
  if (t.probeDocument) f.probeDocument = t.probeDocument;
  if (extra.secretKmsKey) f.secretKmsKey = extra.secretKmsKey;
  return f;
}

/** The flag (or output) that fills each placeholder. */
export const PLACEHOLDER_SOURCE: Readonly<Record<string, string>> = {
  [PLACEHOLDER.region]: "--region",
  [PLACEHOLDER.account]: "--load-balancer or --target-group (their ARNs carry the account)",
  [PLACEHOLDER.stack]: "--stack",
  [PLACEHOLDER.cluster]: "--cluster",
  [PLACEHOLDER.service]: "--service",
  [PLACEHOLDER.fileSystemId]: "--file-system-id",
  [PLACEHOLDER.logGroup]: "--stack (output LogGroupName)",
  [PLACEHOLDER.autoScalingGroup]: "--stack or --terraform-outputs (asg_name)",
};
