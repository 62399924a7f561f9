/**
 * The least-privilege IAM policy for doctor's AWS calls: read-only describes and metrics, plus SSM Run
 * Command limited to the AWS-RunShellScript document (the read-only host probe) on EC2 instances.
 * A test records every SDK command doctor issues across the suite and fails if one is missing here.
 */
export interface IamPolicy {
  Version: "2012-10-17";
  Statement: Array<{
    Sid?: string;
    Effect: "Allow";
    Action: string[];
    Resource: string | string[];
    Condition?: unknown;
  }>;
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
  "autoscaling:DescribeAutoScalingGroups",
  "ec2:DescribeInstanceCreditSpecifications",
  "elasticloadbalancing:DescribeTargetHealth",
  "elasticloadbalancing:DescribeTargetGroups",
  "elasticloadbalancing:DescribeTargetGroupAttributes",
  "elasticloadbalancing:DescribeLoadBalancerAttributes",
  "elasticfilesystem:DescribeFileSystems",
  "cloudwatch:GetMetricData",
  "pricing:GetProducts",
  "ssm:ListCommandInvocations",
  "ssm:GetCommandInvocation",
] as const;

/**
 * The read actions each source may call, by source id, when the target gives nothing but a cluster and
 * service (every discovery path). Sources that call no AWS API (local probes, HTTP) are absent.
 * `cloudformation:DescribeStacks` is the target resolver's (--stack and the default stack), always needed.
 */
export const SOURCE_ACTIONS: Readonly<Record<string, readonly (typeof DOCTOR_READ_ACTIONS)[number][]>> = {
  "ecs.service": ["ecs:DescribeServices", "ecs:DescribeTaskDefinition"],
  "ecs.stopped-tasks": ["ecs:ListTasks", "ecs:DescribeTasks"],
  "ecs.tasks": ["ecs:ListTasks", "ecs:DescribeTasks"],
  "fleet.instances": [
    "autoscaling:DescribeAutoScalingGroups",
    "ec2:DescribeInstanceCreditSpecifications",
    "ecs:ListContainerInstances",
    "ecs:DescribeContainerInstances",
  ],
  "elb.targets": [
    "elasticloadbalancing:DescribeTargetHealth",
    "elasticloadbalancing:DescribeTargetGroups",
    "elasticloadbalancing:DescribeTargetGroupAttributes",
    "elasticloadbalancing:DescribeLoadBalancerAttributes",
  ],
  "efs.file-system": ["elasticfilesystem:DescribeFileSystems"],
  "cloudwatch.metrics": ["cloudwatch:GetMetricData"],
  "size.load": ["cloudwatch:GetMetricData", "autoscaling:DescribeAutoScalingGroups"],
  "host.probe": ["ssm:ListCommandInvocations", "ssm:GetCommandInvocation"],
  "size.pricing": ["pricing:GetProducts"],
};

/** Actions only `pypictl size` uses: not in doctor's full policy. */
const SIZE_ONLY_ACTIONS: ReadonlySet<string> = new Set(["pricing:GetProducts"]);

/**
 * The policy for a selection: `sources` are the source ids the selected checks need, dependencies
 * included (absent = every source). The index secret is read by the HTTP probe, SendCommand by the host
 * probe over SSM.
 */
export function doctorIamPolicy(sources?: readonly string[]): IamPolicy {
  const all = sources === undefined;
  const has = (id: string) => all || sources.includes(id);
  const read = all
    ? DOCTOR_READ_ACTIONS.filter((a) => !SIZE_ONLY_ACTIONS.has(a))
    : DOCTOR_READ_ACTIONS.filter(
        (a) => a === "cloudformation:DescribeStacks" || sources.some((id) => SOURCE_ACTIONS[id]?.includes(a)),
      );
  const statements: IamPolicy["Statement"] = [
    {
      Sid: "PypictlDoctorRead",
      Effect: "Allow",
      // These describe/list/get actions do not support resource-level scoping (or only partly): "*".
      Action: read,
      Resource: "*",
    },
  ];
  if (has("http.index-probe"))
    statements.push({
      Sid: "PypictlDoctorReadIndexSecret",
      Effect: "Allow",
      // The auth checks log in with the index credentials; narrow this to your secret's ARN.
      Action: ["secretsmanager:GetSecretValue"],
      Resource: "arn:aws:secretsmanager:*:*:secret:*",
    });
  if (has("host.probe"))
    statements.push({
      Sid: "PypictlDoctorHostProbe",
      Effect: "Allow",
      Action: ["ssm:SendCommand"],
      Resource: ["arn:aws:ssm:*::document/AWS-RunShellScript", "arn:aws:ec2:*:*:instance/*"],
    });
  return { Version: "2012-10-17", Statement: statements };
}

/** Actions the policy allows (for tests and `--print-iam-policy` consumers). */
export function allowedActions(p: IamPolicy = doctorIamPolicy()): Set<string> {
  return new Set(p.Statement.flatMap((s) => s.Action));
}
