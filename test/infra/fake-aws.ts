/**
 * A tiny fake of the AWS endpoints `pypictl deploy` touches (via AWS_ENDPOINT_URL), enough for toolkit-lib
 * to run a change-set deployment of a new stack end to end: STS (caller identity; role assumption refused,
 * so the toolkit falls back to the base credentials), SSM (the bootstrap version), S3 (the template upload)
 * and CloudFormation (change set, execution, events, outputs). Every call is recorded.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface FakeAwsOptions {
  /** The bootstrap stack's version parameter; undefined = not bootstrapped. */
  bootstrapVersion?: string;
  account?: string;
  /** Outputs the stack reports once created. */
  outputs?: Record<string, string>;
  /** The stack exists already (destroy, update). */
  existingStack?: boolean;
  /** The existing stack's template (GetTemplate); without it GetTemplate fails as for a missing stack. */
  template?: Record<string, unknown>;
  /** IAM: whether the account has the ECS service-linked role (GetRole). @default true */
  ecsServiceLinkedRole?: boolean;
  /**
   * EFS DescribeFileSystems answers, by file system id (the FileSystemDescription shape, efs-2015-02-01);
   * an id not listed is answered as an elastic file system of 1 GiB, `null` as FileSystemNotFound.
   */
  fileSystems?: Record<string, Record<string, unknown> | null>;
  /**
   * A first create that fails and whose rollback cannot delete the access-log bucket (ROLLBACK_FAILED, the
   * bucket DELETE_FAILED with BucketNotEmpty): "on-execute" fails the create this run makes (the cluster with
   * the service-linked-role race), "existing" starts with a stack left in that state.
   */
  failedCreate?: "on-execute" | "existing";
}

/** The access-log bucket a failed create leaves (failedCreate). */
export const LEFTOVER_BUCKET = "pypiserver-accesslogs1a2b3c4d-0123456789ab";
export const SLR_RACE_REASON =
  'Resource handler returned message: "Invalid request provided: CreateCluster Invalid Request: Unable to assume the service linked role. Please verify that the ECS service linked role exists. (Service: Ecs, Status Code: 400)" (HandlerErrorCode: InvalidRequest)';

export interface FakeAws {
  url: string;
  calls: string[];
  /** Bodies of the objects uploaded to S3 (the deployed template among them), by path. */
  uploads: Map<string, string>;
  close(): Promise<void>;
}

const CFN_NS = "http://cloudformation.amazonaws.com/doc/2010-05-15/";

export async function startFakeAws(o: FakeAwsOptions = {}): Promise<FakeAws> {
  const account = o.account ?? "123456789012";
  const calls: string[] = [];
  const uploads = new Map<string, string>();
  let stackState: "none" | "review" | "created" | "rollbackFailed" =
    o.failedCreate === "existing" ? "rollbackFailed" : o.existingStack ? "created" : "none";
  /** An existing stack's change set is an update: it ends in UPDATE_COMPLETE. */
  let updating = false;
  /** A change set exists (created, not yet executed or deleted): the toolkit deletes a stale one first. */
  let changeSet = false;
  let stackName = "pypiserver";
  const stackId = () =>
    `arn:aws:cloudformation:eu-west-1:${account}:stack/${stackName}/11111111-2222-3333-4444-555555555555`;
  const now = new Date().toISOString();

  const xml = (res: ServerResponse, status: number, body: string) => {
    res.writeHead(status, { "content-type": "text/xml" });
    res.end(body);
  };
  const cfnError = (res: ServerResponse, code: string, message: string) =>
    xml(
      res,
      400,
      `<ErrorResponse xmlns="${CFN_NS}"><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>1</RequestId></ErrorResponse>`,
    );
  const cfn = (res: ServerResponse, action: string, result: string) =>
    xml(
      res,
      200,
      `<${action}Response xmlns="${CFN_NS}"><${action}Result>${result}</${action}Result><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></${action}Response>`,
    );

  const handle = (req: IncomingMessage, res: ServerResponse, body: string) => {
    const target = String(req.headers["x-amz-target"] ?? "");
    const params = new URLSearchParams(body);
    const action =
      params.get("Action") ?? (target ? target.split(".").pop()! : `${req.method} ${req.url?.split("?")[0]}`);
    calls.push(action);
    if (params.get("StackName"))
      stackName =
        params.get("StackName")!.split("/")[1] && params.get("StackName")!.startsWith("arn:")
          ? stackName
          : params.get("StackName")!;

    switch (action) {
      case "GetCallerIdentity":
        return xml(
          res,
          200,
          `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>arn:aws:iam::${account}:user/t</Arn><UserId>AIDA</UserId><Account>${account}</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></GetCallerIdentityResponse>`,
        );
      case "AssumeRole":
        return xml(
          res,
          403,
          `<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>no such role</Message></Error><RequestId>1</RequestId></ErrorResponse>`,
        );
      case "GetRole":
        if (o.ecsServiceLinkedRole === false)
          return xml(
            res,
            404,
            `<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>Sender</Type><Code>NoSuchEntity</Code><Message>The role with name ${params.get("RoleName")} cannot be found.</Message></Error><RequestId>1</RequestId></ErrorResponse>`,
          );
        return xml(
          res,
          200,
          `<GetRoleResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><GetRoleResult><Role><Path>/aws-service-role/ecs.amazonaws.com/</Path><RoleName>${params.get("RoleName")}</RoleName><RoleId>AROAEXAMPLE</RoleId><Arn>arn:aws:iam::${account}:role/aws-service-role/ecs.amazonaws.com/${params.get("RoleName")}</Arn><CreateDate>2021-03-01T00:00:00Z</CreateDate></Role></GetRoleResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></GetRoleResponse>`,
        );
      case "CreateServiceLinkedRole":
        o.ecsServiceLinkedRole = true;
        return xml(
          res,
          200,
          `<CreateServiceLinkedRoleResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><CreateServiceLinkedRoleResult><Role><Path>/aws-service-role/ecs.amazonaws.com/</Path><RoleName>AWSServiceRoleForECS</RoleName><RoleId>AROAEXAMPLE</RoleId><Arn>arn:aws:iam::${account}:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS</Arn><CreateDate>2021-03-01T00:00:00Z</CreateDate></Role></CreateServiceLinkedRoleResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></CreateServiceLinkedRoleResponse>`,
        );
      case "GET /2015-02-01/file-systems": {
        const id = new URL(req.url ?? "/", "http://x").searchParams.get("FileSystemId") ?? "";
        const known = o.fileSystems?.[id];
        if (known === null) {
          res.writeHead(404, {
            "content-type": "application/json",
            "x-amzn-errortype": "FileSystemNotFound",
          });
          return res.end(
            JSON.stringify({ ErrorCode: "FileSystemNotFound", Message: "File system not found" }),
          );
        }
        res.writeHead(200, { "content-type": "application/json" });
        return res.end(
          JSON.stringify({
            FileSystems: [
              {
                OwnerId: account,
                CreationToken: "t",
                FileSystemId: id,
                CreationTime: 1700000000,
                LifeCycleState: "available",
                NumberOfMountTargets: 0,
                SizeInBytes: { Value: 1024 ** 3 },
                PerformanceMode: "generalPurpose",
                Encrypted: true,
                ThroughputMode: "elastic",
                Tags: [],
                ...known,
              },
            ],
          }),
        );
      }
      case "GetParameter":
        res.writeHead(o.bootstrapVersion ? 200 : 400, { "content-type": "application/x-amz-json-1.1" });
        return res.end(
          JSON.stringify(
            o.bootstrapVersion
              ? {
                  Parameter: {
                    Name: "/cdk-bootstrap/hnb659fds/version",
                    Type: "String",
                    Value: o.bootstrapVersion,
                    Version: 1,
                  },
                }
              : { __type: "ParameterNotFound", message: "" },
          ),
        );
      case "DescribeStacks": {
        if (stackState === "none" || params.get("StackName") === "CDKToolkit")
          return cfnError(res, "ValidationError", `Stack with id ${params.get("StackName")} does not exist`);
        const status =
          stackState === "review"
            ? "REVIEW_IN_PROGRESS"
            : stackState === "rollbackFailed"
              ? "ROLLBACK_FAILED"
              : updating
                ? "UPDATE_COMPLETE"
                : "CREATE_COMPLETE";
        const outputs =
          stackState === "created"
            ? `<Outputs>${Object.entries(o.outputs ?? {})
                .map(
                  ([k, v]) =>
                    `<member><OutputKey>${k}</OutputKey><OutputValue>${v.replace(/&/g, "&amp;").replace(/</g, "&lt;")}</OutputValue></member>`,
                )
                .join("")}</Outputs>`
            : "";
        return cfn(
          res,
          "DescribeStacks",
          `<Stacks><member><StackId>${stackId()}</StackId><StackName>${stackName}</StackName><CreationTime>${now}</CreationTime><StackStatus>${status}</StackStatus>${outputs}</member></Stacks>`,
        );
      }
      case "GetTemplate":
        if ((stackState === "created" && o.template) || stackState === "rollbackFailed")
          return cfn(
            res,
            "GetTemplate",
            `<TemplateBody>${JSON.stringify(o.template ?? { Resources: {} })
              .replace(/&/g, "&amp;")
              .replace(/</g, "&lt;")
              .replace(
                />/g,
                "&gt;",
              )}</TemplateBody><StagesAvailable><member>Original</member><member>Processed</member></StagesAvailable>`,
          );
        return cfnError(res, "ValidationError", `Stack with id ${params.get("StackName")} does not exist`);
      case "GetTemplateSummary":
        return cfn(res, "GetTemplateSummary", "<Parameters/>");
      case "CreateChangeSet":
        changeSet = true;
        if (stackState === "created") updating = true;
        else stackState = "review";
        return cfn(
          res,
          "CreateChangeSet",
          `<Id>${stackId()}:changeSet/cdk-deploy-change-set/1</Id><StackId>${stackId()}</StackId>`,
        );
      case "DescribeChangeSet":
        if (!changeSet)
          return cfnError(res, "ChangeSetNotFound", "ChangeSet cdk-deploy-change-set does not exist");
        return cfn(
          res,
          "DescribeChangeSet",
          `<ChangeSetName>cdk-deploy-change-set</ChangeSetName><ChangeSetId>${stackId()}:changeSet/cdk-deploy-change-set/1</ChangeSetId><StackId>${stackId()}</StackId><StackName>${stackName}</StackName><Status>CREATE_COMPLETE</Status><ExecutionStatus>AVAILABLE</ExecutionStatus><Changes><member><Type>Resource</Type><ResourceChange><Action>Add</Action><LogicalResourceId>Packages660AFF77</LogicalResourceId><ResourceType>AWS::EFS::FileSystem</ResourceType></ResourceChange></member></Changes>`,
        );
      case "ExecuteChangeSet":
        changeSet = false;
        stackState = o.failedCreate === "on-execute" && !updating ? "rollbackFailed" : "created";
        return cfn(res, "ExecuteChangeSet", "");
      case "DescribeStackEvents":
        if (stackState === "rollbackFailed") {
          const t = (s: number) => new Date(Date.now() + s * 1000).toISOString();
          const ev = (id: string, logical: string, type: string, status: string, at: number, reason = "") =>
            `<member><StackId>${stackId()}</StackId><EventId>${id}</EventId><StackName>${stackName}</StackName><LogicalResourceId>${logical}</LogicalResourceId><PhysicalResourceId>${logical === stackName ? stackId() : ""}</PhysicalResourceId><ResourceType>${type}</ResourceType><Timestamp>${t(at)}</Timestamp><ResourceStatus>${status}</ResourceStatus>${reason ? `<ResourceStatusReason>${reason.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/"/g, "&quot;")}</ResourceStatusReason>` : ""}</member>`;
          // Newest first, as CloudFormation lists them.
          return cfn(
            res,
            "DescribeStackEvents",
            `<StackEvents>${[
              ev(
                "e4",
                stackName,
                "AWS::CloudFormation::Stack",
                "ROLLBACK_FAILED",
                4,
                "The following resource(s) failed to delete: [AccessLogs4F2A8C1D]. ",
              ),
              ev(
                "e3",
                "AccessLogs4F2A8C1D",
                "AWS::S3::Bucket",
                "DELETE_FAILED",
                3,
                "The bucket you tried to delete is not empty (Service: S3, Status Code: 409)",
              ),
              ev("e2", "ClusterEB0386A7", "AWS::ECS::Cluster", "CREATE_FAILED", 2, SLR_RACE_REASON),
            ].join("")}</StackEvents>`,
          );
        }
        return cfn(
          res,
          "DescribeStackEvents",
          `<StackEvents><member><StackId>${stackId()}</StackId><EventId>e1</EventId><StackName>${stackName}</StackName><LogicalResourceId>${stackName}</LogicalResourceId><PhysicalResourceId>${stackId()}</PhysicalResourceId><ResourceType>AWS::CloudFormation::Stack</ResourceType><Timestamp>${new Date(Date.now() + 1000).toISOString()}</Timestamp><ResourceStatus>${updating ? "UPDATE_COMPLETE" : "CREATE_COMPLETE"}</ResourceStatus></member></StackEvents>`,
        );
      case "ListStackResources":
        if (stackState === "rollbackFailed")
          return cfn(
            res,
            "ListStackResources",
            `<StackResourceSummaries><member><LogicalResourceId>AccessLogs4F2A8C1D</LogicalResourceId><PhysicalResourceId>${LEFTOVER_BUCKET}</PhysicalResourceId><ResourceType>AWS::S3::Bucket</ResourceType><LastUpdatedTimestamp>${now}</LastUpdatedTimestamp><ResourceStatus>DELETE_FAILED</ResourceStatus><ResourceStatusReason>The bucket you tried to delete is not empty (Service: S3, Status Code: 409)</ResourceStatusReason></member></StackResourceSummaries>`,
          );
        return cfn(res, "ListStackResources", "<StackResourceSummaries/>");
      case "DeleteChangeSet":
        changeSet = false;
        return cfn(res, "DeleteChangeSet", "");
      case "DeleteStack":
        stackState = "none";
        return cfn(res, "DeleteStack", "");
      default:
        break;
    }
    // S3: the template asset upload to the bootstrap bucket.
    if (req.method === "GET" && req.url?.includes("list-type=2")) {
      return xml(
        res,
        200,
        `<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>b</Name><KeyCount>0</KeyCount><MaxKeys>1</MaxKeys><IsTruncated>false</IsTruncated></ListBucketResult>`,
      );
    }
    if (req.method === "GET" && req.url?.includes("?location")) {
      return xml(
        res,
        200,
        `<LocationConstraint xmlns="http://s3.amazonaws.com/doc/2006-03-01/">eu-west-1</LocationConstraint>`,
      );
    }
    if (req.method === "PUT") uploads.set(req.url?.split("?")[0] ?? "", body);
    if (req.method === "PUT" || req.method === "HEAD") {
      res.writeHead(200, { etag: '"abc"', "x-amz-bucket-region": "eu-west-1" });
      return res.end();
    }
    return xml(
      res,
      400,
      `<ErrorResponse><Error><Type>Sender</Type><Code>InvalidAction</Code><Message>not emulated: ${action}</Message></Error><RequestId>1</RequestId></ErrorResponse>`,
    );
  };

  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => handle(req, res, body));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    uploads,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
