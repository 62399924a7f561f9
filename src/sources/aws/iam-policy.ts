/**
 * The least-privilege IAM policy for doctor, built from the sources' declared grants (grants.ts) and the
 * fleet's identity: with a fleet (--stack outputs, --terraform-outputs, flags) every scoped resource is the
 * fleet's own ARN; without one, placeholders in capitals (REGION, ACCOUNT, CLUSTER, …) show what to narrow.
 *
 * - Host probe: `ssm:SendCommand` only on the stack's probe document (src/sources/host/probe-document.ts) and
 *   only on instances tagged `aws:autoscaling:groupName=<the fleet's group>` (the tag EC2 Auto Scaling puts on
 *   every instance it launches, the stack's and the Terraform module's alike). A fleet without the document
 *   (the Terraform module) gets AWS-RunShellScript on those instances, and the Sid says what that is.
 * - Index credentials: `secretsmanager:GetSecretValue` on the fleet's secret ARN (plus `kms:Decrypt` through
 *   Secrets Manager when the secret has a customer key); without a fleet, on secrets tagged as pypictl's.
 * The same function builds the stack's managed policy (src/infra/doctor-access.ts) from CloudFormation
 * references, so the two cannot differ (test/infra/doctor-access.test.ts).
 */
import { SIZE_ONLY_SOURCES, SOURCE_GRANTS, type Grant, type GrantResource } from "./grants.js";

export interface IamStatement {
  Sid: string;
  Effect: "Allow";
  Action: string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, string>>;
}

export interface IamPolicy {
  Version: "2012-10-17";
  Statement: IamStatement[];
}

/** The tag EC2 Auto Scaling adds to each instance it launches: the group's name. */
export const ASG_INSTANCE_TAG = "aws:autoscaling:groupName";
/** The tag the stack puts on its credentials secret; without a fleet, the policy allows secrets with it. */
export const SECRET_TAG = { key: "pypictl:credentials", value: "index" } as const;
export const RUN_SHELL_SCRIPT = "AWS-RunShellScript";

/** What the policy is built for. Strings are values, CloudFormation tokens (the stack) or placeholders. */
export interface PolicyFleet {
  /** False: no fleet was named, every fleet-specific value is a placeholder. */
  known: boolean;
  partition: string;
  region: string;
  account: string;
  /** The stack doctor reads outputs from; absent: no DescribeStacks (Terraform outputs, flags). */
  stack?: string;
  cluster: string;
  service: string;
  fileSystemId: string;
  logGroup: string;
  autoScalingGroup: string;
  /** The probe document; absent on a known fleet: AWS-RunShellScript (Terraform module fleets). */
  probeDocument?: string;
  /** The credentials secret: its ARN, or a name (any suffix Secrets Manager appended). */
  secret: { arn: string } | { name: string } | { tagged: true };
  /** The customer KMS key of the secret, when it has one. */
  secretKmsKey?: string;
}

export const PLACEHOLDER = {
  region: "REGION",
  account: "ACCOUNT",
  stack: "STACK",
  cluster: "CLUSTER",
  service: "SERVICE",
  fileSystemId: "FILE_SYSTEM_ID",
  logGroup: "LOG_GROUP",
  autoScalingGroup: "AUTO_SCALING_GROUP",
} as const;

/** The placeholder policy's fleet: nothing known. */
export function genericFleet(probeDocumentName = "PROBE_DOCUMENT"): PolicyFleet {
  return {
    known: false,
    partition: "aws",
    ...PLACEHOLDER,
    probeDocument: probeDocumentName,
    secret: { tagged: true },
  };
}

/** What each statement is for, by Sid (printed with the policy and in the README). */
export const STATEMENT_PURPOSE: Readonly<Record<string, string>> = {
  PypictlReadsWithoutResourceLevelPermissions:
    'reads that IAM cannot scope to a resource (no resource type in the Service Authorization Reference), so "*": metrics, Auto Scaling groups, instance credit options, load balancer/target group state, the task definition, SSM command results',
  PypictlReadStackOutputs:
    "the stack's outputs: which cluster, service, file system, secret and probe document",
  PypictlReadEcsService: "the service: desired/running counts, deployments, events, its task definition",
  PypictlListEcsContainerInstances: "the cluster's container instances (which EC2 hosts run the tasks)",
  PypictlReadEcsContainerInstances: "those container instances' details",
  PypictlListEcsTasksOfTheCluster:
    'stopped tasks of this cluster only (ListTasks authorizes on container instances: "*" with the ecs:cluster condition)',
  PypictlReadEcsTasks: "why those tasks stopped (OOM kills, health checks)",
  PypictlReadFileSystem: "the EFS file system's throughput mode and size",
  PypictlReadServiceLogs: "the service's container logs (gunicorn worker kills, errors)",
  PypictlReadIndexCredentials: "the index credentials the auth checks log in with",
  PypictlDecryptIndexCredentials: "decrypt that secret, only when Secrets Manager asks (kms:ViaService)",
  PypictlSendProbeDocument:
    "run the stack's read-only probe document (memory, swap, iowait, EFS mount, package count) — no shell, no other command",
  PypictlRunAnyShellCommandAsRootOnFleetInstances:
    "WARNING: this fleet has no probe document, so the probe goes through AWS-RunShellScript, which runs ANY shell command as root on the instances the next statement allows. Deploy with `pypictl deploy` (which ships the probe document) to narrow it",
  PypictlOnlyOnFleetInstances:
    "only on this fleet's instances: those EC2 Auto Scaling tagged with the fleet's group name",
};

const SID: Record<Exclude<GrantResource, "fleet-instances">, string> = {
  "*": "PypictlReadsWithoutResourceLevelPermissions",
  stack: "PypictlReadStackOutputs",
  "ecs-service": "PypictlReadEcsService",
  "ecs-cluster": "PypictlListEcsContainerInstances",
  "ecs-container-instances": "PypictlReadEcsContainerInstances",
  "ecs-cluster-condition": "PypictlListEcsTasksOfTheCluster",
  "ecs-tasks": "PypictlReadEcsTasks",
  "efs-file-system": "PypictlReadFileSystem",
  "log-group": "PypictlReadServiceLogs",
  "index-secret": "PypictlReadIndexCredentials",
};

/** Statement order: reads first, the credentials, then the probe. */
const ORDER: GrantResource[] = [
  "*",
  "stack",
  "ecs-service",
  "ecs-cluster",
  "ecs-container-instances",
  "ecs-cluster-condition",
  "ecs-tasks",
  "efs-file-system",
  "log-group",
  "index-secret",
  "fleet-instances",
];

function arn(f: PolicyFleet, service: string, resource: string, account = f.account): string {
  return `arn:${f.partition}:${service}:${f.region}:${account}:${resource}`;
}

const clusterArn = (f: PolicyFleet) => arn(f, "ecs", `cluster/${f.cluster}`);

function secretResource(f: PolicyFleet): string {
  if ("arn" in f.secret) return f.secret.arn;
  // Secrets Manager appends "-" and six characters to a secret's name in its ARN.
  if ("name" in f.secret) return arn(f, "secretsmanager", `secret:${f.secret.name}-??????`);
  return arn(f, "secretsmanager", "secret:*");
}

function statementsFor(kind: GrantResource, actions: string[], f: PolicyFleet): IamStatement[] {
  const s = (
    Sid: string,
    Resource: string | string[],
    Condition?: IamStatement["Condition"],
  ): IamStatement => ({
    Sid,
    Effect: "Allow",
    Action: actions,
    Resource,
    ...(Condition ? { Condition } : {}),
  });
  switch (kind) {
    case "*":
      return [s(SID[kind], "*")];
    case "stack":
      return f.stack === undefined ? [] : [s(SID[kind], arn(f, "cloudformation", `stack/${f.stack}/*`))];
    case "ecs-service":
      return [s(SID[kind], arn(f, "ecs", `service/${f.cluster}/${f.service}`))];
    case "ecs-cluster":
      return [s(SID[kind], clusterArn(f))];
    case "ecs-container-instances":
      return [s(SID[kind], arn(f, "ecs", `container-instance/${f.cluster}/*`))];
    case "ecs-cluster-condition":
      return [s(SID[kind], "*", { ArnEquals: { "ecs:cluster": clusterArn(f) } })];
    case "ecs-tasks":
      return [s(SID[kind], arn(f, "ecs", `task/${f.cluster}/*`))];
    case "efs-file-system":
      return [s(SID[kind], arn(f, "elasticfilesystem", `file-system/${f.fileSystemId}`))];
    case "log-group":
      return [s(SID[kind], arn(f, "logs", `log-group:${f.logGroup}:*`))];
    case "index-secret": {
      const read = s(
        SID[kind],
        secretResource(f),
        "tagged" in f.secret
          ? { StringEquals: { [`secretsmanager:ResourceTag/${SECRET_TAG.key}`]: SECRET_TAG.value } }
          : undefined,
      );
      if (!f.secretKmsKey) return [read];
      return [
        read,
        {
          Sid: "PypictlDecryptIndexCredentials",
          Effect: "Allow",
          Action: ["kms:Decrypt"],
          Resource: f.secretKmsKey,
          Condition: { StringEquals: { "kms:ViaService": `secretsmanager.${f.region}.amazonaws.com` } },
        },
      ];
    }
    case "fleet-instances": {
      const send = { ...s("", ""), Action: ["ssm:SendCommand"] };
      const document = f.probeDocument
        ? { ...send, Sid: "PypictlSendProbeDocument", Resource: arn(f, "ssm", `document/${f.probeDocument}`) }
        : {
            ...send,
            Sid: "PypictlRunAnyShellCommandAsRootOnFleetInstances",
            // AWS-owned documents have no account in their ARN.
            Resource: arn(f, "ssm", `document/${RUN_SHELL_SCRIPT}`, ""),
          };
      return [
        document,
        {
          ...send,
          Sid: "PypictlOnlyOnFleetInstances",
          Resource: arn(f, "ec2", "instance/*"),
          Condition: { StringEquals: { [`ssm:resourceTag/${ASG_INSTANCE_TAG}`]: f.autoScalingGroup } },
        },
      ];
    }
  }
}

/**
 * The policy for a selection: `sources` are the source ids the selected checks need, dependencies included
 * (absent = every source). `fleet`: the fleet's identity (default: placeholders).
 */
export function doctorIamPolicy(sources?: readonly string[], fleet: PolicyFleet = genericFleet()): IamPolicy {
  const ids = [
    ...(fleet.stack !== undefined ? ["target.stack"] : []),
    ...(sources ??
      Object.keys(SOURCE_GRANTS).filter((id) => id !== "target.stack" && !SIZE_ONLY_SOURCES.has(id))),
  ];
  const byKind = new Map<GrantResource, string[]>();
  for (const g of ids.flatMap((id): readonly Grant[] => SOURCE_GRANTS[id] ?? []))
    for (const a of g.actions) {
      const list = byKind.get(g.resource) ?? [];
      if (!list.includes(a)) list.push(a);
      byKind.set(g.resource, list);
    }
  const Statement = ORDER.flatMap((kind) => {
    const actions = byKind.get(kind);
    return actions ? statementsFor(kind, actions, fleet) : [];
  });
  return { Version: "2012-10-17", Statement };
}

/** The `creds` policy: the stack's outputs (when read) and the credentials secret. */
export function credsIamPolicy(fleet: PolicyFleet): IamPolicy {
  return doctorIamPolicy(["http.index-probe"], fleet);
}

/** One line per statement: its Sid and what it is for (stderr of --print-iam-policy, the README). */
export function explainPolicy(p: IamPolicy): string[] {
  return p.Statement.map((s) => `${s.Sid}: ${STATEMENT_PURPOSE[s.Sid] ?? ""}`);
}

/** The placeholders a printed policy still holds (each names what would resolve it). */
export function placeholdersIn(p: IamPolicy): string[] {
  const text = JSON.stringify(p);
  return Object.values(PLACEHOLDER).filter((v) => new RegExp(`[:/"]${v}[:/"*-]`).test(text));
}

/** Actions the policy allows (for tests and `--print-iam-policy` consumers). */
export function allowedActions(p: IamPolicy = doctorIamPolicy()): Set<string> {
  return new Set(p.Statement.flatMap((s) => s.Action));
}
