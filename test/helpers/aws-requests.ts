/**
 * Recorded SDK calls → the authorization requests AWS makes for them: the action and each resource it
 * authorizes against (Service Authorization Reference, per action), with the condition keys the pypictl
 * policies test. Strict: a call this table does not know fails the test instead of passing unchecked.
 */
import type { AuthzRequest } from "./iam-eval.js";

export interface AccountRegion {
  partition: string;
  region: string;
  account: string;
  /** Instance id → its aws:autoscaling:groupName tag (absent: untagged). */
  instanceGroup: (instanceId: string) => string | undefined;
  /** StackName → stack ARN (the stack's id). */
  stackArn: (name: string) => string;
}

const PREFIX: Record<string, string> = {
  ECS: "ecs",
  EC2: "ec2",
  AutoScaling: "autoscaling",
  ElasticLoadBalancingV2: "elasticloadbalancing",
  EFS: "elasticfilesystem",
  CloudWatch: "cloudwatch",
  CloudWatchLogs: "logs",
  SSM: "ssm",
  CloudFormation: "cloudformation",
  SecretsManager: "secretsmanager",
};

/** Actions with no resource type in the Service Authorization Reference: authorized against "*". */
const UNSCOPED = new Set([
  "ecs:DescribeTaskDefinition",
  "autoscaling:DescribeAutoScalingGroups",
  "ec2:DescribeInstanceCreditSpecifications",
  "elasticloadbalancing:DescribeTargetHealth",
  "elasticloadbalancing:DescribeTargetGroups",
  "elasticloadbalancing:DescribeTargetGroupAttributes",
  "elasticloadbalancing:DescribeLoadBalancerAttributes",
  "cloudwatch:GetMetricData",
  "ssm:ListCommandInvocations",
  "ssm:GetCommandInvocation",
]);

export function requestsFor(
  client: string,
  command: string,
  input: Record<string, unknown>,
  a: AccountRegion,
): AuthzRequest[] {
  const action = `${PREFIX[client] ?? client}:${command.replace(/Command$/, "")}`;
  const arn = (service: string, resource: string, account = a.account) =>
    `arn:${a.partition}:${service}:${a.region}:${account}:${resource}`;
  const clusterName = (c: unknown) => String(c ?? "default").replace(/^arn:.*:cluster\//, "");
  const asArn = (service: string, kind: string, cluster: string, id: string) =>
    id.startsWith("arn:") ? id : arn(service, `${kind}/${cluster}/${id}`);
  if (UNSCOPED.has(action)) return [{ action, resource: "*" }];
  switch (action) {
    case "cloudformation:DescribeStacks":
      return [{ action, resource: a.stackArn(String(input.StackName)) }];
    case "ecs:DescribeServices": {
      const c = clusterName(input.cluster);
      return (input.services as string[]).map((s) => ({ action, resource: asArn("ecs", "service", c, s) }));
    }
    case "ecs:ListTasks":
      // Authorized on container instances, none of which the request names; the cluster is a condition key.
      return [
        {
          action,
          resource: "*",
          context: { "ecs:cluster": arn("ecs", `cluster/${clusterName(input.cluster)}`) },
        },
      ];
    case "ecs:DescribeTasks": {
      const c = clusterName(input.cluster);
      return (input.tasks as string[]).map((t) => ({ action, resource: asArn("ecs", "task", c, t) }));
    }
    case "ecs:ListContainerInstances":
      return [{ action, resource: arn("ecs", `cluster/${clusterName(input.cluster)}`) }];
    case "ecs:DescribeContainerInstances": {
      const c = clusterName(input.cluster);
      return (input.containerInstances as string[]).map((ci) => ({
        action,
        resource: asArn("ecs", "container-instance", c, ci),
      }));
    }
    case "logs:FilterLogEvents":
      // Authorized on the log group (Service Authorization Reference: log-group, arn …:log-group:NAME:*).
      return [{ action, resource: arn("logs", `log-group:${String(input.logGroupName)}:*`) }];
    case "elasticfilesystem:DescribeFileSystems":
      return [{ action, resource: arn("elasticfilesystem", `file-system/${String(input.FileSystemId)}`) }];
    case "secretsmanager:GetSecretValue": {
      const id = String(input.SecretId);
      return [
        { action, resource: id.startsWith("arn:") ? id : arn("secretsmanager", `secret:${id}-AbCdEf`) },
      ];
    }
    case "ssm:SendCommand": {
      const doc = String(input.DocumentName);
      // AWS-owned documents' ARNs have no account.
      const document = arn("ssm", `document/${doc}`, /^AWS-/.test(doc) ? "" : a.account);
      return [
        { action, resource: document },
        ...(input.InstanceIds as string[]).map((id): AuthzRequest => {
          const group = a.instanceGroup(id);
          return {
            action,
            resource: arn("ec2", `instance/${id}`),
            context: group ? { "ssm:resourceTag/aws:autoscaling:groupName": group } : {},
          };
        }),
      ];
    }
  }
  throw new Error(`aws-requests: no authorization mapping for ${action}`);
}
