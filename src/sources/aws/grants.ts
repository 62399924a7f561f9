/**
 * What each evidence source may call on AWS, and on which resource: the IAM policy doctor needs is built from
 * these declarations (iam-policy.ts), so a source added here (e.g. a CloudWatch Logs source:
 * `{ actions: ["logs:FilterLogEvents"], resource: "log-group" }`, or a pricing one:
 * `{ actions: ["pricing:GetProducts"], resource: "*" }`) appears in `--print-iam-policy`, in the stack's managed
 * policy and in the policy test at once. A test fails when an SDK command in src/sources has no declaration.
 *
 * Resource scoping follows the Service Authorization Reference (docs.aws.amazon.com/service-authorization/
 * latest/reference/list_<service>.html): an action with no resource type there must be granted on "*".
 * - No resource types (so "*"): cloudwatch:GetMetricData; autoscaling:DescribeAutoScalingGroups;
 *   ec2:DescribeInstanceCreditSpecifications; every elasticloadbalancing:Describe*; ecs:DescribeTaskDefinition;
 *   ssm:GetCommandInvocation and ssm:ListCommandInvocations; pricing:GetProducts.
 * - ecs:ListTasks authorizes on the container-instance resource, which a listing names none of: "*" with the
 *   `ecs:cluster` condition, as aws-cdk does for its drain hook (aws/aws-cdk#3199; awsdocs ecs guide #211).
 * - Scoped: ecs:DescribeServices (service), ecs:DescribeTasks (task), ecs:DescribeContainerInstances and
 *   ecs:ListContainerInstances (container-instance / cluster, ARNs with the cluster name),
 *   elasticfilesystem:DescribeFileSystems (file-system), cloudformation:DescribeStacks (stack),
 *   secretsmanager:GetSecretValue (secret), logs:FilterLogEvents (log-group), ssm:SendCommand (document and
 *   instance; the instance by `ssm:resourceTag/<key>`, SSM user guide "Restricting Run Command access based on
 *   tags": one statement for the document, another for the instances with the tag condition).
 */

/** Where a grant applies; iam-policy.ts turns each kind into the fleet's ARN (or a placeholder). */
export type GrantResource =
  | "*"
  | "stack"
  | "ecs-service"
  | "ecs-cluster"
  | "ecs-tasks"
  | "ecs-container-instances"
  | "ecs-cluster-condition"
  | "efs-file-system"
  | "log-group"
  | "index-secret"
  | "fleet-instances";

export interface Grant {
  actions: readonly string[];
  resource: GrantResource;
}

/** The grants of each source that calls AWS, by source id ("target.stack": reading the stack's outputs). */
export const SOURCE_GRANTS: Readonly<Record<string, readonly Grant[]>> = {
  "target.stack": [{ actions: ["cloudformation:DescribeStacks"], resource: "stack" }],
  "ecs.service": [
    { actions: ["ecs:DescribeServices"], resource: "ecs-service" },
    { actions: ["ecs:DescribeTaskDefinition"], resource: "*" },
  ],
  "ecs.stopped-tasks": [
    { actions: ["ecs:ListTasks"], resource: "ecs-cluster-condition" },
    { actions: ["ecs:DescribeTasks"], resource: "ecs-tasks" },
  ],
  "ecs.tasks": [
    { actions: ["ecs:ListTasks"], resource: "ecs-cluster-condition" },
    { actions: ["ecs:DescribeTasks"], resource: "ecs-tasks" },
    // Which EC2 instance each running task is on (ec2.cpu-skew compares only instances with tasks).
    { actions: ["ecs:DescribeContainerInstances"], resource: "ecs-container-instances" },
  ],
  "fleet.instances": [
    { actions: ["autoscaling:DescribeAutoScalingGroups"], resource: "*" },
    { actions: ["ec2:DescribeInstanceCreditSpecifications"], resource: "*" },
    { actions: ["ecs:ListContainerInstances"], resource: "ecs-cluster" },
    { actions: ["ecs:DescribeContainerInstances"], resource: "ecs-container-instances" },
  ],
  "elb.targets": [
    {
      actions: [
        "elasticloadbalancing:DescribeTargetHealth",
        "elasticloadbalancing:DescribeTargetGroups",
        "elasticloadbalancing:DescribeTargetGroupAttributes",
        "elasticloadbalancing:DescribeLoadBalancerAttributes",
      ],
      resource: "*",
    },
  ],
  "efs.file-system": [{ actions: ["elasticfilesystem:DescribeFileSystems"], resource: "efs-file-system" }],
  "cloudwatch.metrics": [{ actions: ["cloudwatch:GetMetricData"], resource: "*" }],
  // gunicorn's worker-kill lines in the service's awslogs group (src/sources/aws/logs.ts).
  "logs.gunicorn": [{ actions: ["logs:FilterLogEvents"], resource: "log-group" }],
  // `pypictl size` only (never in doctor's default policy, see SIZE_ONLY_SOURCES): its long-window load read
  // and the AWS Price List (pricing:GetProducts has no resource type: "*").
  "size.load": [
    { actions: ["cloudwatch:GetMetricData"], resource: "*" },
    { actions: ["autoscaling:DescribeAutoScalingGroups"], resource: "*" },
  ],
  "size.pricing": [{ actions: ["pricing:GetProducts"], resource: "*" }],
  "host.probe": [
    // SendCommand itself is the probe statement pair (document + fleet instances), built in iam-policy.ts.
    { actions: ["ssm:SendCommand"], resource: "fleet-instances" },
    { actions: ["ssm:ListCommandInvocations", "ssm:GetCommandInvocation"], resource: "*" },
  ],
  "http.index-probe": [{ actions: ["secretsmanager:GetSecretValue"], resource: "index-secret" }],
};

/** Every action any source may call. */
export function declaredActions(): Set<string> {
  return new Set(Object.values(SOURCE_GRANTS).flatMap((gs) => gs.flatMap((g) => g.actions)));
}

/** Sources only `pypictl size` reads: doctor's policy (no selection) leaves them out. */
export const SIZE_ONLY_SOURCES: ReadonlySet<string> = new Set(["size.load", "size.pricing"]);
