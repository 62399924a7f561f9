/**
 * What a failed first create leaves behind. The stack's kept resources are RetainExceptOnCreate: deleted when
 * the create that made them rolls back, retained by every other operation, stack deletion included
 * (CloudFormation DeletionPolicy docs). The ALB access-log bucket is the one such rollback cannot delete:
 * Elastic Load Balancing writes a test object (ELBAccessLogTestFile) into it as soon as access logging is
 * enabled, S3 refuses to delete a bucket that is not empty (BucketNotEmpty), and the stack ends in
 * ROLLBACK_FAILED with the bucket in DELETE_FAILED. The next `pypictl deploy` deletes that stack before
 * creating it again (toolkit-lib's deploy-stack: a ROLLBACK_FAILED stack is a creation failure), the bucket
 * is retained by that delete and belongs to no stack any more, and its generated name never collides with
 * the new one. So pypictl names it, with the command that empties and deletes it: in the failed deploy's
 * report, before the next deploy, and in `destroy`. Reads need cloudformation:ListStackResources; a failed
 * read names nothing (best effort). Light: the CloudFormation client is passed in.
 */
import type { CloudFormationClient } from "@aws-sdk/client-cloudformation";

export interface Leftover {
  readonly logicalId: string;
  readonly type: string;
  readonly physicalId: string;
  readonly reason?: string;
}

/** Stack states a failed create (or a failed delete) ends in: some resources could not be deleted. */
export const FAILED_DELETE_STATES = new Set(["ROLLBACK_FAILED", "DELETE_FAILED"]);

/** The stack's resources in DELETE_FAILED; undefined when they could not be listed. */
export async function deleteFailedResources(
  cfn: Pick<CloudFormationClient, "send">,
  stackName: string,
): Promise<Leftover[] | undefined> {
  const { ListStackResourcesCommand } = await import("@aws-sdk/client-cloudformation");
  const found: Leftover[] = [];
  let NextToken: string | undefined;
  try {
    for (let page = 0; page < 20; page++) {
      const res = await cfn.send(new ListStackResourcesCommand({ StackName: stackName, NextToken }));
      for (const r of res.StackResourceSummaries ?? [])
        if (r.ResourceStatus === "DELETE_FAILED" && r.PhysicalResourceId)
          found.push({
            logicalId: r.LogicalResourceId ?? "?",
            type: r.ResourceType ?? "?",
            physicalId: r.PhysicalResourceId,
            ...(r.ResourceStatusReason ? { reason: r.ResourceStatusReason.split("\n")[0]! } : {}),
          });
      NextToken = res.NextToken;
      if (!NextToken) break;
    }
  } catch {
    return undefined;
  }
  return found;
}

/** The command that empties and deletes a bucket (aws CLI v2: `rb --force` deletes every object first). */
export const emptyBucketCommand = (bucket: string) => `aws s3 rb s3://${bucket} --force`;

/** One line per leftover, saying what it is and how to remove it. */
export function leftoverLine(l: Leftover): string {
  if (l.type === "AWS::S3::Bucket")
    return `S3 bucket ${l.physicalId}: the failed create could not delete it${l.reason ? ` (${l.reason})` : ""}; Elastic Load Balancing writes its test object ELBAccessLogTestFile as soon as access logging is on, so the bucket is not empty. It belongs to no stack once the failed one is deleted; empty and delete it: ${emptyBucketCommand(l.physicalId)}`;
  return `${l.type} ${l.physicalId} (${l.logicalId}): the failed create could not delete it${l.reason ? ` (${l.reason})` : ""}`;
}

/** What `deploy` says about a stack a failed first create left (ROLLBACK_FAILED), before it deletes it. */
export function failedCreateNotice(
  stackName: string,
  status: string,
  leftovers: Leftover[] | undefined,
): string {
  const lines = [
    `Stack ${stackName} is what a failed first create left (${status}): deploy deletes it and creates it again.`,
  ];
  if (leftovers === undefined)
    lines.push(
      "  Its leftovers could not be listed (cloudformation:ListStackResources); see the stack's events in the CloudFormation console.",
    );
  else if (leftovers.length > 0) {
    lines.push("  Its rollback could not delete these; the delete keeps them (RetainExceptOnCreate):");
    for (const l of leftovers) lines.push(`  - ${leftoverLine(l)}`);
  }
  return `${lines.join("\n")}\n`;
}
