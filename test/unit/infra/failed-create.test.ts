/**
 * A failed first create whose rollback could not delete the access-log bucket (ELB wrote its
 * ELBAccessLogTestFile into it, so DeleteBucket answers BucketNotEmpty and the stack ends in ROLLBACK_FAILED).
 * Strict aws-sdk-client-mock CloudFormation: the next deploy starts as a create and names the bucket with the
 * command that removes it; destroy names it among the leftovers; listing failures name nothing, never guess.
 */
import { afterEach, describe, expect, it } from "vitest";
import { mockClient } from "aws-sdk-client-mock";
import {
  CloudFormationClient,
  DescribeStacksCommand,
  ListStackResourcesCommand,
  type StackResourceSummary,
  type StackStatus,
} from "@aws-sdk/client-cloudformation";
import { readDeployedStack } from "../../../src/infra/deployed.js";
import { deleteFailedResources, failedCreateNotice, leftoverLine } from "../../../src/infra/failed-create.js";
import { leftovers, readKeptResources } from "../../../src/infra/kept.js";
import { AwsClientPool } from "../../../src/sources/aws/pool.js";

const cfnMock = mockClient(CloudFormationClient);
const cfn = new CloudFormationClient({ region: "eu-west-1" });
afterEach(() => cfnMock.reset());
const strict = () => cfnMock.onAnyCommand().rejects(new Error("unexpected CloudFormation call"));
const sdkError = (name: string, message: string, status = 400) =>
  Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } });

const BUCKET = "pypiserver-accesslogs1a2b3c4d-0123456789ab";
const stack = (status: StackStatus) => ({
  Stacks: [{ StackName: "pypiserver", StackStatus: status, CreationTime: new Date(), Outputs: [] }],
});
const summary = (over: Partial<StackResourceSummary>): StackResourceSummary => ({
  LogicalResourceId: "AccessLogs4F2A8C1D",
  PhysicalResourceId: BUCKET,
  ResourceType: "AWS::S3::Bucket",
  LastUpdatedTimestamp: new Date(),
  ResourceStatus: "DELETE_FAILED",
  ResourceStatusReason:
    "The bucket you tried to delete is not empty (Service: S3, Status Code: 409, Request ID: X) (SDK Attempt Count: 1)",
  ...over,
});
/** What CloudFormation lists after such a rollback: the bucket DELETE_FAILED, the rest DELETE_COMPLETE. */
const afterRollback = {
  StackResourceSummaries: [
    summary({}),
    summary({
      LogicalResourceId: "LoadBalancerBE9EEC3A",
      PhysicalResourceId: "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/x/1",
      ResourceType: "AWS::ElasticLoadBalancingV2::LoadBalancer",
      ResourceStatus: "DELETE_COMPLETE",
      ResourceStatusReason: undefined,
    }),
  ],
};

describe("a stack a failed first create left (ROLLBACK_FAILED)", () => {
  it("is not deployed (the next deploy creates it), and names what its rollback could not delete", async () => {
    strict();
    cfnMock.on(DescribeStacksCommand, { StackName: "pypiserver" }).resolves(stack("ROLLBACK_FAILED"));
    cfnMock.on(ListStackResourcesCommand, { StackName: "pypiserver" }).resolves(afterRollback);
    const d = await readDeployedStack(cfn, "pypiserver", { template: true });
    expect(d).toEqual({
      exists: false,
      failedCreate: {
        status: "ROLLBACK_FAILED",
        leftovers: [
          {
            logicalId: "AccessLogs4F2A8C1D",
            type: "AWS::S3::Bucket",
            physicalId: BUCKET,
            reason: expect.stringMatching(/^The bucket you tried to delete is not empty/),
          },
        ],
      },
    });
    const text = failedCreateNotice(
      "pypiserver",
      "ROLLBACK_FAILED",
      d.exists ? undefined : d.failedCreate?.leftovers,
    );
    expect(text).toMatch(
      /^Stack pypiserver is what a failed first create left \(ROLLBACK_FAILED\): deploy deletes it and creates it again\./,
    );
    expect(text).toContain(`S3 bucket ${BUCKET}: the failed create could not delete it`);
    expect(text).toContain("ELBAccessLogTestFile");
    expect(text).toContain(`aws s3 rb s3://${BUCKET} --force`);
  });

  it("leftovers that cannot be listed (AccessDenied): still a first deploy, and it says it could not list them", async () => {
    strict();
    cfnMock.on(DescribeStacksCommand).resolves(stack("ROLLBACK_FAILED"));
    cfnMock
      .on(ListStackResourcesCommand)
      .rejects(sdkError("AccessDenied", "not authorized to perform: cloudformation:ListStackResources", 403));
    const d = await readDeployedStack(cfn, "pypiserver");
    expect(d).toEqual({ exists: false, failedCreate: { status: "ROLLBACK_FAILED", leftovers: undefined } });
    expect(failedCreateNotice("pypiserver", "ROLLBACK_FAILED", undefined)).toMatch(
      /could not be listed \(cloudformation:ListStackResources\)/,
    );
  });

  it("ROLLBACK_COMPLETE deleted everything: no listing", async () => {
    strict();
    cfnMock.on(DescribeStacksCommand).resolves(stack("ROLLBACK_COMPLETE"));
    expect(await readDeployedStack(cfn, "pypiserver")).toEqual({ exists: false });
    expect(cfnMock.commandCalls(ListStackResourcesCommand)).toHaveLength(0);
  });

  it("follows NextToken across pages", async () => {
    strict();
    cfnMock
      .on(ListStackResourcesCommand, { StackName: "pypiserver", NextToken: undefined })
      .resolves({ StackResourceSummaries: [summary({ ResourceStatus: "DELETE_COMPLETE" })], NextToken: "p2" })
      .on(ListStackResourcesCommand, { StackName: "pypiserver", NextToken: "p2" })
      .resolves({ StackResourceSummaries: [summary({})] });
    expect((await deleteFailedResources(cfn, "pypiserver"))?.map((l) => l.physicalId)).toEqual([BUCKET]);
  });

  it("any other leftover is named by type, id and reason", () => {
    expect(
      leftoverLine({
        logicalId: "Sg",
        type: "AWS::EC2::SecurityGroup",
        physicalId: "sg-0abc",
        reason: "has a dependent object",
      }),
    ).toBe(
      "AWS::EC2::SecurityGroup sg-0abc (Sg): the failed create could not delete it (has a dependent object)",
    );
  });
});

describe("destroy names the bucket", () => {
  it("a healthy stack with access logs: the bucket from its output, with the command that removes it", () => {
    const lines = leftovers({ accessLogsBucket: BUCKET, clusterName: "c" });
    expect(lines.find((l) => l.startsWith(`S3 bucket ${BUCKET}`))).toMatch(
      new RegExp(`ALB access logs .*to remove it: aws s3 rb s3://${BUCKET} --force`),
    );
  });

  it("a stack in ROLLBACK_FAILED (no outputs): the DELETE_FAILED bucket from its resources", async () => {
    strict();
    cfnMock.on(DescribeStacksCommand).resolves(stack("ROLLBACK_FAILED"));
    cfnMock.on(ListStackResourcesCommand).resolves(afterRollback);
    const kept = await readKeptResources(
      { stackName: "pypiserver", region: "eu-west-1" },
      new AwsClientPool(),
    );
    expect(kept.failedDeletes?.map((l) => l.physicalId)).toEqual([BUCKET]);
    expect(leftovers(kept).join("\n")).toContain(`aws s3 rb s3://${BUCKET} --force`);
  });

  it("a healthy stack: no resource listing", async () => {
    strict();
    cfnMock.on(DescribeStacksCommand).resolves(stack("CREATE_COMPLETE"));
    const kept = await readKeptResources(
      { stackName: "pypiserver", region: "eu-west-1" },
      new AwsClientPool(),
    );
    expect(kept.failedDeletes).toBeUndefined();
    expect(cfnMock.commandCalls(ListStackResourcesCommand)).toHaveLength(0);
  });
});
