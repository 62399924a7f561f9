/**
 * ALB access logs (the Terraform module's option, parity): a bucket made the way AWS's "Enable access logs
 * for your Application Load Balancer" asks, and the load balancer pointed at it.
 * - Encryption: SSE-S3. The guide: "The only server-side encryption option that's supported is Amazon
 *   S3-managed keys (SSE-S3)" (aws-cdk's logAccessLogs refuses a bucket with a KMS key for the same reason).
 * - Bucket policy: written by aws-cdk's `logAccessLogs`. For Regions available before August 2022 it allows
 *   the Region's Elastic Load Balancing account (e.g. 156460612806 in eu-west-1) to PutObject under
 *   `<prefix>/AWSLogs/<account>/`; for newer Regions the `logdelivery.elasticloadbalancing.amazonaws.com`
 *   service principal. Which one comes from aws-cdk's region table, so the stack needs a concrete region;
 *   an unknown (newer) Region gets the service principal, as AWS documents for new Regions.
 * - Private (all public access blocked, ACLs disabled), TLS-only (deny aws:SecureTransport false), logs
 *   expired after `albAccessLogsDays`.
 * - Kept on destroy and on replacement (RETAIN_ON_UPDATE_OR_DELETE, like the other kept resources): ELB writes
 *   a test object the moment logging is enabled, so the bucket is never empty and CloudFormation could not
 *   delete it (a failed delete would leave the stack stuck). Its name is generated, so a redeploy never
 *   collides with it; the lifecycle rule keeps emptying it. Deleted when the first create fails, so a failed
 *   first deploy leaves no bucket behind (if ELB had already written its test object, that delete fails
 *   with BucketNotEmpty and the bucket remains, as it would have anyway).
 */
import { Duration, RemovalPolicy, Token, Stack, Validations } from "aws-cdk-lib";
import type * as elbv2 from "aws-cdk-lib/aws-elasticloadbalancingv2";
import * as s3 from "aws-cdk-lib/aws-s3";
import type { Construct } from "constructs";
import { UsageError } from "../errors.js";

/** Key prefix of the log objects (ELB adds AWSLogs/<account>/elasticloadbalancing/<region>/… after it). */
export const ACCESS_LOG_PREFIX = "alb";

export function enableAccessLogs(
  scope: Construct,
  loadBalancer: elbv2.ApplicationLoadBalancer,
  days: number,
): s3.Bucket {
  const region = Stack.of(scope).region;
  if (Token.isUnresolved(region)) {
    throw new UsageError(
      "--alb-access-logs: the log bucket's policy names the region's Elastic Load Balancing log-delivery account, so the stack needs its region at synthesis: give --region (or set AWS_REGION)",
      "--alb-access-logs",
    );
  }
  const bucket = new s3.Bucket(scope, "AccessLogs", {
    encryption: s3.BucketEncryption.S3_MANAGED,
    enforceSSL: true,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    lifecycleRules: [
      {
        id: "expire-access-logs",
        expiration: Duration.days(days),
        abortIncompleteMultipartUploadAfter: Duration.days(1),
      },
    ],
    removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
  });
  Validations.of(bucket).acknowledge({
    id: "AwsSolutions-S1",
    reason:
      "This bucket only receives the load balancer's access logs; logging its own reads would need a second log bucket per stack. Its contents expire with the lifecycle rule.",
  });
  loadBalancer.logAccessLogs(bucket, ACCESS_LOG_PREFIX);
  return bucket;
}
