/**
 * The least-privilege IAM policy for doctor's AWS calls: read-only describes and metrics, plus SSM Run
 * Command limited to the AWS-RunShellScript document (the read-only host probe) on EC2 instances.
 * A test records every SDK command doctor issues across the suite and fails if one is missing here.
 */
export interface IamPolicy {
  Version: "2012-10-17";
  Statement: Array<{ Sid?: string; Effect: "Allow"; Action: string[]; Resource: string | string[]; Condition?: unknown }>;
}

/** Every action doctor may call, by statement. Exported for the policy test. */
export const DOCTOR_READ_ACTIONS = [
  "cloudformation:DescribeStacks",
  "ecs:DescribeServices",
  "ecs:DescribeTaskDefinition",
  "ecs:ListTasks",
  "ecs:DescribeTasks",
  "ecs:ListContainerInstances",
  "ecs:DescribeContainerInstances",
  "ec2:DescribeInstances",
  "elasticloadbalancing:DescribeTargetHealth",
  "elasticloadbalancing:DescribeTargetGroups",
  "elasticloadbalancing:DescribeTargetGroupAttributes",
  "elasticloadbalancing:DescribeLoadBalancerAttributes",
  "elasticfilesystem:DescribeFileSystems",
  "cloudwatch:GetMetricData",
  "ssm:ListCommandInvocations",
  "ssm:GetCommandInvocation",
] as const;

export function doctorIamPolicy(): IamPolicy {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "PypictlDoctorRead",
        Effect: "Allow",
        // These describe/list/get actions do not support resource-level scoping (or only partly): "*".
        Action: [...DOCTOR_READ_ACTIONS],
        Resource: "*",
      },
      {
        Sid: "PypictlDoctorReadIndexSecret",
        Effect: "Allow",
        // The auth checks log in with the index credentials; narrow this to your secret's ARN.
        Action: ["secretsmanager:GetSecretValue"],
        Resource: "arn:aws:secretsmanager:*:*:secret:*",
      },
      {
        Sid: "PypictlDoctorHostProbe",
        Effect: "Allow",
        Action: ["ssm:SendCommand"],
        Resource: ["arn:aws:ssm:*::document/AWS-RunShellScript", "arn:aws:ec2:*:*:instance/*"],
      },
    ],
  };
}

/** Actions the policy allows (for tests and `--print-iam-policy` consumers). */
export function allowedActions(p: IamPolicy = doctorIamPolicy()): Set<string> {
  return new Set(p.Statement.flatMap((s) => s.Action));
}
